/**
 * `clerkguard snapshot`: for every environment, capture the live settings, write the redacted
 * export and its review report under `<dir>/<environment>/<YYYY>-Q<n>.{json,md}`, and
 * optionally commit each environment's pair with git.
 *
 * All-or-nothing: everything is computed in memory first (API errors surface before any file
 * is touched), git preconditions are checked next, then files are staged as temp files and
 * renamed only when every environment's files are ready. A failure while renaming or
 * committing undoes the commits already made and restores the previous files.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { LoadedBaseline } from '../baseline/load';
import { baselineContext } from '../checklist/evaluate-baseline';
import { evaluateSettings, type RuleContext } from '../checklist/index';
import { diffBaseline, diffExports } from '../drift/index';
import type { EvidenceCollector } from '../evidence/collect';
import { withApplicationDrift } from '../evidence/drift';
import type { LiveExporter } from '../drift/run';
import type { LiveExport } from '../export/types';
import { ClerkguardError, describeError } from '../util/errors';
import { acquireLock, withLock } from '../util/lock';
import { canonicalize } from '../util/json';
import { FileTransaction } from './file-transaction';
import { GitRepository, runGit, type GitSavepoint } from './git';
import { lastKnownGood, parseSnapshotText, readSnapshotFile, snapshotPaths } from './layout';
import { compareQuarters, formatQuarter, quarterOf, quarterRange, type Quarter } from './quarter';
import { safeText, secretValues, snapshotJsonText } from './redact';
import { buildReview, summarizeReview, type ReviewReport, type ReviewSummary } from './review';
import { extractSignOff, renderReviewMarkdown } from './review-markdown';
import { earlierReviewEvidence, type EarlierSnapshot } from './review-evidence';
import type { DiscoveryReport } from '../fleet/discover';
import { discoveryScope } from '../fleet/discovery-scope';

export interface SnapshotOptions {
  /** The snapshots folder (absolute, or relative to cwd). */
  dir: string;
  quarter: Quarter;
  today: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Reads one environment's live settings: exportLive in the CLI, fixtures in unit tests. */
  exporter: LiveExporter;
  /** Commit each environment's files; author as "Name <email>" or git's configured identity. */
  commit?: { author?: string };
  /** How long to wait for another run's lock on the snapshots folder (default 60 s). */
  lockWaitMs?: number;
  /** Evidence from the application (`--scan`, `--probe`) for the review's items and drift. */
  application?: EvidenceCollector;
  /** Replace a quarter whose snapshot is already committed to git (refused otherwise). */
  force?: boolean;
  /**
   * `--discover`: the workspace's instances without a baseline, listed in every review report
   * of the run; gets the ids of the instances this run read. A failed discovery fails the
   * snapshot (nothing written): a review must not claim a complete workspace it could not list.
   */
  discover?: (readInstanceIds: string[]) => Promise<DiscoveryReport>;
}

export interface EnvironmentSnapshot {
  environment: string;
  quarter: string;
  json: string;
  markdown: string;
  /** Files whose content this run changed (relative to cwd). */
  written: string[];
  commit: { id: string; message: string } | null;
  review: ReviewReport;
  summary: ReviewSummary;
  /** This run replaced an earlier snapshot of the same quarter with different settings. */
  replaced?: { file: string; captured_at?: string; committed?: string };
}

export interface SnapshotRun {
  /** `--discover`: the workspace's instances without a baseline. */
  discovery?: DiscoveryReport;
  quarter: string;
  dir: string;
  /** --commit was asked for. */
  commit_requested: boolean;
  /** At least one commit was made and verified in this run (never true for "nothing to commit"). */
  committed: boolean;
  environments: EnvironmentSnapshot[];
  /** What the user should know about this run: a backdated quarter, a replaced snapshot. */
  notices: string[];
}

