/** Live exports and drift results shaped by the shared contracts (src/export/types, src/drift/types). */
import { liveExportSchema, type LiveExport } from '../../src/export/types';
import type { EnvironmentDrift } from '../../src/drift/types';
import { productionBaseline } from '../helpers/baselines';
import { GROUP_COVERAGE } from '../helpers/coverage';

/** A live export of a production instance whose settings equal the shipped baseline's. */
export function liveExportFixture(mutate: (settings: Record<string, any>) => void = () => {}): LiveExport { // eslint-disable-line @typescript-eslint/no-explicit-any
  const settings = structuredClone(productionBaseline().settings) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  mutate(settings);
  return liveExportSchema.parse({
    schema_version: 1,
    kind: 'clerkguard-live-export',
    captured_at: '2026-11-26T12:00:00.000Z',
    environment: 'production',
    instance_id: 'ins_2abcDEF',
    baseline_version: '1.0.0',
    settings,
    coverage: { ...GROUP_COVERAGE, keys: 'attested' },
  });
}

export function cleanDrift(overrides: Partial<EnvironmentDrift> = {}): EnvironmentDrift {
  return {
    environment: 'production',
    baseline_version: '1.0.0',
    baseline_file: 'baselines/production.json',
    status: 'clean',
    changes: [],
    unmanaged: [],
    errors: [],
    coverage: {},
    ...overrides,
  };
}
