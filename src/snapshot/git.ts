/**
 * The few git operations a snapshot commit needs, run through the real `git` binary with
 * execFile (no shell, so no quoting bugs) and paths always after `--`. Pathspecs are literal
 * (GIT_LITERAL_PATHSPECS) so a --dir containing `*` or `:` cannot widen what is staged.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, realpathSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ClerkguardError } from '../util/errors';
import { isRunning } from '../util/lock';

export class GitError extends ClerkguardError {
  constructor(message: string, hint?: string) {
    super(message, { hint, exitCode: 1 });
    this.name = 'GitError';
  }
}

export interface GitResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface GitOptions {
  /** Extra environment for git; the caller's GIT_AUTHOR_* / GIT_COMMITTER_* pass through. */
  env?: NodeJS.ProcessEnv;
}

/** Runs git; resolves with its exit code instead of throwing so callers can word failures. */
export function runGit(cwd: string, args: readonly string[], options: GitOptions = {}): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      [...args],
      {
        cwd,
        env: { ...process.env, ...options.env, GIT_LITERAL_PATHSPECS: '1', GIT_TERMINAL_PROMPT: '0', GIT_EDITOR: 'true' },
        maxBuffer: 16 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (error && typeof (error as NodeJS.ErrnoException).code === 'string') {
          const code = (error as NodeJS.ErrnoException).code;
          reject(
            new GitError(
              code === 'ENOENT' ? 'git is not installed or not on PATH' : `could not run git (${code})`,
              '--commit needs the git command line tool',
            ),
          );
          return;
        }
        const exitCode = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ stdout, stderr, code: exitCode });
      },
    );
  });
}

async function gitOrThrow(cwd: string, args: readonly string[], what: string, options: GitOptions = {}): Promise<string> {
  const result = await runGit(cwd, args, options);
  if (result.code !== 0) throw new GitError(`${what} failed: ${firstLines(result.stderr || result.stdout)}`);
  return result.stdout;
}

/** The useful part of git's output: trimmed, at most a few lines. */
export function firstLines(text: string, max = 6): string {
  const lines = text.trim().split('\n').filter((line) => line.trim() !== '');
  if (lines.length === 0) return 'git gave no message';
  return lines.length > max ? `${lines.slice(0, max).join('\n')}\n…` : lines.join('\n');
}

/** The `Name <email>` form git accepts for --author; checked up front for a clear error. */
export function validateAuthor(author: string): string {
  if (!/^[^<>\n]+\s<[^<>\s@]+@[^<>\s]+>$/.test(author.trim())) {
    throw new ClerkguardError(`--author "${author}" is not in the form "Name <email>"`, { hint: 'e.g. --author "Ada Lovelace <ada@example.com>"' });
  }
  return author.trim();
}

