/** Real git repositories in temp folders, isolated from the machine's global and system config. */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Env that makes git ignore ~/.gitconfig and /etc/gitconfig, so only the temp repo's config counts. */
export function isolatedGitEnv(): NodeJS.ProcessEnv {
  const empty = path.join(mkdtempSync(path.join(os.tmpdir(), 'clerkguard-gitcfg-')), 'gitconfig');
  writeFileSync(empty, '');
  return { GIT_CONFIG_GLOBAL: empty, GIT_CONFIG_NOSYSTEM: '1' };
}

export interface TempRepo {
  dir: string;
  env: NodeJS.ProcessEnv;
  git(...args: string[]): string;
  /** Commit ids on HEAD, newest first ([] when unborn). */
  log(): string[];
  write(file: string, content: string): void;
  failingPreCommitHook(message: string): void;
}

export function tempRepo(options: { identity?: boolean } = {}): TempRepo {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-repo-'));
  const env = isolatedGitEnv();
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: dir, env: { PATH: process.env.PATH, HOME: dir, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  git('init', '-q', '-b', 'main');
  if (options.identity !== false) {
    git('config', 'user.name', 'Repo Owner');
    git('config', 'user.email', 'owner@example.com');
  }
  const write = (file: string, content: string) => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  };
  return {
    dir,
    env,
    git,
    write,
    log: () => {
      try {
        return git('rev-list', 'HEAD').trim().split('\n').filter(Boolean);
      } catch {
        return [];
      }
    },
    failingPreCommitHook: (message: string) => {
      const hook = path.join(dir, '.git', 'hooks', 'pre-commit');
      writeFileSync(hook, `#!/bin/sh\necho "${message}" >&2\nexit 1\n`);
      chmodSync(hook, 0o755);
    },
  };
}
