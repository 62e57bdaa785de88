/**
 * Where JSON paths sit in a file's text, for reports that point at lines (SARIF). A report
 * locates thousands of results in one file, possibly a file of megabytes, so all paths are
 * located in one streaming pass: the parser's events are followed only along the requested
 * paths (a trie), no syntax tree is built, and offsets become lines in one scan. Linear in the
 * file plus the results, and memory in proportion to the results; a parse and a scan from
 * offset 0 per result was quadratic, and a syntax tree of a large baseline costs hundreds of MB.
 *
 * Answers match `locatePath` in src/baseline/validate.ts (same parser, the first of duplicate
 * keys, the nearest existing parent for a path the file leaves out); text with syntax errors,
 * which validated baselines never have, goes through a syntax tree exactly as locatePath does.
 */
import type { Node } from 'jsonc-parser';
import type { JsonPath, PathSegment } from '../settings/paths';

export interface TextPosition {
  line: number;
  column: number;
}

export interface LocateRequest {
  path: JsonPath;
  /** Point at a property's key rather than at its value. */
  pointAtKey?: boolean;
}

/** A requested path prefix; offsets are -1 until the parser meets it. */
interface PathTrie {
  children: Map<string, PathTrie>;
  valueOffset: number;
  /** The offset of the property's key when this value is a property value. */
  keyOffset: number;
}

const trieNode = (): PathTrie => ({ children: new Map(), valueOffset: -1, keyOffset: -1 });

/** Object keys and array indexes never collide: findNodeAtLocation takes a string only in an object, a number only in an array. */
const edge = (segment: PathSegment): string => (typeof segment === 'number' ? `#${segment}` : `.${segment}`);

interface Frame {
  trie: PathTrie | undefined;
  array: boolean;
  index: number;
  /** The trie node of the value after the current property key. */
  pending: PathTrie | undefined;
}

/** The position of each request's path in `text` (undefined when the text holds no JSON value). */
export function locatePaths(text: string, requests: readonly LocateRequest[]): (TextPosition | undefined)[] {
  if (requests.length === 0) return [];
  const root = trieNode();
  for (const request of requests) {
    let node = root;
    for (const segment of request.path) {
      const key = edge(segment);
      let child = node.children.get(key);
      if (!child) {
        child = trieNode();
        node.children.set(key, child);
      }
      node = child;
    }
  }

  if (!visitStrictJson(text, root)) {
    resetOffsets(root);
    if (!visitWithParser(text, root)) return locateInTree(text, requests);
  }

  const offsets = requests.map((request) => {
    if (root.valueOffset === -1) return -1;
    let node = root;
    for (const segment of request.path) {
      const child = node.children.get(edge(segment));
      if (!child || child.valueOffset === -1) break;
      node = child;
    }
    return request.pointAtKey && node.keyOffset !== -1 ? node.keyOffset : node.valueOffset;
  });
  const positions = positionsOf(text, offsets);
  return offsets.map((offset) => (offset === -1 ? undefined : positions.get(offset)));
}

function resetOffsets(node: PathTrie): void {
  node.valueOffset = -1;
  node.keyOffset = -1;
  for (const child of node.children.values()) resetOffsets(child);
}

/** The trie node of a value met in `frame` (the root when there is no frame), with its offset recorded. */
function enterValue(root: PathTrie, frame: Frame | undefined, offset: number): PathTrie | undefined {
  let node: PathTrie | undefined;
  if (!frame) node = root.valueOffset === -1 ? root : undefined;
  else if (frame.array) {
    const index = frame.index++;
    node = frame.trie?.children.get(`#${index}`);
  } else {
    node = frame.pending;
    frame.pending = undefined;
  }
  if (node && node.valueOffset === -1) node.valueOffset = offset;
  return node;
}

/** A property key met in `frame`: the first of duplicate keys wins; a later duplicate's subtree is not followed. */
function enterProperty(frame: Frame | undefined, property: string, offset: number): void {
  if (!frame) return;
  const node = frame.trie?.children.get(`.${property}`);
  if (node && node.keyOffset === -1) {
    node.keyOffset = offset;
    frame.pending = node;
  } else frame.pending = undefined;
}

