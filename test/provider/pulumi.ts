/**
 * Locates a Pulumi CLI for the end-to-end tests and builds the environment the engine needs
 * offline. Looks on PATH, then in the cache scripts/build-pulumi.sh fills
 * (~/.cache/clerkguard/pulumi-v3.274.1/bin, or $PULUMI_BUILD_CACHE/..., $XDG_CACHE_HOME/...).
 */
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const PULUMI_VERSION = 'v3.274.1';
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** Holds pulumi-resource-pulumi-nodejs, the dynamic-provider plugin shim. */
export const NODEJS_PLUGIN_DIR = path.join(REPO_ROOT, 'node_modules', '@pulumi', 'pulumi');
export const POLICY_DIR = path.join(REPO_ROOT, 'policy');
/** The policy pack as an executable analyzer: works without the Node language host. */
export const POLICY_PACK = path.join(POLICY_DIR, 'pulumi-analyzer-policy-clerkguard');

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

/** The directory holding an executable `pulumi`, or undefined. */
export function findPulumiBin(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return pulumiSearchPath(env).find((dir) => isExecutable(path.join(dir, 'pulumi')));
}

/** Why the end-to-end suite cannot run here, or undefined when it can. */
export function e2eUnavailableReason(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!findPulumiBin(env)) {
    return `no pulumi binary on PATH or in ~/.cache/clerkguard/pulumi-${PULUMI_VERSION}/bin: run scripts/build-pulumi.sh (or install Pulumi) to run the Pulumi end-to-end tests`;
  }
  return undefined;
}

/** What is missing for the end-to-end tests that the repository itself should provide. */
export function missingRepositoryPieces(): string[] {
  const missing: string[] = [];
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'provider', 'stack.js'))) missing.push('dist/provider (run `npm run build`)');
  if (!existsSync(path.join(NODEJS_PLUGIN_DIR, 'pulumi-resource-pulumi-nodejs'))) missing.push('node_modules/@pulumi/pulumi (run `npm ci`)');
  if (!existsSync(path.join(POLICY_DIR, 'node_modules', '@pulumi', 'policy'))) missing.push('policy/node_modules (run `npm ci --prefix policy`)');
  return missing;
}

export interface EngineEnvironment {
  binDir: string;
  backendDir: string;
  homeDir: string;
  env: Record<string, string>;
}

/**
 * Env vars for an offline engine run: a local file backend, a passphrase for secrets, no
 * update check or plugin downloads, and PATH with pulumi, the dynamic-provider shim and node.
 */
export function engineEnvironment(binDir: string): EngineEnvironment {
  const backendDir = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-pulumi-state-'));
  const home = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-pulumi-home-'));
  const env: Record<string, string> = {
    PULUMI_BACKEND_URL: `file://${backendDir}`,
    PULUMI_CONFIG_PASSPHRASE: 'clerkguard-e2e-passphrase',
    PULUMI_SKIP_UPDATE_CHECK: 'true',
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
    PULUMI_HOME: home,
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: 'true',
    // The dynamic-provider shim resolves @pulumi/pulumi from its working directory.
    NODE_PATH: path.join(REPO_ROOT, 'node_modules'),
    PATH: [binDir, NODEJS_PLUGIN_DIR, path.dirname(process.execPath), process.env.PATH ?? ''].join(path.delimiter),
    NO_COLOR: '1',
    CLERKGUARD_TODAY: '2026-11-26',
  };
  return { binDir, backendDir, homeDir: home, env };
}
