/**
 * Runs the real CLI asynchronously: the emulator and the Slack server live in the test
 * process, so a blocking spawnSync would starve them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const BIN = path.join(REPO_ROOT, 'bin', 'clerkguard');

export interface AsyncCliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when stderr (or stdout) contains `text`. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  done: Promise<AsyncCliResult>;
}

export function startCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', CLERKGUARD_TODAY: '2026-11-26', ...options.env },
  });
  let out = '';
  let err = '';
  const listeners: (() => void)[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
    listeners.forEach((listener) => listener());
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
    listeners.forEach((listener) => listener());
  });
  const done = new Promise<AsyncCliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout: out, stderr: err })));
  const waitFor = (text: string | RegExp, timeoutMs = 20_000) =>
    new Promise<void>((resolve, reject) => {
      const matches = () => (typeof text === 'string' ? (out + err).includes(text) : text.test(out + err));
      if (matches()) return resolve();
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${String(text)}; stderr so far:\n${err}`)), timeoutMs);
      listeners.push(() => {
        if (matches()) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  return { child, stdout: () => out, stderr: () => err, waitFor, done };
}

export function runCliAsync(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<AsyncCliResult> {
  return startCli(args, options).done;
}
