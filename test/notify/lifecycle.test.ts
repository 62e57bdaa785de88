import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { diffBaseline } from '../../src/drift/index';
import { errorDrift } from '../../src/drift/run';
import type { DriftReport, EnvironmentDrift } from '../../src/drift/types';
import { deliverAlerts } from '../../src/notify/lifecycle';
import { createSlackPoster } from '../../src/notify/slack-client';
import { readAlertStates, readState } from '../../src/notify/state';
import { acquireLock } from '../../src/util/lock';
import { ClerkguardError } from '../../src/util/errors';
import { renderDriftMarkdown } from '../../src/report/drift';
import { driftAlert, SLACK_LIMITS } from '../../src/report/slack';
import { liveLike, productionBaseline } from '../drift/fixtures';
import { startSlackServer, type SlackServer } from './slack-server';

const TOKEN = 'xoxb-1111-2222-SENTINELslackTOKEN';
let server: SlackServer;
let dir: string;

beforeEach(async () => {
  server = await startSlackServer();
  dir = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-notify-'));
});
afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const loaded = productionBaseline();
const drifted = () => diffBaseline(loaded, liveLike(loaded, (settings) => { settings.session!.inactivity_timeout_minutes = 10080; }), { today: '2026-11-26' });
const clean = () => diffBaseline(loaded, liveLike(loaded), { today: '2026-11-26' });
const failed = () => errorDrift(loaded, { message: 'Clerk failed on GET /v1/instance for environment production (503)', endpoint: 'GET /v1/instance', status: 503 });

function report(...environments: EnvironmentDrift[]): DriftReport {
  return { status: 'drift', generated_at: '2026-11-26T03:00:00.000Z', environments };
}

async function run(environment: EnvironmentDrift, options: { timeoutMs?: number } = {}) {
  const poster = createSlackPoster({ token: TOKEN, channel: 'C0CLERKGUARD', apiUrl: server.apiUrl, timeoutMs: options.timeoutMs ?? 5_000, retries: 1 });
  return deliverAlerts(report(environment), { poster, stateFile: path.join(dir, 'state.json'), now: new Date('2026-11-26T03:00:00Z'), markdownFor: (env) => renderDriftMarkdown(report(env)) });
}

