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
