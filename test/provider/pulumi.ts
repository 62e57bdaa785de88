/**
 * Locates a Pulumi install for the end-to-end tests and runs its CLI the way a user does: in a
 * copy of the repository, with `pulumi login --local` into a private home directory.
 * Looks on PATH, then in the cache scripts/build-pulumi.sh fills
 * (~/.cache/clerkguard/pulumi-v3.274.1/bin, or $PULUMI_BUILD_CACHE/..., $XDG_CACHE_HOME/...).
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunningEmulator } from '../../src/emulator/index';

export const PULUMI_VERSION = 'v3.274.1';
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const POLICY_DIR = path.join(REPO_ROOT, 'policy');

/**
 * What an official Pulumi install ships beside `pulumi` and the repository's Pulumi.yaml needs:
 * the Node language host (runtime: nodejs, policy packs) and the dynamic-provider launcher.
 * Beside `pulumi` the engine takes them without the "using ... from $PATH" warning.
 */
export const PULUMI_BINARIES = ['pulumi', 'pulumi-language-nodejs', 'pulumi-resource-pulumi-nodejs'] as const;

function isExecutable(file: string): boolean {
  try {
    return statSync(file).isFile() && (statSync(file).mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** Candidate bin directories, in the order they are tried. */
export function pulumiSearchPath(env: NodeJS.ProcessEnv = process.env): string[] {
  const fromPath = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const cacheRoots = [env.PULUMI_BUILD_CACHE, env.XDG_CACHE_HOME && path.join(env.XDG_CACHE_HOME, 'clerkguard'), path.join(os.homedir(), '.cache', 'clerkguard')].filter(
    (dir): dir is string => typeof dir === 'string' && dir !== '',
  );
  return [...fromPath, ...cacheRoots.map((root) => path.join(root, `pulumi-${PULUMI_VERSION}`, 'bin'))];
}

/** The first directory holding an executable `pulumi`, or undefined. */
export function findPulumiBin(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return pulumiSearchPath(env).find((dir) => isExecutable(path.join(dir, 'pulumi')));
}

/** Why the end-to-end suite cannot run here, or undefined when it can. */
export function e2eUnavailableReason(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const binDir = findPulumiBin(env);
  if (!binDir) {
    return `no pulumi binary on PATH or in ~/.cache/clerkguard/pulumi-${PULUMI_VERSION}/bin: run scripts/build-pulumi.sh (or install Pulumi) to run the Pulumi end-to-end tests`;
  }
  const missing = PULUMI_BINARIES.filter((name) => !isExecutable(path.join(binDir, name)));
  if (missing.length > 0) {
    return `${missing.join(' and ')} missing beside ${path.join(binDir, 'pulumi')}: run scripts/build-pulumi.sh (it builds them into its bin directory; official Pulumi installs ship them)`;
  }
  return undefined;
}

/** What is missing for the end-to-end tests that the repository itself should provide. */
export function missingRepositoryPieces(): string[] {
  const missing: string[] = [];
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'provider', 'program.js'))) missing.push('dist/provider (run `npm run build`)');
  if (!existsSync(path.join(REPO_ROOT, 'node_modules', '@pulumi', 'pulumi', 'package.json'))) missing.push('node_modules/@pulumi/pulumi (run `npm ci`)');
  if (!existsSync(path.join(POLICY_DIR, 'node_modules', '@pulumi', 'policy'))) missing.push('policy/node_modules (run `npm ci --prefix policy`)');
  return missing;
}

/**
 * A copy of the repository as a user's clone after `npm ci && npm ci --prefix policy`: the
 * tracked (and new, not ignored) files, the built dist/, and both node_modules trees. The
 * node_modules trees are hard-linked (copied where links are impossible): real directories
 * inside the copy, so nothing resolves back into this checkout once the copy moves.
 */
