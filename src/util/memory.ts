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
 * Node majors whose V8 has --heap-growing-percent (checked in `node --v8-options` of 20.20, 22.23
 * and 24.22). setFlagsFromString does not throw on a flag V8 lacks: it prints "unrecognized
 * flag" to stderr and goes on, so a flag is set only where it is known to exist.
 */
const MAJORS_WITH_HEAP_GROWING_PERCENT = new Set([20, 22, 24]);

function setHeapGrowingPercent(percent: number): void {
  if (!MAJORS_WITH_HEAP_GROWING_PERCENT.has(Number(process.versions.node.split('.')[0]))) return;
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}

/**
 * Until `collectAsUsual`, V8 lets the heap grow by 60% of what survived the last full collection
 * before it collects again (by default it may grow by up to 4x while collections are fast, which
 * for a large drift meant none at all between the export and the end of the diff: every phase's
 * garbage at once). The flag is process-wide, so a caller restores the default when its large
 * run ends: a `schedule` process runs later jobs, and the CLI saves its code cache after the
 * command, which V8 only accepts again under the flags it was made with.
 */
export function collectSooner(): void {
  setHeapGrowingPercent(60);
}

/** V8's own heap-growing policy again (0 = V8 chooses; its default). */
export function collectAsUsual(): void {
  setHeapGrowingPercent(0);
}

export function collectGarbage(): void {
  if (collect === undefined) {
    try {
      // gc() exposed for a fresh context only: the process's own global stays as it was.
      setFlagsFromString('--expose-gc');
      const found = runInNewContext('typeof gc === "function" ? gc : null') as (() => void) | null;
      // Back to the flags the process started with: the function stays usable, and V8 accepts a
      // code cache only under the flags it was made with (the CLI saves its cache after the run).
      setFlagsFromString('--no-expose-gc');
      collect = found;
    } catch {
      collect = null;
    }
  }
  collect?.();
}