interface PreparedSnapshot {
  loaded: LoadedBaseline;
  environment: string;
  json: string;
  markdown: string;
  jsonText: string;
  markdownText: string;
  review: ReviewReport;
}

export function commitMessage(quarter: string, environment: string): string {
  return `clerkguard: ${quarter} review snapshot for ${environment}`;
}

export async function takeSnapshots(baselines: readonly LoadedBaseline[], options: SnapshotOptions): Promise<SnapshotRun> {
  const quarter = formatQuarter(options.quarter);
  if (compareQuarters(options.quarter, quarterOf(options.today)) > 0) {
    throw new ClerkguardError(`--quarter ${quarter} is in the future (today is ${options.today})`, {
      hint: `a review snapshot records settings as they are now; use the current quarter ${formatQuarter(quarterOf(options.today))} or an earlier one`,
    });
  }
  const dir = path.resolve(options.cwd, options.dir);
  // One run at a time per snapshots folder: a second run waits, then fails before reading or
  // writing anything (two runs would race on the same files and commits).
  const wait = options.lockWaitMs === undefined ? {} : { waitMs: options.lockWaitMs };
  return withLock(snapshotLockFile(dir), { what: `the snapshots folder ${toDisplay(options.cwd, dir)}`, ...wait }, () => takeSnapshotsLocked(baselines, options, quarter, dir));
}

/** The review report with the workspace's instances without a baseline, before its sign-off block. */
function withUnmanagedSection(markdown: string, discovery: DiscoveryReport): string {
  const lines = ['## Workspace instances without a baseline', ''];
  if (discovery.unmanaged.length === 0) lines.push(`None: every one of ${discoveryScope(discovery)} has a baseline (\`--discover\`).`);
  else {
    lines.push(`${discovery.unmanaged.length} of ${discoveryScope(discovery)} have no baseline, so no review covers them (\`--discover\`; ${discovery.hint}):`, '');
    for (const instance of discovery.unmanaged) lines.push(`- ${instance.application_name.replace(/[|\n]/g, ' ')} (${instance.environment_type}), instance \`${instance.instance_id}\`, application \`${instance.application_id}\``);
  }
  const section = `${lines.join('\n')}\n\n`;
  const at = markdown.indexOf('## Sign-off');
  return at === -1 ? `${markdown}\n${section}` : `${markdown.slice(0, at)}${section}${markdown.slice(at)}`;
}

/** Beside the snapshots folder (which may not exist yet), never inside a file that is committed. */
export function snapshotLockFile(dir: string): string {
  return path.join(path.dirname(dir), `.${path.basename(dir)}.clerkguard.lock`);
}

