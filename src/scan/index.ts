/**
 * `clerkguard scan`: evidence `code` from an application's source, env files and built bundles.
 *
 *   loadApplication (read + parse once) → analyseApplication (detectors, per baseline policy)
 *   → ApplicationEvidence (src/evidence) → checklist findings in `scan`, `check --scan`, snapshots
 *
 * A file that could not be read or parsed is listed as not analysed: never counted as clean.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { RuleId } from '../checklist/ids';
import { globMatches, type ApplicationEvidence, type Observation } from '../evidence/index';
import type { RevokeOnEvent } from '../settings/model';
import { ClerkguardError } from '../util/errors';
import type { DetectorContext, ScanPolicy, TextFile } from './context';
import { detectKeys } from './detectors/keys';
import { detectOrgScoping, detectRoleChecks } from './detectors/organizations';
import { detectAuthorizedParties } from './detectors/origins';
import { detectRevocation } from './detectors/revocation';
import { detectRoutes } from './detectors/routes';
import { detectWebhooks } from './detectors/webhooks';
import { discover, errorCode, type DiscoveredFile, type FileKind } from './discover';
import { findHandlers } from './handlers';
import { isStackExhausted } from './ast';
import { analyseMiddleware } from './middleware';
import { redact } from './keys';
import { buildProject, type Project } from './project';
import { parseSourceFile, type SourceFile } from './source';
import { applySuppressions, findSuppressions, type InlineSuppression } from './suppress';

export type { ScanPolicy } from './context';
export type { InlineSuppression } from './suppress';

/** The rules a scan judges: code evidence stands in for their attestations. */
export const SCANNED_RULES: readonly RuleId[] = [
  'keys-secret-server-only',
  'keys-production-live',
  'origins-exact-allowlist',
  'session-revoke-on-security-events',
  'session-server-side-verification',
  'webhook-signature-verification',
  'webhook-secret-in-env',
  'webhook-idempotency',
  'webhook-user-deleted-pii',
  'org-scoped-queries',
  'org-role-checks',
];

export const ALL_REVOKE_EVENTS: readonly RevokeOnEvent[] = ['password_change', 'email_change', 'mfa_enrollment'];

/** Largest file parsed as source; bigger ones (usually generated or vendored) are listed, not parsed. */
export const MAX_SOURCE_BYTES = 2 * 1024 * 1024;
/** Largest build file searched for keys. */
export const MAX_BUILD_BYTES = 64 * 1024 * 1024;

export interface ScanOptions {
  /** Application directories (at least one). */
  roots: readonly string[];
  /** Build output directories to search for keys (`.next/static`, `dist`). */
  builds?: readonly string[];
  cwd: string;
  includeNodeModules?: boolean;
  /** Baseline `ignore` entries with `code:` globs: files left out, with the reason. */
  exclude?: readonly { glob: string; reason: string }[];
  /** Injected for tests (unreadable files cannot be made as root). */
  readFile?: (absolute: string) => Buffer;
}

/**
 * A file (or part of the tree) the scan could not analyse. `scope` says which items it keeps
 * from passing: `code` every item the scan judges (a source file, a folder that could hide
 * one), `keys` the items a text search decides (1, 2 and 10: env, text and build files).
 */
export interface NotAnalysed {
  file: string;
  reason: string;
  scope: GapScope;
  line?: number;
  column?: number;
}

export type GapScope = 'code' | 'keys';

/** The rules a search of text for key shapes decides; a text, env or build file that could not be read keeps these from passing. */
const KEY_RULES: readonly RuleId[] = ['keys-secret-server-only', 'keys-production-live', 'webhook-secret-in-env'];

/** What every file that was read but not parsed says in the "not analysed" list. */
const KEY_SEARCH_ONLY = 'searched for key shapes only';

export interface LoadedApplication {
  roots: string[];
  builds: string[];
  projects: Project[];
  texts: TextFile[];
  notAnalysed: NotAnalysed[];
  skipped: Record<string, number>;
  excluded: { file: string; reason: string }[];
  suppressions: InlineSuppression[];
  counts: { source: number; env: number; text: number; build: number };
}

