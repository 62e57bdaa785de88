/**
 * What one process may send to Clerk, across every API client it makes (a fleet run builds one
 * client per environment, all at once):
 *
 * - a **global in-flight cap**: at most `globalConcurrency` requests in flight in the whole
 *   process, whatever the number of environments (each client also keeps its own cap);
 * - a **per-instance rate budget**: Clerk limits requests per instance (DESIGN.md §2: production
 *   1,000 and development 100 requests per 10 s). Every client that talks to the same instance
 *   (same API URL and secret key) draws from one budget, so environments that share an instance
 *   share its limit instead of each assuming it has the whole of it. Requests are granted on a
 *   sliding window, a tenth longer than Clerk's window (requests arrive later than they are
 *   granted), so a run whose budget is known gets no 429;
 * - after a 429 the budget **pauses** the instance until Retry-After has passed, and every request
 *   waiting for it resumes through the same window, spread out rather than all at once.
 *
 * The budget is per process: shards on separate machines each have Clerk's whole limit per
 * instance only if they target different instances (sharding assigns environments, docs/fleet.md).
 * Keys are only used as map keys in memory; nothing here is logged.
 */

export interface RateLimit {
  requests: number;
  windowMs: number;
}

/** DESIGN.md §2: Clerk's Backend API limits per instance. */
export const CLERK_RATE_LIMITS: Readonly<Record<'production' | 'development', RateLimit>> = {
  production: { requests: 1000, windowMs: 10_000 },
  development: { requests: 100, windowMs: 10_000 },
};

export const DEFAULT_GLOBAL_CONCURRENCY = 64;

/**
 * Requests reach Clerk a little after they are sent (the network, the server's queue): the window
 * is kept a little longer than Clerk's, a tenth of it but at most half a second.
 */
function windowWithMargin(windowMs: number): number {
  return Math.ceil(windowMs + Math.min(windowMs * 0.1, 500));
}

/** Traffic of this process since the last reset, for benchmarks and tests. */
export interface TrafficStats {
  /** Requests that were sent (attempts, retries included). */
  sent: number;
  inFlight: number;
  peakInFlight: number;
  /** Answers with status 429. */
  rateLimited: number;
  /** Time requests spent waiting for a rate budget, summed (ms). */
  budgetWaitMs: number;
}

const traffic: TrafficStats = { sent: 0, inFlight: 0, peakInFlight: 0, rateLimited: 0, budgetWaitMs: 0 };

export function trafficStats(): TrafficStats {
  return { ...traffic };
}

export function resetTrafficStats(): void {
  traffic.sent = 0;
  traffic.rateLimited = 0;
  traffic.budgetWaitMs = 0;
  traffic.peakInFlight = traffic.inFlight;
}

export type Clock = () => number;

/** One granted request: stamp it when it is really sent, or give the grant back. */
export interface BudgetTicket {
  /** The request goes out now: it counts in the window from this moment. */
  sent(): void;
  /** The request was not sent after all (a timeout while waiting for a slot): its grant returns. */
  release(): void;
}

const NO_TICKET: BudgetTicket = { sent() {}, release() {} };

/**
 * A sliding-window budget for one instance: at most `requests` requests sent in any window
 * (plus margin). A request counts from the moment it is sent, and a granted request not yet sent
 * (waiting for an in-flight slot) holds its place, so slot waits never push more requests into
 * one of Clerk's windows than it allows. Memory: at most `requests` timestamps.
 */
export class RateBudget {
  /** Send times of the requests still inside the window, oldest first. */
  private readonly sent: number[] = [];
  /** Granted, not yet sent. */
  private pending = 0;
  private pausedUntil = 0;
  private readonly waiting: { resolve: (ticket: BudgetTicket) => void; reject: () => void; deadline: number; since: number }[] = [];
  private timer: NodeJS.Timeout | undefined;
  readonly windowMs: number;

  constructor(
    readonly limit: RateLimit,
    private readonly now: Clock = Date.now,
  ) {
    this.windowMs = windowWithMargin(limit.windowMs);
  }

  /** When the next grant can happen (epoch ms); Infinity while every place is held by a request not yet sent. */
  nextGrantAt(): number {
    const now = this.now();
    while (this.sent.length > 0 && this.sent[0]! <= now - this.windowMs) this.sent.shift();
    let at = now;
    if (this.sent.length + this.pending >= this.limit.requests) at = this.sent.length > 0 ? this.sent[0]! + this.windowMs : Infinity;
    return Math.max(at, this.pausedUntil);
  }

  /**
   * Resolves, in order of arrival, with a ticket when this request may be sent. Rejects with
   * `onDeadline()`'s error when its turn would come after `deadlineAt`.
   */
  acquire(deadlineAt = Infinity, onDeadline: () => Error = () => new Error('no room in the rate budget before the deadline')): Promise<BudgetTicket> {
    if (deadlineAt <= this.now()) return Promise.reject(onDeadline());
    if (this.waiting.length === 0 && this.nextGrantAt() <= this.now()) return Promise.resolve(this.grant());
    return new Promise<BudgetTicket>((resolve, reject) => {
      this.waiting.push({ resolve, reject: () => reject(onDeadline()), deadline: deadlineAt, since: this.now() });
      this.schedule();
    });
  }

