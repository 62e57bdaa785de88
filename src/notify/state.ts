/**
 * The alert lifecycle's memory between runs: per environment, whether an alert is open, for
 * which drift (a fingerprint of the changes), and the Slack thread it lives in. Written
 * atomically after each delivered message, so a crash or a Slack failure never records a message
 * that was not sent. Holds no secrets.
 *
 * One file per environment, beside the `--state` path (default `.clerkguard/state.json` →
 * `.clerkguard/state/<environment>.json`), each with its own lock: runs over different
 * environments (shards of a fleet) never wait for each other. The single file earlier versions
 * kept at the `--state` path is read as the starting point of every environment it holds that
 * has no file of its own yet, and that environment's entry leaves it once its own file is
 * written: no open alert is lost in the move.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { DriftChange, DriftError } from '../drift/types';
import { ClerkguardError, describeError } from '../util/errors';
import { readTextFile, replaceFileAtomic } from '../util/fs';
import { formatIssue, parseJsonText, validateWithSchema } from '../baseline/validate';
import { nullRecord } from '../util/records';
import { stableStringify } from '../util/json';

export { DEFAULT_STATE_FILE } from './defaults';

/** A Slack thread an open alert lives in (also the discovery alerts' state, unmanaged.ts). */
export const threadSchema = z.object({ fingerprint: z.string(), ts: z.string(), channel: z.string(), since: z.string() });

const alertSchema = threadSchema.extend({
  /** The settings paths the open alert is about (its active changes). */
  paths: z.array(z.string()).optional(),
  /** Fingerprint of the alerted paths a run could not read, once "could not verify" was posted. */
  unverified: z.string().optional(),
});

const environmentStateSchema = z.object({
  status: z.enum(['clean', 'drift']),
  /** The open drift alert, when status is drift. */
  alert: alertSchema.optional(),
  /** The open "could not check" alert, independent of drift. */
  error: threadSchema.optional(),
  last_run_at: z.string().optional(),
});
export type EnvironmentAlertState = z.infer<typeof environmentStateSchema>;

const stateSchema = z.object({
  schema_version: z.literal(1),
  environments: z.record(z.string(), environmentStateSchema),
});
export type AlertState = z.infer<typeof stateSchema>;

export function emptyState(): AlertState {
  return { schema_version: 1, environments: nullRecord() };
}

export function readState(file: string): AlertState {
  if (!existsSync(file)) return emptyState();
  const hint = 'delete the file to start over (the next drift sends a fresh alert)';
  const text = readTextFile(file, { unreadable: hint });
  const parsed = parseJsonText(text, file);
  if (parsed.errors.length > 0) {
    throw new ClerkguardError(`${file}: the alert state is not valid JSON:\n${parsed.errors.map((issue) => `  ${formatIssue(issue)}`).join('\n')}`, { hint });
  }
  // Environment names are keys: validation rebuilds the record without a prototype, so an
  // environment named `constructor` is an ordinary entry.
  const result = validateWithSchema(stateSchema, parsed.value, file, text);
  if (!result.value) throw new ClerkguardError(`${file}: unexpected alert state format:\n${result.errors.map((issue) => `  ${formatIssue(issue)}`).join('\n')}`, { hint });
  return result.value;
}

export function writeState(file: string, state: AlertState): void {
  try {
    replaceFileAtomic(file, stableStringify(state), { createDir: true });
  } catch (error) {
    throw new ClerkguardError(`${file}: cannot save the alert state (${(error as NodeJS.ErrnoException).code ?? describeError(error)})`, {
      hint: 'make the --state file writable; a message already posted in this run was not recorded, so the next run may post it again',
      cause: error,
    });
  }
}

/** The folder of per-environment files for a `--state` path: `state.json` → `state/`, `state` → `state.d/`. */
export function stateDirectory(stateFile: string): string {
  return stateFile.endsWith('.json') ? stateFile.slice(0, -'.json'.length) : `${stateFile}.d`;
}

/** An environment's own state file. Names are baseline environment names (lower-case letters, digits, dashes). */
export function environmentStateFile(stateFile: string, environment: string): string {
  const safe = /^[a-z0-9][a-z0-9-]*$/.test(environment) ? environment : `_${encodeURIComponent(environment).replace(/\./g, '%2E')}`;
  return path.join(stateDirectory(stateFile), `${safe}.json`);
}

/** Reads one environment's own file (undefined when it has none). */
export function readEnvironmentState(stateFile: string, environment: string): EnvironmentAlertState | undefined {
  const file = environmentStateFile(stateFile, environment);
  if (!existsSync(file)) return undefined;
  return readState(file).environments[environment];
}

/** Writes one environment's own file (atomically; the folder is made when missing). */
export function writeEnvironmentState(stateFile: string, environment: string, value: EnvironmentAlertState): void {
  const state = emptyState();
  state.environments[environment] = value;
  writeState(environmentStateFile(stateFile, environment), state);
}

/** The entry an earlier version's single state file holds for an environment. */
export function legacyEnvironmentState(stateFile: string, environment: string): EnvironmentAlertState | undefined {
  if (!existsSync(stateFile)) return undefined;
  const legacy = readState(stateFile).environments[environment];
  return legacy === undefined ? undefined : { ...legacy };
}

/** Drops an environment's entry from the single state file (and the file once it is empty). Call under its lock. */
export function forgetLegacyEnvironment(stateFile: string, environment: string): void {
  if (!existsSync(stateFile)) return;
  const legacy = readState(stateFile);
  if (!Object.prototype.hasOwnProperty.call(legacy.environments, environment)) return;
  delete legacy.environments[environment];
  if (Object.keys(legacy.environments).length === 0) rmSync(stateFile, { force: true });
  else writeState(stateFile, legacy);
}

/**
 * Everything a `--state` path holds: each environment's own file, and the entries of the single
 * file of earlier versions for environments that have none yet.
 */
export function readAlertStates(stateFile: string): AlertState {
  const merged = emptyState();
  if (existsSync(stateFile)) Object.assign(merged.environments, readState(stateFile).environments);
  const dir = stateDirectory(stateFile);
  if (existsSync(dir)) {
    for (const name of readdirSync(dir).filter((entry) => entry.endsWith('.json')).sort()) Object.assign(merged.environments, readState(path.join(dir, name)).environments);
  }
  return merged;
}

/** A short stable hash of a JSON value: what an open alert was sent for. */
export function fingerprint(value: unknown): string {
  return `sha256:${createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16)}`;
}

/** Same unsuppressed changes → same fingerprint, whatever order they came in. */
export function driftFingerprint(changes: readonly DriftChange[]): string {
  const keyed = changes
    .filter((change) => !change.suppressed)
    .map((change) => [change.path, change.kind, change.baseline, change.live])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])) || String(a[1]).localeCompare(String(b[1])));
  return fingerprint(keyed);
}

export function unverifiedFingerprint(paths: readonly string[]): string {
  return fingerprint([...paths].sort());
}

export function errorFingerprint(errors: readonly DriftError[]): string {
  return fingerprint(errors.map((error) => [error.endpoint ?? '', error.status ?? 0, error.message]).sort());
}