/** jsonc-parser's events followed along the trie; false when the parser reports an error. */
function visitWithParser(text: string, root: PathTrie): boolean {
  const stack: Frame[] = [];
  let failed = false;
  jsoncParser().visit(text, {
    onObjectBegin: (offset) => void stack.push({ trie: enterValue(root, stack[stack.length - 1], offset), array: false, index: 0, pending: undefined }),
    onArrayBegin: (offset) => void stack.push({ trie: enterValue(root, stack[stack.length - 1], offset), array: true, index: 0, pending: undefined }),
    onObjectEnd: () => void stack.pop(),
    onArrayEnd: () => void stack.pop(),
    onLiteralValue: (_value, offset) => void enterValue(root, stack[stack.length - 1], offset),
    onObjectProperty: (property, offset) => enterProperty(stack[stack.length - 1], property, offset),
    onError: () => {
      failed = true;
    },
  });
  return !failed;
}

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * The same events as visitWithParser, from a scan of strict JSON (RFC 8259: what JSON.parse
 * accepts, which a loaded baseline is), several times faster than the parser's visitor. Text that
 * is not strict JSON (comments, trailing commas, anything the parser would report or tolerate)
 * answers false before anything is trusted, and the parser's visit decides. Strict JSON is
 * text the parser reads without an error, with its events at the same offsets.
 */
function visitStrictJson(text: string, root: PathTrie): boolean {
  const stack: Frame[] = [];
  let at = skipSpace(text, 0);
  // After a value: in an object, `,` then a key or `}`; in an array, `,` then a value or `]`.
  for (;;) {
    // A value starts here.
    if (at >= text.length) return false;
    const code = text.charCodeAt(at);
    const frame = stack[stack.length - 1];
    if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      const array = code === OPEN_BRACKET;
      stack.push({ trie: enterValue(root, frame, at), array, index: 0, pending: undefined });
      at = skipSpace(text, at + 1);
      const close = array ? CLOSE_BRACKET : CLOSE_BRACE;
      if (text.charCodeAt(at) === close) {
        stack.pop();
        at = skipSpace(text, at + 1);
      } else if (!array) {
        const next = propertyKey(text, at, stack[stack.length - 1]!);
        if (next < 0) return false;
        at = next;
        continue;
      } else continue;
    } else {
      const end = code === QUOTE ? stringEnd(text, at) : literalEnd(text, at);
      if (end < 0) return false;
      enterValue(root, frame, at);
      at = skipSpace(text, end);
    }
    // After a value (and after any containers it closes).
    for (;;) {
      const current = stack[stack.length - 1];
      if (!current) return at === text.length;
      const code = text.charCodeAt(at);
      if (code === COMMA) {
        at = skipSpace(text, at + 1);
        if (!current.array) {
          const next = propertyKey(text, at, current);
          if (next < 0) return false;
          at = next;
        }
        break;
      }
      if (code !== (current.array ? CLOSE_BRACKET : CLOSE_BRACE)) return false;
      stack.pop();
      at = skipSpace(text, at + 1);
    }
  }
}

/** A property key at `at` and its colon; the offset of the value after it, or -1. */
function propertyKey(text: string, at: number, frame: Frame): number {
  if (text.charCodeAt(at) !== QUOTE) return -1;
  const end = stringEnd(text, at);
  if (end < 0) return -1;
  const raw = text.slice(at + 1, end - 1);
  enterProperty(frame, raw.includes('\\') ? (JSON.parse(text.slice(at, end)) as string) : raw, at);
  const colon = skipSpace(text, end);
  if (text.charCodeAt(colon) !== COLON) return -1;
  return skipSpace(text, colon + 1);
}

function skipSpace(text: string, from: number): number {
  let at = from;
  for (;;) {
    const code = text.charCodeAt(at);
    if (code !== SPACE && code !== LF && code !== CR && code !== TAB) return at;
    at++;
  }
}

