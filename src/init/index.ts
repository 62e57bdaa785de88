/**
 * `clerkguard init`: a baseline from what an instance has today — read live through the same
 * machinery as `export` (exportLive), or taken from an export file — with each setting that
 * fails the chosen profile's checklist annotated with its rule and a proposed hardened value.
 *
 * Two goals, one file: by default the values are today's, so `drift` is clean from the first
 * run and `check` lists exactly the failing rules (their proposals in `$comment`s and in the
 * command's output); `--harden` writes the proposals instead, so `drift` and `pulumi preview`
 * show exactly the hardening changes, path by path.
 */
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LoadedBaseline } from '../baseline/load';
import { validateBaselineText } from '../baseline/load';
import type { Baseline, Profile } from '../baseline/schema';
import { formatIssue } from '../baseline/validate';
import type { RuleContext } from '../checklist/types';
import type { ClerkApi } from '../clerk/api';
import { createClerkApi } from '../clerk/api';
import { connectionFromEnv, keyEnvironment } from '../clerk/connection';
import { exportLive } from '../export/export';
import { parseValidated } from '../export/files';
import { liveExportSchema, type LiveExport } from '../export/types';
import type { EvidenceSource } from '../settings/model';
import { formatPath, getAt } from '../settings/paths';
import { containsSecret } from '../settings/redact';
import { secretValues } from '../snapshot/redact';
import { ClerkguardError } from '../util/errors';
import { readTextFile, tempPathFor } from '../util/fs';
import { renderBaseline, TODOS, type InitTarget } from './document';
import { proposeHardening, type Proposal } from './proposals';
import { recordFromExport, type LeftOut } from './record';

export type { Proposal } from './proposals';
export type { LeftOut } from './record';

const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]*$/;

/** Files in a baselines folder that are not baselines (as `check` skips them). */
const NOT_BASELINES = new Set(['schema.json', 'package.json', 'package-lock.json', 'tsconfig.json']);

export interface InitOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  today: string;
  now: Date;
  /** The environment name (file name and `environment`); default: the export's, else production. */
  environment?: string;
  profile: Profile;
  from: { kind: 'live'; dashboardExport?: string } | { kind: 'export'; file: string };
  /** The baselines folder, as the user typed it (default `baselines`). */
  dir: string;
  force: boolean;
  harden: boolean;
  /** Target overrides: env var names, the Platform application id, the instance type. */
  target: Partial<InitTarget>;
  onWarning?: (message: string) => void;
  onApi?: (api: ClerkApi) => void;
}

export interface InitResult {
  /** The written file, as the user names it (`baselines/production.json`). */
  file: string;
  environment: string;
  profile: Profile;
  harden: boolean;
  source: string;
  target: InitTarget;
  /** Failing findings of today's values, with their proposals. */
  proposals: Proposal[];
  leftOut: LeftOut[];
  /** Settings no Clerk API shows, written as TODO notes (rendered paths). */
  todos: string[];
  /** How many settings were recorded from each source. */
  recorded: Partial<Record<EvidenceSource, number>>;
  schemaRef: string;
  replaced: boolean;
  notes: string[];
  /** The command line that reproduces this run (without --harden and --force), for hints. */
  command: string[];
}

