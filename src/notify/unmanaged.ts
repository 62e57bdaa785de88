/**
 * Slack for discovery (`--discover`, src/fleet/discover.ts), with the same rules as drift alerts:
 *
 *   instances without a baseline → one alert listing them
 *   the same set again           → nothing
 *   a different set              → one update in the alert's thread (broadcast)
 *   none left                    → one "every instance has a baseline" message in the thread
 *   the workspace not listable   → one error alert; the open alert stays (nothing was read)
 *
 * State: one small file in the per-environment state folder, `unmanaged/all.json` (or
 * `unmanaged/shard-I-of-N.json`: each shard reports its own instances), saved after each message.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { DiscoveryReport } from '../fleet/discover';
import type { Shard } from '../fleet/shard';
import { errorMessageFor, unmanagedInstancesAlert, unmanagedResolvedMessage, type SlackMessage } from '../report/slack';
import { formatIssue, parseJsonText, validateWithSchema } from '../baseline/validate';
import { ClerkguardError } from '../util/errors';
import { readTextFile, replaceFileAtomic } from '../util/fs';
import { stableStringify } from '../util/json';
import { withLock } from '../util/lock';
import type { Delivery } from './lifecycle';
import type { SlackPoster } from './slack-client';
import { fingerprint, stateDirectory, threadSchema } from './state';

const unmanagedStateSchema = z.object({
  schema_version: z.literal(1),
  /** The open alert about instances without a baseline. */
  alert: threadSchema.extend({ instances: z.array(z.string()) }).optional(),
  /** The open "could not list the workspace" alert. */
  error: threadSchema.optional(),
  last_run_at: z.string().optional(),
});
type UnmanagedState = z.infer<typeof unmanagedStateSchema>;

export function unmanagedStateFile(stateFile: string, shard?: Shard): string {
  return path.join(stateDirectory(stateFile), 'unmanaged', shard && shard.count > 1 ? `shard-${shard.index}-of-${shard.count}.json` : 'all.json');
}

function readUnmanagedState(file: string): UnmanagedState {
  if (!existsSync(file)) return { schema_version: 1 };
  const hint = 'delete the file to start over (the next run alerts again)';
  const text = readTextFile(file, { unreadable: hint });
  const parsed = parseJsonText(text, file);
  const result = parsed.errors.length > 0 ? parsed : validateWithSchema(unmanagedStateSchema, parsed.value, file, text);
  if (result.errors.length > 0 || !result.value) throw new ClerkguardError(`${file}: unexpected discovery state:\n${result.errors.map((issue) => `  ${formatIssue(issue)}`).join('\n')}`, { hint });
  return result.value as UnmanagedState;
}

export interface UnmanagedDeliveryOptions {
  poster: SlackPoster;
  stateFile: string;
  now: Date;
  shard?: Shard;
  lockWaitMs?: number;
}

export async function deliverUnmanaged(discovery: DiscoveryReport, options: UnmanagedDeliveryOptions): Promise<Delivery[]> {
  const file = unmanagedStateFile(options.stateFile, options.shard);
  const deliveries: Delivery[] = [];
  const now = options.now.toISOString();
  await withLock(`${file}.lock`, { what: `the discovery state ${file}`, ...(options.lockWaitMs === undefined ? {} : { waitMs: options.lockWaitMs }) }, async () => {
    let state = readUnmanagedState(file);
    const save = (next: UnmanagedState) => {
      state = next;
      replaceFileAtomic(file, stableStringify(next), { createDir: true });
    };
    const send = async (kind: Delivery['kind'], message: SlackMessage, thread?: string) => {
      const posted = await options.poster.postMessage({ text: message.text, blocks: message.blocks, ...(thread ? { thread_ts: thread, reply_broadcast: true } : {}) });
      deliveries.push({ environment: 'workspace', kind, ts: posted.ts, uploaded_report: false });
      return posted;
    };
    if (discovery.status === 'error') {
      const print = fingerprint([discovery.error?.endpoint ?? '', discovery.error?.status ?? 0, discovery.error?.message ?? '']);
      if (state.error?.fingerprint !== print) {
        const posted = await send('error_alert', errorMessageFor('the workspace', [discovery.error ?? { message: 'unknown error' }]));
        save({ ...state, error: { fingerprint: print, ts: posted.ts, channel: posted.channel, since: now } });
      }
      save({ ...state, last_run_at: now });
      return;
    }
    if (state.error) {
      await send('recovered', { text: 'clerkguard can list the workspace again', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: ':arrows_counterclockwise: clerkguard can list the workspace again.' } }], attach_full_report: false }, state.error.ts);
      const { error: _closed, ...rest } = state;
      save(rest as UnmanagedState);
    }
    const ids = discovery.unmanaged.map((instance) => instance.instance_id).sort();
    const print = fingerprint(ids);
    if (ids.length > 0) {
      if (state.alert?.fingerprint !== print) {
        const posted = await send(state.alert ? 'drift_update' : 'drift_alert', unmanagedInstancesAlert(discovery.unmanaged, discovery.hint), state.alert?.ts);
        save({ ...state, alert: { fingerprint: print, ts: state.alert?.ts ?? posted.ts, channel: state.alert?.channel ?? posted.channel, since: state.alert?.since ?? now, instances: ids } });
      }
    } else if (state.alert) {
      await send('resolved', unmanagedResolvedMessage(options.shard && options.shard.count > 1 ? `${options.shard.index}/${options.shard.count}` : undefined), state.alert.ts);
      const { alert: _resolved, ...rest } = state;
      save(rest as UnmanagedState);
    }
    save({ ...state, last_run_at: now });
  });
  return deliveries;
}
