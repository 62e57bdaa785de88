/**
 * The fault matrix: every Clerk endpoint clerkguard reads (and Slack) × every way an answer can
 * go wrong, run in-process through the real drift job (export → diff → report files → Slack
 * lifecycle) against the emulator and a recording Slack server. Each row asserts the exit
 * code, the environment's report status, the alert state file, the Slack messages and the
 * files written. Nothing here spawns the CLI: the CLI is not the point, the boundary is.
 *
 * A `body` row answers with the endpoint's real answer after `mutate` (so each row differs
 * from Clerk's wire shape in exactly one way); `raw` rows answer fixed text.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LoadedBaseline } from '../../src/baseline/load';
import { liveExporter } from '../../src/drift/exporter';
import { runDriftJob, type DriftJobResult } from '../../src/drift/job';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index';
import type { FaultSpec } from '../../src/emulator/faults';
import { createSlackPoster } from '../../src/notify/slack-client';
import { readAlertStates } from '../../src/notify/state';
import type { Settings } from '../../src/settings/model';
import { productionBaseline } from '../drift/fixtures';
import { startSlackServer, type SlackServer } from '../notify/slack-server';

const TODAY = '2026-11-26';
const NOW = new Date('2026-11-26T03:00:00Z');
const PLATFORM = '/v1/platform/applications/*';

/** Retries and waits cut to the bone: each row's failure must show on the first answer. */
const FAST_POLICY = { CLERKGUARD_HTTP_RETRIES: '0', CLERKGUARD_HTTP_BACKOFF_MS: '1', CLERKGUARD_RETRY_AFTER_SCALE: '0' };
/**
 * A request's timeout and the run's deadline. Tight in the rows that make an endpoint hang (the
 * timeout is what they test, and it fires in every one of them); wide in the others, where an
 * answer slowed down by a loaded machine must not turn into a timeout (there a timeout only
 * costs time when it fires, which it should not).
 */
const HANG_TIMEOUTS = { CLERKGUARD_HTTP_TIMEOUT_MS: '300', CLERKGUARD_RUN_DEADLINE_MS: '3000' };
const ANSWER_TIMEOUTS = { CLERKGUARD_HTTP_TIMEOUT_MS: '10000', CLERKGUARD_RUN_DEADLINE_MS: '60000' };

type Mutation = (answer: Record<string, unknown>) => void;

interface Row {
  name: string;
  /** Emulator path the fault applies to (prefix ending in * allowed). */
  path: string;
  /** Change the endpoint's real answer (body fault) … */
  mutate?: Mutation;
  /** … or answer with this raw text / this fault. */
  raw?: string;
  fault?: Omit<FaultSpec, 'path'>;
  /** A dashboard-style change on the instance before the run. */
  live?: Settings;
  /** Run once with this live change first, so an alert is open when the row runs. */
  openAlertWith?: Settings;
  strict?: boolean;
  slackMode?: SlackServer['mode'];
  expected: {
    exit: 0 | 1 | 2;
    status: 'clean' | 'drift' | 'error';
    /** Text the error (or a warning) must contain. */
    mentions?: (string | RegExp)[];
    /** Paths listed as unverified. */
    unverified?: string[];
    /** Slack deliveries of the row's run, in order. */
    slack: string[];
    /** Alert state after the row: the environment's status (absent: nothing recorded) and whether an error alert is open. */
    state: { status: 'clean' | 'drift' | 'absent'; error?: boolean };
  };
}

const deleteAt = (path: string): Mutation => (answer) => {
  const segments = path.split('.');
  let node: Record<string, unknown> = answer;
  for (const segment of segments.slice(0, -1)) node = node[segment] as Record<string, unknown>;
  delete node[segments[segments.length - 1]!];
};
const setAt = (path: string, value: unknown): Mutation => (answer) => {
  const segments = path.split('.');
  let node: Record<string, unknown> = answer;
  for (const segment of segments.slice(0, -1)) node = node[segment] as Record<string, unknown>;
  node[segments[segments.length - 1]!] = value;
};
const firstItem = (mutation: Mutation): Mutation => (answer) => {
  const items = (Array.isArray(answer) ? answer : (answer.data as unknown[])) as Record<string, unknown>[];
  mutation(items[0]!);
};