export async function initBaseline(options: InitOptions): Promise<InitResult> {
  const fromExport = options.from.kind === 'export' ? readExportFile(options.cwd, options.from.file) : undefined;
  const environment = options.environment ?? fromExport?.environment ?? 'production';
  if (!ENVIRONMENT_NAME.test(environment)) {
    throw new ClerkguardError(`"${environment}" is not a usable environment name`, {
      hint: fromExport && options.environment === undefined ? `the export names environment "${environment}"; pass --env NAME (lower case, e.g. production)` : 'use lower-case letters, digits and dashes, starting with a letter, e.g. --env production',
    });
  }
  const shown = path.join(options.dir, `${environment}.json`);
  const file = path.resolve(options.cwd, shown);
  const replaced = refuseToClobber(file, shown, environment, options.force);

  const names = {
    secret_key_env: options.target.secret_key_env ?? 'CLERK_SECRET_KEY',
    publishable_key_env: options.target.publishable_key_env ?? 'CLERK_PUBLISHABLE_KEY',
    platform_api_key_env: options.target.platform_api_key_env ?? 'CLERK_PLATFORM_API_KEY',
    ...(options.target.application_id ? { application_id: options.target.application_id } : {}),
  };
  const notes: string[] = [];
  let live: LiveExport;
  let environmentType: InitTarget['environment_type'];
  let source: string;
  if (fromExport) {
    live = fromExport;
    environmentType = options.target.environment_type ?? targetType(live.settings, options.from.kind === 'export' ? options.from.file : '');
    source = `the export file ${options.from.kind === 'export' ? options.from.file : ''} (environment ${live.environment}, captured ${live.captured_at}${live.instance_id ? `, instance ${live.instance_id}` : ''})`;
  } else {
    // The Platform API addresses the instance by its type, so the type comes first: from the
    // flag, else from the instance itself (one GET /v1/instance).
    environmentType = options.target.environment_type ?? (await instanceType(options, environment, names));
    live = await readLive(options, environment, { ...names, environment_type: environmentType });
    source = `the live instance${live.instance_id ? ` ${live.instance_id}` : ''} (environment ${environment})`;
  }
  const target: InitTarget = { environment_type: environmentType, ...names };
  const synthetic = syntheticBaseline(environment, options.profile, target);
  const secrets = secretValues(options.env, [synthetic]);

  const recorded = recordFromExport(live, {
    secrets,
    unverifiedReason: fromExport ? 'no source could read it when the export was taken (coverage: unverified)' : 'no source could read it this run: an answer left it out (see the warnings)',
    missingReason: missingReason(options, synthetic, fromExport !== undefined),
  });
  const context: RuleContext = { environment, environmentType, profile: options.profile, target, mode: 'baseline', today: options.today };
  const { proposals, hardened } = proposeHardening(recorded.settings, context);
  const settings = options.harden ? hardened : recorded.settings;
  const schemaRef = schemaReference(path.dirname(file), options.cwd);
  if (!schemaRef.found) notes.push(`"$schema" points at ${schemaRef.ref}, which does not exist yet: \`clerkguard schema --write ${path.join(options.dir, 'schema.json')}\` writes it, for editor completion.`);

  const text = renderBaseline({ environment, profile: options.profile, target, schemaRef: schemaRef.ref, source, today: options.today, harden: options.harden, settings, proposals, leftOut: recorded.leftOut, notes });
  assertValid(text, shown);
  if (containsSecret(text) || secrets.some((secret) => text.includes(secret))) {
    throw new ClerkguardError(`${shown}: the baseline would hold a secret; nothing was written`, { hint: 'this is a bug in clerkguard; please report it (the value is not shown here)' });
  }
  writeBaseline(file, shown, text, options.force);

  const counts: Partial<Record<EvidenceSource, number>> = {};
  for (const value of Object.values(recorded.sources)) counts[value] = (counts[value] ?? 0) + 1;
  return {
    file: shown,
    environment,
    profile: options.profile,
    harden: options.harden,
    source,
    target,
    proposals,
    leftOut: recorded.leftOut,
    todos: todoPaths(settings),
    recorded: counts,
    schemaRef: schemaRef.ref,
    replaced,
    notes,
    command: [
      'init',
      ...(options.from.kind === 'export' ? ['--from-export', options.from.file] : ['--from-live']),
      '--env',
      environment,
      '--profile',
      options.profile,
      ...(options.dir === 'baselines' ? [] : ['--dir', options.dir]),
    ],
  };
}

async function readLive(options: InitOptions, environment: string, target: InitTarget): Promise<LiveExport> {
  const from = options.from.kind === 'live' ? options.from : undefined;
  return exportLive(syntheticBaseline(environment, options.profile, target), {
    env: options.env,
    now: options.now,
    ...(from?.dashboardExport ? { dashboardExport: path.resolve(options.cwd, from.dashboardExport) } : {}),
    ...(options.onApi ? { onApi: options.onApi } : {}),
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
  });
}

