/** What `clerkguard schedule`'s jobs share: the application evidence options (`--scan`, `--build`, `--probe`). */
import type { CliContext } from '../cli/context';
import type { LoadedBaseline } from '../baseline/load';
import { applicationCollector, type ApplicationRequest } from '../evidence/collect';
import { selectShard } from '../fleet/shard';

/** Commander's parser for a repeatable option. */
export function collectValue(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `--scan`/`--build`/`--probe` of `clerkguard schedule`, shared by the drift and snapshot jobs. */
export function scheduledCollector(options: Readonly<Record<string, unknown>>, context: CliContext, baselines: Parameters<typeof applicationCollector>[2]) {
  const list = (value: unknown) => (Array.isArray(value) ? value.map(String) : []);
  const request: ApplicationRequest = { scan: { roots: list(options.scan), builds: list(options.build) }, ...(options.probe === true ? { probe: {} } : {}) };
  return applicationCollector(request, { cwd: context.io.cwd, env: context.io.env, today: () => context.today(), warn: (message) => context.io.stderr(`warning: ${message}\n`) }, baselines);
}

/** `--shard` of `clerkguard schedule`: the baselines of this shard, every run (a note goes to the log). */
export function scheduledShard(options: Readonly<Record<string, unknown>>, context: CliContext, baselines: readonly LoadedBaseline[], log: (line: string) => void): LoadedBaseline[] {
  const { selected, note } = selectShard(baselines, typeof options.shard === 'string' ? options.shard : undefined, context.io.env);
  if (note) log(note);
  return selected;
}