  /** Clerk answered 429: nothing more to this instance until Retry-After has passed. */
  pause(untilMs: number): void {
    if (untilMs > this.pausedUntil) this.pausedUntil = untilMs;
    this.schedule();
  }

  private grant(): BudgetTicket {
    this.pending++;
    let open = true;
    return {
      sent: () => {
        if (!open) return;
        open = false;
        this.pending--;
        this.sent.push(this.now());
        this.schedule();
      },
      release: () => {
        if (!open) return;
        open = false;
        this.pending--;
        this.schedule();
      },
    };
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.waiting.length === 0) return;
    const now = this.now();
    let next = this.nextGrantAt();
    // Waiters whose deadline falls before their turn (or has passed, whenever that turn comes)
    // fail now instead of sleeping to it.
    for (let index = 0; index < this.waiting.length; index++) {
      const waiter = this.waiting[index]!;
      if (waiter.deadline <= now || (Number.isFinite(next) && waiter.deadline < Math.max(now, next))) {
        this.waiting.splice(index--, 1);
        waiter.reject();
      }
    }
    while (this.waiting.length > 0 && next <= now) {
      const waiter = this.waiting.shift()!;
      traffic.budgetWaitMs += now - waiter.since;
      waiter.resolve(this.grant());
      next = this.nextGrantAt();
    }
    if (this.waiting.length === 0) return;
    // Infinity: every place is held by a granted request; its sent()/release() schedules again,
    // but a waiter's own deadline still ends its wait (a held place must never hang a run).
    const earliestDeadline = this.waiting.reduce((earliest, waiter) => Math.min(earliest, waiter.deadline), Infinity);
    const wakeAt = Math.min(next, earliestDeadline);
    if (!Number.isFinite(wakeAt)) return;
    this.timer = setTimeout(() => this.schedule(), Math.max(1, wakeAt - now));
  }
}

export { NO_TICKET };

const budgets = new Map<string, RateBudget>();
/** A run targets a bounded number of instances; past this many, the oldest budgets are forgotten. */
const MAX_BUDGETS = 10_000;

/** The budget every client of this instance shares (same API URL and secret key, same limit). */
export function budgetFor(instanceKey: string, limit: RateLimit): RateBudget {
  const key = `${limit.requests}/${limit.windowMs}\n${instanceKey}`;
  let budget = budgets.get(key);
  if (!budget) {
    if (budgets.size >= MAX_BUDGETS) budgets.delete(budgets.keys().next().value!);
    budget = new RateBudget(limit);
    budgets.set(key, budget);
  }
  return budget;
}

/** Forget every budget (tests). */
export function resetBudgets(): void {
  budgets.clear();
}

/** The process-wide in-flight cap. One per cap value: a test that lowers it gets its own. */
const gates = new Map<number, Gate>();

interface Gate {
  active: number;
  waiting: (() => void)[];
}

/**
 * Runs `task` within the process-wide cap and counts it as in flight. Slots go to waiters in
 * order of arrival, handed over directly, so `active` never exceeds the cap.
 */
export async function withGlobalSlot<T>(cap: number, task: () => Promise<T>): Promise<T> {
  const max = Math.max(1, Math.floor(cap));
  let gate = gates.get(max);
  if (!gate) {
    gate = { active: 0, waiting: [] };
    gates.set(max, gate);
  }
  if (gate.active >= max) await new Promise<void>((resolve) => gate.waiting.push(resolve));
  else gate.active++;
  traffic.sent++;
  traffic.inFlight++;
  if (traffic.inFlight > traffic.peakInFlight) traffic.peakInFlight = traffic.inFlight;
  try {
    return await task();
  } finally {
    traffic.inFlight--;
    const next = gate.waiting.shift();
    if (next) next();
    else gate.active--;
  }
}

export function countRateLimited(): void {
  traffic.rateLimited++;
}

/**
 * `CLERKGUARD_RATE_LIMIT_PRODUCTION` / `_DEVELOPMENT`: "1000/10s", "100/10000ms" or "off".
 * Undefined when the variable is unset; null for "off"; throws a message for anything else.
 */
export function parseRateLimit(value: string | undefined): RateLimit | null | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const text = value.trim().toLowerCase();
  if (text === 'off' || text === '0') return null;
  const match = /^(\d+)\s*\/\s*(\d+(?:\.\d+)?)\s*(ms|s)?$/.exec(text);
  if (!match || Number(match[1]) < 1 || Number(match[2]) <= 0) throw new Error(`expected requests per window such as "100/10s", "500/2000ms" or "off", got "${value}"`);
  const windowMs = Number(match[2]) * (match[3] === 'ms' ? 1 : 1000);
  return { requests: Number(match[1]), windowMs: Math.round(windowMs) };
}
