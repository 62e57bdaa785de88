/**
 * Where a JSON path sits in a file's text, for reports that point at lines (SARIF). A report
 * locates thousands of results in one file, so the file is parsed once, each object's keys are
 * indexed on first use, and offsets become lines by binary search over the line starts: linear
 * in the file plus the results, where a parse and a scan from offset 0 per result was quadratic.
 *
 * Answers match `locatePath` in src/baseline/validate.ts (same parser, same first-match rule for
 * duplicate keys, same fallback to the nearest existing parent).
 */
import { parseTree, type Node } from 'jsonc-parser';
import type { JsonPath } from '../settings/paths';

export interface TextPosition {
  line: number;
  column: number;
}

/** Locates a path; `pointAtKey` points at a property's key rather than its value. */
export type Locate = (path: JsonPath, pointAtKey?: boolean) => TextPosition | undefined;

export function textLocator(text: string): Locate {
  let parsed = false;
  let tree: Node | undefined;
  let lineStarts: number[] = [];
  const keyIndex = new WeakMap<Node, Map<string, Node>>();

  const prepare = () => {
    parsed = true;
    tree = parseTree(text);
    lineStarts = [0];
    for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lineStarts.push(at + 1);
  };

  const keysOf = (node: Node): Map<string, Node> => {
    let keys = keyIndex.get(node);
    if (!keys) {
      keys = new Map();
      for (const property of node.children ?? []) {
        const [key, value] = property.children ?? [];
        // The parser's rule: a property counts only with both key and value; the first of duplicates wins.
        if (property.children?.length === 2 && key && value && typeof key.value === 'string' && !keys.has(key.value)) keys.set(key.value, value);
      }
      keyIndex.set(node, keys);
    }
    return keys;
  };

  const child = (node: Node, segment: string | number): Node | undefined => {
    if (typeof segment === 'string') return node.type === 'object' && Array.isArray(node.children) ? keysOf(node).get(segment) : undefined;
    if (node.type !== 'array' || segment < 0 || !Array.isArray(node.children) || segment >= node.children.length) return undefined;
    return node.children[segment];
  };

  const position = (offset: number): TextPosition => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((lineStarts[middle] as number) <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - (lineStarts[low] as number) + 1 };
  };

  return (path, pointAtKey = false) => {
    if (!parsed) prepare();
    if (!tree) return undefined;
    // The deepest node on the path that exists: a key the file leaves out points at its parent.
    let node: Node = tree;
    for (const segment of path) {
      const next = child(node, segment);
      if (!next) break;
      node = next;
    }
    const target = pointAtKey && node.parent?.type === 'property' ? node.parent : node;
    return position(target.offset);
  };
}

/** One locator per file, created on first use. */
export function locatorsFor(texts: Readonly<Record<string, string>>): (file: string) => Locate | undefined {
  const locators = new Map<string, Locate>();
  return (file) => {
    if (!Object.prototype.hasOwnProperty.call(texts, file)) return undefined;
    let locate = locators.get(file);
    if (!locate) {
      locate = textLocator(texts[file] as string);
      locators.set(file, locate);
    }
    return locate;
  };
}