export interface ScanResult extends Omit<LoadedApplication, 'projects' | 'texts'> {
  evidence: ApplicationEvidence;
  policy: ScanPolicy;
}

export function loadApplication(options: ScanOptions): LoadedApplication {
  const read = options.readFile ?? ((file: string) => readFileSync(file));
  const rootsAbsolute = options.roots.map((root) => checkDirectory(options.cwd, root, 'application directory'));
  const buildsAbsolute = (options.builds ?? []).map((root) => checkDirectory(options.cwd, root, 'build directory'));
  const display = (absolute: string) => toDisplay(options.cwd, absolute);
  const loaded: LoadedApplication = {
    roots: rootsAbsolute.map(display),
    builds: buildsAbsolute.map(display),
    projects: [],
    texts: [],
    notAnalysed: [],
    skipped: {},
    excluded: [],
    suppressions: [],
    counts: { source: 0, env: 0, text: 0, build: 0 },
  };
  for (const root of rootsAbsolute) {
    // Locations are shown relative to the working directory, as people and SARIF viewers expect.
    const prefix = display(root) === '.' ? '' : `${display(root)}/`;
    const found = discover(root, {
      ...(options.includeNodeModules ? { includeNodeModules: true } : {}),
      exclude: (relative) => {
        const entry = options.exclude?.find((item) => globLike(item.glob, `${prefix}${relative}`));
        if (entry) loaded.excluded.push({ file: `${prefix}${relative}`, reason: entry.reason });
        return entry?.reason;
      },
    });
    for (const [name, count] of Object.entries(found.skipped)) loaded.skipped[name] = (loaded.skipped[name] ?? 0) + count;
    for (const problem of found.problems) loaded.notAnalysed.push({ file: `${prefix}${problem.relative}`, reason: problem.reason, scope: gapScope(problem.kind) });
    const sources: SourceFile[] = [];
    for (const file of found.files) {
      const relative = `${prefix}${file.relative}`;
      const content = readText(file, read, MAX_SOURCE_BYTES, loaded.notAnalysed, relative);
      if (content === undefined) continue;
      const { text, binary } = content;
      if (binary) {
        // Not analysable, but read: a key in it is still a key (the bytes are searched as they are).
        loaded.texts.push({ relative, kind: file.kind, text, binary: true });
        continue;
      }
      loaded.suppressions.push(...findSuppressions(relative, text));
      if (file.kind === 'source') {
        const outcome = parseSourceFile(file.relative, relative, file.absolute, root, text);
        if (outcome.ok) {
          sources.push(outcome.file);
          loaded.counts.source++;
        } else {
          // Not analysed, and every item the analysis decides stays undecided (withholdPasses); the
          // text is still searched for key shapes, so a key in a broken file fails as it would in a .txt.
          loaded.texts.push({ relative, kind: 'source', text });
          const first = outcome.errors[0];
          if (outcome.reason !== undefined && !first) loaded.notAnalysed.push({ file: relative, reason: `${outcome.reason} (${KEY_SEARCH_ONLY})`, scope: 'code' });
          else {
            const line = first?.line ?? 1;
            const column = first?.column ?? 1;
            loaded.notAnalysed.push({ file: relative, reason: `syntax error at ${line}:${column}: ${redact(first?.message ?? 'unparseable')} (${KEY_SEARCH_ONLY})`, scope: 'code', line, column });
          }
        }
      } else {
        loaded.texts.push({ relative, kind: file.kind, text });
        loaded.counts[file.kind]++;
      }
    }
    loaded.projects.push(buildProject(root, sources));
  }
  for (const build of buildsAbsolute) {
    const found = discover(build, {}, buildKind, ['node_modules', 'cache', '.git']);
    const buildName = display(build);
    for (const problem of found.problems) loaded.notAnalysed.push({ file: `${buildName}/${problem.relative}`, reason: problem.reason, scope: 'keys' });
    for (const file of found.files) {
      const relative = `${buildName}/${file.relative}`;
      const content = readText(file, read, MAX_BUILD_BYTES, loaded.notAnalysed, relative);
      if (content === undefined) continue;
      loaded.texts.push({ relative, kind: 'build', text: content.text, buildRoot: buildName, ...(content.binary ? { binary: true } : {}) });
      if (!content.binary) loaded.counts.build++;
    }
  }
  return loaded;
}

