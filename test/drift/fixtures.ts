/** Hand-made baselines and live exports for drift tests. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseBaseline, type LoadedBaseline } from '../../src/baseline/load';
import type { LiveExport } from '../../src/export/types';
import type { EvidenceSource, Settings } from '../../src/settings/model';
import { GROUP_COVERAGE } from '../helpers/coverage';

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const PRODUCTION_BASELINE_FILE = path.join(REPO_ROOT, 'baselines/production.json');

export function productionBaseline(edit?: (raw: Record<string, unknown>) => void): LoadedBaseline {
  const raw = JSON.parse(readFileSync(PRODUCTION_BASELINE_FILE, 'utf8')) as Record<string, unknown>;
  edit?.(raw);
  return parseBaseline(JSON.stringify(raw), 'baselines/production.json');
}

/** Coverage an export of every source would report. */
export const FULL_COVERAGE: Record<string, EvidenceSource> = {
  ...GROUP_COVERAGE,
  keys: 'bapi',
  'instance.test_mode': 'fapi',
  'instance.hibp': 'fapi',
};

export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export function liveExport(settings: Settings, coverage: Record<string, EvidenceSource> = FULL_COVERAGE, environment = 'production'): LiveExport {
  return {
    schema_version: 1,
    kind: 'clerkguard-live-export',
    captured_at: '2026-11-26T03:00:00.000Z',
    environment,
    instance_id: 'ins_test',
    settings,
    coverage,
  };
}

/** A live export identical to the baseline, to be edited by a test. */
export function liveLike(loaded: LoadedBaseline, edit?: (settings: Settings) => void, coverage?: Record<string, EvidenceSource>): LiveExport {
  const settings = clone(loaded.baseline.settings);
  edit?.(settings);
  return liveExport(settings, coverage);
}
