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

  const stack: Frame[] = [];
  let failed = false;
  /** The trie node of the value starting at `offset`, with its offset recorded. */
  const enterValue = (offset: number): PathTrie | undefined => {
    const frame = stack[stack.length - 1];
    let node: PathTrie | undefined;
    if (!frame) node = root.valueOffset === -1 ? root : undefined;
    else if (frame.array) {
      const index = frame.index++;
      node = frame.trie?.children.get(`#${index}`);
    }
    else {
      node = frame.pending;
      frame.pending = undefined;
    }
    if (node && node.valueOffset === -1) node.valueOffset = offset;
    return node;
  };
  jsoncParser().visit(text, {
    onObjectBegin: (offset) => void stack.push({ trie: enterValue(offset), array: false, index: 0, pending: undefined }),
    onArrayBegin: (offset) => void stack.push({ trie: enterValue(offset), array: true, index: 0, pending: undefined }),
    onObjectEnd: () => void stack.pop(),
    onArrayEnd: () => void stack.pop(),
    onLiteralValue: (_value, offset) => void enterValue(offset),
    onObjectProperty: (property, offset) => {
      const frame = stack[stack.length - 1];
      if (!frame) return;
      const node = frame.trie?.children.get(`.${property}`);
      // The first of duplicate keys wins; a later duplicate's subtree is not followed.
      if (node && node.keyOffset === -1) {
        node.keyOffset = offset;
        frame.pending = node;
      } else frame.pending = undefined;
    },
    onError: () => {
      failed = true;
    },
  });
  if (failed) return locateInTree(text, requests);

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
