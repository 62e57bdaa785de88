/** Compiles src/ to dist/ so CLI tests exercise the current source (incremental, so repeat builds are quick). */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/cli';

export function buildCli(): void {
  // tsc emits even when some other file has a type error; the typecheck step reports those.
  const result = spawnSync(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (result.error) throw result.error;
}
