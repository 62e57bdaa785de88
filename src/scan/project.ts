/**
 * One scanned application as a whole: its files by path, the import graph (relative imports and
 * tsconfig/jsconfig `paths` aliases), which modules end up in the browser bundle, and its
 * Next.js routes (App Router and Pages Router) with the URL path each one serves.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import type * as TS from 'typescript';
import { ts, walk } from './ast';
import { SOURCE_EXTENSIONS } from './discover';
import type { SourceFile } from './source';

export type RouteKind = 'route-handler' | 'page' | 'layout' | 'api-route' | 'pages-page' | 'server-action';

export interface NextRoute {
  kind: RouteKind;
  file: SourceFile;
  /** URL path pattern, `[id]` segments kept: `/dashboard/[id]`. */
  path: string;
  /** The folder holding its `app/` or `pages/` folder: `''` (the project root) or `src/`. */
  base?: string;
}

/** A Next.js middleware file and the folder it sits in (`''` or `src/`). */
export interface MiddlewareFile {
  file: SourceFile;
  base: string;
}

export interface Project {
  root: string;
  files: SourceFile[];
  byPath: Map<string, SourceFile>;
  /** Resolved local imports: importer relative path → imported relative paths. */
  graph: Map<string, string[]>;
  /** Modules bundled for the browser, with the client entry that pulls each one in. */
  client: Map<string, string>;
  routes: NextRoute[];
  /**
   * `middleware.ts` / `proxy.ts` files at the project root, in `src/`, or next to an `app/` or
   * `pages/` folder. Next.js runs one only for routes whose `app/`/`pages/` folder sits beside it
   * (Next.js "src Directory": with `src/app`, the middleware must be `src/middleware.ts`).
   */
  middlewares: MiddlewareFile[];
  /** The app depends on Next.js (a package.json names `next`, or it has app/ or pages/ routes). */
  isNext: boolean;
}

// The shortest folder prefix before `app/` / `pages/` is the router's base (`''`, `src/`).
const ROUTE_FILE = /^((?:[^/]+\/)*?)app\/(.*\/)?(route|page|layout)\.(?:[mc]?[jt]sx?)$/;
const PAGES_FILE = /^((?:[^/]+\/)*?)pages\/(.*)\.(?:[mc]?[jt]sx?)$/;
const MIDDLEWARE_FILE = /^((?:[^/]+\/)*)(?:middleware|proxy)\.(?:[mc]?[jt]s)$/;

export function buildProject(root: string, files: SourceFile[]): Project {
  const byPath = new Map(files.map((file) => [file.relative, file]));
  const aliases = readAliases(root);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets: string[] = [];
    const pagesPage = PAGES_FILE.test(file.relative) && !/\/api\//.test(file.relative);
    const clientSpecifiers = pagesPage ? specifiersUsedInBrowser(file) : undefined;
    for (const spec of file.specifiers) {
      // Next strips a page's data functions and the imports only they use from the browser bundle.
      if (clientSpecifiers && !clientSpecifiers.has(spec)) continue;
      const resolved = resolveSpecifier(file.relative, spec, byPath, aliases);
      if (resolved) targets.push(resolved);
    }
    graph.set(file.relative, targets);
  }
  const routes: NextRoute[] = [];
  for (const file of files) {
    const route = routeOf(file);
    if (route) routes.push(route);
    if (file.directives.includes('use server')) routes.push({ kind: 'server-action', file, path: '(server action)' });
  }
  const bases = new Set(['', 'src/', ...routes.flatMap((route) => (route.base === undefined ? [] : [route.base]))]);
  const middlewares: MiddlewareFile[] = [];
  for (const file of files) {
    const base = MIDDLEWARE_FILE.exec(file.relative)?.[1] ?? undefined;
    if (base !== undefined && bases.has(base)) middlewares.push({ file, base });
  }
  const client = clientModules(files, graph, routes);
  const isNext = routes.length > 0 || dependsOn(root, 'next');
  return { root, files, byPath, graph, client, routes, middlewares, isNext };
}

function routeOf(file: SourceFile): NextRoute | undefined {
  const app = ROUTE_FILE.exec(file.relative);
  if (app) {
    const kind: RouteKind = app[3] === 'route' ? 'route-handler' : app[3] === 'page' ? 'page' : 'layout';
    return { kind, file, path: urlPath(app[2] ?? ''), base: app[1] ?? '' };
  }
  const pages = PAGES_FILE.exec(file.relative);
  if (pages) {
    const name = pages[2] as string;
    if (/^_(app|document|error)$/.test(name)) return undefined;
    const url = urlPath(name.replace(/(^|\/)index$/, ''));
    return { kind: name === 'api' || name.startsWith('api/') ? 'api-route' : 'pages-page', file, path: url, base: pages[1] ?? '' };
  }
  return undefined;
}

/** `(marketing)/blog/[slug]/` → `/blog/[slug]`: route groups, parallel slots and private folders leave the URL. */
export function urlPath(dir: string): string {
  const segments = dir.split('/').filter((segment) => segment !== '' && !/^\(.*\)$/.test(segment) && !segment.startsWith('@'));
  return `/${segments.join('/')}`;
}

