/**
 * One writer at a time: an exclusive lock file next to what it protects (the alert state file,
 * a snapshots folder, a git repository's commits).
 *
 * - Taken atomically: the lock file is created with O_EXCL and holds its owner (pid, host,
 *   start time and a random token).
 * - Stale when its owner is gone: a pid on this host that no longer runs, or a lock older than
 *   `staleMs` (an owner on another host, or a pid reused). A stale lock is broken by renaming
 *   it away and checking that what was renamed is the lock judged stale.
 * - A second run waits (polling) up to `waitMs`, then fails with "another run holds the lock"
 *   naming the owner and the file to remove if no run is active.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ClerkguardError } from './errors';

export interface LockOwner {
  pid: number;
  host: string;
  started_at: string;
  token: string;
}

export interface LockOptions {
  /** What the lock protects, for messages ("the alert state .clerkguard/state.json"). */
  what: string;
  /** How long a second run waits for the lock (default CLERKGUARD_LOCK_WAIT_MS or 60 s). */
  waitMs?: number;
  /** A lock older than this is stale whatever its pid (default 15 min). */
  staleMs?: number;
  pollMs?: number;
}

export interface HeldLock {
  readonly file: string;
  release(): void;
}

export const DEFAULT_LOCK_WAIT_MS = 60_000;
export const DEFAULT_LOCK_STALE_MS = 15 * 60_000;

export function lockWaitFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.CLERKGUARD_LOCK_WAIT_MS;
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new ClerkguardError(`CLERKGUARD_LOCK_WAIT_MS must be a non-negative number, got "${raw}"`);
  return value;
}

export async function acquireLock(file: string, options: LockOptions): Promise<HeldLock> {
  const waitMs = options.waitMs ?? DEFAULT_LOCK_WAIT_MS;
  const staleMs = options.staleMs ?? DEFAULT_LOCK_STALE_MS;
  const pollMs = options.pollMs ?? 100;
  const owner: LockOwner = { pid: process.pid, host: os.hostname(), started_at: new Date().toISOString(), token: randomBytes(8).toString('hex') };
  const started = Date.now();
  mkdirSync(path.dirname(file), { recursive: true });
  for (;;) {
    try {
      writeFileSync(file, `${JSON.stringify(owner)}\n`, { flag: 'wx', mode: 0o644 });
      return { file, release: () => releaseLock(file, owner.token) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new ClerkguardError(`cannot take the lock ${file} for ${options.what} (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { hint: 'the folder must be writable', cause: error });
      }
    }
    const current = readOwner(file);
    if (current !== 'gone' && isStale(file, current, staleMs)) {
      breakStaleLock(file, current);
      continue;
    }
    if (current === 'gone') continue;
    if (Date.now() - started >= waitMs) {
      const who = current ? `pid ${current.pid} on ${current.host}, since ${current.started_at}` : 'an owner that has not written its name yet';
      throw new ClerkguardError(`another run holds the lock on ${options.what} (${who})`, {
        hint: `wait for that run to finish and retry (CLERKGUARD_LOCK_WAIT_MS sets how long to wait); if no clerkguard run is active, remove ${file}`,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs * (0.5 + Math.random())));
  }
}

/** The owner recorded in a lock file; undefined while it is being written; 'gone' when the file vanished. */
function readOwner(file: string): LockOwner | undefined | 'gone' {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : undefined;
  }
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.token === 'string') return value as LockOwner;
  } catch {
    // being written right now, or damaged: judged by its age below
  }
  return undefined;
}

function isStale(file: string, owner: LockOwner | undefined, staleMs: number): boolean {
  if (owner && owner.host === os.hostname() && !isRunning(owner.pid)) return true;
  try {
    return Date.now() - statSync(file).mtimeMs > (owner ? staleMs : Math.min(staleMs, 10_000));
  } catch {
    return false;
  }
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function breakStaleLock(file: string, judged: LockOwner | undefined): void {
  const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(file, aside);
  } catch {
    return; // someone else broke it first
  }
  const moved = readOwner(aside);
  if (judged && moved !== 'gone' && moved?.token !== judged.token) {
    // A live lock was taken between our read and the rename: put it back if its place is free.
    try {
      writeFileSync(file, readFileSync(aside), { flag: 'wx' });
    } catch {
      // its owner's release will find nothing to remove; the next run sees a free lock
    }
  }
  rmSync(aside, { force: true });
}

function releaseLock(file: string, token: string): void {
  const current = readOwner(file);
  if (current !== 'gone' && current?.token === token) rmSync(file, { force: true });
}

/** Runs `work` under the lock and always releases it. */
export async function withLock<T>(file: string, options: LockOptions, work: () => Promise<T>): Promise<T> {
  const lock = await acquireLock(file, options);
  try {
    return await work();
  } finally {
    lock.release();
  }
}