/** The instance's type, asked of the instance before the full read (the key's prefix only finds it). */
async function instanceType(options: InitOptions, environment: string, names: Omit<InitTarget, 'environment_type'>): Promise<InitTarget['environment_type']> {
  const guessed = keyEnvironment(options.env[names.secret_key_env]?.trim() ?? '') === 'test' ? 'development' : 'production';
  const api = createClerkApi(connectionFromEnv({ ...names, environment_type: guessed }, options.env, { environment }));
  options.onApi?.(api);
  const instance = await api.getInstance();
  return targetType({ instance: { environment_type: instance.environment_type as NonNullable<LiveExport['settings']['instance']>['environment_type'] } }, 'the live instance');
}

function readExportFile(cwd: string, file: string): LiveExport {
  const hint = 'create one with: clerkguard export --out FILE';
  return parseValidated(readTextFile(path.resolve(cwd, file), { missing: hint, unreadable: hint }, file), file, liveExportSchema, 'live export', hint);
}

/** A baseline that manages nothing: exportLive reads everything readable and marks nothing managed. */
function syntheticBaseline(environment: string, profile: Profile, target: InitTarget): LoadedBaseline {
  const baseline: Baseline = {
    schema_version: 1,
    version: '0.0.0',
    environment,
    profile,
    target: { ...target },
    settings: {},
    exceptions: [],
    ignore: [],
  };
  return { file: `(init ${environment})`, text: '', baseline, warnings: [] };
}

/** production or development, from the instance's own answer; a staging instance is the user's call. */
function targetType(settings: Pick<LiveExport['settings'], 'instance' | 'keys'>, from: string): InitTarget['environment_type'] {
  // GET /v1/instance answers production, development or staging (answers.ts checks the enum).
  const type: string | undefined = settings.instance?.environment_type;
  if (type === 'production' || type === 'development') return type;
  if (type === 'staging') {
    throw new ClerkguardError(`${from} is a staging instance; a baseline's target.environment_type is production or development`, {
      hint: 'pass --environment-type production (production\'s rules, the stricter choice) or --environment-type development',
    });
  }
  const keys = settings.keys?.expected_environment;
  if (keys === 'live') return 'production';
  if (keys === 'test') return 'development';
  throw new ClerkguardError(`${from} does not say whether the instance is production or development (no instance.environment_type, no key type)`, {
    hint: 'pass --environment-type production or --environment-type development',
  });
}

function missingReason(options: InitOptions, synthetic: LoadedBaseline, fromExport: boolean): (settingsPath: string, readBy: string) => string {
  if (fromExport) return (_path, readBy) => `not in the export file (${readBy} did not show it when the export was taken)`;
  let platform = false;
  let frontend = false;
  try {
    const connection = connectionFromEnv(synthetic.baseline.target, options.env);
    platform = connection.platform !== undefined;
    frontend = connection.frontendApiUrl !== undefined;
  } catch {
    // The read itself succeeded, so this cannot fail; keep the generic wording if it does.
  }
  const target = synthetic.baseline.target;
  return (_settingsPath, readBy) => {
    if (readBy.startsWith('the Platform API') && !platform) {
      return `not read: the Platform API is not configured (set ${target.platform_api_key_env} and ${target.secret_key_env === 'CLERK_SECRET_KEY' ? 'CLERK_APPLICATION_ID' : 'pass --application-id'})`;
    }
    if (readBy.startsWith('the Frontend API') && !frontend) {
      return `not read: the Frontend API host is unknown (set ${target.publishable_key_env}${target.secret_key_env === 'CLERK_SECRET_KEY' ? ' or CLERK_FRONTEND_API_URL' : ''})`;
    }
    return `not read this run: ${readBy} did not show it (see the warnings)`;
  };
}

/**
 * Refuses to replace an existing file without --force, and refuses (even with --force) when
 * another file in the folder already describes the environment: check would then fail on two
 * baselines for one environment. Runs before anything is read from Clerk.
 */
