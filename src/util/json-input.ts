/**
 * What JSON.parse accepts silently but clerkguard refuses, found in one iterative pass over the
 * text (never recursive, so 5,000-deep input is an error message, not a stack overflow):
 *
 * - a key that appears twice in one object (JSON.parse keeps the last: `"profile":"banking"`
 *   then `"profile":"saas"` would silently lower every threshold);
 * - nesting deeper than MAX_JSON_DEPTH (every later step, from validation to diff and report,
 *   walks values recursively).
 *
 * The same scan guards files (baselines, dashboard exports, snapshots, state files, emulator
 * seeds) and API answers.
 */
import type { PathSegment } from '../settings/paths';

/** Deepest nesting of objects and arrays accepted anywhere (the settings model needs about 10). */
export const MAX_JSON_DEPTH = 64;

export interface JsonTextProblem {
  kind: 'duplicate_key' | 'too_deep';
  /** Offset in the text of the duplicate key, or of the container that is one level too deep. */
  offset: number;
  /** Where the problem is, as a JSON path. */
  path: PathSegment[];
  /** duplicate_key: the key and the offset of its first occurrence. */
  key?: string;
  firstOffset?: number;
}

interface Frame {
  array: boolean;
  /** Objects: the keys seen so far and where (a short list; a map once it grows past SMALL_OBJECT_KEYS). */
  keyNames: string[];
  keyOffsets: number[];
  keys?: Map<string, number>;
  /** Objects: the next string is a key. */
  expectKey: boolean;
  key?: string;
  index: number;
}

/** Objects with up to this many keys are checked for duplicates by a linear search (no map to allocate). */
const SMALL_OBJECT_KEYS = 16;

/**
 * Scans JSON text for duplicate keys and excessive depth. Stops at the first too-deep
 * container (everything below it is unreadable anyway); reports at most `limit` problems.
 * On text that is not valid JSON it reports what it saw up to the point it got lost.
 */
export function scanJsonText(text: string, options: { maxDepth?: number; limit?: number } = {}): JsonTextProblem[] {
  const maxDepth = options.maxDepth ?? MAX_JSON_DEPTH;
  const limit = options.limit ?? 20;
  const problems: JsonTextProblem[] = [];
  const stack: Frame[] = [];
  const pool: Frame[] = [];
  const pathOf = (): PathSegment[] => stack.map((frame) => (frame.array ? frame.index : (frame.key ?? '')));
  const length = text.length;
  const backslashFrom = (from: number): number => {
    const at = text.indexOf('\\', from);
    return at === -1 ? Infinity : at;
  };
  let nextBackslash = -1;
  let i = 0;
  while (i < length && problems.length < limit) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22 /* " */) {
      const start = i;
      // The closing quote is the first one not taken by an escape: jump from backslash to
      // backslash (`nextBackslash` only moves forward: linear in the text).
      let end = text.indexOf('"', i + 1);
      if (end === -1) end = length;
      if (nextBackslash <= i) nextBackslash = backslashFrom(i + 1);
      let escaped = false;
      while (nextBackslash < end) {
        escaped = true;
        const after = nextBackslash + 2;
        if (after > end) {
          end = text.indexOf('"', after);
          if (end === -1) end = length;
        }
        nextBackslash = backslashFrom(after);
      }
      const top = stack[stack.length - 1];
      if (top && !top.array && top.expectKey) {
        // Keys without escapes are their own text: no decoding.
        const key = escaped ? decodeKey(text.slice(start, end + 1)) : text.slice(start + 1, end);
        top.expectKey = false;
        top.key = key;
        let first: number | undefined;
        if (top.keys) first = top.keys.get(key);
        else {
          const at = top.keyNames.indexOf(key);
          if (at !== -1) first = top.keyOffsets[at];
        }
        if (first !== undefined) problems.push({ kind: 'duplicate_key', offset: start, path: pathOf(), key, firstOffset: first });
        else if (top.keys) top.keys.set(key, start);
        else if (top.keyNames.length < SMALL_OBJECT_KEYS) {
          top.keyNames.push(key);
          top.keyOffsets.push(start);
        } else {
          top.keys = new Map(top.keyNames.map((name, index) => [name, top.keyOffsets[index]!]));
          top.keys.set(key, start);
        }
      }
      i = end + 1;
      continue;
    }
    if (ch === 0x7b /* { */ || ch === 0x5b /* [ */) {
      if (stack.length >= maxDepth) {
        problems.push({ kind: 'too_deep', offset: i, path: pathOf() });
        return problems;
      }
      // Frames are reused by depth: a list of 50,000 objects allocates no frame per object.
      let frame = pool[stack.length];
      if (!frame) pool[stack.length] = frame = { array: false, keyNames: [], keyOffsets: [], expectKey: false, index: 0 };
      frame.array = ch === 0x5b;
      frame.expectKey = ch === 0x7b;
      frame.index = 0;
      frame.key = undefined;
      frame.keys = undefined;
      frame.keyNames.length = 0;
      frame.keyOffsets.length = 0;
      stack.push(frame);
    } else if (ch === 0x7d /* } */ || ch === 0x5d /* ] */) {
      stack.pop();
    } else if (ch === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.array) top.index++;
      else if (top) top.expectKey = true;
    }
    i++;
  }
  return problems;
}

function decodeKey(raw: string): string {
  try {
    return JSON.parse(raw) as string;
  } catch {
    return raw.slice(1, -1);
  }
}

/** A path for a message: long paths (a 5,000-deep value) keep their first segments. */
export function shortPath(path: readonly PathSegment[], keep = 8): PathSegment[] {
  return path.length <= keep ? [...path] : [...path.slice(0, keep), '…'];
}

export const BYTE_ORDER_MARK = '\uFEFF';
