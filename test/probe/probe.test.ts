/**
 * `runProbe` against a real local application (plain node:http, vulnerable and fixed variants):
 * every verdict with its evidence, the network gate (only named origins, budget, timeout, TLS),
 * dry runs that send nothing, and no secret in any rendering.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationFindings } from '../../src/evidence/findings';
import { probeUserAgent, runProbe, type ProbeOptions, type ProbeResult } from '../../src/probe/index';
import { renderProbe } from '../../src/probe/report';
import { PROBE_EVENT_TYPE, signingKey, svixSignature } from '../../src/probe/webhooks';
import { ClerkguardError } from '../../src/util/errors';
import {
  LEAKED_SECRET_KEY,
  LIVE_PUBLISHABLE_KEY,
  OTHER_LIVE_PUBLISHABLE_KEY,
  SIGNING_SECRET,
  startApp,
  startForeignServer,
  startFrontendApi,
  startServer,
  type RunningServer,
} from './app-server';
import { WEBHOOK_PATH, writeProbeBaseline } from './fixtures';

const ENV = { CLERK_PUBLISHABLE_KEY: LIVE_PUBLISHABLE_KEY, CLERK_WEBHOOK_SIGNING_SECRET: SIGNING_SECRET };

let vulnerable: RunningServer;
let fixed: RunningServer;
let foreign: RunningServer;

beforeAll(async () => {
  foreign = await startForeignServer();
  vulnerable = await startApp({ variant: 'vulnerable', foreignScripts: [foreign.origin], redirectTo: `${foreign.origin}/landing` });
  fixed = await startApp({ variant: 'fixed', foreignScripts: [foreign.origin] });
});

afterAll(async () => {
  await Promise.all([vulnerable, fixed, foreign].map((server) => server?.close()));
});

function options(overrides: Partial<ProbeOptions> = {}): ProbeOptions {
  // The real clock: the fixed app's verifier (standardwebhooks) checks timestamps against it.
  return { env: ENV, now: new Date(), userAgent: probeUserAgent(), timeoutMs: 5_000, ...overrides };
}

/** [check, path of the URL, status] per observation, for table-style assertions. */
function verdicts(result: ProbeResult): [string, string, string][] {
  return result.evidence.observations.map((observation) => [observation.check, new URL(observation.location.url ?? '').pathname, observation.status]);
}

