/**
 * `review diff OLD NEW`: the changes between two snapshots as a drift report, so every drift
 * renderer (text, json, markdown, sarif) and the exit-code contract apply unchanged. The older
 * snapshot plays the baseline's part; values and coverage come from the newer one. Settings
 * either snapshot could not verify are listed as unverified, never as added or removed.
 */
import path from 'node:path';
import { diffExports } from '../drift/index';
import type { DriftReport, EnvironmentDrift } from '../drift/types';
import type { LiveExport } from '../export/types';
import { readTextFile } from '../util/fs';
import { parseSnapshotText } from './layout';

export interface LoadedSnapshot {
  file: string;
  text: string;
  snapshot: LiveExport;
}

/** Reads and validates a snapshot; messages name `file` as given, resolved against `cwd`. */
export function loadSnapshot(file: string, cwd = process.cwd()): LoadedSnapshot {
  const text = readTextFile(path.resolve(cwd, file), { missing: 'pass two snapshot files, e.g. snapshots/production/2026-Q3.json snapshots/production/2026-Q4.json' }, file);
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
