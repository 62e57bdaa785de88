import { describe, expect, it } from 'vitest';
import { createTurnQueue } from '../../src/util/turns';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('createTurnQueue', () => {
  it('runs one job per turn of the event loop, in order, and runAll runs what waits at once', async () => {
    const ran: string[] = [];
    let shifts = 0;
    const queue = createTurnQueue(() => shifts++);
    for (const name of ['a', 'b', 'c', 'd']) queue.push(() => ran.push(name));
    expect(queue.size).toBe(4);
    await turn();
    expect(ran).toEqual(['a']);
    await turn();
    expect(ran).toEqual(['a', 'b']);
    queue.runAll();
    expect(ran).toEqual(['a', 'b', 'c', 'd']);
    expect(queue.size).toBe(0);
    await turn();
    await turn();
    expect(ran).toHaveLength(4);
    // The turn booked before runAll still comes (and finds nothing): afterShift runs each turn.
    expect(shifts).toBe(3);
    queue.push(() => ran.push('e'));
    await turn();
    expect(ran.at(-1)).toBe('e');
  });
});
