/** File helpers shared by every writer and reader: temp-file naming, atomic replace, reading with clear errors. */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ClerkguardError } from './errors';

/** A fresh temp file name next to `file` (same folder, so the final rename never crosses file systems). */
export function tempPathFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Writes `text` to `file` via a temp file in the same directory and a rename: readers never see
 * half a file. Throws the file system's error; `createDir` makes the folder first.
 */
export function replaceFileAtomic(file: string, text: string, options: { createDir?: boolean } = {}): void {
  if (options.createDir) mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const temp = tempPathFor(file);
  try {
    writeFileSync(temp, text, { encoding: 'utf8', flag: 'wx' });
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * Reads a UTF-8 file; a missing or unreadable one is a ClerkguardError naming `shown` (default
 * `file`) with the hint for that case.
 */
export function readTextFile(file: string, hints: { missing?: string; unreadable?: string } = {}, shown = file): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === 'ENOENT' ? hints.missing : hints.unreadable;
    throw new ClerkguardError(code === 'ENOENT' ? `${shown}: no such file` : `${shown}: cannot read (${code ?? 'unknown error'})`, hint === undefined ? {} : { hint });
  }
}
