/**
 * Reports written as they are rendered: a report of 150,000 unmanaged settings is tens of MB of
 * text per format, and a whole string of it (plus the secret scrub's copy) was the peak of a
 * large `drift --out`. Renderers yield pieces; `writeReportFile` scrubs them in passing
 * (ScrubStream: exactly scrubSecrets of the whole text) and writes them to a temp file that
 * replaces the report only once it is complete.
 */
import { writeSync } from 'node:fs';
import { ScrubStream } from '../settings/redact';
import { replaceFileAtomicWith } from '../util/fs';

/** Containers with more members than this are written member by member; smaller ones in one piece. */
const MEMBERS_PER_PIECE = 16;
/** Containers this shallow are always opened: the few top levels of a report that hold its long lists. */
const OPEN_DEPTH = 3;

/**
 * `prettyJson(value)` (`JSON.stringify(value, null, 2)` and a line break) in pieces, with the
 * same text: large containers member by member, each member as JSON.stringify writes it at
 * that depth (its lines indented by the depth: JSON strings never hold a raw line break).
 */
export function* prettyJsonPieces(value: unknown): Generator<string> {
  const prepared = serialized('', value);
  if (prepared === SKIPPED) yield 'undefined';
  else yield* valuePieces(prepared, '', 0);
  yield '\n';
}

const SKIPPED = Symbol('skipped');

interface Prepared {
  value: unknown;
  /** toJSON made `value`: it is serialized as it is, without asking its own toJSON again. */
  converted: boolean;
}

/** What JSON.stringify does first with a member: toJSON(key), once; SKIPPED for a value it leaves out. */
function serialized(key: string, input: unknown): Prepared | typeof SKIPPED {
  let value = input;
  const toJSON = value !== null && (typeof value === 'object' || typeof value === 'bigint') ? (value as { toJSON?: unknown }).toJSON : undefined;
  const converted = typeof toJSON === 'function';
  if (converted) value = (toJSON as (key: string) => unknown).call(value, key);
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return SKIPPED;
  return { value, converted };
}

function* valuePieces({ value, converted }: Prepared, indent: string, depth: number): Generator<string> {
  // A toJSON answer with a toJSON of its own is serialized member by member, as the whole does (never asked again).
  const serializedAsRecord = converted && value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function';
  if (value === null || typeof value !== 'object' || (!isPlainContainer(value) && !serializedAsRecord)) {
    yield reindent(JSON.stringify(value, null, 2), indent);
    return;
  }
  const array = Array.isArray(value);
  if (!converted && depth >= OPEN_DEPTH && (array ? (value as unknown[]).length : Object.keys(value).length) <= MEMBERS_PER_PIECE) {
    // No toJSON answer is in hand here, so JSON.stringify of the container serializes it exactly as the whole would.
    yield reindent(JSON.stringify(value, null, 2), indent);
    return;
  }
  const inner = `${indent}  `;
  if (array) {
    const items = value as unknown[];
    if (items.length === 0) {
      yield '[]';
      return;
    }
    for (let index = 0; index < items.length; index++) {
      yield index === 0 ? `[\n${inner}` : `,\n${inner}`;
      const item = serialized(String(index), items[index]);
      if (item === SKIPPED) yield 'null';
      else yield* valuePieces(item, inner, depth + 1);
    }
    yield `\n${indent}]`;
    return;
  }
  const record = value as Record<string, unknown>;
  let members = 0;
  for (const name of Object.keys(record)) {
    const member = serialized(name, record[name]);
    if (member === SKIPPED) continue;
    yield `${members === 0 ? '{' : ','}\n${inner}${JSON.stringify(name)}: `;
    members++;
    yield* valuePieces(member, inner, depth + 1);
  }
  yield members === 0 ? '{}' : `\n${indent}}`;
}

function isPlainContainer(value: object): boolean {
  if (Array.isArray(value)) return true;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

function reindent(text: string, indent: string): string {
  return indent === '' || !text.includes('\n') ? text : text.replaceAll('\n', `\n${indent}`);
}

/** Lines as `lines.join('\n') + '\n'` writes them, in pieces of about `linesPerPiece` lines. */
export function* linePieces(lines: Iterable<string>, linesPerPiece = 1000): Generator<string> {
  let batch: string[] = [];
  let wroteAny = false;
  for (const line of lines) {
    batch.push(line);
    if (batch.length >= linesPerPiece) {
      yield `${batch.join('\n')}\n`;
      wroteAny = true;
      batch = [];
    }
  }
  // No lines at all: `[].join('\n') + '\n'`.
  if (batch.length > 0 || !wroteAny) yield `${batch.join('\n')}\n`;
}

/** Bytes gathered before one write call. */
const WRITE_CHARS = 256 * 1024;

/**
 * Writes the scrubbed pieces to `file` through a temp file next to it and a rename: a reader sees
 * the old report or the complete new one, never a part. Any error (rendering or writing) removes
 * the temp file and is thrown; `createDir` makes the folder first.
 */
export function writeReportFile(file: string, pieces: Iterable<string>, options: { createDir?: boolean } = {}): void {
  replaceFileAtomicWith(
    file,
    (fd) => {
      let pending = '';
      // The scrub gathers the pieces itself (a stage cuts once it holds WRITE_CHARS more): no buffer in front of it.
      const scrub = new ScrubStream(
        (text) => {
          pending += text;
          if (pending.length >= WRITE_CHARS) {
            writeAll(fd, pending);
            pending = '';
          }
        },
        { chunkChars: WRITE_CHARS },
      );
      for (const piece of pieces) scrub.push(piece);
      scrub.end();
      if (pending.length > 0) writeAll(fd, pending);
    },
    options,
  );
}

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let written = 0;
  while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
}
