/**
 * JSON paths as segment arrays, rendered as dotted strings for people and tools.
 * Keys that are not plain identifiers (origins, URLs, template names with dots) are bracketed
 * so a rendered path can always be parsed back unambiguously.
 */
export type PathSegment = string | number;
export type JsonPath = readonly PathSegment[];

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

export function formatPath(path: JsonPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

export function parsePath(text: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '.') {
      i++;
      continue;
    }
    if (ch === '[') {
      const close = findBracketEnd(text, i);
      const inner = text.slice(i + 1, close);
      segments.push(inner.startsWith('"') ? (JSON.parse(inner) as string) : Number(inner));
      i = close + 1;
      continue;
    }
    let j = i;
    while (j < text.length && text[j] !== '.' && text[j] !== '[') j++;
    segments.push(text.slice(i, j));
    i = j;
  }
  return segments;
}

function findBracketEnd(text: string, open: number): number {
  if (text[open + 1] !== '"') {
    const close = text.indexOf(']', open);
    return close === -1 ? text.length : close;
  }
  let i = open + 2;
  while (i < text.length) {
    if (text[i] === '\\') i += 2;
    else if (text[i] === '"') return text.indexOf(']', i);
    else i++;
  }
  return text.length;
}

/** True when `path` matches `pattern`, where `*` in the pattern matches any one segment. */
export function matchesPattern(path: JsonPath, pattern: string): boolean {
  const parts = pattern.split('.');
  if (parts.length !== path.length) return false;
  return parts.every((part, index) => part === '*' || part === String(path[index]));
}

/** True when `prefix` (a rendered path or pattern) covers `path` or one of its ancestors. */
export function isUnder(path: JsonPath, prefix: string): boolean {
  const prefixSegments = parsePath(prefix);
  if (prefixSegments.length > path.length) return false;
  return prefixSegments.every((segment, index) => segment === '*' || String(segment) === String(path[index]));
}

export function getAt(value: unknown, path: JsonPath): unknown {
  let current: unknown = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}