/** The offset after the strict JSON string starting at `at` (a quote), or -1. */
function stringEnd(text: string, at: number): number {
  let index = at + 1;
  for (;;) {
    if (index >= text.length) return -1;
    const code = text.charCodeAt(index);
    if (code === QUOTE) return index + 1;
    if (code < 0x20) return -1;
    if (code === BACKSLASH) {
      const escaped = text.charCodeAt(index + 1);
      if (escaped === 0x75 /* u */) {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(index + 2, index + 6))) return -1;
        index += 6;
        continue;
      }
      // " \ / b f n r t
      if (escaped !== QUOTE && escaped !== BACKSLASH && escaped !== 0x2f && escaped !== 0x62 && escaped !== 0x66 && escaped !== 0x6e && escaped !== 0x72 && escaped !== 0x74) return -1;
      index += 2;
      continue;
    }
    index++;
  }
}

const STRICT_LITERAL = /true|false|null|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/** The offset after the number, `true`, `false` or `null` at `at`, or -1 (one that runs into a letter or digit is not one). */
function literalEnd(text: string, at: number): number {
  STRICT_LITERAL.lastIndex = at;
  if (!STRICT_LITERAL.test(text)) return -1;
  const end = STRICT_LITERAL.lastIndex;
  const after = text.charCodeAt(end);
  if (end < text.length && after !== SPACE && after !== LF && after !== CR && after !== TAB && after !== COMMA && after !== CLOSE_BRACE && after !== CLOSE_BRACKET) return -1;
  return end;
}

/** Loaded on first use: a valid baseline's text-format `check` never locates anything. */
function jsoncParser(): typeof import('jsonc-parser') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('jsonc-parser') as typeof import('jsonc-parser');
}

/** Line and column (1-based; lines end at "\n") of each offset, in one pass over the text. */
function positionsOf(text: string, offsets: readonly number[]): Map<number, TextPosition> {
  const wanted = [...new Set(offsets.filter((offset) => offset >= 0))].sort((a, b) => a - b);
  const positions = new Map<number, TextPosition>();
  let line = 1;
  let lineStart = 0;
  let next = text.indexOf('\n');
  for (const offset of wanted) {
    while (next !== -1 && next < offset) {
      line++;
      lineStart = next + 1;
      next = text.indexOf('\n', lineStart);
    }
    positions.set(offset, { line, column: offset - lineStart + 1 });
  }
  return positions;
}

/** locatePath's own algorithm on a syntax tree, for text the parser reports errors in. */
function locateInTree(text: string, requests: readonly LocateRequest[]): (TextPosition | undefined)[] {
  const { parseTree, findNodeAtLocation } = jsoncParser();
  const tree = parseTree(text);
  if (!tree) return requests.map(() => undefined);
  const offsets = requests.map((request) => {
    let node: Node | undefined = findNodeAtLocation(tree, request.path as PathSegment[]);
    let trimmed = [...request.path];
    while (!node && trimmed.length > 0) {
      trimmed = trimmed.slice(0, -1);
      node = findNodeAtLocation(tree, trimmed);
    }
    if (!node) return -1;
    return (request.pointAtKey && node.parent?.type === 'property' ? node.parent : node).offset;
  });
  const positions = positionsOf(text, offsets);
  return offsets.map((offset) => (offset === -1 ? undefined : positions.get(offset)));
}

/** Locates each item's path in its own file, one pass per file; items without a file or text get undefined. */
export function locateInFiles<T>(
  texts: Readonly<Record<string, string>>,
  items: readonly T[],
  where: (item: T) => { file: string | undefined; path: JsonPath | undefined },
): (TextPosition | undefined)[] {
  const byFile = new Map<string, { indexes: number[]; requests: LocateRequest[] }>();
  items.forEach((item, index) => {
    const { file, path } = where(item);
    if (file === undefined || path === undefined || !Object.prototype.hasOwnProperty.call(texts, file) || !texts[file]) return;
    let group = byFile.get(file);
    if (!group) {
      group = { indexes: [], requests: [] };
      byFile.set(file, group);
    }
    group.indexes.push(index);
    group.requests.push({ path, pointAtKey: true });
  });
  const positions: (TextPosition | undefined)[] = items.map(() => undefined);
  for (const [file, group] of byFile) {
    locatePaths(texts[file] as string, group.requests).forEach((position, at) => {
      positions[group.indexes[at] as number] = position;
    });
  }
  return positions;
}