function refuseToClobber(file: string, shown: string, environment: string, force: boolean): boolean {
  let exists = false;
  try {
    const stats = statSync(file);
    if (stats.isDirectory()) throw new ClerkguardError(`${shown} is a directory`, { hint: 'remove it, or choose another --dir or --env' });
    exists = true;
  } catch (error) {
    if (error instanceof ClerkguardError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new ClerkguardError(`${shown}: cannot check whether it exists (${code ?? 'unknown error'})`);
  }
  if (exists && !force) {
    throw new ClerkguardError(`${shown} already exists; nothing was read or written`, {
      hint: 'pass --force to replace it (its notes and edits are lost: commit it first), or choose another --dir or --env',
    });
  }
  const dir = path.dirname(file);
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json') && !NOT_BASELINES.has(name) && name !== path.basename(file));
  } catch {
    names = []; // a missing folder is created when the file is written
  }
  for (const name of names) {
    if (describedEnvironment(path.join(dir, name)) === environment) {
      throw new ClerkguardError(`${path.join(path.dirname(shown), name)} already describes environment "${environment}"`, {
        hint: 'each environment has one baseline file: pass --env NAME for another environment, or remove that file',
      });
    }
  }
  return exists;
}

/** The `environment` of a JSON file, or undefined for anything that is not a readable baseline. */
function describedEnvironment(file: string): string | undefined {
  try {
    if (statSync(file).size > 16 * 1024 * 1024) return undefined;
    const value = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    const environment = value !== null && typeof value === 'object' ? (value as { environment?: unknown }).environment : undefined;
    return typeof environment === 'string' ? environment : undefined;
  } catch {
    return undefined;
  }
}

/** Where `$schema` points: a schema.json beside the baseline, else the installed package's. */
function schemaReference(dir: string, cwd: string): { ref: string; found: boolean } {
  if (existsSync(path.join(dir, 'schema.json'))) return { ref: './schema.json', found: true };
  for (const candidate of [path.join(cwd, 'node_modules', 'clerkguard', 'baselines', 'schema.json'), packageSchema()]) {
    if (!candidate || !existsSync(candidate)) continue;
    const relative = path.relative(dir, candidate).split(path.sep).join('/');
    // Only a path inside the project: a global install or an npx cache is another machine's.
    if (!path.resolve(candidate).startsWith(`${path.resolve(cwd)}${path.sep}`)) continue;
    return { ref: relative.startsWith('.') ? relative : `./${relative}`, found: true };
  }
  return { ref: './schema.json', found: false };
}

/** baselines/schema.json of the clerkguard package this code runs from. */
function packageSchema(): string | undefined {
  let dir = __dirname;
  for (let depth = 0; depth < 6; depth++) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'clerkguard') return path.join(dir, 'baselines', 'schema.json');
      } catch {
        return undefined;
      }
    }
    dir = path.dirname(dir);
  }
  return undefined;
}

function assertValid(text: string, shown: string): void {
  const result = validateBaselineText(text, shown);
  if (result.errors.length > 0 || !result.value) {
    throw new ClerkguardError(`init built a baseline that does not validate; nothing was written:\n${result.errors.map((issue) => `  ${formatIssue(issue)}`).join('\n')}`, {
      hint: 'this is a bug in clerkguard; please report it with the export (clerkguard export --out FILE)',
    });
  }
}

/**
 * Writes through a temp file in the same folder (created when missing). Without --force the
 * final step is a hard link, which fails if the file appeared meanwhile: never a silent replace.
 */
function writeBaseline(file: string, shown: string, text: string, force: boolean): void {
  const temp = tempPathFor(file);
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(temp, text, { encoding: 'utf8', flag: 'wx' });
    if (force) renameSync(temp, file);
    else linkSync(temp, file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && !force) throw new ClerkguardError(`${shown} appeared while init was running; nothing was written`, { hint: 'pass --force to replace it' });
    const why = code === 'ENOTDIR' ? `${path.dirname(shown)} is not a directory` : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (code ?? (error as Error).message);
    throw new ClerkguardError(`${shown}: cannot write (${why})`, { cause: error });
  } finally {
    rmSync(temp, { force: true });
  }
}

function todoPaths(settings: LiveExport['settings']): string[] {
  return [...TODOS.filter((todo) => getAt(settings, todo.path) === undefined).map((todo) => formatPath(['settings', ...todo.path])), 'application'];
}