/** A git work tree that snapshot files are committed into. */
export class GitRepository {
  private constructor(
    readonly root: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Opens the repository containing `dir` (or its nearest existing ancestor). */
  static async open(dir: string, env: NodeJS.ProcessEnv = {}): Promise<GitRepository> {
    let probe = path.resolve(dir);
    while (!existsSync(probe) && path.dirname(probe) !== probe) probe = path.dirname(probe);
    const result = await runGit(probe, ['rev-parse', '--show-toplevel'], { env });
    if (result.code !== 0) {
      throw new GitError(`${dir} is not inside a git work tree`, 'run `git init` there first, or drop --commit to only write the files');
    }
    return new GitRepository(realpathSync(result.stdout.trim()), env);
  }

  private git(args: readonly string[], what: string): Promise<string> {
    return gitOrThrow(this.root, args, what, { env: this.env });
  }

  /** A path as git sees it: relative to the top level, with symlinked parents resolved. */
  relative(file: string): string {
    const absolute = path.resolve(file);
    let existing = absolute;
    const rest: string[] = [];
    while (!existsSync(existing) && path.dirname(existing) !== existing) {
      rest.unshift(path.basename(existing));
      existing = path.dirname(existing);
    }
    const real = path.join(realpathSync(existing), ...rest);
    const relative = path.relative(this.root, real);
    if (relative.startsWith('..') || path.isAbsolute(relative)) {
      throw new GitError(`${file} is outside the git work tree at ${this.root}`);
    }
    return relative.split(path.sep).join('/');
  }

  async head(): Promise<string | undefined> {
    const result = await runGit(this.root, ['rev-parse', '--verify', '-q', 'HEAD^{commit}'], { env: this.env });
    return result.code === 0 ? result.stdout.trim() : undefined;
  }

  /** Paths staged for the next commit (index differs from HEAD, or from nothing when unborn). */
  async stagedPaths(): Promise<string[]> {
    const out = await this.git(['diff', '--cached', '--name-only', '-z', '--no-renames'], 'git diff --cached');
    return out.split('\0').filter((name) => name !== '');
  }

  /** Fails early, before any file is written, when git cannot name an author or committer. */
  async checkIdentity(author: string | undefined): Promise<void> {
    const variables = author === undefined ? ['GIT_AUTHOR_IDENT', 'GIT_COMMITTER_IDENT'] : ['GIT_COMMITTER_IDENT'];
    for (const variable of variables) {
      const result = await runGit(this.root, ['var', variable], { env: this.env });
      if (result.code !== 0) {
        throw new GitError(
          `git does not know who is committing: ${firstLines(result.stderr, 2)}`,
          'set user.name and user.email (git config), GIT_AUTHOR_*/GIT_COMMITTER_* variables, or pass --author "Name <email>"',
        );
      }
    }
  }

  async add(paths: readonly string[]): Promise<void> {
    await this.git(['add', '--', ...paths], 'git add');
  }

  /** True when the index holds changes to any of `paths` compared with HEAD. */
  async hasStagedChanges(paths: readonly string[]): Promise<boolean> {
    const result = await runGit(this.root, ['diff', '--cached', '--quiet', '--', ...paths], { env: this.env });
    if (result.code === 0) return false;
    if (result.code === 1) return true;
    throw new GitError(`git diff --cached failed: ${firstLines(result.stderr)}`);
  }

  /**
   * Commits exactly `paths` (hooks run); returns the new commit id, after checking that HEAD
   * moved to a new commit whose parent is the old HEAD and that it touches `paths`: a commit
   * that did not happen is never reported.
   */
  async commit(paths: readonly string[], message: string, author: string | undefined): Promise<string> {
    const before = await this.head();
    const args = ['commit', '--quiet', '--no-edit', '-m', message, ...(author ? [`--author=${author}`] : []), '--only', '--', ...paths];
    const result = await runGit(this.root, args, { env: this.env });
    if (result.code !== 0) throw new GitError(`git commit failed: ${firstLines(result.stderr || result.stdout)}`, 'nothing was committed and no snapshot files were left behind');
    const head = await this.head();
    if (!head || head === before) throw new GitError('git commit reported success but HEAD did not move to a new commit');
    const parent = await runGit(this.root, ['rev-parse', '--verify', '-q', `${head}^1`], { env: this.env });
    if ((parent.code === 0 ? parent.stdout.trim() : undefined) !== before) throw new GitError(`git commit ${head.slice(0, 12)} is not on top of ${before?.slice(0, 12) ?? 'the unborn branch'}: another process moved the branch`);
    const touched = (await this.git(['diff-tree', '--root', '--no-commit-id', '--name-only', '-r', '-z', head], 'git diff-tree')).split('\0').filter((name) => name !== '');
    const missing = paths.filter((file) => !touched.includes(file));
    if (missing.length === paths.length) throw new GitError(`git commit ${head.slice(0, 12)} does not contain ${missing.join(', ')}`);
    return head;
  }

  /** The lock file that serializes clerkguard's commits into this repository (in the git directory). */
  async lockFile(): Promise<string> {
    return path.resolve(this.root, (await this.git(['rev-parse', '--git-path', 'clerkguard.lock'], 'git rev-parse')).trim());
  }

  /**
   * A restore point for the branch and the index, to undo commits made after it. Index backups
   * left by a run that was killed (`index.clerkguard-<pid>-<time>` of a pid that no longer runs)
   * are removed first.
   */
  async savepoint(): Promise<GitSavepoint> {
    const head = await this.head();
    const indexPath = path.resolve(this.root, (await this.git(['rev-parse', '--git-path', 'index'], 'git rev-parse')).trim());
    removeAbandonedIndexBackups(indexPath);
    let indexBackup: string | undefined;
    if (existsSync(indexPath)) {
      indexBackup = `${indexPath}.clerkguard-${process.pid}-${Date.now()}`;
      copyFileSync(indexPath, indexBackup);
    }
    return new GitSavepoint(this, head, indexPath, indexBackup);
  }

  /** Moves the current branch back to `target` (or deletes it when it was unborn), only if it is still at `expected`. */
  async resetBranch(target: string | undefined, expected: string): Promise<void> {
    if (target) await this.git(['update-ref', '-m', 'clerkguard: roll back snapshot commit', 'HEAD', target, expected], 'git update-ref');
    else await this.git(['update-ref', '-d', 'HEAD', expected], 'git update-ref -d');
  }
}

export class GitSavepoint {
  constructor(
    private readonly repository: GitRepository,
    readonly head: string | undefined,
    private readonly indexPath: string,
    private readonly indexBackup: string | undefined,
  ) {}

  /**
   * Undoes this run's commits (`ownHead`: the last commit it made) and restores the index byte
   * for byte. The branch moves back only while it still points at `ownHead` (compare-and-swap):
   * a commit someone else made is never undone.
   */
  async restore(ownHead?: string): Promise<void> {
    if (ownHead !== undefined) await this.repository.resetBranch(this.head, ownHead);
    if (this.indexBackup) renameSync(this.indexBackup, this.indexPath);
    else rmSync(this.indexPath, { force: true });
  }

  release(): void {
    if (this.indexBackup) rmSync(this.indexBackup, { force: true });
  }
}

/** Index backups (`index.clerkguard-<pid>-<ms>`) whose run no longer exists on this machine. */
export function removeAbandonedIndexBackups(indexPath: string): string[] {
  const folder = path.dirname(indexPath);
  const prefix = `${path.basename(indexPath)}.clerkguard-`;
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isRunning(pid)) continue;
    if (pid === process.pid) continue;
    rmSync(path.join(folder, name), { force: true });
    removed.push(name);
  }
  return removed;
}