async function takeSnapshotsLocked(baselines: readonly LoadedBaseline[], options: SnapshotOptions, quarter: string, dir: string): Promise<SnapshotRun> {
  const secrets = secretValues(options.env, baselines);

  const read: string[] = [];
  const reading: SnapshotOptions = {
    ...options,
    exporter: async (loaded) => {
      const live = await options.exporter(loaded);
      if (live.instance_id) read.push(live.instance_id);
      return live;
    },
  };
  const prepared: PreparedSnapshot[] = [];
  for (const loaded of baselines) prepared.push(await prepare(loaded, dir, quarter, reading, secrets));
  const discovery = options.discover ? await options.discover(read) : undefined;
  if (discovery?.status === 'error') {
    throw new ClerkguardError(`could not list the workspace for --discover: ${discovery.error?.message ?? 'unknown error'}`, { hint: 'no snapshot file was written; fix the Platform API key (CLERK_PLATFORM_API_KEY) or drop --discover' });
  }
  if (discovery) for (const item of prepared) item.markdownText = safeText(withUnmanagedSection(item.markdownText, discovery), secrets, `the ${item.environment} review report`);
  // Before anything is written: a committed quarter is a record, replaced only on purpose.
  const replaced = new Map<PreparedSnapshot, NonNullable<EnvironmentSnapshot['replaced']>>();
  for (const item of prepared) {
    const earlier = await earlierVersion(item);
    if (earlier) replaced.set(item, earlier);
  }
  const committed = [...replaced].filter(([, earlier]) => earlier.committed !== undefined);
  if (committed.length > 0 && !options.force) {
    const [item, earlier] = committed[0]!;
    throw new ClerkguardError(
      `${quarter} of ${item.environment} is already committed (${toDisplay(options.cwd, item.json)}, commit ${earlier.committed}) and this run would replace it with different settings${committed.length > 1 ? ` (and ${committed.length - 1} more environment${committed.length === 2 ? '' : 's'})` : ''}`,
      { hint: 'rerun with --force to replace it (git keeps the earlier snapshot in its history), or leave the committed review as it is; nothing was written' },
    );
  }

  const repository = options.commit ? await openForCommit(dir, prepared, options) : undefined;

  const transaction = new FileTransaction();
  const written = new Set<string>();
  try {
    for (const item of prepared) {
      if (transaction.stage(item.json, item.jsonText)) written.add(item.json);
      if (transaction.stage(item.markdown, item.markdownText)) written.add(item.markdown);
    }
    transaction.apply();
  } catch (error) {
    transaction.rollback();
    throw new ClerkguardError(`could not write the snapshot files: ${describeError(error)}`, {
      hint: 'no snapshot file was written or changed; fix the cause (disk space, permissions) and rerun',
      cause: error,
    });
  }

  const commits = new Map<string, { id: string; message: string }>();
  if (repository) {
    let savepoint: GitSavepoint | undefined;
    let lastCommit: string | undefined;
    // Commits into one repository are serialized across clerkguard runs (other folders too).
    const repositoryLock = await acquireLock(await repository.lockFile(), { what: `commits to the git repository ${repository.root}`, ...(options.lockWaitMs === undefined ? {} : { waitMs: options.lockWaitMs }) }).catch((error: unknown) => {
      transaction.rollback();
      throw error;
    });
    try {
      savepoint = await repository.savepoint();
      for (const item of prepared) {
        const paths = [repository.relative(item.json), repository.relative(item.markdown)];
        await repository.add(paths);
        if (!(await repository.hasStagedChanges(paths))) continue;
        const message = commitMessage(quarter, item.environment);
        lastCommit = await repository.commit(paths, message, options.commit?.author);
        commits.set(item.environment, { id: lastCommit, message });
      }
    } catch (error) {
      const problems = [describeError(error)];
      if (savepoint) await savepoint.restore(lastCommit).catch((restoreError: unknown) => problems.push(`rolling back git also failed: ${describeError(restoreError)}`));
      transaction.rollback();
      repositoryLock.release();
      const hint = error instanceof ClerkguardError && error.hint ? error.hint : undefined;
      throw new ClerkguardError(`${problems.join('\n')}\nno snapshot was committed and the snapshot files were restored to their previous state`, { hint, cause: error });
    }
    savepoint?.release();
    repositoryLock.release();
  }
  transaction.commit();

  const display = (file: string) => toDisplay(options.cwd, file);
  const notices: string[] = [];
  const current = quarterOf(options.today);
  if (compareQuarters(options.quarter, current) < 0) {
    notices.push(
      `${quarter} is an earlier quarter than today's (${formatQuarter(current)}): the snapshot files the settings as read today (${options.today}) under ${quarter}, not the settings during ${quarter}; its review says so`,
    );
  }
  for (const [item, earlier] of replaced) {
    if (!written.has(item.json)) continue;
    notices.push(
      `${item.environment} ${quarter}: replaced the earlier snapshot ${display(item.json)}${earlier.captured_at ? ` (captured ${earlier.captured_at})` : ''}${earlier.committed ? `, committed as ${earlier.committed} (--force)` : ''}`,
    );
  }
  return {
    ...(discovery ? { discovery } : {}),
    quarter,
    dir: display(dir),
    commit_requested: repository !== undefined,
    committed: commits.size > 0,
    notices,
    environments: prepared.map((item) => ({
      environment: item.environment,
      quarter,
      json: display(item.json),
      markdown: display(item.markdown),
      written: [item.json, item.markdown].filter((file) => written.has(file)).map(display),
      commit: commits.get(item.environment) ?? null,
      review: item.review,
      summary: summarizeReview(item.review),
      ...(replaced.has(item) && written.has(item.json) ? { replaced: { ...replaced.get(item)!, file: display(item.json) } } : {}),
    })),
  };
}

