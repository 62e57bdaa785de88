/**
 * Reading export-shaped files (live exports, snapshots, dashboard exports) with the same
 * validation that baselines get: every problem with file:line:col, the JSON path and a hint.
 * And writing files atomically, so a failed run leaves either no file or the previous one.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { formatIssue, parseJsonText, validateWithSchema } from '../baseline/validate';
import { ClerkguardError } from '../util/errors';
import { readTextFile, replaceFileAtomic } from '../util/fs';
import { dashboardExportSchema, liveExportSchema, type DashboardExport, type LiveExport } from './types';

function readValidated<S extends z.ZodType>(file: string, schema: S, what: string, hint: string): z.infer<S> {
  return parseValidated(readTextFile(file, { missing: hint, unreadable: hint }), file, schema, what, hint);
}

export function parseValidated<S extends z.ZodType>(text: string, file: string, schema: S, what: string, hint: string): z.infer<S> {
  const parsed = parseJsonText(text, file);
  const result = parsed.errors.length > 0 ? { errors: parsed.errors, value: undefined } : validateWithSchema(schema, parsed.value, file, text);
  if (result.errors.length > 0 || result.value === undefined) {
    const issues = result.errors;
    const heading = issues.length === 1 ? `${file} is not a valid ${what}` : `${file} has ${issues.length} problems`;
    throw new ClerkguardError(`${heading}:\n${issues.map((issue) => `  ${formatIssue(issue)}`).join('\n')}`, { hint });
  }
  return result.value as z.infer<S>;
}

/** Reads and validates a live export or snapshot file. */
export function readLiveExportFile(file: string): LiveExport {
  return readValidated(file, liveExportSchema, 'live export', 'create one with: clerkguard export --out FILE');
}

const DASHBOARD_HINT = 'see docs/clerk-api-coverage.md ("Dashboard export file") for the format';

/**
 * Reads and validates a dashboard export file (settings copied by hand from the dashboard). A
 * file written before `exported_at` and `exported_by` were required gets a hint saying what to add.
 */
export function readDashboardExportFile(file: string): DashboardExport {
  const text = readTextFile(file, { missing: DASHBOARD_HINT, unreadable: DASHBOARD_HINT });
  try {
    return parseValidated(text, file, dashboardExportSchema, 'dashboard export', DASHBOARD_HINT);
  } catch (error) {
    if (error instanceof ClerkguardError && /missing required key "exported_(at|by)"/.test(error.message)) {
      throw new ClerkguardError(error.message, {
        hint: 'a dashboard export needs "exported_at" (the day the values were copied from the dashboard, YYYY-MM-DD) and "exported_by" (who copied them): it counts for 100 days after exported_at (CLERKGUARD_DASHBOARD_EXPORT_MAX_AGE_DAYS); copy the values again if you do not know when they were taken',
        cause: error,
      });
    }
    throw error;
  }
}

/**
 * Writes `text` to `file` via a temp file in the same directory and a rename, creating missing
 * parent directories (as `drift --out` does) so `--out live/staging.json` works on a fresh checkout.
 */
export function writeFileAtomic(file: string, text: string): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    replaceFileAtomic(file, text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOTDIR' || code === 'EEXIST' ? `${path.dirname(file)} is not a directory` : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : code === 'ELOOP' ? 'too many levels of symbolic links (ELOOP)' : (code ?? (error as Error).message);
    throw new ClerkguardError(`${file}: cannot write (${why})`, { cause: error });
  }
}
