/**
 * Finds the files of an application to scan, with bounds and without surprises: symlinks are
 * followed once (a loop is reported, never walked twice), `node_modules` and build output are
 * skipped unless asked, and every file that could not be read is reported, never dropped.
 */
import { lstatSync, readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';

export type FileKind = 'source' | 'env' | 'text';

export interface DiscoveredFile {
  /** Absolute path (as reached, not resolved through symlinks). */
  absolute: string;
  /** Relative to the scanned root, forward slashes. */
  relative: string;
  kind: FileKind;
  size: number;
}

export interface DiscoveryProblem {
  relative: string;
  reason: string;
  /** Set when the problem is one file of a known kind; absent when a folder (or anything) could hide behind it. */
  kind?: FileKind;
}

export interface Discovery {
  files: DiscoveredFile[];
  problems: DiscoveryProblem[];
  /** Directory names skipped by default, with how often (listed so nothing is silently left out). */
  skipped: Record<string, number>;
}

export interface DiscoverOptions {
  includeNodeModules?: boolean;
  /** Relative globs (already matched by the caller) to leave out; returns a reason when excluded. */
  exclude?: (relative: string) => string | undefined;
  maxFiles?: number;
  maxDepth?: number;
}

export const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
/** Other committed text in which a key or signing secret can hide. */
const TEXT_EXTENSIONS = ['.json', '.yaml', '.yml', '.toml', '.md', '.mdx', '.html', '.txt', '.ini', '.cfg', '.conf', '.sh', '.properties', '.xml', '.vue', '.svelte', '.astro'];
/** Build output and caches: scanned with `--build`, not as source. */
export const SKIPPED_DIRECTORIES = ['node_modules', '.git', '.next', '.turbo', '.vercel', '.output', '.nuxt', '.svelte-kit', '.cache', 'coverage', 'dist', 'build', 'out'];

export const DEFAULT_MAX_FILES = 200_000;
export const DEFAULT_MAX_DEPTH = 64;

export function classify(name: string): FileKind | undefined {
  if (name === '.env' || name.startsWith('.env.')) return 'env';
  if (name.endsWith('.d.ts') || name.endsWith('.d.mts') || name.endsWith('.d.cts')) return undefined;
  const ext = path.extname(name).toLowerCase();
  if (SOURCE_EXTENSIONS.includes(ext)) return 'source';
  if (TEXT_EXTENSIONS.includes(ext)) return 'text';
  return undefined;
}

/** Walks `root`. `kindOf` decides which files matter (source scanning and build scanning differ). */
export function discover(root: string, options: DiscoverOptions = {}, kindOf: (name: string) => FileKind | undefined = classify, skip: readonly string[] = SKIPPED_DIRECTORIES): Discovery {
  const maxFiles = options.maxFiles ?? DEFAULT_MAX_FILES;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const out: Discovery = { files: [], problems: [], skipped: {} };
  const visited = new Set<string>();
  const rootReal = realpathSync(root);
  visited.add(rootReal);
  // Depth-first with an explicit stack: no recursion limit, bounded depth and count.
  const stack: { dir: string; relative: string; depth: number }[] = [{ dir: root, relative: '', depth: 0 }];
  while (stack.length > 0) {
    const { dir, relative, depth } = stack.pop() as { dir: string; relative: string; depth: number };
    let entries: string[];
    try {
      entries = readdirSync(dir).sort();
    } catch (error) {
      out.problems.push({ relative: relative || '.', reason: `directory could not be read (${errorCode(error)})` });
      continue;
    }
    const subdirs: { dir: string; relative: string; depth: number }[] = [];
    for (const name of entries) {
      const absolute = path.join(dir, name);
      const rel = relative ? `${relative}/${name}` : name;
      let stats: Stats;
      try {
        stats = lstatSync(absolute);
      } catch (error) {
        out.problems.push({ relative: rel, reason: `could not be read (${errorCode(error)})`, ...kindField(kindOf(name)) });
        continue;
      }
      const excluded = options.exclude?.(rel);
      if (excluded !== undefined) continue;
      if (stats.isSymbolicLink()) {
        let real: string;
        let target: Stats;
        try {
          real = realpathSync(absolute);
          target = statSync(absolute);
        } catch (error) {
          const code = errorCode(error);
          out.problems.push({ relative: rel, reason: code === 'ELOOP' ? 'symlink loop (not followed)' : `broken symlink (${code})`, ...(code === 'ELOOP' ? {} : kindField(kindOf(name))) });
          continue;
        }
        if (target.isDirectory()) {
          if (skip.includes(name) && !(name === 'node_modules' && options.includeNodeModules)) {
            out.skipped[name] = (out.skipped[name] ?? 0) + 1;
            continue;
          }
          if (pointsToAncestor(real, dir)) {
            out.problems.push({ relative: rel, reason: `symlink loop: points back to ${displayReal(real, rootReal)} (not followed)` });
            continue;
          }
          // Reached already through another path: scanned once, not twice.
          if (visited.has(real)) continue;
          visited.add(real);
          if (depth + 1 > maxDepth) out.problems.push({ relative: rel, reason: `deeper than ${maxDepth} directories (not walked)` });
          else subdirs.push({ dir: absolute, relative: rel, depth: depth + 1 });
          continue;
        }
        stats = target;
      }
      if (stats.isDirectory()) {
        if (skip.includes(name) && !(name === 'node_modules' && options.includeNodeModules)) {
          out.skipped[name] = (out.skipped[name] ?? 0) + 1;
          continue;
        }
        let real: string;
        try {
          real = realpathSync(absolute);
        } catch (error) {
          out.problems.push({ relative: rel, reason: `could not be read (${errorCode(error)})` });
          continue;
        }
        if (visited.has(real)) continue;
        visited.add(real);
        if (depth + 1 > maxDepth) out.problems.push({ relative: rel, reason: `deeper than ${maxDepth} directories (not walked)` });
        else subdirs.push({ dir: absolute, relative: rel, depth: depth + 1 });
        continue;
      }
      if (!stats.isFile()) continue;
      const kind = kindOf(name);
      if (!kind) continue;
      if (out.files.length >= maxFiles) {
        out.problems.push({ relative: rel, reason: `more than ${maxFiles} files: the rest of the tree was not scanned` });
        return out;
      }
      out.files.push({ absolute, relative: rel, kind, size: stats.size });
    }
    // Reverse so the stack pops directories in name order: output order is stable.
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i] as { dir: string; relative: string; depth: number });
  }
  return out;
}

function kindField(kind: FileKind | undefined): { kind?: FileKind } {
  return kind === undefined ? {} : { kind };
}

function pointsToAncestor(real: string, parentDir: string): boolean {
  let parentReal: string;
  try {
    parentReal = realpathSync(parentDir);
  } catch {
    return false;
  }
  return parentReal === real || parentReal.startsWith(`${real}${path.sep}`);
}

function displayReal(real: string, rootReal: string): string {
  const relative = path.relative(rootReal, real);
  return relative === '' ? '.' : relative.startsWith('..') ? real : relative.split(path.sep).join('/');
}

export function errorCode(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && typeof (error as { code: unknown }).code === 'string') return (error as { code: string }).code;
  return error instanceof Error ? error.message : String(error);
}
