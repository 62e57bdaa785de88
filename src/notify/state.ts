/**
 * The alert lifecycle's memory between runs (default `.clerkguard/state.json`): per environment,
 * whether an alert is open, for which drift (a fingerprint of the changes), and the Slack
 * thread it lives in. Written atomically after each delivered message, so a crash or a Slack
 * failure never records a message that was not sent. Holds no secrets.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { DriftChange, DriftError } from '../drift/types';
import { ClerkguardError, describeError } from '../util/errors';
import { replaceFileAtomic } from '../util/fs';
import { stableStringify } from '../util/json';

export const DEFAULT_STATE_FILE = '.clerkguard/state.json';

const threadSchema = z.object({ fingerprint: z.string(), ts: z.string(), channel: z.string(), since: z.string() });

const environmentStateSchema = z.object({
  status: z.enum(['clean', 'drift']),
  /** The open drift alert, when status is drift. */
  alert: threadSchema.optional(),
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
  return { schema_version: 1, environments: {} };
}

export function readState(file: string): AlertState {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw new ClerkguardError(`${file}: cannot read the alert state (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ClerkguardError(`${file}: the alert state is not valid JSON`, { hint: 'delete the file to start over (the next drift sends a fresh alert)' });
  }
  const result = stateSchema.safeParse(parsed);
  if (!result.success) throw new ClerkguardError(`${file}: unexpected alert state format`, { hint: 'delete the file to start over (the next drift sends a fresh alert)' });
  return result.data;
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

function fingerprint(value: unknown): string {
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

export function errorFingerprint(errors: readonly DriftError[]): string {
  return fingerprint(errors.map((error) => [error.endpoint ?? '', error.status ?? 0, error.message]).sort());
}
