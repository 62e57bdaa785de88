import { describe, expect, it } from 'vitest';
import { createLimiter, mapLimitThen } from '../../src/clerk/limit';

const tick = (ms = 0) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** fetch/after over `items`, recording the order of events and the fetches in flight. */
function recorder() {
  const events: string[] = [];
  let inFlight = 0;
  let peak = 0;
  let settledFetches = 0;
  const fetch = async (item: number) => {
    events.push(`fetch ${item}`);
    inFlight++;
    peak = Math.max(peak, inFlight);
    await tick((item * 7) % 5);
    inFlight--;
    settledFetches++;
    if (item === failFetchAt) throw new Error(`fetch ${item} failed`);
    return item * 10;
  };
  let failFetchAt = -1;
  let failAfterAt = -1;
  const after = (fetched: number, item: number) => {
    events.push(`after ${item}`);
    if (item === failAfterAt) throw new Error(`after ${item} failed`);
    return fetched + 1;
  };
  return {
    events,
    fetch,
    after,
    peak: () => peak,
    inFlight: () => inFlight,
    settled: () => settledFetches,
    failFetch: (item: number) => (failFetchAt = item),
    failAfter: (item: number) => (failAfterAt = item),
  };
}

describe('mapLimitThen', () => {
  it('returns every result in item order, with at most `limit` fetches in flight', async () => {
    const items = Array.from({ length: 40 }, (_, index) => index);
    for (const limit of [1, 3, 10, 64]) {
      const run = recorder();
      expect(await mapLimitThen(items, limit, run.fetch, run.after)).toEqual(items.map((item) => item * 10 + 1));
      expect(run.peak()).toBeLessThanOrEqual(limit);
      expect(run.events.filter((event) => event.startsWith('after')).length).toBe(items.length);
    }
    expect(await mapLimitThen([], 4, async () => 1, () => 2)).toEqual([]);
  });

  it('starts a lane\'s next fetch before the work on what it fetched', async () => {
    const run = recorder();
    await mapLimitThen([1, 2, 3], 1, run.fetch, run.after);
    expect(run.events).toEqual(['fetch 1', 'fetch 2', 'after 1', 'fetch 3', 'after 2', 'after 3']);
  });

  it('holds at most twice `limit` fetched items waiting for their work when the work is slower than the fetches', async () => {
    let waiting = 0;
    let peak = 0;
    const items = Array.from({ length: 80 }, (_, index) => index);
    const results = await mapLimitThen(
      items,
      3,
      async (item) => {
        await tick(0);
        waiting++;
        peak = Math.max(peak, waiting);
        return item;
      },
      (item) => {
        waiting--;
        // Slow work, done synchronously: fetches keep completing meanwhile.
        const until = Date.now() + 1;
        while (Date.now() < until);
        return item;
      },
    );
    expect(results).toEqual(items);
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(2 * 3 + 3);
  });

  it.each([
    ['a fetch', (run: ReturnType<typeof recorder>) => run.failFetch(5), /fetch 5 failed/],
    ['the work on a page', (run: ReturnType<typeof recorder>) => run.failAfter(5), /after 5 failed/],
  ])('%s failing: no new fetch starts, nothing is left in flight, and the failure is what it rejects with', async (_what, arrange, message) => {
    const run = recorder();
    arrange(run);
    const items = Array.from({ length: 60 }, (_, index) => index);
    await expect(mapLimitThen(items, 4, run.fetch, run.after)).rejects.toThrow(message);
    expect(run.inFlight()).toBe(0);
    const started = run.events.filter((event) => event.startsWith('fetch')).length;
    expect(started).toBeLessThan(items.length);
    // Nothing starts after the rejection either.
    await tick(20);
    expect(run.events.filter((event) => event.startsWith('fetch')).length).toBe(started);
  });
});

describe('createLimiter', () => {
  it('never runs more than its limit; a task marked ahead takes the next free slot before earlier unmarked waiters, each kind in order', async () => {
    const limit = createLimiter(2);
    const started: string[] = [];
    let running = 0;
    let peak = 0;
    const releases = new Map<string, () => void>();
    const task = (name: string) => () =>
      new Promise<string>((resolve) => {
        started.push(name);
        running++;
        peak = Math.max(peak, running);
        releases.set(name, () => {
          running--;
          resolve(name);
        });
      });
    const done = [
      limit(task('a')),
      limit(task('b')),
      limit(task('single 1')),
      limit(task('single 2')),
      limit(task('page 1'), true),
      limit(task('page 2'), true),
    ];
    await tick();
    expect(started).toEqual(['a', 'b']);
    for (const name of ['a', 'b', 'page 1', 'page 2', 'single 1', 'single 2']) {
      releases.get(name)!();
      await tick();
    }
    expect(started).toEqual(['a', 'b', 'page 1', 'page 2', 'single 1', 'single 2']);
    expect(await Promise.all(done)).toEqual(['a', 'b', 'single 1', 'single 2', 'page 1', 'page 2']);
    expect(peak).toBe(2);
  });

  it('never starves an unmarked task: after `limit` slots in a row went ahead while it waited, it goes next', async () => {
    const limit = createLimiter(2);
    const started: string[] = [];
    // Three lists, each paging in 2 lanes: 6 lanes of later pages for 2 slots.
    const lane = async (list: string, pages: number) => {
      for (let page = 0; page < pages; page++) {
        await limit(async () => {
          started.push(list);
          await tick(1);
        }, true);
      }
    };
    const first = [limit(() => tick(1)), limit(() => tick(1))];
    const lanes = ['templates', 'templates', 'roles', 'roles', 'permissions', 'permissions'].map((list) => lane(list, 15));
    const single = limit(async () => void started.push('GET /instance'));
    await Promise.all([...first, ...lanes, single]);
    // Two pages went ahead of it (the slots the first two requests freed), then its turn.
    expect(started.indexOf('GET /instance')).toBe(2);
    expect(started).toHaveLength(91);
  });

  it('hands a failed task\'s slot on, and a task marked ahead with a free slot starts at once', async () => {
    const limit = createLimiter(1);
    const order: string[] = [];
    const failing = limit(async () => {
      order.push('failing');
      throw new Error('no');
    });
    const next = limit(async () => void order.push('next'), true);
    await expect(failing).rejects.toThrow('no');
    await next;
    await limit(async () => void order.push('alone'), true);
    expect(order).toEqual(['failing', 'next', 'alone']);
  });
});
