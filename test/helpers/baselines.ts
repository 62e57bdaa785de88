/** Baseline fixtures derived from the shipped production baseline. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BaselineInput } from '../../src/baseline/schema';
import { REPO_ROOT } from './cli';

export function productionBaseline(): BaselineInput & { settings: Record<string, unknown> } {
  return JSON.parse(readFileSync(path.join(REPO_ROOT, 'baselines', 'production.json'), 'utf8'));
}

/** A deep copy of the production baseline with `mutate` applied. */
export function baselineWith(mutate: (baseline: ReturnType<typeof productionBaseline>) => void): ReturnType<typeof productionBaseline> {
  const baseline = productionBaseline();
  mutate(baseline);
  return baseline;
}