export function copyCheckout(destination: string): void {
  const listed = spawnSync('git', ['-C', REPO_ROOT, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (listed.status !== 0) throw new Error(`git ls-files failed in ${REPO_ROOT}: ${listed.stderr || listed.error?.message}`);
  mkdirSync(destination, { recursive: true });
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    const source = path.join(REPO_ROOT, file);
    if (!existsSync(source)) continue; // deleted in the working tree
    cpSync(source, path.join(destination, file), { recursive: true });
  }
  cpSync(path.join(REPO_ROOT, 'dist'), path.join(destination, 'dist'), { recursive: true });
  for (const tree of ['node_modules', path.join('policy', 'node_modules')]) {
    const linked = spawnSync('cp', ['-al', path.join(REPO_ROOT, tree), path.join(destination, tree)], { encoding: 'utf8' });
    if (linked.status !== 0) cpSync(path.join(REPO_ROOT, tree), path.join(destination, tree), { recursive: true, verbatimSymlinks: true });
  }
}

export interface PulumiUser {
  binDir: string;
  /** PULUMI_HOME: credentials (the current login), workspace settings, logs. */
  pulumiHome: string;
  /** The local backend's state directory: `pulumi login file://<stateDir>`. */
  stateDir: string;
  env: Record<string, string>;
}

/**
 * The environment of a user on an official install: pulumi and its plugins on PATH, a Pulumi
 * home of their own, a passphrase for the local backend's secrets, and no update check or
 * plugin downloads (offline). Nothing of this process's Pulumi settings leaks in.
 *
 * `pulumi login --local` means `file://~` with `~` taken from the passwd entry (Go's
 * user.Current), not from $HOME, so a test cannot point it elsewhere: the tests log in to
 * `file://<stateDir>`, the same local backend in a directory of their own.
 */
export function pulumiUser(binDir: string, root: string): PulumiUser {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined && !/^(PULUMI_|CLERK_|CLERKGUARD_|NODE_PATH$|NODE_OPTIONS$)/.test(entry[0])),
  );
  const pulumiHome = path.join(root, 'pulumi-home');
  const stateDir = path.join(root, 'pulumi-state');
  mkdirSync(pulumiHome, { recursive: true });
  mkdirSync(stateDir, { recursive: true });
  const env: Record<string, string> = {
    ...inherited,
    PULUMI_HOME: pulumiHome,
    PATH: [binDir, path.dirname(process.execPath), process.env.PATH ?? ''].join(path.delimiter),
    PULUMI_CONFIG_PASSPHRASE: 'clerkguard-e2e-passphrase',
    PULUMI_SKIP_UPDATE_CHECK: 'true',
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
    NO_COLOR: '1',
    CLERKGUARD_TODAY: '2026-11-26',
  };
  return { binDir, pulumiHome, stateDir, env };
}

export interface CommandResult {
  args: string[];
  code: number | null;
  output: string;
}

/**
 * Runs `pulumi ARGS` in `cwd` without blocking the event loop (the emulator answers from this
 * process). A command that outlives `timeoutMs` is killed with its whole process group (the
 * language host, the program, the providers) and reported with the code null.
 */
export function runPulumi(user: PulumiUser, cwd: string, args: string[], timeoutMs = 180_000): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(user.binDir, 'pulumi'), args, { cwd, env: user.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: string[] = [];
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => chunks.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => chunks.push(chunk));
    const timer = setTimeout(() => {
      chunks.push(`\n[test] pulumi ${args.join(' ')} killed after ${timeoutMs} ms\n`);
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ args, code, output: chunks.join('') });
    });
  });
}

/**
 * The set-up docs/pulumi.md gives: `pulumi login --local` (as file://<stateDir>, see pulumiUser),
 * `stack init production` and the stack's config, with the emulator's keys and URLs (a real
 * instance needs no URLs: api.clerk.com is the default). `ok` runs one command that must succeed.
 */
export async function initStack(ok: (...args: string[]) => Promise<unknown>, user: PulumiUser, emulator: RunningEmulator, baseline: string): Promise<void> {
  await ok('login', `file://${user.stateDir}`);
  await ok('stack', 'init', 'production');
  await ok('config', 'set', 'clerkguard:baseline', baseline);
  await ok('config', 'set', '--secret', 'clerkguard:secretKey', emulator.secret_key);
  await ok('config', 'set', 'clerkguard:publishableKey', emulator.publishable_key);
  await ok('config', 'set', '--secret', 'clerkguard:platformApiKey', emulator.platform_api_key);
  await ok('config', 'set', 'clerkguard:applicationId', emulator.application_id);
  await ok('config', 'set', 'clerkguard:apiUrl', emulator.bapi_url);
  await ok('config', 'set', 'clerkguard:platformApiUrl', emulator.platform_api_url);
}