const ERROR = (mentions: (string | RegExp)[]) => ({ exit: 1 as const, status: 'error' as const, mentions, slack: ['error_alert'], state: { status: 'clean' as const, error: true } });
const CLEAN = { exit: 0 as const, status: 'clean' as const, slack: [], state: { status: 'clean' as const } };

/** Status classes (already handled before this suite) × endpoints: all errors, never "no drift". */
const STATUS_ENDPOINTS = ['/v1/instance', '/v1/instance/protect', '/v1/instance/communication', '/v1/jwt_templates', '/v1/environment', PLATFORM, '/v1/domains', '/v1/role_sets', '/v1/instance/oauth_application_settings'];
const STATUS_ROWS: Row[] = STATUS_ENDPOINTS.flatMap((endpoint): Row[] => [
  { name: `${endpoint} answers 401`, path: endpoint, fault: { kind: 'status', status: 401 }, expected: ERROR([/401|rejected|refused/]) },
  { name: `${endpoint} answers 503`, path: endpoint, fault: { kind: 'status', status: 503 }, expected: ERROR(['503']) },
  { name: `${endpoint} answers 429 forever`, path: endpoint, fault: { kind: 'status', status: 429, retry_after: 0 }, expected: ERROR(['429']) },
  { name: `${endpoint} hangs`, path: endpoint, fault: { kind: 'latency', ms: 1_000 }, expected: ERROR([/within 300 ms|deadline/]) },
  { name: `${endpoint} drops the connection`, path: endpoint, fault: { kind: 'drop' }, expected: ERROR([/connection|closed|socket/]) },
  { name: `${endpoint} answers invalid JSON`, path: endpoint, fault: { kind: 'malformed' }, expected: ERROR(['invalid JSON']) },
]);

