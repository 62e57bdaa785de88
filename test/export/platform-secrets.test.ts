/**
 * Audit finding 3: a secret inside a Platform config key the baseline manages (the CAPTCHA
 * provider's secret key beside its widget type) must never reach an export, a drift report in
 * any format, Slack or a committed snapshot. The compiled CLI runs against the emulator, which
 * serves the audit's answer (a plaintext Turnstile secret, as a Platform API that does not redact
 * would); the unit table below covers what counts as a secret.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBaseline } from '../../src/baseline/load';
import { fingerprint } from '../../src/clerk/settings-io';
import { declaredPart, redactPlatformValue, type SensitiveEntry } from '../../src/clerk/platform-secrets';
import { platformSchema } from '../../src/clerk/platform-schema';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import { exportLive } from '../../src/export/export';
import { BIN, PINNED_TODAY, REPO_ROOT, type CliResult } from '../helpers/cli';
import { startSlackServer, type SlackServer } from '../notify/slack-server';
import { tempRepo, type TempRepo } from '../snapshot/git-fixture';

const SECRET = '0x4AAAAAAATurnstileSecretValue42';
const BASELINE = JSON.parse(readFileSync(path.join(REPO_ROOT, 'baselines', 'production.json'), 'utf8')) as { settings: Record<string, unknown> };
BASELINE.settings.platform_config = { captcha: { provider: 'turnstile', widget_type: 'smart' } };
const BASELINE_TEXT = `${JSON.stringify(BASELINE, null, 2)}\n`;
const loaded = parseBaseline(BASELINE_TEXT, 'baselines/production.json');

let emulator: RunningEmulator;
let slack: SlackServer;
let repo: TempRepo;

function run(args: string[], extra: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: repo.dir,
      env: { PATH: process.env.PATH, HOME: repo.dir, NO_COLOR: '1', CLERKGUARD_TODAY: PINNED_TODAY, CLERKGUARD_HTTP_RETRIES: '0', ...repo.env, ...emulator.env(), ...extra },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.parentPath.includes(`${path.sep}.git`))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

beforeAll(async () => {
  emulator = await startEmulator({ seed: loaded, rateLimit: false });
  slack = await startSlackServer();
  repo = tempRepo();
  repo.write('baselines/production.json', BASELINE_TEXT);
  repo.git('add', 'baselines');
  repo.git('commit', '-q', '-m', 'baseline');
  // The audit's answer: what a Platform API that serves the secret in plaintext would send.
  emulator.faults.add({
    kind: 'body',
    method: 'GET',
    path: `/v1/platform/applications/${emulator.application_id}/instances/${emulator.state.instance_id}/config`,
    body: { config_version: '9', session: { lifetime: 604800 }, captcha: { provider: 'turnstile', widget_type: 'invisible', secret_key: SECRET } },
  });
  // Something weakening as well, so Slack has an alert to post.
  emulator.applySettings({ instance: { test_mode: true } });
}, 120_000);

afterAll(async () => {
  await emulator?.close();
  await slack?.close();
});

describe('a plaintext secret in a managed Platform config key', () => {
  it('is exported only as presence + fingerprint; the declared field still shows its drift', async () => {
    const live = await exportLive(loaded, { env: emulator.env() });
    expect(live.settings.platform_config).toEqual({ captcha: { provider: 'turnstile', widget_type: 'invisible' } });
    expect(live.sensitive?.['platform.captcha.secret_key']).toEqual({ present: true, fingerprint: fingerprint(SECRET) });
    expect(JSON.stringify(live)).not.toContain(SECRET);
  });

  it('never reaches export --out, drift --out (json, md, sarif, txt), stdout, stderr or Slack', async () => {
    const exported = await run(['export', '--out', 'live.json']);
    expect(exported.status).toBe(0);
    const drift = await run(['drift', '--out', 'reports', '--strict', '--verbose', '--slack', '--state', 'state.json', '--format', 'markdown'], {
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_CHANNEL_ID: 'C0SECRETS',
      SLACK_API_URL: slack.apiUrl,
    });
    expect(drift.status).toBe(2);
    const reports = readdirSync(path.join(repo.dir, 'reports')).sort();
    expect(reports).toEqual(['report.json', 'report.md', 'report.sarif', 'report.txt']);
    // The change itself is reported: the widget type the baseline manages.
    expect(readFileSync(path.join(repo.dir, 'reports', 'report.json'), 'utf8')).toContain('settings.platform_config.captcha.widget_type');
    expect(slack.messages().length).toBeGreaterThan(0);
    const texts = [
      exported.stdout,
      exported.stderr,
      readFileSync(path.join(repo.dir, 'live.json'), 'utf8'),
      drift.stdout,
      drift.stderr,
      ...reports.map((file) => readFileSync(path.join(repo.dir, 'reports', file), 'utf8')),
      ...slack.requests.map((request) => request.raw),
    ];
    for (const text of texts) expect(text).not.toContain(SECRET);
  });

  it('never reaches a committed snapshot (git grep)', async () => {
    const snapshot = await run(['snapshot', '--commit']);
    expect([snapshot.status, snapshot.stderr]).toEqual([2, '']);
    expect(repo.log().length).toBe(2);
    const grep = (): string => {
      try {
        return execFileSync('git', ['grep', '-n', '-F', SECRET, 'HEAD'], { cwd: repo.dir, env: { PATH: process.env.PATH, HOME: repo.dir, ...repo.env }, encoding: 'utf8' });
      } catch (error) {
        if ((error as { status?: number }).status === 1) return '';
        throw error;
      }
    };
    expect(grep()).toBe('');
    // The snapshot does say that the secret exists, and its fingerprint.
    const committed = repo.git('show', 'HEAD:snapshots/production/2026-Q4.json');
    expect(committed).toContain(fingerprint(SECRET));
    for (const file of filesUnder(repo.dir)) expect(readFileSync(file, 'utf8')).not.toContain(SECRET);
    expect(snapshot.stdout + snapshot.stderr).not.toContain(SECRET);
  });
});

describe('what counts as a secret in the Platform config', () => {
  const schema = platformSchema({
    type: 'object',
    properties: {
      oauth: {
        type: 'object',
        properties: {
          client_id: { type: 'string' },
          client_secret: { type: 'string' },
          pin: { type: 'integer', writeOnly: true },
          signing: { type: 'string', format: 'password' },
        },
      },
    },
  });
  const fp = (value: string) => `fp(${value})`;

  it.each([
    ['writeOnly in the schema, whatever its type', { oauth: { pin: 1234 } }, { oauth: { pin: { redacted: true, fingerprint: 'fp(1234)' } } }, ['platform.oauth.pin']],
    ['format password in the schema', { oauth: { signing: 'abc' } }, { oauth: { signing: { redacted: true, fingerprint: 'fp(abc)' } } }, ['platform.oauth.signing']],
    ['named like a secret', { oauth: { client_secret: 'plain', client_id: 'id_1' } }, { oauth: { client_secret: { redacted: true, fingerprint: 'fp(plain)' }, client_id: 'id_1' } }, ['platform.oauth.client_secret']],
    ['strings under a secret-named object', { credentials: { user: 'u', port: 25, enabled: true } }, { credentials: { user: { redacted: true, fingerprint: 'fp(u)' }, port: 25, enabled: true } }, ['platform.credentials.user']],
    ['a list of tokens', { webhook: { tokens: ['a', 'b'] } }, { webhook: { tokens: [{ redacted: true, fingerprint: 'fp(a)' }, { redacted: true, fingerprint: 'fp(b)' }] } }, ['platform.webhook.tokens[0]', 'platform.webhook.tokens[1]']],
    ['shaped like a secret under an innocent name', { smtp: { value: 'sk_live_abcdefghijkl' } }, { smtp: { value: { redacted: true, fingerprint: 'fp(sk_live_abcdefghijkl)' } } }, ['platform.smtp.value']],
    ['already redacted by Clerk', { captcha: { secret_key: { redacted: true, fingerprint: 'sha256:0123456789abcdef' } } }, { captcha: { secret_key: { redacted: true, fingerprint: 'sha256:0123456789abcdef' } } }, ['platform.captcha.secret_key']],
    ['not secrets: booleans, numbers, public keys, ids', { captcha: { site_key: '0x4AAAAAAADnPIDROrmt1Wwj', token_lifetime: 60, password_required: true, client_id: 'x' } }, { captcha: { site_key: '0x4AAAAAAADnPIDROrmt1Wwj', token_lifetime: 60, password_required: true, client_id: 'x' } }, []],
  ] as const)('%s', (_name, config, expected, paths) => {
    const sensitive: Record<string, SensitiveEntry> = {};
    const key = Object.keys(config)[0]!;
    const out = redactPlatformValue((config as Record<string, unknown>)[key], [key], { schema, fingerprint: fp, sensitive });
    expect(JSON.parse(JSON.stringify({ [key]: out }))).toEqual(expected);
    expect(Object.keys(sensitive)).toEqual(paths);
  });

  it('exports only the fields the baseline declares, at every depth', () => {
    const live = { provider: 'turnstile', widget_type: 'smart', secret_key: { redacted: true }, nested: { a: 1, b: 2 } };
    expect(JSON.parse(JSON.stringify(declaredPart(live, { widget_type: 'x', nested: { b: 0 }, missing: 1 })))).toEqual({ widget_type: 'smart', nested: { b: 2 } });
  });

  it('refuses a baseline that declares a secret field, naming it', async () => {
    const secretBaseline = structuredClone(loaded);
    secretBaseline.baseline.settings.platform_config = { captcha: { secret_key: 'anything' } };
    await expect(exportLive(secretBaseline, { env: emulator.env() })).rejects.toThrow(
      "baselines/production.json: settings.platform_config.captcha.secret_key is a secret (writeOnly in the instance's config schema); a baseline never holds secrets",
    );
  });
});
