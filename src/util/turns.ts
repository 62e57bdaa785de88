/**
 * Jobs run one per turn of the event loop, in order: between two of them the loop reads what
 * has arrived (answers, requests), so a long run of jobs never holds the I/O back for more than
 * one job. `runAll` runs every waiting job now, in order (for a caller that must see them done).
 */
export interface TurnQueue {
  push(job: () => void): void;
  runAll(): void;
  readonly size: number;
}

/** `afterShift` runs each time a job leaves the queue, before the job (a caller's backpressure). */
export function createTurnQueue(afterShift?: () => void): TurnQueue {
  const jobs: (() => void)[] = [];
  let turnBooked = false;
  const runOne = () => {
    const job = jobs.shift();
    turnBooked = jobs.length > 0;
    if (turnBooked) setImmediate(runOne);
    afterShift?.();
    job?.();
  };
  return {
    push(job) {
      jobs.push(job);
      if (!turnBooked) {
        turnBooked = true;
        setImmediate(runOne);
      }
    },
    runAll() {
      while (jobs.length > 0) jobs.shift()!();
    },
    get size() {
      return jobs.length;
    },
  };
}
