/** What `clerkguard schedule`'s jobs share: the application evidence options (`--scan`, `--build`, `--probe`). */
import type { CliContext } from '../cli/context';
import type { LoadedBaseline } from '../baseline/load';
import { applicationCollector, type ApplicationRequest } from '../evidence/collect';
import { discoveryJob } from '../fleet/discover';
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

/** `--shard` and `--discover` of `clerkguard schedule`: this shard's baselines and, when asked, discovery over all of them. */
export function scheduledFleet(options: Readonly<Record<string, unknown>>, context: CliContext, baselines: readonly LoadedBaseline[], log: (line: string) => void) {
  const { selected, note, shard } = selectShard(baselines, typeof options.shard === 'string' ? options.shard : undefined, context.io.env);
  if (note) log(note);
  return { selected, ...(options.discover === true ? { discover: discoveryJob(baselines, context.io.env, shard) } : {}) };
}