/**
 * The snapshot this run would replace: the quarter's JSON exists with other content. `committed`
 * is the last commit that touched it (short id), when it is in a git work tree's history.
 */
async function earlierVersion(item: PreparedSnapshot): Promise<NonNullable<EnvironmentSnapshot['replaced']> | undefined> {
  let existing: string;
  try {
    existing = readFileSync(item.json, 'utf8');
  } catch {
    return undefined;
  }
  if (existing === item.jsonText) return undefined;
  let capturedAt: string | undefined;
  try {
    capturedAt = parseSnapshotText(existing, item.json).captured_at;
  } catch {
    capturedAt = undefined;
  }
  const committed = await lastCommitOf(item.json);
  return { file: item.json, ...(capturedAt ? { captured_at: capturedAt } : {}), ...(committed ? { committed } : {}) };
}

/** The short id of the last commit that touched `file`, or undefined (untracked, no repository, no git). */
async function lastCommitOf(file: string): Promise<string | undefined> {
  try {
    const result = await runGit(path.dirname(file), ['log', '-1', '--format=%h', '--', path.basename(file)]);
    return result.code === 0 && result.stdout.trim() !== '' ? result.stdout.trim() : undefined;
  } catch {
    // No git on PATH: nothing can have been committed with it here.
    return undefined;
  }
}

async function prepare(loaded: LoadedBaseline, dir: string, quarter: string, options: SnapshotOptions, secrets: readonly string[]): Promise<PreparedSnapshot> {
  const { baseline } = loaded;
  const environment = baseline.environment;
  const paths = snapshotPaths(dir, environment, options.quarter);
  const relativeToDir = (file: string) => path.relative(dir, file).split(path.sep).join('/');

  let live: LiveExport;
  try {
    live = await options.exporter(loaded);
  } catch (error) {
    const hint = error instanceof ClerkguardError ? error.hint : undefined;
    throw new ClerkguardError(`${environment}: could not read the live settings: ${describeError(error)}`, {
      hint: hint ?? 'no snapshot file was written; fix the cause and rerun',
      cause: error,
    });
  }
  if (live.environment !== environment) {
    throw new ClerkguardError(`the live export is for environment "${live.environment}", not "${environment}"`, { hint: 'no snapshot file was written' });
  }
  live = keepCaptureTimeWhenUnchanged(live, paths.json);
  const asOf = reviewDate(live, options.today);

  const previousEntry = lastKnownGood(dir, environment, options.quarter);
  let since: ReviewReport['since_last_known_good'] = { changes: [] };
  let earlier: EarlierSnapshot | undefined;
  if (previousEntry) {
    const previous = readSnapshotFile(previousEntry.file);
    earlier = { quarter: formatQuarter(previousEntry.quarter), markdown: snapshotPaths(dir, environment, previousEntry.quarter).markdown, export: previous };
    const compared = diffExports(previous, live, { production: baseline.target.environment_type === 'production' });
    since = {
      previous: { quarter: formatQuarter(previousEntry.quarter), file: relativeToDir(previousEntry.file), captured_at: previous.captured_at },
      changes: compared.changes,
      ...(compared.unverified.length > 0 ? { unverified: compared.unverified } : {}),
    };
  }

  const collected = options.application ? await options.application(loaded) : undefined;
  // Item 20: the earlier quarter's review, if a reviewer signed it off and it is committed.
  const settingsReview = await earlierReviewEvidence({ environment, earlier, instanceId: live.instance_id, show: relativeToDir, env: options.env });
  const context: RuleContext = { ...baselineContext(loaded, asOf), mode: 'live', coverage: live.coverage, settingsReview, ...(collected ? { application: collected.evidence } : {}) };
  const findings = evaluateSettings(live.settings, context, { exceptions: baseline.exceptions });
  const drift = diffBaseline(loaded, live, { strict: false, today: asOf });
  const review = buildReview({
    quarter,
    quarterRange: quarterRange(options.quarter),
    today: asOf,
    live,
    baseline: { file: toDisplay(options.cwd, path.resolve(options.cwd, loaded.file)), version: baseline.version, profile: baseline.profile, exceptions: baseline.exceptions },
    snapshotFile: relativeToDir(paths.json),
    findings,
    drift: collected ? withApplicationDrift(drift, loaded, collected, asOf) : drift,
    sinceLastKnownGood: since,
  });
  const existingMarkdown = existsSync(paths.markdown) ? readFileSync(paths.markdown, 'utf8') : undefined;
  const signOff = existingMarkdown === undefined ? undefined : extractSignOff(existingMarkdown);
  return {
    loaded,
    environment,
    json: paths.json,
    markdown: paths.markdown,
    jsonText: snapshotJsonText(live, secrets, `the ${environment} snapshot`),
    markdownText: safeText(renderReviewMarkdown(review, signOff === undefined ? {} : { signOff }), secrets, `the ${environment} review report`),
    review,
  };
}

