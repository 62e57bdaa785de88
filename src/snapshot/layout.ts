/**
 * Where snapshots live: `<dir>/<environment>/<YYYY>-Q<n>.json` (the redacted live export) and
 * `.md` next to it (the review report). The file name is the only index: the newest earlier
 * quarter of an environment is its last-known-good snapshot.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { formatIssue, parseJsonText, validateWithSchema } from '../baseline/validate';
import { liveExportSchema, type LiveExport } from '../export/types';
import { ClerkguardError } from '../util/errors';
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
  const parsed = parseJsonText(text, file);
  const result = parsed.errors.length > 0 ? parsed : validateWithSchema(liveExportSchema, parsed.value, file, text);
  if (result.errors.length > 0 || result.value === undefined) {
    const heading = result.errors.length === 1 ? `${file} is not a valid snapshot` : `${file} has ${result.errors.length} problems`;
    throw new ClerkguardError(`${heading}:\n${result.errors.map((issue) => `  ${formatIssue(issue)}`).join('\n')}`, {
      hint: 'a snapshot is a live export written by `clerkguard snapshot` or `clerkguard export`',
    });
  }
  return result.value as LiveExport;
}

export function readSnapshotFile(file: string): LiveExport {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ClerkguardError(`${file}: no such file`, { hint: 'pass snapshot files such as snapshots/production/2026-Q4.json' });
    throw new ClerkguardError(`${file}: cannot read (${code ?? 'unknown error'})`);
  }
  return parseSnapshotText(text, file);
}