describe('alert lifecycle against a recording Slack server', () => {
  test('drift, the same drift, fixed: exactly one alert and one resolved message', async () => {
    expect((await run(drifted())).map((delivery) => delivery.kind)).toEqual(['drift_alert']);
    expect(await run(drifted())).toEqual([]);
    expect((await run(clean())).map((delivery) => delivery.kind)).toEqual(['resolved']);
    expect(await run(clean())).toEqual([]);

    const messages = server.messages();
    expect(messages).toHaveLength(2);
    const [alert, resolved] = messages;
    expect(alert?.channel).toBe('C0CLERKGUARD');
    expect(alert?.thread_ts).toBeUndefined();
    expect(String(alert?.text)).toContain('Clerk settings drift in production');
    expect(JSON.stringify(alert?.blocks)).toContain('settings.session.inactivity_timeout_minutes');
    // The resolution lands in the alert's thread and is broadcast to the channel.
    expect(resolved?.thread_ts).toBe('1764126000.000001');
    expect(resolved?.reply_broadcast).toBe('true');
    expect(String(resolved?.text)).toContain('resolved');
    // The token travels only in the Authorization header.
    for (const request of server.requests) {
      expect(request.authorization).toBe(`Bearer ${TOKEN}`);
      expect(request.raw).not.toContain(TOKEN);
    }
    expect(readAlertStates(path.join(dir, 'state.json')).environments.production?.status).toBe('clean');
  });

  test('changed drift is one broadcast update in the same thread, not a new alert', async () => {
    await run(drifted());
    const worse = diffBaseline(loaded, liveLike(loaded, (settings) => {
      settings.session!.inactivity_timeout_minutes = 10080;
      settings.instance!.test_mode = true;
    }), { today: '2026-11-26' });
    expect((await run(worse)).map((delivery) => delivery.kind)).toEqual(['drift_update']);
    const [, update] = server.messages();
    expect(update?.thread_ts).toBe('1764126000.000001');
    expect(update?.reply_broadcast).toBe('true');
  });

  test('a run that could not check is an error alert, distinct from drift, sent once; recovery replies in its thread', async () => {
    await run(drifted());
    expect((await run(failed())).map((delivery) => delivery.kind)).toEqual(['error_alert']);
    expect(await run(failed())).toEqual([]);
    // The drift alert stays open through the error: the same drift afterwards is not re-alerted.
    expect((await run(drifted())).map((delivery) => delivery.kind)).toEqual(['recovered']);
    const messages = server.messages();
    expect(messages.map((message) => String(message.text))).toEqual([
      'Clerk settings drift in production: 1 weakening',
      'clerkguard could not check production',
      'clerkguard can check production again',
    ]);
    expect(JSON.stringify(messages[1]?.blocks)).toContain('not* a drift alert');
    expect(messages[2]?.thread_ts).toBe('1764126000.000002');
  });

  test('Slack answering 500 fails the delivery and does not advance the state', async () => {
    server.mode = 'error500';
    await expect(run(drifted())).rejects.toThrow(/Slack chat.postMessage failed/);
    expect(existsSync(path.join(dir, 'state.json'))).toBe(false);
    server.mode = 'ok';
    expect((await run(drifted())).map((delivery) => delivery.kind)).toEqual(['drift_alert']);
  });

  test('a Slack that never answers times out instead of hanging, and the error names no token', async () => {
    server.mode = 'hang';
    const error = await run(drifted(), { timeoutMs: 300 }).then(() => undefined, (caught: unknown) => caught as Error);
    expect(error?.message).toMatch(/Slack chat.postMessage failed/);
    expect(error?.message).not.toContain(TOKEN);
    expect(server.requests.length).toBe(2);
  });

  test('a report too large for one message becomes a summary plus the full markdown uploaded with filesUploadV2', async () => {
    const big = diffBaseline(loaded, liveLike(loaded, (settings) => {
      for (let i = 0; i < 120; i++) settings.instance!.allowed_origins!.push(`https://preview-${String(i).padStart(3, '0')}.example.dev`);
    }), { today: '2026-11-26' });
    const message = driftAlert(big);
    expect(message.attach_full_report).toBe(true);
    expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.maxBlocks);
    expect(JSON.stringify(message.blocks).length).toBeLessThanOrEqual(SLACK_LIMITS.maxBlocksJson);
    for (const block of message.blocks) {
      const text = (block as { text?: { text?: string } }).text?.text ?? '';
      expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.maxSectionText);
    }

    const deliveries = await run(big);
    expect(deliveries).toEqual([{ environment: 'production', kind: 'drift_alert', ts: '1764126000.000001', uploaded_report: true }]);
    expect(server.requests.map((request) => request.api)).toEqual(['chat.postMessage', 'files.getUploadURLExternal', 'upload', 'files.completeUploadExternal']);
    const upload = server.requests[2]!;
    expect(upload.raw).toContain('# clerkguard drift report');
    expect(upload.raw).toContain('https://preview-119.example.dev');
    const complete = server.requests[3]!.body;
    expect(complete.channel_id).toBe('C0CLERKGUARD');
    expect(complete.thread_ts).toBe('1764126000.000001');
  });

  test('a state file that cannot be saved is a clear error that says the message may be posted again', async () => {
    const stateDir = path.join(dir, 'state');
    const poster = {
      postMessage: async () => {
        // The folder disappears behind our back (a full or read-only disk looks the same to us).
        rmSync(stateDir, { recursive: true, force: true });
        writeFileSync(stateDir, 'not a folder');
        return { ts: '1.1', channel: 'C1' };
      },
      uploadFile: async () => undefined,
    };
    const error = await deliverAlerts(report(drifted()), { poster, stateFile: path.join(stateDir, 'state.json'), now: new Date('2026-11-26T03:00:00Z'), markdownFor: () => '' }).then(
      () => undefined,
      (caught: unknown) => caught as ClerkguardError,
    );
    expect(error).toBeInstanceOf(ClerkguardError);
    expect(error?.message).toMatch(/cannot save the alert state \((EEXIST|ENOTDIR)\)/);
    expect(error?.hint).toContain('may post it again');
  });

  test('an alerted setting this run could not read is "could not verify", once; the alert stays open until it is read clean', async () => {
    const unread = () => {
      const coverage = { ...liveLike(loaded).coverage, 'session.inactivity_timeout_minutes': 'unverified' as const };
      return diffBaseline(loaded, liveLike(loaded, (settings) => { delete settings.session!.inactivity_timeout_minutes; }, coverage), { today: '2026-11-26' });
    };
    expect((await run(drifted())).map((delivery) => delivery.kind)).toEqual(['drift_alert']);
    expect((await run(unread())).map((delivery) => delivery.kind)).toEqual(['could_not_verify']);
    expect(await run(unread())).toEqual([]);
    expect(readAlertStates(path.join(dir, 'state.json')).environments.production?.status).toBe('drift');
    const notice = server.messages()[1]!;
    expect(notice.thread_ts).toBe('1764126000.000001');
    expect(String(notice.text)).toBe('clerkguard could not verify 1 alerted setting in production; the drift alert stays open');
    expect(JSON.stringify(notice.blocks)).toContain('settings.session.inactivity_timeout_minutes');
    expect(JSON.stringify(server.messages())).not.toMatch(/resolved/i);
    // Read again and back in line: now it is resolved.
    expect((await run(clean())).map((delivery) => delivery.kind)).toEqual(['resolved']);
  });

  test('a drift update never implies an alerted setting that could not be read was fixed', async () => {
    const both = () => diffBaseline(loaded, liveLike(loaded, (settings) => { settings.session!.inactivity_timeout_minutes = 10080; settings.sign_in!.second_factor!.required = false; }), { today: '2026-11-26' });
    const mfaOnlySessionUnread = () => {
      const coverage = { ...liveLike(loaded).coverage, 'session.inactivity_timeout_minutes': 'unverified' as const };
      return diffBaseline(loaded, liveLike(loaded, (settings) => { settings.sign_in!.second_factor!.required = false; }, coverage), { today: '2026-11-26' });
    };
    await run(both());
    expect((await run(mfaOnlySessionUnread())).map((delivery) => delivery.kind)).toEqual(['drift_update']);
    const update = JSON.stringify(server.messages()[1]!.blocks);
    expect(update).toContain('Could not verify');
    expect(update).toContain('settings.session.inactivity_timeout_minutes');
  });

  test('the state file is stable JSON without secrets', async () => {
    await run(drifted());
    // One file per environment beside --state (state.json → state/production.json).
    const text = readFileSync(path.join(dir, 'state', 'production.json'), 'utf8');
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).not.toContain('xoxb');
    expect(JSON.parse(text)).toEqual({
      environments: { production: { alert: { channel: 'C0CLERKGUARD', fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{16}$/), paths: expect.any(Array), since: '2026-11-26T03:00:00.000Z', ts: '1764126000.000001' }, last_run_at: '2026-11-26T03:00:00.000Z', status: 'drift' } },
      schema_version: 1,
    });
  });

  test('an open alert in the single state file of an earlier version is carried over: no second alert, and the entry moves to the environment\'s own file', async () => {
    // Written as earlier versions did: one file for every environment.
    const legacy = path.join(dir, 'state.json');
    await run(drifted());
    const opened = readFileSync(path.join(dir, 'state', 'production.json'), 'utf8');
    rmSync(path.join(dir, 'state'), { recursive: true });
    const staging = JSON.parse(opened.replace(/production/g, 'staging')) as { environments: Record<string, unknown> };
    const both = JSON.parse(opened) as { schema_version: number; environments: Record<string, unknown> };
    both.environments.staging = staging.environments.staging;
    writeFileSync(legacy, JSON.stringify(both));

    expect(await run(drifted())).toEqual([]); // the same drift: nothing new
    expect(server.messages()).toHaveLength(1);
    expect(readAlertStates(legacy).environments.production?.status).toBe('drift');
    expect(existsSync(path.join(dir, 'state', 'production.json'))).toBe(true);
    // Only the moved entry left the old file; staging's stays until staging runs.
    expect(Object.keys(readState(legacy).environments)).toEqual(['staging']);
    // Fixed: resolved in the thread the old file named.
    expect((await run(clean())).map((delivery) => delivery.kind)).toEqual(['resolved']);
    expect(server.messages()[1]!.thread_ts).toBe('1764126000.000001');
  });

  test('environments keep separate files and locks: runs over different environments never wait for each other', async () => {
    const held = await acquireLock(path.join(dir, 'state', 'staging.json.lock'), { what: 'staging' });
    try {
      // staging's lock is held by another run; production delivers at once.
      expect((await run(drifted())).map((delivery) => delivery.kind)).toEqual(['drift_alert']);
    } finally {
      held.release();
    }
    expect(readdirSync(path.join(dir, 'state')).sort()).toEqual(['production.json']);
  });
});
