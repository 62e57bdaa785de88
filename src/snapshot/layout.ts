/**
 * Where snapshots live: `<dir>/<environment>/<YYYY>-Q<n>.json` (the redacted live export) and
 * `.md` next to it (the review report). The file name is the only index: the newest earlier
 * quarter of an environment is its last-known-good snapshot.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseValidated } from '../export/files';
import { liveExportSchema, type LiveExport } from '../export/types';
import { readTextFile } from '../util/fs';
import { compareQuarters, formatQuarter, parseQuarter, type Quarter } from './quarter';

export interface SnapshotPaths {
  environmentDir: string;
  json: string;
  markdown: string;
}

export function snapshotPaths(dir: string, environment: string, quarter: Quarter): SnapshotPaths {
  const environmentDir = path.join(dir, environment);
  const stem = formatQuarter(quarter);
  return { environmentDir, json: path.join(environmentDir, `${stem}.json`), markdown: path.join(environmentDir, `${stem}.md`) };
}

export interface StoredSnapshot {
  quarter: Quarter;
  file: string;
}

/** Every snapshot JSON of an environment, oldest first. Other files in the folder are ignored. */
export function listSnapshots(dir: string, environment: string): StoredSnapshot[] {
  const environmentDir = path.join(dir, environment);
  if (!existsSync(environmentDir) || !statSync(environmentDir).isDirectory()) return [];
  const found: StoredSnapshot[] = [];
  for (const name of readdirSync(environmentDir)) {
    if (!name.endsWith('.json')) continue;
    const quarter = parseQuarter(name.slice(0, -'.json'.length));
    if (quarter) found.push({ quarter, file: path.join(environmentDir, name) });
  }
  return found.sort((a, b) => compareQuarters(a.quarter, b.quarter));
}

/** The newest snapshot strictly before `quarter`: what this quarter's changes are measured from. */
export function lastKnownGood(dir: string, environment: string, quarter: Quarter): StoredSnapshot | undefined {
  const earlier = listSnapshots(dir, environment).filter((item) => compareQuarters(item.quarter, quarter) < 0);
  return earlier[earlier.length - 1];
}

/** Parses snapshot text, reporting every problem as file:line:col, path and hint. */
export function parseSnapshotText(text: string, file: string): LiveExport {
  return parseValidated(text, file, liveExportSchema, 'snapshot', 'a snapshot is a live export written by `clerkguard snapshot` or `clerkguard export`');
}

export function readSnapshotFile(file: string): LiveExport {
  return parseSnapshotText(readTextFile(file, { missing: 'pass snapshot files such as snapshots/production/2026-Q4.json' }), file);
}
