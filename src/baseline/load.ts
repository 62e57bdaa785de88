/**
 * Finding and loading baseline files. Every failure is a BaselineError that lists all the
 * problems found in the file, so a user fixes a file in one pass rather than one error a run.
 */
import { readdirSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { ClerkguardError } from '../util/errors';
import { describeFileError, readTextFile } from '../util/fs';
import { baselineSchema, type Baseline } from './schema';
import { formatIssue, parseJsonText, validateWithSchema, type ValidationIssue, type ValidationResult } from './validate';

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
  const result = validateWithSchema(baselineSchema, parsed.value, file, text);
  if (result.value) result.warnings.push(...baselineWarnings(result.value, file));
  return result;
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

const NOT_BASELINES = new Set(['schema.json', 'package.json', 'package-lock.json', 'tsconfig.json']);

/** Expands directories to the baseline files inside them; defaults to baselines/*.json. */
export function resolveBaselineFiles(args: readonly string[], cwd = process.cwd()): string[] {
  const inputs = args.length > 0 ? args : ['baselines'];
  const files: string[] = [];
  for (const input of inputs) {
    const absolute = path.resolve(cwd, input);
    const stats = statOrExplain(absolute, input, args.length === 0 ? 'run from the repository root, or pass baseline files explicitly' : 'pass a baseline file, e.g. baselines/production.json');
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

/** Loads every file, collecting all problems before failing so one run shows them all. */
export function loadBaselines(args: readonly string[], cwd = process.cwd()): LoadedBaseline[] {
  const files = resolveBaselineFiles(args, cwd);
  const loaded: LoadedBaseline[] = [];
  const issues: ValidationIssue[] = [];
  for (const file of files) {
    try {
      loaded.push(loadBaselineFile(path.resolve(cwd, file), file));
    } catch (error) {
      if (error instanceof BaselineError) issues.push(...error.issues);
      else throw error;
    }
  }
  if (issues.length > 0) throw new BaselineError(issues, 'the JSON Schema in baselines/schema.json gives editors completion and inline errors');
  const byEnvironment = new Map<string, string>();
  for (const item of loaded) {
    const other = byEnvironment.get(item.baseline.environment);
    if (other) {
      throw new ClerkguardError(`${item.file} and ${other} both describe environment "${item.baseline.environment}"`, {
        hint: 'each environment has exactly one baseline file',
      });
    }
    byEnvironment.set(item.baseline.environment, item.file);
  }
  return loaded;
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
