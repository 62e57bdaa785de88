/**
 * What one process sends to Clerk over all its clients (src/clerk/budget.ts): one in-flight cap
 * for the process, one rate budget per instance shared by every client of that instance, a pause
 * after a 429, and retries after a 429 spread out rather than fired together. Against the
 * emulator's own per-instance rate limit, with the real client.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createClerkApi } from '../../src/clerk/api';
import { budgetFor, parseRateLimit, RateBudget, resetBudgets, resetTrafficStats, trafficStats } from '../../src/clerk/budget';
import { connectionFromEnv, type RetryPolicy } from '../../src/clerk/connection';
import { readSettings } from '../../src/clerk/settings-io';
import type { Target } from '../../src/baseline/schema';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';

const target: Target = {
  environment_type: 'development',
  secret_key_env: 'CLERK_SECRET_KEY',
  publishable_key_env: 'CLERK_PUBLISHABLE_KEY',
  platform_api_key_env: 'CLERK_PLATFORM_API_KEY',
};
const fast: Partial<RetryPolicy> = { timeoutMs: 5_000, maxRetries: 6, backoffBaseMs: 5 };

const started: RunningEmulator[] = [];
async function emulatorWith(options: Parameters<typeof startEmulator>[0]): Promise<RunningEmulator> {
  const emulator = await startEmulator({ secretKey: 'sk_test_budgetTESTkey0123456789', ...options });
  started.push(emulator);
  return emulator;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((emulator) => emulator.close()));
  resetBudgets();
});

/** The largest number of times that fall in any window of `windowMs`. */
function mostInAnyWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let start = 0, end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

describe('rate budget', () => {
  it('never lets more than its limit out in any window, in order of arrival, holding places for granted requests not yet sent', async () => {
    const budget = new RateBudget({ requests: 5, windowMs: 200 });
    const sent: number[] = [];
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 12 }, async (_, index) => {
        const ticket = await budget.acquire();
        order.push(index);
        // Half of the granted requests wait for an in-flight slot before they go out.
        if (index % 2 === 0) await new Promise((resolve) => setTimeout(resolve, 30));
        sent.push(Date.now());
        ticket.sent();
      }),
    );
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(mostInAnyWindow(sent, 200)).toBeLessThanOrEqual(5);
    expect(Math.max(...sent) - Math.min(...sent)).toBeGreaterThanOrEqual(400);
  });

  it('a grant given back (the request was never sent) frees its place at once', async () => {
    const budget = new RateBudget({ requests: 1, windowMs: 60_000 });
    const first = await budget.acquire();
    const second = budget.acquire();
    first.release();
    await expect(second).resolves.toBeDefined();
  });

  it('pauses after a 429 until Retry-After, and refuses a wait past the deadline instead of sleeping to it', async () => {
    const budget = new RateBudget({ requests: 100, windowMs: 10_000 });
    const pausedAt = Date.now();
    budget.pause(pausedAt + 150);
    await budget.acquire();
    expect(Date.now() - pausedAt).toBeGreaterThanOrEqual(140);
    budget.pause(Date.now() + 60_000);
    const before = Date.now();
    await expect(budget.acquire(Date.now() + 50, () => new Error('no room'))).rejects.toThrow('no room');
    expect(Date.now() - before).toBeLessThan(1_000);
  });

  it('is one per instance: clients with the same API URL and secret key share it, others do not', () => {
    const limit = { requests: 100, windowMs: 10_000 };
    expect(budgetFor('https://api.clerk.com\nsk_test_a', limit)).toBe(budgetFor('https://api.clerk.com\nsk_test_a', limit));
    expect(budgetFor('https://api.clerk.com\nsk_test_a', limit)).not.toBe(budgetFor('https://api.clerk.com\nsk_test_b', limit));
  });

  it.each([
    ['100/10s', { requests: 100, windowMs: 10_000 }],
    ['500/2000ms', { requests: 500, windowMs: 2000 }],
    ['1000 / 10', { requests: 1000, windowMs: 10_000 }],
    ['off', null],
    ['', undefined],
  ])('reads CLERKGUARD_RATE_LIMIT_* %j', (text, expected) => {
    expect(parseRateLimit(text)).toEqual(expected);
  });

  it('refuses a limit it cannot read, naming the variable and Clerk\'s own limit', () => {
    expect(() => parseRateLimit('fast')).toThrow(/expected requests per window/);
    expect(() => connectionFromEnv(target, { CLERK_SECRET_KEY: 'sk_test_x', CLERKGUARD_RATE_LIMIT_DEVELOPMENT: '0/10s' })).toThrow(/CLERKGUARD_RATE_LIMIT_DEVELOPMENT: expected/);
  });

  it("takes the instance's limit from its key: sk_test_ keys are development instances (100 per 10 s), sk_live_ production (1,000)", () => {
    expect(connectionFromEnv(target, { CLERK_SECRET_KEY: 'sk_test_x' }).rateLimit).toEqual({ requests: 100, windowMs: 10_000 });
    expect(connectionFromEnv({ ...target, environment_type: 'production' }, { CLERK_SECRET_KEY: 'sk_live_x' }).rateLimit).toEqual({ requests: 1000, windowMs: 10_000 });
    expect(connectionFromEnv(target, { CLERK_SECRET_KEY: 'sk_test_x', CLERKGUARD_RATE_LIMIT_DEVELOPMENT: 'off' }).rateLimit).toBeUndefined();
  });
});