/** Answers that parse but lack what they should hold, or hold more than any run should read. */
const SHAPE_ROWS: Row[] = [
  // BAPI instance
  { name: 'instance without allowed_origins (a live "*" origin must not turn into "strengthening")', path: '/v1/instance', mutate: deleteAt('allowed_origins'), live: { instance: { allowed_origins: ['*'] } }, expected: ERROR(['GET /v1/instance', 'allowed_origins is missing']) },
  { name: 'instance with allowed_origins as a string', path: '/v1/instance', mutate: setAt('allowed_origins', '*'), expected: ERROR(['allowed_origins is a string "*", expected a list of strings']) },
  { name: 'instance without id', path: '/v1/instance', mutate: deleteAt('id'), expected: ERROR(['id is missing']) },
  // protect / communication
  { name: 'protect without specter_enabled', path: '/v1/instance/protect', mutate: deleteAt('specter_enabled'), expected: ERROR(['GET /v1/instance/protect', 'specter_enabled is missing']) },
  { name: 'protect with rules_enabled as "true"', path: '/v1/instance/protect', mutate: setAt('rules_enabled', 'true'), expected: ERROR(['rules_enabled is a string "true", expected a boolean']) },
  { name: 'communication with codes as an object', path: '/v1/instance/communication', mutate: setAt('blocked_country_codes', { KP: true }), expected: ERROR(['blocked_country_codes is an object']) },
  // organizations
  { name: 'organization settings without domains_enrollment_modes', path: '/v1/instance/organization_settings', mutate: deleteAt('domains_enrollment_modes'), expected: ERROR(['GET /v1/instance/organization_settings', 'domains_enrollment_modes is missing']) },
  { name: 'organization settings without slug_disabled (optional, not managed here)', path: '/v1/instance/organization_settings', mutate: deleteAt('slug_disabled'), expected: CLEAN },
  { name: 'organization settings answer 402 (not on the plan): unverified, not an error', path: '/v1/instance/organization_settings', fault: { kind: 'status', status: 402 }, expected: { exit: 0, status: 'clean', unverified: ['settings.organizations.settings', 'settings.organizations.roles'], slack: [], state: { status: 'clean' } } },
  { name: 'a role without permissions', path: '/v1/organization_roles', mutate: firstItem(deleteAt('permissions')), expected: ERROR(['GET /v1/organization_roles', 'item 0: permissions is missing']) },
  { name: 'a permission whose key is a number', path: '/v1/organization_permissions', mutate: firstItem(setAt('key', 7)), expected: ERROR(['item 0: key is the number 7, expected a string']) },
  { name: 'roles without total_count', path: '/v1/organization_roles', mutate: deleteAt('total_count'), expected: ERROR(['total_count is missing']) },
  // JWT templates
  { name: 'a JWT template without lifetime', path: '/v1/jwt_templates', mutate: firstItem(deleteAt('lifetime')), expected: ERROR(['GET /v1/jwt_templates', 'item 0: lifetime is missing']) },
  { name: 'a JWT template whose claims are a list', path: '/v1/jwt_templates', mutate: firstItem(setAt('claims', [])), expected: ERROR(['item 0: claims is a list, expected an object']) },
  // FAPI
  { name: 'FAPI {} (no display_config to prove the instance)', path: '/v1/environment', raw: '{}', expected: ERROR(['GET /v1/environment', 'display_config is missing']) },
  { name: 'FAPI user_settings {} while MFA is off live', path: '/v1/environment', mutate: setAt('user_settings', {}), live: { sign_in: { second_factor: { required: false } } }, expected: ERROR(['user_settings.sign_in is missing']) },
  { name: 'FAPI lockout max_attempts as a string', path: '/v1/environment', mutate: setAt('user_settings.attack_protection.user_lockout.max_attempts', '5'), expected: ERROR(['max_attempts is a string "5", expected an integer']) },
  {
    name: 'FAPI without second_factor.required: unverified with a warning, never "removed"',
    path: '/v1/environment',
    mutate: setAt('user_settings.sign_in.second_factor', {}),
    live: { sign_in: { second_factor: { required: false } } },
    expected: { exit: 0, status: 'clean', mentions: ['GET /v1/environment answered without user_settings.sign_in.second_factor.required'], unverified: ['settings.sign_in.second_factor.required'], slack: [], state: { status: 'clean' } },
  },
  {
    name: 'FAPI sign_up.mode of a value clerkguard does not know: unverified',
    path: '/v1/environment',
    mutate: setAt('user_settings.sign_up.mode', 'invite_only'),
    expected: { exit: 0, status: 'clean', mentions: ['user_settings.sign_up.mode = "invite_only"'], unverified: ['settings.sign_up.mode'], slack: [], state: { status: 'clean' } },
  },
  {
    name: 'FAPI without user_settings: every FAPI setting unverified (exit 0; --strict would exit 2)',
    path: '/v1/environment',
    mutate: deleteAt('user_settings'),
    expected: { exit: 0, status: 'clean', mentions: ['answered without user_settings'], unverified: ['settings.sign_in', 'settings.attack_protection.user_lockout'], slack: [], state: { status: 'clean' } },
  },
  // Platform
  { name: 'Platform session lifetime as a string', path: PLATFORM, mutate: setAt('session.lifetime', '120'), expected: ERROR(['session.lifetime is a string "120", expected an integer or null']) },
  { name: 'Platform session as a list', path: PLATFORM, mutate: setAt('session', []), expected: ERROR(['session is a list, expected an object']) },
  {
    name: 'Platform session {} while the lifetime is weakened: "could not verify", the alert stays open',
    path: PLATFORM,
    mutate: setAt('session', {}),
    openAlertWith: { session: { maximum_lifetime_minutes: 43200 } },
    live: { session: { maximum_lifetime_minutes: 43200 } },
    expected: { exit: 0, status: 'clean', mentions: ['answered without session.lifetime'], unverified: ['settings.session.maximum_lifetime_minutes'], slack: ['could_not_verify'], state: { status: 'drift' } },
  },
  {
    name: 'Platform config without session: unverified, Slack stays quiet when no alert is open',
    path: PLATFORM,
    mutate: deleteAt('session'),
    expected: { exit: 0, status: 'clean', mentions: ['answered without session'], unverified: ['settings.session.maximum_lifetime_minutes'], slack: [], state: { status: 'clean' } },
  },
  { name: 'a fixed drift with every alerted setting read again is "resolved"', path: '/v1/instance/protect', fault: { kind: 'latency', ms: 0 }, openAlertWith: { session: { maximum_lifetime_minutes: 43200 } }, expected: { exit: 0, status: 'clean', slack: ['resolved'], state: { status: 'clean' } } },
  // Limits
  { name: 'a claim nested 5,000 deep', path: '/v1/jwt_templates', raw: `[{"object":"jwt_template","id":"jtmp_1","name":"supabase","claims":{"deep":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}},"lifetime":60,"allowed_clock_skew":5,"custom_signing_key":false,"signing_algorithm":"RS256"}]`, expected: ERROR(['JSON nested deeper than 64 levels at [0].claims.deep']) },
  { name: 'a duplicate key in an answer', path: '/v1/instance/protect', raw: '{"object":"instance_protect","rules_enabled":true,"rules_enabled":false,"specter_enabled":false,"checks_bypassed":false}', expected: ERROR(['the key "rules_enabled" appears twice']) },
  { name: 'an answer over the body cap', path: '/v1/instance/communication', raw: JSON.stringify({ object: 'instance_communication', blocked_country_codes: [], padding: 'x'.repeat(70_000) }), expected: ERROR(['too large', 'more than the limit of 65536 bytes']) },
  { name: 'a page repeated (a server ignoring offset)', path: '/v1/organization_permissions', raw: '{"data":[{"object":"permission","id":"perm_same","key":"org:a:b","name":"A","description":""}],"total_count":3}', expected: ERROR(['came back twice']) },
  { name: 'total_count beyond the item cap', path: '/v1/organization_roles', raw: '{"data":[{"object":"role","id":"role_{{n}}","key":"org:r{{n}}","name":"R","description":null,"permissions":[]}],"total_count":1000000}', expected: ERROR(['total_count 1000000 is more than the limit of 100000 items']) },
  { name: 'pages that never reach total_count', path: '/v1/organization_roles', raw: '{"data":[{"object":"role","id":"role_{{n}}","key":"org:r{{n}}","name":"R","description":null,"permissions":[]}],"total_count":5000}', expected: ERROR(['need more than 1000 pages']) },
  // Slack answers
  { name: 'Slack answers without ts: the delivery failed, the state does not advance', path: '/v1/instance', fault: { kind: 'latency', ms: 0 }, live: { session: { maximum_lifetime_minutes: 43200 } }, slackMode: 'no-ts', expected: { exit: 1, status: 'drift', mentions: ['chat.postMessage answered without ts'], slack: [], state: { status: 'absent' } } },
  { name: 'Slack answers a ts that is not a timestamp', path: '/v1/instance', fault: { kind: 'latency', ms: 0 }, live: { session: { maximum_lifetime_minutes: 43200 } }, slackMode: 'bad-ts', expected: { exit: 1, status: 'drift', mentions: ['not a Slack timestamp'], slack: [], state: { status: 'absent' } } },
];