function buildKind(name: string): 'text' | undefined {
  return /\.(m?js|cjs|html?|json|map|txt|css|rsc|body|meta)$/i.test(name) ? 'text' : undefined;
}

/** A file of a known text kind hides keys at most; anything else (a folder, a source file) could hide any code. */
function gapScope(kind: FileKind | undefined): GapScope {
  return kind === 'env' || kind === 'text' ? 'keys' : 'code';
}

/**
 * Reads a file as UTF-8 text, or lists why it could not be: unreadable, too large. Binary
 * content comes back byte for byte (latin1, so key shapes stay intact) for the key search only;
 * a binary source or env file is listed as not analysed too (a binary `.txt`, or build file, is just not text).
 */
function readText(file: DiscoveredFile, read: (absolute: string) => Buffer, maxBytes: number, notAnalysed: NotAnalysed[], relative: string): { text: string; binary: boolean } | undefined {
  const scope = gapScope(file.kind);
  if (file.size > maxBytes) {
    notAnalysed.push({ file: relative, reason: `larger than ${Math.round(maxBytes / 1024 / 1024)} MB (${Math.round(file.size / 1024 / 1024)} MB): not analysed`, scope });
    return undefined;
  }
  let buffer: Buffer;
  try {
    buffer = read(file.absolute);
  } catch (error) {
    notAnalysed.push({ file: relative, reason: `could not be read (${errorCode(error)})`, scope });
    return undefined;
  }
  const head = buffer.subarray(0, 8192);
  if (head.includes(0)) {
    // Binary content under a text extension: not analysable, and saying so beats calling it clean.
    if (file.kind !== 'text') notAnalysed.push({ file: relative, reason: `binary content (NUL bytes): not analysed (${KEY_SEARCH_ONLY})`, scope });
    return { text: buffer.toString('latin1'), binary: true };
  }
  return { text: buffer.toString('utf8'), binary: false };
}

function checkDirectory(cwd: string, given: string, what: string): string {
  const absolute = path.resolve(cwd, given);
  if (!existsSync(absolute)) throw new ClerkguardError(`${what} ${given} does not exist`, { hint: 'pass the folder that holds the application (its package.json), e.g. clerkguard scan ./apps/web' });
  if (!statSync(absolute).isDirectory()) throw new ClerkguardError(`${what} ${given} is not a directory`, { hint: 'pass a folder, not a file' });
  return absolute;
}

function toDisplay(cwd: string, absolute: string): string {
  const relative = path.relative(cwd, absolute);
  if (relative === '') return '.';
  return (relative.startsWith('..') ? absolute : relative).split(path.sep).join('/');
}

function globLike(glob: string, file: string): boolean {
  // Same syntax as exception scopes: `*` within a segment, `**` across.
  return globMatches(glob, file) || globMatches(`${glob.replace(/\/$/, '')}/**`, file);
}

