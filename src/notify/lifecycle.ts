/**
 * The alert lifecycle, per environment:
 *
 *   new drift                → one drift alert (with the full report attached when large)
 *   the same drift again     → nothing new
 *   different drift          → one update, as a broadcast reply in the alert's thread
 *   drift gone               → one "resolved" message (broadcast reply in the alert's thread)
 *   could not check          → one error alert, distinct from drift; drift state is kept
 *   checkable again          → one reply in the error alert's thread
 *
 * The caller writes the report to disk first. State is saved after every delivered message,
 * so a Slack failure (thrown as ClerkguardError) leaves the state where the last message left
 * it and the next run retries what was not delivered.
 */
import type { DriftReport, EnvironmentDrift } from '../drift/types';
import { driftAlert, errorAlert, recoveredMessage, resolvedMessage, type DriftAlertOptions, type SlackMessage } from '../report/slack';
import type { SlackPoster } from './slack-client';
import { driftFingerprint, errorFingerprint, readState, writeState, type AlertState, type EnvironmentAlertState } from './state';

export type DeliveryKind = 'drift_alert' | 'drift_update' | 'resolved' | 'error_alert' | 'recovered';

export interface Delivery {
  environment: string;
  kind: DeliveryKind;
  ts: string;
  /** The full markdown report was uploaded with this message. */
  uploaded_report: boolean;
}

export interface DeliverOptions {
  poster: SlackPoster;
  stateFile: string;
  now: Date;
  /** The full markdown report for one environment (uploaded when an alert does not fit). */
  markdownFor(environment: EnvironmentDrift): string;
  alertOptions?: DriftAlertOptions;
}

export async function deliverAlerts(report: DriftReport, options: DeliverOptions): Promise<Delivery[]> {
  const state = readState(options.stateFile);
  const deliveries: Delivery[] = [];
  for (const environment of report.environments) {
    const previous = state.environments[environment.environment];
    const next = await deliverOne(environment, previous, options, deliveries, state);
    state.environments[environment.environment] = { ...next, last_run_at: options.now.toISOString() };
    writeState(options.stateFile, state);
  }
  return deliveries;
}

async function deliverOne(
  environment: EnvironmentDrift,
  previous: EnvironmentAlertState | undefined,
  options: DeliverOptions,
  deliveries: Delivery[],
  state: AlertState,
): Promise<EnvironmentAlertState> {
  const now = options.now.toISOString();
  let current: EnvironmentAlertState = previous ? { ...previous } : { status: 'clean' };
  // Persist after each message so that a later failure in this environment loses nothing sent.
  const save = (value: EnvironmentAlertState) => {
    current = value;
    state.environments[environment.environment] = { ...value, last_run_at: previous?.last_run_at ?? now };
    writeState(options.stateFile, state);
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

  if (environment.status === 'drift') {
    const fingerprint = driftFingerprint(environment.changes);
    if (current.status === 'drift' && current.alert) {
      if (current.alert.fingerprint === fingerprint) return current;
      await send('drift_update', driftAlert(environment, options.alertOptions), { ts: current.alert.ts, broadcast: true });
      return { ...current, alert: { ...current.alert, fingerprint } };
    }
    const posted = await send('drift_alert', driftAlert(environment, options.alertOptions));
    return { ...current, status: 'drift', alert: { fingerprint, ts: posted.ts, channel: posted.channel, since: now } };
  }

  if (current.status === 'drift' && current.alert) {
    await send('resolved', resolvedMessage(environment), { ts: current.alert.ts, broadcast: true });
  }
  const { alert: _resolved, ...rest } = current;
  return { ...rest, status: 'clean' };
}
