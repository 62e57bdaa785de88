/**
 * A full garbage collection between the phases of a run over a large baseline. Each phase
 * (loading, reading Clerk, diffing) leaves tens of MiB of copies behind that survived young
 * collections; V8 grows the heap rather than collect them, so the peak RSS of a 50,000-template
 * drift was the sum of the phases' garbage. Collected between phases, it is the largest phase.
 * Only for baselines larger than LARGE_BASELINE_BYTES: a small run has nothing to reclaim and
 * would pay for the collection.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export const LARGE_BASELINE_BYTES = 2 * 1024 * 1024;

let collect: (() => void) | null | undefined;

/**
 * From now on, V8 lets the heap grow by 60% of what survived the last full collection before it
 * collects again (--heap-growing-percent; by default it may grow by up to 4x while collections
 * are fast, which for a large drift meant none at all between the export and the end of the
 * diff: every phase's garbage at once). Process-wide: called for a run over a large baseline.
 */
export function collectSooner(): void {
  try {
    setFlagsFromString('--heap-growing-percent=60');
  } catch {
    // A runtime without the flag keeps its own policy: more memory, the same answers.
  }
}

export function collectGarbage(): void {
  if (collect === undefined) {
    try {
      // gc() exposed for a fresh context only: the process's own global stays as it was.
      setFlagsFromString('--expose-gc');
      const found = runInNewContext('typeof gc === "function" ? gc : null') as (() => void) | null;
      collect = found;
    } catch {
      collect = null;
    }
  }
  collect?.();
}
