/** File helpers shared by every writer and reader: temp-file naming, atomic replace, reading with clear errors. */
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ClerkguardError } from './errors';

/** A fresh temp file name next to `file` (same folder, so the final rename never crosses file systems). */
export function tempPathFor(file: string): string {
  // node:crypto is required here, not at the top: every reader of a file imports this module
  // (`check` among them) and only writers need a random name; loading crypto costs start-up time.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { randomBytes } = require('node:crypto') as typeof import('node:crypto');
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Writes `text` to `file` via a temp file in the same directory and a rename: readers never see
 * half a file. Throws the file system's error; `createDir` makes the folder first.
 */
export function replaceFileAtomic(file: string, text: string, options: { createDir?: boolean } = {}): void {
  replaceFileAtomicWith(file, (fd) => writeFileSync(fd, text, { encoding: 'utf8' }), options);
}

/**
 * replaceFileAtomic for content written in parts: `write` gets the open temp file (created
 * exclusively), which is renamed into place once `write` returns. Any error, `write`'s own
 * included, closes and removes the temp file and is thrown.
 */
export function replaceFileAtomicWith(file: string, write: (fd: number) => void, options: { createDir?: boolean } = {}): void {
  if (options.createDir) mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const temp = tempPathFor(file);
  let descriptor: number | undefined;
  try {
    descriptor = openSync(temp, 'wx');
    write(descriptor);
    const fd = descriptor;
    descriptor = undefined;
    closeSync(fd);
    renameSync(temp, file);
  } catch (error) {
    if (descriptor !== undefined) {
      try {
        closeSync(descriptor);
      } catch {
        // The write's own error is the one to report.
      }
    }
    rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * Reads a UTF-8 file; a missing or unreadable one is a ClerkguardError naming `shown` (default
 * `file`) with the hint for that case. Bytes that are not UTF-8 are an error with their line
 * and column (never silently replaced by U+FFFD). A byte order mark is kept, so the JSON
 * readers can name it in their own message.
 */
export function readTextFile(file: string, hints: { missing?: string; unreadable?: string } = {}, shown = file): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === 'ENOENT' ? hints.missing : code === 'ELOOP' ? 'a symbolic link in the path points back at itself; fix or remove the link' : hints.unreadable;
    throw new ClerkguardError(`${shown}: ${describeFileError(code)}`, hint === undefined ? {} : { hint });
  }
  return decodeUtf8(bytes, shown);
}

/** The words for a file system error code, always with the code itself (ELOOP, EACCES, …). */
export function describeFileError(code: string | undefined): string {
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'is a directory, not a file';
    case 'ELOOP':
      return 'cannot read: too many levels of symbolic links (ELOOP)';
    case 'EACCES':
    case 'EPERM':
      return `cannot read: permission denied (${code})`;
    case 'ENOTDIR':
      return 'cannot read: a part of the path is not a directory (ENOTDIR)';
    default:
      return `cannot read (${code ?? 'unknown error'})`;
  }
}

/** Strict UTF-8 decoding: invalid bytes are a ClerkguardError with line and column. */
export function decodeUtf8(bytes: Uint8Array, shown: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < offset; i++) {
      if (bytes[i] === 0x0a) {
        line++;
        lineStart = i + 1;
      }
    }
    const column = new TextDecoder('utf-8').decode(bytes.subarray(lineStart, offset)).length + 1;
    throw new ClerkguardError(`${shown}:${line}:${column}: not valid UTF-8 (byte 0x${(bytes[offset] ?? 0).toString(16).padStart(2, '0').toUpperCase()})`, {
      hint: 'save the file as UTF-8 (editors: "Save with encoding → UTF-8"); Latin-1 or UTF-16 files are not read',
    });
  }
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) {
      const next = bytes[i + k];
      if (next === undefined || (next & 0xc0) !== 0x80) return i;
    }
    // Overlong 3-byte forms, surrogates and code points above U+10FFFF.
    const second = bytes[i + 1] ?? 0;
    if ((b === 0xe0 && second < 0xa0) || (b === 0xed && second > 0x9f) || (b === 0xf0 && second < 0x90) || (b === 0xf4 && second > 0x8f)) return i;
    i += need + 1;
  }
  return bytes.length;
}