/**
 * What ends up in the browser bundle: modules marked `'use client'`, Pages Router pages
 * (everything but their data functions, which Next strips), and whatever those import.
 */
function clientModules(files: SourceFile[], graph: Map<string, string[]>, routes: NextRoute[]): Map<string, string> {
  const client = new Map<string, string>();
  const queue: [string, string][] = [];
  for (const file of files) {
    // 'use client' modules, and public/ files, which are served to the browser as they are.
    if (file.directives.includes('use client') || /^(.*\/)?public\//.test(file.relative)) queue.push([file.relative, file.relative]);
  }
  for (const route of routes) if (route.kind === 'pages-page') queue.push([route.file.relative, route.file.relative]);
  // Breadth-first, each module once: bounded by the number of files.
  while (queue.length > 0) {
    const [module, entry] = queue.shift() as [string, string];
    if (client.has(module)) continue;
    client.set(module, entry);
    for (const next of graph.get(module) ?? []) if (!client.has(next)) queue.push([next, entry]);
  }
  return client;
}

interface Aliases {
  baseUrl: string;
  paths: [string, string[]][];
}

function readAliases(root: string): Aliases {
  for (const name of ['tsconfig.json', 'jsconfig.json']) {
    const file = path.join(root, name);
    if (!existsSync(file)) continue;
    try {
      const config = parseJsonc(readFileSync(file, 'utf8')) as { compilerOptions?: { baseUrl?: string; paths?: Record<string, string[]> } } | undefined;
      const options = config?.compilerOptions ?? {};
      const baseUrl = typeof options.baseUrl === 'string' ? options.baseUrl : '.';
      const paths = options.paths && typeof options.paths === 'object' ? Object.entries(options.paths).filter((entry): entry is [string, string[]] => Array.isArray(entry[1])) : [];
      return { baseUrl: path.posix.normalize(baseUrl.replace(/\\/g, '/')), paths };
    } catch {
      // An unreadable config means no aliases; imports through them stay unresolved (and are not followed).
    }
  }
  // Next.js projects default `@/` to the project root or src/ in create-next-app templates.
  return { baseUrl: '.', paths: [['@/*', ['./src/*', './*']]] };
}

function resolveSpecifier(from: string, spec: string, byPath: Map<string, SourceFile>, aliases: Aliases): string | undefined {
  let candidates: string[] = [];
  if (spec.startsWith('./') || spec.startsWith('../')) {
    candidates = [path.posix.normalize(path.posix.join(path.posix.dirname(from), spec))];
  } else {
    for (const [pattern, targets] of aliases.paths) {
      const star = pattern.indexOf('*');
      const prefix = star === -1 ? pattern : pattern.slice(0, star);
      if (star === -1 ? spec !== pattern : !spec.startsWith(prefix)) continue;
      const rest = star === -1 ? '' : spec.slice(prefix.length);
      for (const target of targets) candidates.push(path.posix.normalize(path.posix.join(aliases.baseUrl, target.replace('*', rest))));
    }
  }
  for (const candidate of candidates) {
    const base = candidate.replace(/^\.\//, '');
    if (byPath.has(base)) return base;
    const stripped = base.replace(/\.(js|jsx|mjs|cjs)$/, '');
    for (const ext of SOURCE_EXTENSIONS) {
      if (byPath.has(`${stripped}${ext}`)) return `${stripped}${ext}`;
      if (byPath.has(`${base}/index${ext}`)) return `${base}/index${ext}`;
    }
  }
  return undefined;
}

function dependsOn(root: string, name: string): boolean {
  const file = path.join(root, 'package.json');
  if (!existsSync(file)) return false;
  try {
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
    return Boolean(pkg.dependencies?.[name] ?? pkg.devDependencies?.[name]);
  } catch {
    return false;
  }
}

const DATA_FUNCTIONS = new Set(['getServerSideProps', 'getStaticProps', 'getStaticPaths']);

/** Source ranges of a Pages Router page's data functions: server-only code. */
export function serverOnlyRanges(file: SourceFile): { pos: number; end: number }[] {
  const ranges: { pos: number; end: number }[] = [];
  for (const [name, node] of file.exports) if (DATA_FUNCTIONS.has(name)) ranges.push({ pos: node.pos, end: node.end });
  return ranges;
}

function specifiersUsedInBrowser(file: SourceFile): Set<string> {
  const t = ts();
  const ranges = serverOnlyRanges(file);
  const used = new Set<string>();
  walk(file.sf, (node) => {
    if (t.isImportDeclaration(node)) return false;
    if (ranges.some((range) => node.pos >= range.pos && node.end <= range.end)) return false;
    if (t.isIdentifier(node)) used.add(node.text);
    return undefined;
  });
  const out = new Set<string>();
  for (const [local, binding] of file.imports) if (used.has(local)) out.add(binding.module);
  // Side-effect imports (`import './styles.css'`) and requires stay.
  for (const spec of file.specifiers) if (![...file.imports.values()].some((binding) => binding.module === spec)) out.add(spec);
  return out;
}

/** Whether `node` is the file's top-level statement list (for "declared at module scope"). */
export function isTopLevel(node: TS.Node): boolean {
  return node.parent !== undefined && node.parent.parent === undefined;
}
