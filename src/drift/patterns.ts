/**
 * Path patterns over settings paths (segment arrays without the `settings.` prefix).
 * `*` matches exactly one segment; a trailing `**` matches one or more segments. Segments are
 * compared as whole values, so keys containing dots (origins, URLs) never split a pattern.
 */
import type { JsonPath } from '../settings/paths';

export interface CompiledPattern {
  parts: readonly string[];
  deep: boolean;
}

export function compilePattern(pattern: string): CompiledPattern {
  const parts = pattern.split('.');
  const deep = parts[parts.length - 1] === '**';
  return { parts: deep ? parts.slice(0, -1) : parts, deep };
}

export function matchesCompiled(path: JsonPath, pattern: CompiledPattern): boolean {
  const { parts, deep } = pattern;
  if (deep ? path.length <= parts.length : path.length !== parts.length) return false;
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] !== '*' && parts[i] !== String(path[i])) return false;
  }
  return true;
}

export function compileAll(patterns: readonly string[]): CompiledPattern[] {
  return patterns.map(compilePattern);
}

export function matchesAny(path: JsonPath, patterns: readonly CompiledPattern[]): boolean {
  return patterns.some((pattern) => matchesCompiled(path, pattern));
}