let slack: SlackServer;
let workDir: string;
let loaded: LoadedBaseline;
beforeAll(async () => {
  slack = await startSlackServer();
  workDir = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-fault-matrix-'));
  loaded = productionBaseline();
});
afterAll(async () => {
  await slack.close();
  rmSync(workDir, { recursive: true, force: true });
});

/** The endpoint's current real answer, fetched like clerkguard would. */
async function realAnswer(emulator: RunningEmulator, route: string): Promise<Record<string, unknown>> {
  const platform = `/v1/platform/applications/${emulator.application_id}/instances/production/config`;
  const fapi = route === '/v1/environment';
  const url = fapi ? `${emulator.frontend_api_url}${route}` : `${emulator.bapi_url}${route === PLATFORM ? platform : route}${route === '/v1/jwt_templates' || route.startsWith('/v1/organization_') ? '?limit=500' : ''}`;
  const key = route === PLATFORM ? emulator.platform_api_key : emulator.secret_key;
  const response = await fetch(url, fapi ? {} : { headers: { Authorization: `Bearer ${key}`, 'Clerk-API-Version': '2026-05-12' } });
  return (await response.json()) as Record<string, unknown>;
}

/** Whether the row makes an endpoint answer late (latency 0 only marks the path of a row's other fault). */
function hangs(row: Row): boolean {
  return row.fault?.kind === 'latency' && (row.fault.ms ?? 0) > 0;
}

async function runJob(emulator: RunningEmulator, dir: string, row: Row, strict: boolean, warnings: string[]): Promise<DriftJobResult> {
  const env = { ...emulator.env(), ...FAST_POLICY, ...(hangs(row) ? HANG_TIMEOUTS : ANSWER_TIMEOUTS), CLERKGUARD_HTTP_MAX_BODY_BYTES: '65536' };
  return runDriftJob({
    baselines: [loaded],
    exporter: liveExporter(env, () => NOW, undefined, (message) => warnings.push(message)),
    strict,
    today: TODAY,
    now: NOW,
    outDir: path.join(dir, 'out'),
    slack: { poster: createSlackPoster({ token: 'xoxb-fault-matrix', channel: 'C0CLERKGUARD', apiUrl: slack.apiUrl, timeoutMs: 2_000, retries: 0 }), stateFile: path.join(dir, 'state.json'), lockWaitMs: 2_000 },
  });
}

