/** Reports of any size render: nothing spreads an unbounded list into one call's arguments. */
import { describe, expect, test } from 'vitest';
import type { DriftReport } from '../../src/drift/types';
import { renderDrift, DRIFT_FORMATS } from '../../src/report/drift';

describe('a drift report with 200,000 unmanaged settings', () => {
  const unmanaged = Array.from({ length: 200_000 }, (_, i) => ({ path: `settings.jwt_templates.t-${i}.allowed_clock_skew`, live: 5, source: 'bapi' as const }));
  const report: DriftReport = {
    status: 'clean',
    generated_at: '2026-11-26T03:00:00.000Z',
    environments: [{ environment: 'production', baseline_version: '1', baseline_file: 'production.json', status: 'clean', changes: [], unmanaged, unverified: [], errors: [], coverage: { 'settings.jwt_templates': 'bapi' } }],
  };

  test.each(DRIFT_FORMATS)('renders as %s', (format) => {
    const output = renderDrift(format, report, { verbose: true, texts: { 'production.json': '{}' } });
    expect(output.length).toBeGreaterThan(0);
    if (format === 'text' || format === 'markdown') expect(output).toContain('t-199999.allowed_clock_skew');
  });
});