describe('rate budget: a held place never hangs a run', () => {
  it('a request whose deadline has passed gets no place', async () => {
    const budget = new RateBudget({ requests: 2, windowMs: 60_000 });
    await expect(budget.acquire(Date.now() - 1)).rejects.toThrow(/no room/);
    // Both places are still free: nothing was granted to the late request.
    const first = await budget.acquire();
    const second = await budget.acquire();
    first.release();
    second.release();
  });

  it('while every place is granted and not yet sent, a waiter still fails at its own deadline', async () => {
    const budget = new RateBudget({ requests: 1, windowMs: 60_000 });
    const held = await budget.acquire();
    await expect(budget.acquire(Date.now() + 50)).rejects.toThrow(/no room/);
    held.release();
    // Released: the next request gets the place at once.
    (await budget.acquire(Date.now() + 1_000)).release();
  });
});

describe('many environments against Clerk', () => {
  it('environments sharing one instance share its budget: no 429 when the budget is known, all settings read', async () => {
    const emulator = await emulatorWith({ rateLimit: { requests: 20, windowMs: 2000 } });
    const env = { ...emulator.env(), CLERK_PLATFORM_API_KEY: '', CLERKGUARD_RATE_LIMIT_DEVELOPMENT: '20/2s' };
    resetTrafficStats();
    const started = Date.now();
    const reads = await Promise.all(Array.from({ length: 5 }, (_, index) => readSettings(createClerkApi(connectionFromEnv(target, env, { environment: `env-${index}`, policy: fast })))));
    expect(reads).toHaveLength(5);
    const bapi = emulator.requests.filter((request) => request.api === 'bapi');
    expect(bapi.length).toBeGreaterThan(20);
    expect(bapi.filter((request) => request.status === 429)).toEqual([]);
    expect(trafficStats().rateLimited).toBe(0);
    // More requests than one window holds: the budget spread them over at least two windows.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
  });

  it('without a budget a run is rate limited, retries spread out after each 429, and every read still succeeds', async () => {
    // The emulator limits each endpoint (as Clerk does): three of each per second; five environments ask each endpoint five times.
    const emulator = await emulatorWith({ rateLimit: { requests: 3, windowMs: 1000 } });
    const env = { ...emulator.env(), CLERK_PLATFORM_API_KEY: '', CLERKGUARD_RATE_LIMIT_DEVELOPMENT: 'off', CLERKGUARD_RETRY_AFTER_SCALE: '1' };
    resetTrafficStats();
    const waits: number[] = [];
    const sleep = (ms: number) => {
      waits.push(ms);
      return new Promise<void>((resolve) => setTimeout(resolve, ms));
    };
    const reads = await Promise.all(Array.from({ length: 5 }, (_, index) => readSettings(createClerkApi(connectionFromEnv(target, env, { environment: `env-${index}`, policy: { ...fast, retryAfterScale: 1 } }), { sleep }))));
    expect(reads).toHaveLength(5);
    expect(emulator.requests.some((request) => request.status === 429)).toBe(true);
    expect(trafficStats().rateLimited).toBeGreaterThan(0);
    // Every 429 carried the same Retry-After (1 s): the retries wait between 1 and 1.5 s, not all the same.
    expect(waits.length).toBeGreaterThan(1);
    for (const wait of waits) {
      expect(wait).toBeGreaterThanOrEqual(1000);
      expect(wait).toBeLessThanOrEqual(1500);
    }
    expect(new Set(waits).size).toBe(waits.length);
  });

  it('one in-flight cap for the whole process, over every client', async () => {
    const emulators = await Promise.all(Array.from({ length: 4 }, () => emulatorWith({ rateLimit: false })));
    for (const emulator of emulators) emulator.faults.add({ kind: 'latency', path: '*', ms: 20 });
    resetTrafficStats();
    await Promise.all(emulators.map((emulator, index) => readSettings(createClerkApi(connectionFromEnv(target, { ...emulator.env(), CLERK_PLATFORM_API_KEY: '' }, { environment: `env-${index}`, policy: { ...fast, globalConcurrency: 3 } })))));
    const stats = trafficStats();
    expect(stats.sent).toBeGreaterThan(12);
    expect(stats.peakInFlight).toBe(3);
    expect(stats.inFlight).toBe(0);
  });
});

describe('a client past its deadline', () => {
  it('gives back every place it was granted: a later run against the same instance reads, never hangs', async () => {
    const emulator = await emulatorWith({ rateLimit: false });
    const env = { ...emulator.env(), CLERK_PLATFORM_API_KEY: '', CLERKGUARD_RATE_LIMIT_DEVELOPMENT: '3/60s' };
    const late = createClerkApi(connectionFromEnv(target, env, { policy: fast }), { deadlineAt: Date.now() - 1 });
    for (let call = 0; call < 5; call++) await expect(late.getInstance()).rejects.toThrow(/deadline|rate budget/);
    // With leaked places the budget (3 per minute) would be full and this read would wait forever.
    const fresh = createClerkApi(connectionFromEnv(target, env, { policy: fast }), { deadlineAt: Date.now() + 5_000 });
    await expect(fresh.getInstance()).resolves.toMatchObject({ id: expect.any(String) });
  });
});