/** Runs every detector over a loaded application for one policy. */
export function analyseApplication(app: LoadedApplication, policy: ScanPolicy, today: string): ScanResult {
  const observations: Observation[] = [];
  const report: DetectorContext['report'] = (observation) => {
    observations.push({ source: 'code', ...observation });
  };
  for (const project of app.projects) {
    const texts = app.texts.filter((text) => text.kind !== 'build' || project === app.projects[0]);
    const context: DetectorContext = { project, texts, policy, builds: app.builds, report };
    const before = observations.length;
    try {
      const handlers = findHandlers(project);
      const middlewares = project.middlewares.map((entry) => analyseMiddleware(entry.file, entry.base));
      detectKeys(context);
      detectRevocation(context);
      detectAuthorizedParties(context);
      detectRoutes(context, handlers, middlewares);
      detectWebhooks(context, handlers);
      detectOrgScoping(context, handlers);
      detectRoleChecks(context);
    } catch (error) {
      // A helper that still recursed ran out of stack on deeply nested code: what this project's
      // detectors had reported may be partial, so none of it counts (never a partial pass).
      if (!isStackExhausted(error)) throw error;
      observations.length = before;
      for (const rule of SCANNED_RULES) {
        report({ rule, check: 'scan-analysis-incomplete', status: 'not_verifiable', confidence: 'high', message: 'the analysis ran out of stack on deeply nested code; nothing in this application was judged for this item', location: { file: '.' } });
      }
    }
  }
  const suppressions = app.suppressions.map((suppression) => ({ ...suppression }));
  applySuppressions(observations, suppressions, new Set(observations.map((observation) => observation.check)), today);
  const { projects: _projects, texts: _texts, ...rest } = app;
  return {
    ...rest,
    suppressions,
    policy,
    evidence: { source: 'code', subjects: [...app.roots, ...app.builds], examined: SCANNED_RULES, observations: withholdPasses(dedupe(observations), app.notAnalysed) },
  };
}

/** The check id of the observation that stands where passes were withheld. */
const INCOMPLETE_CHECK = 'scan-incomplete';

/**
 * A file the scan could not analyse may hold exactly what an item looks for (the unprotected
 * route, the key, the unverified webhook), so no item it bears on passes on the strength of the
 * rest: that item's passing observations are replaced by one undecided observation naming the
 * files. Failing observations stand (what was seen is true), so an item still fails on them.
 */
function withholdPasses(observations: Observation[], notAnalysed: readonly NotAnalysed[]): Observation[] {
  if (notAnalysed.length === 0) return observations;
  // A code gap bears on every item; a keys gap only on the items a key search decides.
  const codeGaps = notAnalysed.filter((gap) => gap.scope === 'code');
  const blockersOf = (rule: RuleId): readonly NotAnalysed[] => (KEY_RULES.includes(rule) ? notAnalysed : codeGaps);
  const out: Observation[] = [];
  const withheld = new Map<RuleId, number>();
  for (const observation of observations) {
    if (observation.status === 'pass' && blockersOf(observation.rule).length > 0) {
      withheld.set(observation.rule, (withheld.get(observation.rule) ?? 0) + 1);
    } else out.push(observation);
  }
  for (const [rule, count] of withheld) {
    const blockers = blockersOf(rule);
    const named = blockers.slice(0, 3).map((gap) => `${gap.file} (${gap.reason.replace(` (${KEY_SEARCH_ONLY})`, '')})`).join('; ');
    const more = blockers.length > 3 ? `; and ${blockers.length - 3} more` : '';
    out.push({
      source: 'code',
      rule,
      check: INCOMPLETE_CHECK,
      status: 'not_verifiable',
      confidence: 'high',
      message: `not judged as a pass: ${blockers.length} file${blockers.length === 1 ? '' : 's'} could not be analysed and may hold what this item looks for: ${named}${more}; ${count} passing observation${count === 1 ? '' : 's'} of the analysed code withheld`,
      location: { file: '.' },
    });
  }
  return out;
}

/** Same rule, check, location and message once (two routes sharing one handler file). */
function dedupe(observations: Observation[]): Observation[] {
  const seen = new Set<string>();
  return observations.filter((observation) => {
    const key = `${observation.rule}|${observation.check}|${observation.status}|${observation.location.file}|${observation.location.line}|${observation.location.column}|${observation.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function scanApplication(options: ScanOptions, policy: ScanPolicy, today: string): ScanResult {
  return analyseApplication(loadApplication(options), policy, today);
}