describe('fault matrix: every answer passes its schema before anything reads it', () => {
  test.each([...STATUS_ROWS, ...SHAPE_ROWS].map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    const emulator = await startEmulator({ seed: loaded, rateLimit: false });
    const dir = mkdtempSync(path.join(workDir, 'row-'));
    slack.mode = 'ok';
    const before = slack.requests.length;
    try {
      if (row.openAlertWith) {
        emulator.applySettings(row.openAlertWith);
        const opened = await runJob(emulator, dir, row, false, []);
        expect(opened.deliveries.map((delivery) => delivery.kind)).toEqual(['drift_alert']);
        emulator.applySettings({ session: { maximum_lifetime_minutes: 10080 } });
      }
      if (row.live) emulator.applySettings(row.live);
      if (row.mutate) {
        const answer = await realAnswer(emulator, row.path);
        row.mutate(answer);
        emulator.faults.add({ kind: 'body', path: row.path, body: answer });
      } else if (row.raw !== undefined) {
        emulator.faults.add({ kind: 'body', path: row.path, text: row.raw });
      } else if (row.fault) {
        emulator.faults.add({ ...row.fault, path: row.path } as FaultSpec);
      }
      slack.mode = row.slackMode ?? 'ok';
      const posted = slack.requests.length;
      const warnings: string[] = [];
      const result = await runJob(emulator, dir, row, row.strict ?? false, warnings);
      const environment = result.report.environments[0]!;

      expect(result.exitCode).toBe(row.expected.exit);
      expect(environment.status).toBe(row.expected.status);
      const said = [...environment.errors.map((error) => `${error.endpoint ?? ''} ${error.message}`), ...warnings, result.slackError?.message ?? ''].join('\n');
      for (const mention of row.expected.mentions ?? []) expect(said).toMatch(typeof mention === 'string' ? new RegExp(mention.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : mention);
      if (row.expected.status === 'error') expect(environment.changes).toEqual([]);
      // Expected unverified paths: the path itself or settings under it are listed.
      const unverifiedPaths = (environment.unverified ?? []).map((item) => item.path);
      for (const entry of row.expected.unverified ?? []) expect(unverifiedPaths.filter((listed) => listed === entry || listed.startsWith(`${entry}.`)), `${entry} in ${unverifiedPaths.join(', ')}`).not.toEqual([]);
      // Unverified settings never show up as changes, neither themselves nor a parent or child.
      const related = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || a.startsWith(`${b}[`) || b.startsWith(`${a}.`);
      for (const entry of environment.unverified ?? []) expect(environment.changes.filter((change) => related(change.path, entry.path))).toEqual([]);

      expect(result.deliveries.map((delivery) => delivery.kind)).toEqual(row.expected.slack);
      const failedPost = row.slackMode !== undefined && row.slackMode !== 'ok' ? 1 : 0;
      expect(slack.requests.slice(posted).filter((request) => request.api === 'chat.postMessage')).toHaveLength(row.expected.slack.length + failedPost);
      const stateFile = path.join(dir, 'state.json');
      const production = readAlertStates(stateFile).environments.production;
      expect(production?.status ?? 'absent').toBe(row.expected.state.status);
      expect(Boolean(production?.error)).toBe(row.expected.state.error ?? false);
      expect(Boolean(production?.alert)).toBe(row.expected.state.status === 'drift');

      // The report is on disk whatever happened: errors are reported, never silent.
      const report = JSON.parse(readFileSync(path.join(dir, 'out', 'report.json'), 'utf8')) as { environments: { status: string }[] };
      expect(report.environments[0]!.status).toBe(row.expected.status);
      expect(result.files.map((file) => file.split('/').pop()).sort()).toEqual(['report.json', 'report.md', 'report.sarif', 'report.txt']);
    } finally {
      await emulator.close();
      expect(slack.requests.length).toBeGreaterThanOrEqual(before);
    }
  });
});
