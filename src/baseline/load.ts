/**
 * Finding and loading baseline files. Every failure is a BaselineError that lists all the
 * problems found in the file, so a user fixes a file in one pass rather than one error a run.
 */
import { readdirSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { ClerkguardError } from '../util/errors';
import { describeFileError, readTextFile } from '../util/fs';
import { stripComments } from './comments';
import { baselineSchema, type Baseline } from './schema';
import { parseValidBaseline } from './valid-baseline.generated';
import { formatIssue, locatePath, parseJsonText, validateWithSchema, type ValidationIssue, type ValidationResult } from './validate';

export interface LoadedBaseline {
  file: string;
  text: string;
  baseline: Baseline;
  warnings: ValidationIssue[];
}

export class BaselineError extends ClerkguardError {
  readonly issues: ValidationIssue[];

  constructor(issues: ValidationIssue[], hint?: string) {
    const files = [...new Set(issues.map((issue) => issue.file))];
    const heading =
      issues.length === 1
        ? `${files[0]} is not a valid baseline`
        : `${files.join(', ')} ${files.length === 1 ? 'has' : 'have'} ${issues.length} problems`;
    super(`${heading}:\n${issues.map((issue) => `  ${formatIssue(issue)}`).join('\n')}`, { hint, exitCode: 1 });
    this.name = 'BaselineError';
    this.issues = issues;
  }
}

/** Validates baseline text without touching the disk. Never throws. */
export function validateBaselineText(text: string, file: string): ValidationResult<Baseline> {
  const parsed = parseJsonText(text, file);
  if (parsed.errors.length > 0) return { errors: parsed.errors, warnings: [] };
  // A valid file is answered by the validator generated from the schema, without building or
  // running zod; anything it is not sure of goes to zod, which words every problem.
  const valid = parseValidBaseline(parsed.value);
  if (valid) return { value: valid, errors: [], warnings: baselineWarnings(valid, file) };
  const comments = stripComments(baselineSchema, parsed.value, file, text);
  const result = validateWithSchema(baselineSchema, parsed.value, file, text);
  if (comments.length > 0) return { errors: [...comments, ...result.errors], warnings: [] };
  if (result.value) {
    for (const warning of baselineWarnings(result.value, file)) result.warnings.push(warning);
  } else explainOldIgnoreEntries(result.errors, parsed.value);
  return result;
}

/**
 * Ignore entries used to need only a path and a reason; now they need an owner and an expiry
 * like exceptions. An entry in the old shape gets a hint that shows it in the new one.
 */
function explainOldIgnoreEntries(errors: ValidationIssue[], value: unknown): void {
  const entries = value !== null && typeof value === 'object' && Array.isArray((value as { ignore?: unknown }).ignore) ? ((value as { ignore: unknown[] }).ignore) : [];
  for (const error of errors) {
    const match = /^ignore\[(\d+)\]\.(owner|expires)$/.exec(error.path);
    if (!match || !error.message.startsWith('missing required key')) continue;
    const entry = entries[Number(match[1])] as { path?: unknown; reason?: unknown } | undefined;
    const shown = JSON.stringify({
      path: typeof entry?.path === 'string' ? entry.path : 'settings.…',
      reason: typeof entry?.reason === 'string' ? entry.reason : 'why this is accepted',
      owner: 'team-or-person',
      expires: 'YYYY-MM-DD',
    });
    error.hint = `ignore entries now need a reason, an owner and an expiry, like exceptions (older baselines had only path and reason); write it as ${shown}`;
  }
}

/** Parses baseline text or throws a BaselineError listing every problem. */
export function parseBaseline(text: string, file: string): LoadedBaseline {
  const result = validateBaselineText(text, file);
  if (!result.value || result.errors.length > 0) {
    throw new BaselineError(result.errors, 'the JSON Schema in baselines/schema.json gives editors completion and inline errors');
  }
  return { file, text, baseline: result.value, warnings: result.warnings };
}

/**
 * Reads and validates one baseline. `displayName` is how the file is named in findings and
 * messages (usually the path the user typed); `file` is where it is read from.
 */
export function loadBaselineFile(file: string, displayName = file): LoadedBaseline {
  if (isDirectory(file)) {
    throw new ClerkguardError(`${displayName}: is a directory, not a baseline file`, { hint: `pass one file, e.g. ${path.join(displayName, 'production.json')}` });
  }
  const text = readTextFile(file, { missing: 'pass a baseline file, e.g. baselines/production.json' }, displayName);
  return parseBaseline(text, displayName);
}

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false; // readTextFile words the error
  }
}

