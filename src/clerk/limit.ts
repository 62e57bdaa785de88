import { createTurnQueue } from '../util/turns';

/** Bounded concurrency: run `worker` over `items` with at most `limit` in flight, results in order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, worker: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await worker(items[index]!, index);
      } catch (error) {
        // Stop starting new work: the first failure decides the outcome.
        failed = true;
        throw error;
      }
    }
  });
  await Promise.all(lanes);
  return results;
}

/**
 * Like mapLimit, but a lane is free again as soon as its `fetch` settles: `after` (the CPU work
 * on what was fetched) runs in a later turn of the event loop, once the lane has started its
 * next fetch. A request is then never held back by the checking of an earlier answer, and the
 * checking happens while later answers are on their way: one `after` per turn, so an answer
 * that arrives meanwhile is read (and its lane's next request sent) between two of them, not
 * after all of them. Results come back in `items` order. The first failure, of a fetch or of an
 * `after`, stops new fetches and is what this rejects with, once the fetches already started
 * have settled (none is left running behind the caller).
 */
export async function mapLimitThen<T, F, R>(
  items: readonly T[],
  limit: number,
  fetch: (item: T, index: number) => Promise<F>,
  after: (fetched: F, item: T, index: number) => R | Promise<R>,
): Promise<R[]> {
  const done: Promise<R>[] = [];
  let next = 0;
  let failure: { error: unknown } | undefined;
  const fail = (error: unknown) => {
    failure ??= { error };
  };
  // Backpressure: while twice `limit` fetched items wait for their `after` (a whole round of
  // answers and the next), no lane fetches another: answers are never held unprocessed without
  // bound when the checking is slower than the network.
  const backlog = 2 * Math.max(1, limit);
  const roomWaiters: (() => void)[] = [];
  const work = createTurnQueue(() => {
    if (work.size < backlog) roomWaiters.shift()?.();
  });
  const room = (): Promise<void> | undefined => (work.size < backlog ? undefined : new Promise<void>((resolve) => roomWaiters.push(resolve)));
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (!failure && next < items.length) {
      const waiting = room();
      if (waiting) {
        await waiting;
        continue;
      }
      const index = next++;
      let fetched: F;
      try {
        fetched = await fetch(items[index]!, index);
      } catch (error) {
        fail(error);
        return;
      }
      done[index] = new Promise<R>((resolve, reject) =>
        work.push(() => {
          if (failure) return reject(failure.error);
          const failed = (error: unknown) => {
            fail(error);
            reject(error);
          };
          try {
            const result = after(fetched, items[index]!, index);
            if (result instanceof Promise) result.then(resolve, failed);
            else resolve(result);
          } catch (error) {
            failed(error);
          }
        }),
      );
      done[index]!.catch(() => undefined); // observed below, after every lane has stopped
    }
  });
  await Promise.all(lanes);
  await Promise.allSettled(done);
  if (failure) throw failure.error;
  return Promise.all(done);
}

/**
 * A shared cap on work in flight: every HTTP attempt of one API client runs inside it, so
 * nested fan-outs (parallel reads, each paging in parallel) never exceed the policy's limit.
 * A task marked `ahead` takes the next free slot before the tasks waiting without the mark
 * (each kind in order of arrival): a list's later pages, whose answers cost most to check after
 * they arrive, go before single reads, so the last round of a run holds the small answers. Not
 * without bound: after `limit` slots in a row went ahead while an unmarked task waited, that
 * task goes next, so several lists paging in more lanes than slots never starve a single read
 * (whose attempt's time runs while it waits).
 */
export function createLimiter(limit: number): <T>(task: () => Promise<T>, ahead?: boolean) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  const waitingAhead: (() => void)[] = [];
  const max = Math.max(1, limit);
  let aheadInARow = 0;
  const nextWaiter = (): (() => void) | undefined => {
    if (waitingAhead.length > 0 && (waiting.length === 0 || aheadInARow < max)) {
      aheadInARow = waiting.length === 0 ? 0 : aheadInARow + 1;
      return waitingAhead.shift();
    }
    aheadInARow = 0;
    return waiting.shift();
  };
  return async <T>(task: () => Promise<T>, ahead = false): Promise<T> => {
    // A finishing task hands its slot straight to the next waiter, so `active` never exceeds max.
    if (active >= max) await new Promise<void>((resolve) => (ahead ? waitingAhead : waiting).push(resolve));
    else active++;
    try {
      return await task();
    } finally {
      const next = nextWaiter();
      if (next) next();
      else active--;
    }
  };
}
