/**
 * collectGarbage (src/util/memory.ts) runs a full collection between the phases of a large drift
 * run, through a gc() exposed to a fresh context only: the process's own global must not gain a
 * `gc`, and a collection must really run (a weakly held object is gone after it).
 */
import { describe, expect, test } from 'vitest';
import { collectGarbage } from '../../src/util/memory';

describe('collectGarbage', () => {
  test('collects (an unreachable object held weakly is gone) without exposing gc on the global', async () => {
    const hadGc = typeof (globalThis as { gc?: unknown }).gc;
    let ref: WeakRef<object> | undefined;
    (() => {
      ref = new WeakRef({ payload: new Array(1000).fill('x') });
    })();
    // WeakRef targets survive until the current job ends: let it end first.
    await new Promise((resolve) => setTimeout(resolve, 0));
    collectGarbage();
    expect(ref!.deref()).toBeUndefined();
    expect(typeof (globalThis as { gc?: unknown }).gc).toBe(hadGc);
  });
});
