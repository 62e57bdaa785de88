/**
 * Discovery (`--discover`): the workspace's applications and instances from the Platform API
 * (`GET /v1/platform/applications`), and which of them no baseline governs. Those are
 * *unmanaged*: reported in drift reports, Slack and snapshots with `clerkguard init` as the way
 * to give them a baseline. A discovery that fails is an error of the run, never "none unmanaged".
 *
 * An instance is governed when a baseline names its application and environment type
 * (`target.application_id`, or CLERK_APPLICATION_ID for the baseline with the default keys), or
 * when this run read it (its live export's `instance_id`).
 */
import type { LoadedBaseline } from '../baseline/load';
import { createClerkApi } from '../clerk/api';
import { workspaceConnectionFromEnv, type RetryPolicy } from '../clerk/connection';
import { describeError } from '../util/errors';
import { scrubSecrets } from '../settings/redact';
import { shardOf, type Shard } from './shard';

export interface UnmanagedInstance {
  application_id: string;
  application_name: string;
  instance_id: string;
  environment_type: string;
}

export interface DiscoveryReport {
  status: 'ok' | 'error';
  /** Applications and instances the workspace listed. */
  applications: number;
  instances: number;
  /** With --shard: which shard ("I/N") and how many of the listed instances fall in it (the rest are other shards' to report). */
  shard?: string;
  shard_instances?: number;
  /** Instances no baseline governs (of this shard, with --shard), sorted by application name and type. */
  unmanaged: UnmanagedInstance[];
  /** Why the workspace could not be listed (status error). */
  error?: { message: string; endpoint?: string; status?: number };
  /** How to give an unmanaged instance a baseline. */
  hint: string;
}

export const UNMANAGED_HINT = 'clerkguard init writes a baseline for an instance from its live settings';

/** (application id, environment type) pairs the baselines name. */
export function governedTargets(baselines: readonly LoadedBaseline[], env: NodeJS.ProcessEnv): Set<string> {
  const governed = new Set<string>();
  for (const loaded of baselines) {
    const target = loaded.baseline.target;
    // As connectionFromEnv decides: CLERK_APPLICATION_ID belongs to the baseline with the default keys.
    const applicationId = target.application_id ?? ((target.secret_key_env ?? 'CLERK_SECRET_KEY') === 'CLERK_SECRET_KEY' ? env.CLERK_APPLICATION_ID?.trim() || undefined : undefined);
    if (applicationId) governed.add(`${applicationId}\n${target.environment_type}`);
  }
  return governed;
}

export interface DiscoverOptions {
  env: NodeJS.ProcessEnv;
  /** Instance ids this run read live (drift, snapshot): governed whatever their target says. */
  readInstanceIds?: readonly string[];
  shard?: Shard;
  policy?: Partial<RetryPolicy>;
}

export async function discoverUnmanaged(baselines: readonly LoadedBaseline[], options: DiscoverOptions): Promise<DiscoveryReport> {
  const base = { hint: UNMANAGED_HINT };
  let applications;
  try {
    const connection = workspaceConnectionFromEnv(options.env, options.policy ? { policy: options.policy } : {});
    applications = await createClerkApi(connection).listPlatformApplications();
  } catch (error) {
    const candidate = error as { endpoint?: unknown; status?: unknown };
    return {
      ...base,
      status: 'error',
      applications: 0,
      instances: 0,
      unmanaged: [],
      error: {
        message: scrubSecrets(describeError(error)),
        ...(typeof candidate.endpoint === 'string' ? { endpoint: candidate.endpoint } : {}),
        ...(typeof candidate.status === 'number' ? { status: candidate.status } : {}),
      },
    };
  }
  const governed = governedTargets(baselines, options.env);
  const read = new Set(options.readInstanceIds ?? []);
  const unmanaged: UnmanagedInstance[] = [];
  let instances = 0;
  let inShard = 0;
  for (const application of applications) {
    for (const instance of application.instances) {
      instances++;
      if (options.shard && shardOf(instance.instance_id, options.shard.count) !== options.shard.index) continue;
      inShard++;
      if (read.has(instance.instance_id) || governed.has(`${application.application_id}\n${instance.environment_type}`)) continue;
      unmanaged.push({ application_id: application.application_id, application_name: application.name, instance_id: instance.instance_id, environment_type: instance.environment_type });
    }
  }
  unmanaged.sort((a, b) => (a.application_name < b.application_name ? -1 : a.application_name > b.application_name ? 1 : a.environment_type < b.environment_type ? -1 : a.environment_type > b.environment_type ? 1 : a.instance_id < b.instance_id ? -1 : 1));
  const shard = options.shard ? { shard: `${options.shard.index}/${options.shard.count}`, shard_instances: inShard } : {};
  return { ...base, status: 'ok', applications: applications.length, instances, ...shard, unmanaged };
}


/**
 * `--discover` for a run over `all` baselines (every shard's: an instance is governed whichever
 * shard runs its baseline). A missing Platform key fails here, before any request.
 */
export function discoveryJob(all: readonly LoadedBaseline[], env: NodeJS.ProcessEnv, shard: Shard | undefined): { run: (readInstanceIds: string[]) => Promise<DiscoveryReport>; shard?: Shard } {
  workspaceConnectionFromEnv(env);
  return { run: (readInstanceIds) => discoverUnmanaged(all, { env, readInstanceIds, ...(shard ? { shard } : {}) }), ...(shard ? { shard } : {}) };
}
