/**
 * `--shard I/N`: split a fleet's environments across N machines (a GitHub Actions matrix, a
 * Kubernetes Indexed Job) without a coordinator. Each environment belongs to exactly one shard,
 * decided by a hash of its name alone: the same on every machine, whatever the other
 * environments are, so adding an environment never moves the others. Shards never share an
 * environment, so they never share its alert state (one file per environment, src/notify/state.ts).
 *
 *   --shard 2/4       the second of four shards (1-based, as jest and playwright count)
 *   --shard job/4     a Kubernetes Indexed Job: the shard is JOB_COMPLETION_INDEX (0-based) + 1
 */
import { ClerkguardError } from '../util/errors';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** The largest N accepted: more shards than this is a typo, not a fleet. */
export const MAX_SHARDS = 1000;

const HINT = 'pass --shard I/N with 1 ≤ I ≤ N, e.g. --shard 1/4 in a matrix of four jobs, or --shard job/4 in a Kubernetes Indexed Job (JOB_COMPLETION_INDEX)';

export function parseShard(value: string, env: NodeJS.ProcessEnv): Shard {
  const match = /^\s*(\d+|job)\s*\/\s*(\d+)\s*$/.exec(value);
  if (!match) throw new ClerkguardError(`--shard "${value}" is not of the form I/N`, { hint: HINT });
  const count = Number(match[2]);
  if (!Number.isInteger(count) || count < 1 || count > MAX_SHARDS) throw new ClerkguardError(`--shard "${value}": N must be between 1 and ${MAX_SHARDS}`, { hint: HINT });
  let index: number;
  if (match[1] === 'job') {
    const raw = env.JOB_COMPLETION_INDEX;
    if (raw === undefined || !/^\d+$/.test(raw.trim())) {
      throw new ClerkguardError(`--shard job/${count} needs JOB_COMPLETION_INDEX${raw === undefined ? ', which is not set' : `, which is "${raw}"`}`, {
        hint: 'Kubernetes sets it in the pods of a Job with completionMode: Indexed; elsewhere pass the shard as a number, e.g. --shard 1/4',
      });
    }
    index = Number(raw.trim()) + 1;
  } else index = Number(match[1]);
  if (index < 1 || index > count) throw new ClerkguardError(`--shard ${match[1] === 'job' ? `job/${count} (JOB_COMPLETION_INDEX ${index - 1})` : `"${value}"`}: the shard must be between 1 and ${count}`, { hint: HINT });
  return { index, count };
}

/** The shard (1-based) an environment belongs to among `count`: FNV-1a of its name, modulo count. */
export function shardOf(environment: string, count: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < environment.length; i++) {
    hash ^= environment.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return (hash % count) + 1;
}

/** The items whose environment belongs to this shard (all of them without a shard). */
export function inShard<T>(items: readonly T[], shard: Shard | undefined, environmentOf: (item: T) => string): T[] {
  if (!shard || shard.count === 1) return [...items];
  return items.filter((item) => shardOf(environmentOf(item), shard.count) === shard.index);
}

export function describeShard(shard: Shard): string {
  return `shard ${shard.index}/${shard.count}`;
}

/**
 * The baselines of this run's shard, from a `--shard` value (none: all of them). Every baseline
 * is loaded and validated first, on every shard, so a broken file fails every shard alike.
 */
export function selectShard<T extends { baseline: { environment: string } }>(baselines: readonly T[], value: string | undefined, env: NodeJS.ProcessEnv): { selected: T[]; shard?: Shard; note?: string } {
  if (value === undefined) return { selected: [...baselines] };
  const shard = parseShard(value, env);
  const selected = inShard(baselines, shard, (loaded) => loaded.baseline.environment);
  const names = selected.map((loaded) => loaded.baseline.environment);
  const note =
    selected.length === 0
      ? `${describeShard(shard)}: none of the ${baselines.length} environments belongs to this shard; nothing to do`
      : `${describeShard(shard)}: ${selected.length} of ${baselines.length} environments (${names.slice(0, 10).join(', ')}${names.length > 10 ? `, and ${names.length - 10} more` : ''})`;
  return { selected, shard, note };
}
