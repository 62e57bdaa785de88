/**
 * The alert lifecycle, per environment:
 *
 *   new drift                → one drift alert (with the full report attached when large)
 *   the same drift again     → nothing new
 *   different drift          → one update, as a broadcast reply in the alert's thread
 *   drift gone               → one "resolved" message (broadcast reply in the alert's thread)
 *   alerted settings unread  → one "could not verify" reply; the alert stays open (a setting
 *                              this run could not read, or application evidence the probe or
 *                              scan could not decide this run, is never "resolved")
 *   could not check          → one error alert, distinct from drift; drift state is kept
 *   checkable again          → one reply in the error alert's thread
 *
 * The caller writes the report to disk first. One run at a time per environment: each
 * environment's state file (state.ts) is locked while its messages go out (a parallel run over
 * the same environment waits, then fails with "another run holds the lock"), so two runs never
 * post the same alert, and runs over different environments (shards) never wait for each other.
 * State is saved after every delivered message, so a Slack failure (thrown as
 * ClerkguardError) leaves the state where the last message left it and the next run retries
 * what was not delivered.
 */
import type { DriftReport, EnvironmentDrift } from '../drift/types';
import { undecidedApplicationPaths } from '../evidence/drift';
import { couldNotVerifyMessage, driftAlert, errorAlert, recoveredMessage, resolvedMessage, type DriftAlertOptions, type SlackMessage } from '../report/slack';
import { withLock } from '../util/lock';
import type { SlackPoster } from './slack-client';
import {
  driftFingerprint,
  environmentStateFile,
  errorFingerprint,
  forgetLegacyEnvironment,
  legacyEnvironmentState,
  readEnvironmentState,
  unverifiedFingerprint,
  writeEnvironmentState,
  type EnvironmentAlertState,
} from './state';

export type DeliveryKind = 'drift_alert' | 'drift_update' | 'resolved' | 'could_not_verify' | 'error_alert' | 'recovered';

export interface Delivery {
  environment: string;
  kind: DeliveryKind;
  ts: string;
  /** The full markdown report was uploaded with this message. */
  uploaded_report: boolean;
}

/** Why a run sent nothing for an environment, so the CLI can say so instead of staying silent. */
export type QuietReason = 'drift_unchanged' | 'error_unchanged' | 'could_not_verify_unchanged' | 'clean';

export interface Quiet {
  environment: string;
  reason: QuietReason;
}

/** "drift unchanged, no new alert" and its siblings, for logs. */
export function describeQuiet(quiet: Quiet): string {
  switch (quiet.reason) {
    case 'drift_unchanged':
      return `drift unchanged for ${quiet.environment}, no new alert (the open alert still stands)`;
    case 'error_unchanged':
      return `${quiet.environment} still could not be checked, no new alert (the error alert still stands)`;
    case 'could_not_verify_unchanged':
      return `${quiet.environment} still cannot verify what its open alert is about, no new message (the alert stays open)`;
    default:
      return `no drift for ${quiet.environment}, nothing to send`;
  }
}

export interface DeliverOptions {
  poster: SlackPoster;
  stateFile: string;
  now: Date;
  /** The full markdown report for one environment (uploaded when an alert does not fit). */
  markdownFor(environment: EnvironmentDrift): string;
  alertOptions?: DriftAlertOptions;
  /** How long to wait for another run's lock on the state file (default 60 s). */
  lockWaitMs?: number;
  /** Called for each environment this run sent nothing for, with why. */
  onQuiet?: (quiet: Quiet) => void;
}

export async function deliverAlerts(report: DriftReport, options: DeliverOptions): Promise<Delivery[]> {
  const deliveries: Delivery[] = [];
  const lockOptions = (what: string) => ({ what, ...(options.lockWaitMs === undefined ? {} : { waitMs: options.lockWaitMs }) });
  for (const environment of report.environments) {
    const name = environment.environment;
    const file = environmentStateFile(options.stateFile, name);
    await withLock(`${file}.lock`, lockOptions(`the alert state ${file}`), async () => {
      const own = readEnvironmentState(options.stateFile, name);
      // No file of its own yet: an earlier version's single file may hold its open alert.
      const previous = own ?? legacyEnvironmentState(options.stateFile, name);
      const persist = (value: EnvironmentAlertState) => writeEnvironmentState(options.stateFile, name, value);
      const before = deliveries.length;
      const next = await deliverOne(environment, previous, options, deliveries, persist);
      if (deliveries.length === before) options.onQuiet?.({ environment: name, reason: quietReason(environment, next) });
      persist({ ...next, last_run_at: options.now.toISOString() });
      if (own === undefined && previous !== undefined) {
        await withLock(`${options.stateFile}.lock`, lockOptions(`the alert state ${options.stateFile}`), async () => forgetLegacyEnvironment(options.stateFile, name));
      }
    });
  }
  return deliveries;
}

