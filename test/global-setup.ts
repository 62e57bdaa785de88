/**
 * Once per vitest run, before any test file: the CLI tests spawn bin/clerkguard, which runs the
 * build in dist/ (the bundles in dist/cli/ and the tsc output they load lazily). `npm test` builds
 * right before vitest, so this finds the build current and does nothing; a run of vitest alone
 * (`npx vitest run test/snapshot`) after an edit builds here, once for the run, with the same
 * `npm run build`, instead of test files compiling on their own while others read dist/.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..');
/**
 * What `npm run build` reads: the sources, the build's own scripts and configuration, and the
 * installed dependencies the bundles carry (npm rewrites node_modules/.package-lock.json on each
 * install).
 */
const BUILD_INPUTS = ['src', 'scripts/bundle-cli.mjs', 'scripts/gen-baseline-validator.mjs', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json', 'node_modules/.package-lock.json'];
/** Written last by `npm run build` (scripts/bundle-cli.mjs), only after tsc and the generator check succeeded. */
const BUILD_OUTPUT = 'dist/cli/clerkguard.js';

function newestChange(entry: string): number {
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(entry, { withFileTypes: true }).reduce((newest, child) => Math.max(newest, newestChange(path.join(entry, child.name))), stat.mtimeMs);
}

/** Why dist/ does not hold a build of the current sources, or undefined when it does. */
export function staleBuildReason(root = REPO_ROOT): string | undefined {
  const output = path.join(root, BUILD_OUTPUT);
  if (!existsSync(output)) return `${BUILD_OUTPUT} is missing`;
  const built = statSync(output).mtimeMs;
  const changed = BUILD_INPUTS.map((input) => path.join(root, input)).filter((input) => existsSync(input) && newestChange(input) > built);
  return changed.length === 0 ? undefined : `${changed.map((input) => path.relative(root, input)).join(', ')} changed after the last build`;
}

export default function setup(): void {
  const reason = staleBuildReason();
  if (reason === undefined) return;
  console.warn(`[test/global-setup] ${reason}: npm run build`);
  const build = spawnSync('npm', ['run', 'build'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed (exit ${build.status ?? build.error?.message}); the CLI tests would run an old build:\n${build.stdout}${build.stderr}`);
}