/** stat that names ELOOP and friends instead of calling a symlink loop "no such file". */
function statOrExplain(absolute: string, shown: string, missingHint: string): Stats {
  try {
    return statSync(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ClerkguardError(`${shown}: no such file or directory`, { hint: missingHint });
    throw new ClerkguardError(`${shown}: ${describeFileError(code)}`, code === 'ELOOP' ? { hint: 'a symbolic link in the path points back at itself; fix or remove the link' } : {});
  }
}

/** Without arguments the baselines are the user's own, in baselines/ of the current folder (never the package's examples). */
const NO_BASELINES_HINT =
  'run clerkguard in the repository that holds your baselines/ folder, or pass baseline files; to start one from your instance, run `clerkguard init --from-live` (or copy an example such as node_modules/clerkguard/baselines/production.json; node_modules/clerkguard/docs/settings.md explains each setting)';

const NOT_BASELINES = new Set(['schema.json', 'package.json', 'package-lock.json', 'tsconfig.json']);

/** Expands directories to the baseline files inside them; defaults to baselines/*.json. */
export function resolveBaselineFiles(args: readonly string[], cwd = process.cwd()): string[] {
  const inputs = args.length > 0 ? args : ['baselines'];
  const files: string[] = [];
  for (const input of inputs) {
    const absolute = path.resolve(cwd, input);
    const stats = statOrExplain(absolute, input, args.length === 0 ? NO_BASELINES_HINT : 'pass a baseline file, e.g. baselines/production.json');
    if (stats.isDirectory()) {
      const found = readdirSync(absolute)
        .filter((name) => name.endsWith('.json') && !NOT_BASELINES.has(name))
        .sort()
        .map((name) => path.join(input, name));
      if (found.length === 0) {
        throw new ClerkguardError(`${input}: no baseline files (*.json) in this directory`, { hint: 'create one from baselines/production.json' });
      }
      files.push(...found);
    } else {
      files.push(input);
    }
  }
  return [...new Set(files)];
}

/** Prints every loaded baseline's warnings on stderr, one line each. */
export function printBaselineWarnings(loaded: readonly LoadedBaseline[], stderr: (text: string) => void): void {
  for (const item of loaded) for (const warning of item.warnings) stderr(`warning: ${formatIssue(warning)}\n`);
}

/** Loads every file, collecting all problems before failing so one run shows them all. */
export function loadBaselines(args: readonly string[], cwd = process.cwd()): LoadedBaseline[] {
  const files = resolveBaselineFiles(args, cwd);
  const loaded: LoadedBaseline[] = [];
  const issues: ValidationIssue[] = [];
  for (const file of files) {
    try {
      loaded.push(loadBaselineFile(path.resolve(cwd, file), file));
    } catch (error) {
      if (error instanceof BaselineError) for (const issue of error.issues) issues.push(issue);
      else throw error;
    }
  }
  if (issues.length > 0) throw new BaselineError(issues, SCHEMA_HINT);
  const byEnvironment = new Map<string, string>();
  for (const item of loaded) {
    const other = byEnvironment.get(item.baseline.environment);
    if (other) {
      throw new ClerkguardError(`${item.file} and ${other} both describe environment "${item.baseline.environment}"`, {
        hint: DUPLICATE_HINT,
      });
    }
    byEnvironment.set(item.baseline.environment, item.file);
  }
  return loaded;
}

/** A baseline file (or argument) that could not be used, with its problems located where possible. */
export interface BaselineLoadFailure {
  /** The argument or file as the user named it. */
  file: string;
  issues: ValidationIssue[];
  /** The error `loadBaselines` would have thrown for this file alone. */
  error: ClerkguardError;
}

export interface BaselinesLoadedEach {
  loaded: LoadedBaseline[];
  failures: BaselineLoadFailure[];
}

const DUPLICATE_HINT = 'each environment has exactly one baseline file';
const SCHEMA_HINT = 'the JSON Schema in baselines/schema.json gives editors completion and inline errors';

/**
 * Like `loadBaselines`, but every file stands on its own: one that is missing, unreadable,
 * invalid or describes an environment an earlier file already does becomes a failure, and the
 * others still load. `check` uses it so one broken file neither hides the checklist of the
 * rest nor leaves a machine-readable report empty. Without arguments and without a
 * baselines/ folder there is no file to blame: that still throws.
 */
export function loadBaselinesEach(args: readonly string[], cwd = process.cwd()): BaselinesLoadedEach {
  const files: string[] = [];
  const failures: BaselineLoadFailure[] = [];
  if (args.length === 0) files.push(...resolveBaselineFiles([], cwd));
  for (const input of args) {
    try {
      files.push(...resolveBaselineFiles([input], cwd));
    } catch (error) {
      if (!(error instanceof ClerkguardError)) throw error;
      failures.push(failureOf(input, error));
    }
  }
  const loaded: LoadedBaseline[] = [];
  const byEnvironment = new Map<string, string>();
  for (const file of [...new Set(files)]) {
    let item: LoadedBaseline;
    try {
      item = loadBaselineFile(path.resolve(cwd, file), file);
    } catch (error) {
      if (!(error instanceof ClerkguardError)) throw error;
      failures.push(failureOf(file, error));
      continue;
    }
    const other = byEnvironment.get(item.baseline.environment);
    if (other) {
      const position = locatePath(item.text, ['environment']);
      failures.push({
        file,
        issues: [{ file, path: 'environment', ...(position ?? {}), message: `environment "${item.baseline.environment}" is already described by ${other}`, hint: DUPLICATE_HINT }],
        error: new ClerkguardError(`${file} and ${other} both describe environment "${item.baseline.environment}"`, { hint: DUPLICATE_HINT }),
      });
      continue;
    }
    byEnvironment.set(item.baseline.environment, file);
    loaded.push(item);
  }
  return { loaded, failures };
}

function failureOf(file: string, error: ClerkguardError): BaselineLoadFailure {
  if (error instanceof BaselineError) return { file, issues: error.issues, error };
  // "file: message" or "file:line:col: message" (a byte that is not UTF-8) as a located issue.
  const prefix = `${file}:`;
  let message = error.message;
  let position: { line?: number; column?: number } = {};
  if (message.startsWith(prefix)) {
    message = message.slice(prefix.length);
    const located = /^(\d+):(\d+):/.exec(message);
    if (located) {
      position = { line: Number(located[1]), column: Number(located[2]) };
      message = message.slice(located[0].length);
    }
    message = message.trim();
  }
  return { file, issues: [{ file, path: '', ...position, message, ...(error.hint ? { hint: error.hint } : {}) }], error };
}

/** The one error for every failure of `loadBaselinesEach`, worded as `loadBaselines` words it. */
export function loadFailuresError(failures: readonly BaselineLoadFailure[]): ClerkguardError {
  if (failures.length === 1) return failures[0]!.error;
  if (failures.every((failure) => failure.error instanceof BaselineError)) return new BaselineError(failures.flatMap((failure) => failure.issues), SCHEMA_HINT);
  const issues = failures.flatMap((failure) => failure.issues);
  return new ClerkguardError(`${failures.length} baseline files could not be used:\n${issues.map((issue) => `  ${formatIssue(issue)}`).join('\n')}`, {
    hint: failures.find((failure) => failure.error.hint)?.error.hint ?? SCHEMA_HINT,
  });
}

/** Finds the baseline for `--env NAME` among the default baseline files. */
export function loadBaselineForEnvironment(environment: string, cwd = process.cwd()): LoadedBaseline {
  const all = loadBaselines([], cwd);
  const match = all.find((item) => item.baseline.environment === environment);
  if (!match) {
    const known = all.map((item) => item.baseline.environment);
    throw new ClerkguardError(`no baseline for environment "${environment}"`, {
      hint: known.length > 0 ? `known environments: ${known.join(', ')}` : 'add a baseline file to baselines/',
    });
  }
  return match;
}

function baselineWarnings(baseline: Baseline, file: string): ValidationIssue[] {
  const warnings: ValidationIssue[] = [];
  const stem = path.basename(file, '.json');
  if (stem !== baseline.environment && !NOT_BASELINES.has(path.basename(file))) {
    warnings.push({
      file,
      path: 'environment',
      message: `environment "${baseline.environment}" does not match the file name "${path.basename(file)}"`,
      hint: `name the file ${baseline.environment}.json`,
    });
  }
  return warnings;
}
