/**
 * `review diff OLD NEW`: the changes between two snapshots as a drift report, so every drift
 * renderer (text, json, markdown, sarif) and the exit-code contract apply unchanged. The older
 * snapshot plays the baseline's part; values and coverage come from the newer one. Settings
 * either snapshot could not verify are listed as unverified, never as added or removed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { diffExports } from '../drift/index';
import type { DriftReport, EnvironmentDrift } from '../drift/types';
import type { LiveExport } from '../export/types';
import { ClerkguardError } from '../util/errors';
import { parseSnapshotText } from './layout';

export interface LoadedSnapshot {
  file: string;
  text: string;
  snapshot: LiveExport;
}

/** Reads and validates a snapshot; messages name `file` as given, resolved against `cwd`. */
export function loadSnapshot(file: string, cwd = process.cwd()): LoadedSnapshot {
  let text: string;
  try {
    text = readFileSync(path.resolve(cwd, file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ClerkguardError(`${file}: no such file`, { hint: 'pass two snapshot files, e.g. snapshots/production/2026-Q3.json snapshots/production/2026-Q4.json' });
    throw new ClerkguardError(`${file}: cannot read (${code ?? 'unknown error'})`);
  }
  return { file, text, snapshot: parseSnapshotText(text, file) };
}

export function compareSnapshots(older: LoadedSnapshot, newer: LoadedSnapshot, generatedAt: Date): DriftReport {
  const { changes, unverified } = diffExports(older.snapshot, newer.snapshot, {
    production: newer.snapshot.settings.instance?.environment_type === 'production',
  });
  const sameEnvironment = older.snapshot.environment === newer.snapshot.environment;
  const environment: EnvironmentDrift = {
    environment: sameEnvironment ? newer.snapshot.environment : `${older.snapshot.environment} → ${newer.snapshot.environment}`,
    baseline_version: `snapshot captured ${older.snapshot.captured_at}`,
    baseline_file: older.file,
    status: changes.length > 0 ? 'drift' : 'clean',
    changes,
    unmanaged: [],
    unverified,
    errors: [],
    coverage: newer.snapshot.coverage,
    captured_at: newer.snapshot.captured_at,
  };
  return { status: environment.status, generated_at: generatedAt.toISOString(), environments: [environment] };
}
