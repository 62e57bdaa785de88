/**
 * What a discovery (`--discover`) covered, in words for reports and logs. A module of its own,
 * without the Clerk client, so report code can use it without loading HTTP.
 */
import type { DiscoveryReport } from './discover';

/**
 * What a discovery covered, for messages. With --shard a shard judges only its part of the
 * workspace: "none" there says nothing about the instances other shards report.
 */
export function discoveryScope(discovery: Pick<DiscoveryReport, 'instances' | 'shard' | 'shard_instances'>): string {
  if (discovery.shard === undefined) return `the ${discovery.instances} instances the workspace lists`;
  return `the ${discovery.shard_instances ?? 0} instances of shard ${discovery.shard} (of ${discovery.instances} the workspace lists; other shards report the rest)`;
}