/**
 * A rerun in the same quarter with unchanged settings keeps the earlier capture time, so the
 * files stay byte-identical and no empty commit or noisy diff follows.
 */
function keepCaptureTimeWhenUnchanged(live: LiveExport, file: string): LiveExport {
  if (!existsSync(file)) return live;
  let existing: LiveExport;
  try {
    existing = parseSnapshotText(readFileSync(file, 'utf8'), file);
  } catch {
    return live;
  }
  const comparable = (value: LiveExport) => JSON.stringify(canonicalize({ ...value, captured_at: '' }));
  return comparable(existing) === comparable(live) ? { ...live, captured_at: existing.captured_at } : live;
}

/**
 * The review is "as of" the capture date, not the day the command ran: a rerun later in the
 * quarter with unchanged settings then renders the same report (no noise commit for "58 days
 * ago" instead of "57"), while any change in the settings moves the date forward.
 */
function reviewDate(live: LiveExport, fallback: string): string {
  const date = live.captured_at.slice(0, 10);
  return /^\d{4}-\d{2}-\d{2}$/.test(date) && !Number.isNaN(Date.parse(`${date}T00:00:00Z`)) ? date : fallback;
}

async function openForCommit(dir: string, prepared: readonly PreparedSnapshot[], options: SnapshotOptions): Promise<GitRepository> {
  const repository = await GitRepository.open(dir, options.env);
  await repository.checkIdentity(options.commit?.author);
  const ours = new Set(prepared.flatMap((item) => [repository.relative(item.json), repository.relative(item.markdown)]));
  const others = (await repository.stagedPaths()).filter((file) => !ours.has(file));
  if (others.length > 0) {
    const shown = others.slice(0, 5).join(', ') + (others.length > 5 ? `, and ${others.length - 5} more` : '');
    throw new ClerkguardError(`refusing to commit: other changes are staged (${shown})`, {
      hint: 'commit or unstage them first (git restore --staged <file>); nothing was written',
    });
  }
  return repository;
}

function toDisplay(cwd: string, file: string): string {
  const relative = path.relative(cwd, file);
  return (relative === '' ? '.' : relative.startsWith('..') ? file : relative).split(path.sep).join('/');
}