describe('probe: the vulnerable application', () => {
  let result: ProbeResult;
  beforeAll(async () => {
    const { loaded } = writeProbeBaseline({ origin: vulnerable.origin });
    vulnerable.requests.length = 0;
    result = await runProbe(loaded, options());
  });

  it('fails every planted issue, each with the URL and the excerpt that decided it', () => {
    expect(verdicts(result)).toEqual([
      ['webhook-forged-signature', WEBHOOK_PATH, 'fail'],
      ['webhook-stale-timestamp', WEBHOOK_PATH, 'fail'],
      ['webhook-replay', WEBHOOK_PATH, 'not_verifiable'],
      ['unauthenticated-access', '/dashboard', 'fail'],
      ['unauthenticated-access', '/api/projects', 'fail'],
      ['page-secret-key', '/static/app.js', 'fail'],
      ['page-test-key', '/static/app.js', 'fail'],
      ['cookie-samesite', '/', 'fail'],
      ['cookie-domain-scope', '/', 'fail'],
      ['cookie-samesite', '/', 'fail'],
    ]);
    const byCheck = (check: string) => result.evidence.observations.find((observation) => observation.check === check);
    expect(byCheck('webhook-forged-signature')).toMatchObject({ rule: 'webhook-signature-verification', confidence: 'high', snippet: 'HTTP 200 {"ok":true}' });
    expect(byCheck('unauthenticated-access')?.snippet).toContain('<h1>Dashboard</h1>');
    expect(byCheck('page-secret-key')).toMatchObject({ rule: 'keys-secret-server-only', snippet: expect.stringContaining('sk_live_[REDACTED]') });
    expect(byCheck('page-test-key')?.message).toContain('fitting-owl-12.clerk.accounts.dev');
    expect(byCheck('cookie-samesite')?.snippet).toBe('__session=[REDACTED]; Path=/; Domain=.shop-probe.dev; SameSite=None; Secure');
    expect(result.evidence.examined).toEqual(
      expect.arrayContaining(['keys-secret-server-only', 'keys-production-live', 'session-cookie-samesite', 'session-server-side-verification', 'webhook-signature-verification', 'webhook-idempotency']),
    );
  });

  it('sends only harmless, clearly marked webhook deliveries with a clerkguard User-Agent', () => {
    const posts = vulnerable.requests.filter((request) => request.method === 'POST');
    expect(posts).toHaveLength(4);
    for (const post of posts) {
      const body = JSON.parse(post.body) as { type: string; data: Record<string, unknown> };
      expect(body.type).toBe(PROBE_EVENT_TYPE);
      expect(Object.keys(body.data).sort()).toEqual(['clerkguard_probe', 'note', 'purpose']);
      expect(post.headers['svix-id']).toMatch(/^msg_clerkguard_probe_[0-9a-f]{18}$/);
      expect(post.headers['svix-signature']).toMatch(/^v1,[A-Za-z0-9+/]+={0,2}$/);
    }
    // The replay repeats the signed delivery byte for byte.
    expect(posts[3]?.headers['svix-id']).toBe(posts[1]?.headers['svix-id']);
    expect(posts[3]?.body).toBe(posts[1]?.body);
    for (const request of vulnerable.requests) {
      expect(request.headers['user-agent']).toMatch(/^clerkguard\/\d+\.\d+\.\d+ \(probe/);
      expect(request.headers.cookie).toBeUndefined();
      expect(request.headers.authorization).toBeUndefined();
    }
  });

  it('never contacts a host the baseline does not name (the foreign server logs nothing)', () => {
    expect(foreign.requests).toEqual([]);
    expect(result.requests.every((record) => new URL(record.url).origin === vulnerable.origin)).toBe(true);
  });

  it('renders without any secret: text, JSON, markdown and SARIF', () => {
    const findings = applicationFindings([result.evidence], { environment: 'production', file: 'baselines/production.json', today: '2026-11-26' });
    const key = signingKey(SIGNING_SECRET)?.toString('base64') ?? '';
    for (const format of ['text', 'json', 'markdown', 'sarif'] as const) {
      const output = renderProbe({ result, findings, format, failOn: 'high', verbose: true, color: false });
      expect(output).not.toContain(LEAKED_SECRET_KEY);
      expect(output).not.toContain(SIGNING_SECRET);
      expect(output).not.toContain(key);
      expect(output).not.toContain('eyJhbGciOiJSUzI1NiJ9.probe.sig');
    }
    const sarif = JSON.parse(renderProbe({ result, findings, format: 'sarif', failOn: 'high', verbose: false, color: false, texts: {} })) as { runs: { results: { properties: { url?: string; evidence?: string } }[] }[] };
    expect(sarif.runs[0]?.results.some((entry) => entry.properties.url?.endsWith(WEBHOOK_PATH) && entry.properties.evidence === 'probe')).toBe(true);
  });
});

describe('probe: the fixed application', () => {
  it('passes every check, and says what a replay of the same svix-id returned', async () => {
    const { loaded } = writeProbeBaseline({ origin: fixed.origin });
    const result = await runProbe(loaded, options());
    expect(verdicts(result)).toEqual([
      ['webhook-forged-signature', WEBHOOK_PATH, 'pass'],
      ['webhook-stale-timestamp', WEBHOOK_PATH, 'pass'],
      ['webhook-replay', WEBHOOK_PATH, 'not_verifiable'],
      ['unauthenticated-access', '/dashboard', 'pass'],
      ['unauthenticated-access', '/api/projects', 'pass'],
      ['page-secret-key', '/', 'pass'],
      ['page-publishable-key-host', '/static/app.js', 'pass'],
      ['cookie-samesite', '/', 'pass'],
      ['cookie-samesite', '/', 'pass'],
    ]);
    const replay = result.evidence.observations.find((observation) => observation.check === 'webhook-replay');
    expect(replay?.message).toContain('a replay of the same svix-id answered HTTP 200 (the first delivery HTTP 200)');
    expect(replay?.snippet).toBe('HTTP 200 {"duplicate":true}');
    expect(result.evidence.observations.find((observation) => observation.check === 'unauthenticated-access')?.snippet).toBe(`Location: ${fixed.origin}/sign-in`);
    expect(foreign.requests).toEqual([]);
  });

  it('without the signing secret: a refusal passes with medium confidence and says what it cannot tell', async () => {
    const { loaded } = writeProbeBaseline({ origin: fixed.origin, mutate: (baseline) => Object.assign(baseline as object, { application: { origins: [fixed.origin], pages: [] } }) });
    const result = await runProbe(loaded, options({ env: { CLERK_PUBLISHABLE_KEY: LIVE_PUBLISHABLE_KEY } }));
    expect(result.evidence.observations).toEqual([
      expect.objectContaining({ check: 'webhook-forged-signature', status: 'pass', confidence: 'medium', message: expect.stringContaining('CLERK_WEBHOOK_SIGNING_SECRET is not set') }),
    ]);
    expect(result.evidence.examined).not.toContain('webhook-idempotency');
  });

  it('with the wrong secret, a refusal of both deliveries decides nothing', async () => {
    const { loaded } = writeProbeBaseline({ origin: fixed.origin, mutate: (baseline) => Object.assign(baseline as object, { application: { origins: [fixed.origin], pages: [] } }) });
    const other = `whsec_${Buffer.from('another-endpoint-secret-of-32-bytes!').toString('base64')}`;
    const result = await runProbe(loaded, options({ env: { CLERK_WEBHOOK_SIGNING_SECRET: other } }));
    expect(verdicts(result).map(([check, , status]) => [check, status])).toEqual([
      ['webhook-forged-signature', 'not_verifiable'],
      ['webhook-stale-timestamp', 'not_verifiable'],
    ]);
  });

  it('reports a live key of another instance, and a missing production host as undecided', async () => {
    const other = await startApp({ variant: 'fixed', publishableKey: OTHER_LIVE_PUBLISHABLE_KEY });
    try {
      const { loaded } = writeProbeBaseline({ origin: other.origin, mutate: (baseline) => Object.assign(baseline as object, { application: { origins: [other.origin] } }) });
      const mismatch = await runProbe(loaded, options());
      expect(mismatch.evidence.observations.find((observation) => observation.check === 'page-publishable-key-host')).toMatchObject({ status: 'fail', message: expect.stringContaining("clerk.someone-else.dev, not the production instance's clerk.shop-probe.dev") });
      const unknown = await runProbe(loaded, options({ env: {} }));
      expect(unknown.evidence.observations.find((observation) => observation.check === 'page-publishable-key-host')).toMatchObject({ status: 'not_verifiable' });
    } finally {
      await other.close();
    }
  });
});

describe('probe: cookies', () => {
  it('accepts SameSite=None only in a declared iframe setup, and reads the Frontend API the baseline names', async () => {
    const fapiLax = await startFrontendApi('Lax');
    const fapiNone = await startFrontendApi('None');
    const fapiReadable = await startFrontendApi('Lax', { httpOnly: false });
    try {
      const iframe = writeProbeBaseline({
        origin: vulnerable.origin,
        mutate: (baseline) => Object.assign(baseline as object, { application: { origins: [vulnerable.origin], pages: ['/'], cross_origin_iframe: true } }),
      });
      const result = await runProbe(iframe.loaded, options({ env: {} }));
      const samesite = result.evidence.observations.filter((observation) => observation.check === 'cookie-samesite').map((observation) => observation.status);
      expect(samesite).toEqual(['pass', 'pass']);

      // [Frontend API, SameSite verdict, HttpOnly verdict]: Clerk documents __client as HttpOnly, so without it it fails.
      for (const [fapi, expected, httpOnly] of [[fapiLax, 'pass', 'pass'], [fapiNone, 'fail', 'pass'], [fapiReadable, 'pass', 'fail']] as const) {
        const { loaded } = writeProbeBaseline({
          origin: fixed.origin,
          mutate: (baseline) => {
            Object.assign(baseline as object, { application: { origins: [fixed.origin], pages: [] } });
            baseline.target = { ...baseline.target, frontend_api_url: fapi.origin };
            (baseline.settings.webhooks as Record<string, unknown>).endpoints = {};
          },
        });
        const read = await runProbe(loaded, options({ env: {} }));
        expect(read.evidence.observations.map((observation) => [observation.check, observation.status, observation.message.split(':')[0]])).toEqual([
          ['cookie-samesite', expected, '__client'],
          ['cookie-httponly', httpOnly, '__client'],
        ]);
        expect(fapi.requests.map((request) => [request.method, request.url])).toEqual([['GET', '/v1/environment']]);
      }
    } finally {
      await Promise.all([fapiLax.close(), fapiNone.close(), fapiReadable.close()]);
    }
  });

  it('no Clerk cookie on the wire is a note, never a pass', async () => {
    const plain = await startServer((_request, res) => void res.writeHead(200, { 'content-type': 'text/html', 'set-cookie': 'theme=dark' }).end('<p>hi</p>'));
    try {
      const { loaded } = writeProbeBaseline({ origin: plain.origin, mutate: (baseline) => Object.assign(baseline as object, { application: { origins: [plain.origin] } }) });
      const result = await runProbe(loaded, options({ env: {} }));
      expect(result.evidence.observations.find((observation) => observation.rule === 'session-cookie-samesite')).toMatchObject({ check: 'cookie-not-observed', status: 'not_verifiable' });
    } finally {
      await plain.close();
    }
  });
});

describe('probe: the network gate', () => {
  it('--dry-run plans every request and sends none', async () => {
    const { loaded } = writeProbeBaseline({ origin: vulnerable.origin });
    const before = vulnerable.requests.length;
    const result = await runProbe(loaded, options({ dryRun: true }));
    expect(vulnerable.requests.length).toBe(before);
    expect(result.requests).toEqual([]);
    expect(result.planned.map((request) => `${request.method} ${new URL(request.url).pathname}`)).toEqual([
      `POST ${WEBHOOK_PATH}`,
      `POST ${WEBHOOK_PATH}`,
      `POST ${WEBHOOK_PATH}`,
      `POST ${WEBHOOK_PATH}`,
      'GET /dashboard',
      'GET /api/projects',
      // Sent only when a protected path there answers 404.
      'GET /clerkguard-probe-%3Crandom%3E-missing',
      'GET /api/clerkguard-probe-%3Crandom%3E-missing',
      'GET /',
    ]);
    const text = renderProbe({ result, findings: [], format: 'text', failOn: 'high', verbose: false, color: false });
    expect(text).toContain('nothing was sent');
    expect(text).toContain('svix-signature: v1,<HMAC with $CLERK_WEBHOOK_SIGNING_SECRET>');
    expect(text).not.toContain(SIGNING_SECRET);
  });

  it('refuses a --url the baseline does not name, before sending anything', async () => {
    const { loaded } = writeProbeBaseline({ origin: vulnerable.origin });
    const before = vulnerable.requests.length;
    await expect(runProbe(loaded, options({ urls: [`${foreign.origin}/`] }))).rejects.toThrow(ClerkguardError);
    await expect(runProbe(loaded, options({ urls: [`${foreign.origin}/`] }))).rejects.toThrow(/does not name/);
    expect(vulnerable.requests.length).toBe(before);
    expect(foreign.requests).toEqual([]);
  });

  it('--url narrows the run to the URLs given, classified by what the baseline says they are', async () => {
    const { loaded } = writeProbeBaseline({ origin: vulnerable.origin });
    const result = await runProbe(loaded, options({ urls: [`${vulnerable.origin}/dashboard`] }));
    expect(verdicts(result)).toEqual([
      ['unauthenticated-access', '/dashboard', 'fail'],
      ['cookie-not-observed', '/dashboard', 'not_verifiable'],
    ]);
  });

  it('does not follow a redirect to an origin the baseline does not name', async () => {
    const { loaded } = writeProbeBaseline({ origin: vulnerable.origin, mutate: (baseline) => Object.assign(baseline as object, { application: { origins: [vulnerable.origin], pages: ['/go'] } }) });
    const result = await runProbe(loaded, options({ env: {} }));
    expect(result.evidence.observations.find((observation) => observation.check === 'page-not-searched')?.message).toContain(`redirects to ${foreign.origin}/landing`);
    expect(foreign.requests).toEqual([]);
  });

  it('keeps to the request budget and says what was not sent', async () => {
    const { loaded } = writeProbeBaseline({ origin: vulnerable.origin });
    const result = await runProbe(loaded, options({ maxRequests: 5 }));
    expect(result.budget).toEqual({ max: 5, used: 5 });
    expect(result.requests.filter((record) => record.sent)).toHaveLength(5);
    expect(result.evidence.observations.find((observation) => observation.location.url === `${vulnerable.origin}/api/projects`)).toMatchObject({
      status: 'not_verifiable',
      message: expect.stringContaining('request budget of 5 was used up'),
    });
  });

  it('a probe that cannot run is not_verifiable with the reason: connection refused, timeout, DNS', async () => {
    const closed = await startServer(() => undefined);
    const closedOrigin = closed.origin;
    await closed.close();
    const refused = writeProbeBaseline({ origin: closedOrigin });
    const down = await runProbe(refused.loaded, options({ env: {} }));
    expect(down.reached).toBe(false);
    expect(new Set(down.evidence.observations.map((observation) => observation.status))).toEqual(new Set(['not_verifiable']));
    expect(down.evidence.observations[0]?.message).toMatch(/connection failed \(ECONNREFUSED\)/);

    const { loaded } = writeProbeBaseline({ origin: vulnerable.origin, mutate: (baseline) => Object.assign(baseline as object, { application: { origins: [vulnerable.origin], protected_paths: ['/hang'], pages: [] } }) });
    const slow = await runProbe(loaded, options({ timeoutMs: 300, env: {}, urls: [`${vulnerable.origin}/hang`] }));
    expect(slow.evidence.observations[0]).toMatchObject({ status: 'not_verifiable', message: expect.stringContaining('no complete answer within 300 ms') });

    const nowhere = writeProbeBaseline({ origin: 'https://clerkguard-probe-test.invalid', mutate: (baseline) => Object.assign(baseline as object, { application: { origins: ['https://clerkguard-probe-test.invalid'], pages: ['/'] } }) });
    const dns = await runProbe(nowhere.loaded, options({ env: {}, timeoutMs: 3_000, urls: ['https://clerkguard-probe-test.invalid/'] }));
    expect(dns.evidence.observations.every((observation) => observation.status === 'not_verifiable')).toBe(true);
    expect(dns.evidence.observations[0]?.message).toMatch(/DNS lookup failed|no complete answer/);
  });

  it('verifies TLS: an unknown CA is not_verifiable, --ca makes it trusted', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const cert = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
    const server = https.createServer({ key: readFileSync(path.join(dir, 'key.pem')), cert }, (_req, res) => res.writeHead(401).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const { loaded } = writeProbeBaseline({ origin, mutate: (baseline) => Object.assign(baseline as object, { application: { origins: [origin], protected_paths: ['/admin'], pages: [] } }) });
      const untrusted = await runProbe(loaded, options({ env: {}, urls: [`${origin}/admin`] }));
      expect(untrusted.evidence.observations[0]).toMatchObject({ status: 'not_verifiable', message: expect.stringContaining('TLS verification failed') });
      const trusted = await runProbe(loaded, options({ env: {}, urls: [`${origin}/admin`], ca: cert }));
      expect(trusted.evidence.observations[0]).toMatchObject({ status: 'pass', message: 'answered HTTP 401 without a session' });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('probe: Svix signatures', () => {
  it('signs id.timestamp.body with the base64-decoded whsec_ key', () => {
    // The test vector of the Standard Webhooks specification (also Svix's).
    const key = signingKey('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    expect(key).toBeDefined();
    expect(svixSignature(key as Buffer, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
    expect(signingKey('not-a-secret')).toBeUndefined();
  });
});