function quietReason(environment: EnvironmentDrift, next: EnvironmentAlertState): QuietReason {
  if (environment.status === 'error') return 'error_unchanged';
  if (environment.status === 'drift') return 'drift_unchanged';
  return next.status === 'drift' ? 'could_not_verify_unchanged' : 'clean';
}

/**
 * Paths of the open alert that this run could not read: an alerted change at or below an
 * unverified setting, an unverified setting inside an alerted change, or application evidence
 * (`…["probe URL"]`, `…["code FILE:LINE:COL"]`) the probe or scan did not decide this run.
 */
export function unreadAlertedPaths(alerted: readonly string[], environment: EnvironmentDrift): string[] {
  const unverified = (environment.unverified ?? []).map((entry) => entry.path);
  const within = (inner: string, outer: string) => inner === outer || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);
  const undecided = new Set(undecidedApplicationPaths(alerted, environment));
  return alerted.filter((path) => undecided.has(path) || unverified.some((entry) => within(path, entry) || within(entry, path)));
}

async function deliverOne(
  environment: EnvironmentDrift,
  previous: EnvironmentAlertState | undefined,
  options: DeliverOptions,
  deliveries: Delivery[],
  persist: (value: EnvironmentAlertState) => void,
): Promise<EnvironmentAlertState> {
  const now = options.now.toISOString();
  let current: EnvironmentAlertState = previous ? { ...previous } : { status: 'clean' };
  // Persist after each message so that a later failure in this environment loses nothing sent.
  const save = (value: EnvironmentAlertState) => {
    current = value;
    persist({ ...value, last_run_at: previous?.last_run_at ?? now });
  };
  const send = async (kind: DeliveryKind, message: SlackMessage, thread?: { ts: string; broadcast: boolean }) => {
    const posted = await options.poster.postMessage({
      text: message.text,
      blocks: message.blocks,
      ...(thread ? { thread_ts: thread.ts, reply_broadcast: thread.broadcast } : {}),
    });
    let uploaded = false;
    if (message.attach_full_report) {
      await options.poster.uploadFile({
        content: options.markdownFor(environment),
        filename: `clerkguard-drift-${environment.environment}.md`,
        title: `clerkguard drift report: ${environment.environment}`,
        thread_ts: thread?.ts ?? posted.ts,
      });
      uploaded = true;
    }
    deliveries.push({ environment: environment.environment, kind, ts: posted.ts, uploaded_report: uploaded });
    return posted;
  };

  if (environment.status === 'error') {
    const fingerprint = errorFingerprint(environment.errors);
    if (current.error?.fingerprint === fingerprint) return current;
    const posted = await send('error_alert', errorAlert(environment));
    return { ...current, error: { fingerprint, ts: posted.ts, channel: posted.channel, since: now } };
  }

  if (current.error) {
    await send('recovered', recoveredMessage(environment), { ts: current.error.ts, broadcast: false });
    const { error: _closed, ...rest } = current;
    save(rest);
  }

  const active = environment.changes.filter((change) => !change.suppressed).map((change) => change.path);
  // What the open alert is about and this run could not read: still open, never "resolved".
  const unread = current.status === 'drift' && current.alert ? unreadAlertedPaths(current.alert.paths ?? [], environment) : [];

  if (environment.status === 'drift') {
    const fingerprint = driftFingerprint(environment.changes);
    const paths = [...new Set([...active, ...unread])].sort();
    if (current.status === 'drift' && current.alert) {
      if (current.alert.fingerprint === fingerprint) return { ...current, alert: { ...current.alert, paths } };
      await send('drift_update', driftAlert(environment, { ...options.alertOptions, couldNotVerify: unread }), { ts: current.alert.ts, broadcast: true });
      return { ...current, alert: { ...current.alert, fingerprint, paths } };
    }
    const posted = await send('drift_alert', driftAlert(environment, options.alertOptions));
    return { ...current, status: 'drift', alert: { fingerprint, ts: posted.ts, channel: posted.channel, since: now, paths } };
  }

  if (current.status === 'drift' && current.alert) {
    if (unread.length > 0) {
      const fingerprint = unverifiedFingerprint(unread);
      if (current.alert.unverified === fingerprint) return current;
      await send('could_not_verify', couldNotVerifyMessage(environment, unread), { ts: current.alert.ts, broadcast: true });
      return { ...current, alert: { ...current.alert, unverified: fingerprint } };
    }
    await send('resolved', resolvedMessage(environment), { ts: current.alert.ts, broadcast: true });
  }
  const { alert: _resolved, ...rest } = current;
  return { ...rest, status: 'clean' };
}
