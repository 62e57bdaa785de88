/**
 * A protected path that answers 404 without a session: Clerk's auth.protect() refusal of an API
 * request, or a path that does not exist (a typo in protected_paths, a route that moved). The
 * probe asks a path next to it that cannot exist: the same 404 decides nothing (never a pass);
 * a different answer makes the 404 the route's own refusal. Local node:http apps, in-process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeUserAgent, runProbe, type ProbeOptions } from '../../src/probe/index';
import { LIVE_PUBLISHABLE_KEY, startApp, startServer, type RunningServer } from './app-server';
import { writeProbeBaseline } from './fixtures';

let clerkLike: RunningServer;
let spa: RunningServer;
let fixed: RunningServer;

beforeAll(async () => {
  // API routes refused with 404 (auth.protect() for non-document requests); unknown paths 404 too.
  clerkLike = await startServer((request, res) => {
    if (request.url === '/dashboard') res.writeHead(307, { location: '/sign-in' }).end();
    else res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>404: This page could not be found.</h1>');
  });
  // A single-page app host: every unknown path serves index.html; the API refuses with 404.
  spa = await startServer((request, res) => {
    if (request.url === '/api/projects') res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><div id="root"></div>');
  });
  fixed = await startApp({ variant: 'fixed' });
});

afterAll(async () => {
  await Promise.all([clerkLike, spa, fixed].map((server) => server?.close()));
});

function options(overrides: Partial<ProbeOptions> = {}): ProbeOptions {
  return { env: { CLERK_PUBLISHABLE_KEY: LIVE_PUBLISHABLE_KEY }, now: new Date(), userAgent: probeUserAgent(), timeoutMs: 5_000, ...overrides };
}

async function protectedVerdicts(server: RunningServer, paths: string[], overrides: Partial<ProbeOptions> = {}) {
  const { loaded } = writeProbeBaseline({ origin: server.origin, mutate: (baseline) => Object.assign(baseline as object, { application: { origins: [server.origin], protected_paths: paths, pages: [] } }) });
  const result = await runProbe(loaded, options(overrides));
  return { result, access: result.evidence.observations.filter((observation) => observation.check === 'unauthenticated-access') };
}

describe('probe item 7: a 404 on a protected path', () => {
  it("a typo'd path and a 404 like any missing path: undecided with the reason, never a pass", async () => {
    const { access, result } = await protectedVerdicts(clerkLike, ['/dashbaord', '/api/projects']);
    expect(access.map((observation) => [new URL(observation.location.url ?? '').pathname, observation.status])).toEqual([
      ['/dashbaord', 'not_verifiable'],
      ['/api/projects', 'not_verifiable'],
    ]);
    expect(access[0]?.message).toMatch(/answered HTTP 404 without a session, as does a path next to it that cannot exist: a refusal .* cannot be told from a route that is not there/);
    // One path that cannot exist per folder, named so the site's logs say what it is; no random part in the message.
    const missing = result.requests.filter((record) => /clerkguard-probe-[0-9a-f]{12}-missing$/.test(record.url));
    expect(missing.map((record) => new URL(record.url).pathname.replace(/[0-9a-f]{12}/, 'R'))).toEqual(['/clerkguard-probe-R-missing', '/api/clerkguard-probe-R-missing']);
    expect(access.every((observation) => !/[0-9a-f]{12}/.test(observation.message))).toBe(true);
  });

  it('passes (medium confidence) when a path that cannot exist answers differently', async () => {
    const { access } = await protectedVerdicts(spa, ['/api/projects']);
    expect(access.map((observation) => [observation.status, observation.confidence])).toEqual([['pass', 'medium']]);
    expect(access[0]?.message).toContain("while a path next to it that cannot exist answers HTTP 200: the 404 is this route's refusal");
  });

  it('is undecided when the comparison could not be sent (request budget)', async () => {
    const { access } = await protectedVerdicts(clerkLike, ['/api/projects'], { maxRequests: 2 });
    expect(access.map((observation) => observation.status)).toEqual(['not_verifiable']);
    expect(access[0]?.message).toMatch(/whether a path that cannot exist answers the same could not be checked \(the request budget of 2 was used up/);
  });

  it('sends no extra request when the protected paths refuse with 401 or a sign-in redirect', async () => {
    const { access, result } = await protectedVerdicts(fixed, ['/dashboard', '/api/projects']);
    expect(access.map((observation) => observation.status)).toEqual(['pass', 'pass']);
    expect(result.requests.some((record) => record.url.includes('clerkguard-probe-'))).toBe(false);
  });
});
