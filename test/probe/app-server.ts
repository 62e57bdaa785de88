/**
 * A small Clerk-style application on plain node:http, in a vulnerable and a fixed variant, for
 * the probe tests. Every server records every request it receives, so tests can assert what was
 * (and was not) contacted.
 *
 * vulnerable: ships a test publishable key and a secret key in a script, sets __session with
 *   SameSite=None (and a Domain), leaks /dashboard and /api/projects without a session, and its
 *   webhook route accepts anything.
 * fixed: ships the production live key, Lax cookies, refuses unauthenticated access (redirect
 *   to sign-in, 401), and verifies webhooks with @clerk/backend's verifyWebhook (standardwebhooks),
 *   de-duplicating on svix-id.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '@clerk/backend/webhooks';

export type Variant = 'vulnerable' | 'fixed';

export interface LoggedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface RunningServer {
  origin: string;
  requests: LoggedRequest[];
  close(): Promise<void>;
}

/** The production instance's Frontend API host, and keys shaped like Clerk's (not real ones). */
export const PRODUCTION_FAPI_HOST = 'clerk.shop-probe.dev';
export const LIVE_PUBLISHABLE_KEY = `pk_live_${Buffer.from(`${PRODUCTION_FAPI_HOST}$`).toString('base64').replace(/=+$/, '')}`;
export const TEST_PUBLISHABLE_KEY = `pk_test_${Buffer.from('fitting-owl-12.clerk.accounts.dev$').toString('base64').replace(/=+$/, '')}`;
export const OTHER_LIVE_PUBLISHABLE_KEY = `pk_live_${Buffer.from('clerk.someone-else.dev$').toString('base64').replace(/=+$/, '')}`;
export const LEAKED_SECRET_KEY = 'sk_live_Q2xlcmtndWFyZFByb2JlVGVzdEtleTAwMDAwMDAx';
export const SIGNING_SECRET = `whsec_${Buffer.from('clerkguard-probe-test-signing-key-32b').toString('base64')}`;

export interface AppOptions {
  variant: Variant;
  /** Origins of other servers the page references (must never be contacted). */
  foreignScripts?: string[];
  /** Override the publishable key the fixed page ships. */
  publishableKey?: string;
  /** `/go` redirects here (an origin the baseline does not name). */
  redirectTo?: string;
}

export function startServer(handler: (request: LoggedRequest, res: http.ServerResponse) => void | Promise<void>): Promise<RunningServer> {
  const requests: LoggedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const logged: LoggedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(logged);
      Promise.resolve(handler(logged, res)).catch((error: unknown) => {
        res.writeHead(500).end(String(error));
      });
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        origin: `http://127.0.0.1:${port}`,
        requests,
        close: () => new Promise<void>((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}

/** Logs and answers 200 to anything: stands for every host the baseline does not name. */
export function startForeignServer(): Promise<RunningServer> {
  return startServer((_request, res) => {
    res.writeHead(200, { 'content-type': 'application/javascript', 'set-cookie': '__session=foreign; SameSite=None; Secure' }).end('var leaked = "sk_live_Rm9yZWlnblNlcnZlclNlY3JldEtleTAwMDAx";');
  });
}

export function startApp(options: AppOptions): Promise<RunningServer> {
  const vulnerable = options.variant === 'vulnerable';
  const seen = new Set<string>();
  return startServer(async (request, res) => {
    const url = new URL(request.url, 'http://app.local');
    if (request.method === 'GET' && url.pathname === '/') {
      const foreign = (options.foreignScripts ?? []).map((origin) => `<script src="${origin}/evil.js"></script>`).join('');
      const headers: http.OutgoingHttpHeaders = { 'content-type': 'text/html; charset=utf-8' };
      headers['set-cookie'] = vulnerable
        ? ['__session=eyJhbGciOiJSUzI1NiJ9.probe.sig; Path=/; Domain=.shop-probe.dev; SameSite=None; Secure', '__client_uat_AbCd3f_1=1700000000; Path=/; SameSite=None; Secure']
        : ['__session=eyJhbGciOiJSUzI1NiJ9.probe.sig; Path=/; SameSite=Lax; Secure', '__client_uat=1700000000; Path=/; SameSite=Strict; Secure', 'theme=dark; Path=/'];
      res.writeHead(200, headers).end(
        `<!doctype html><html><head><link rel="modulepreload" href="/static/chunk.js"><script src="/static/app.js?v=1&amp;x=2"></script>${foreign}` +
          `<script src="https://cdn.probe-foreign.invalid/lib.js"></script></head><body><h1>Shop</h1></body></html>`,
      );
      return;
    }
    if (request.method === 'GET' && url.pathname === '/static/app.js') {
      const key = vulnerable ? TEST_PUBLISHABLE_KEY : (options.publishableKey ?? LIVE_PUBLISHABLE_KEY);
      const body = vulnerable ? `window.__clerk = { publishableKey: "${key}" };\nconst admin = "${LEAKED_SECRET_KEY}";\n` : `window.__clerk = { publishableKey: "${key}" };\n`;
      res.writeHead(200, { 'content-type': 'application/javascript' }).end(body);
      return;
    }
    if (request.method === 'GET' && url.pathname === '/go') {
      res.writeHead(302, { location: options.redirectTo ?? '/' }).end();
      return;
    }
    if (request.method === 'GET' && url.pathname === '/hang') {
      // Never answers: the probe's timeout must end the request.
      return;
    }
    if (request.method === 'GET' && url.pathname === '/static/chunk.js') {
      res.writeHead(200, { 'content-type': 'application/javascript' }).end('export const chunk = 1;\n');
      return;
    }
    if (request.method === 'GET' && url.pathname === '/dashboard') {
      if (vulnerable) res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Dashboard</h1><p>Revenue: 12,345</p>');
      else res.writeHead(307, { location: `/sign-in?redirect_url=${encodeURIComponent('/dashboard')}` }).end();
      return;
    }
    if (request.method === 'GET' && url.pathname === '/api/projects') {
      if (vulnerable) res.writeHead(200, { 'content-type': 'application/json' }).end('[{"id":1,"name":"secret project"}]');
      else res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthenticated"}');
      return;
    }
    if (request.method === 'POST' && url.pathname === '/api/webhooks/clerk') {
      if (vulnerable) {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
        return;
      }
      const verifiable = new Request(`http://app.local${request.url}`, { method: 'POST', headers: request.headers as Record<string, string>, body: request.body });
      try {
        await verifyWebhook(verifiable, { signingSecret: SIGNING_SECRET });
      } catch {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('Error verifying webhook');
        return;
      }
      const id = String(request.headers['svix-id']);
      const duplicate = seen.has(id);
      seen.add(id);
      res.writeHead(200, { 'content-type': 'application/json' }).end(duplicate ? '{"duplicate":true}' : '{"ok":true}');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
}

/** A Frontend API stand-in: `/v1/environment` sets the `__client` cookie as Clerk documents it (HttpOnly unless `httpOnly: false`). */
export function startFrontendApi(sameSite: 'Lax' | 'None', { httpOnly = true }: { httpOnly?: boolean } = {}): Promise<RunningServer> {
  return startServer((request, res) => {
    if (request.url.startsWith('/v1/environment')) {
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': `__client=eyJhbGciOiJSUzI1NiJ9.client.sig; Path=/;${httpOnly ? ' HttpOnly;' : ''} Secure; SameSite=${sameSite}` }).end('{"auth_config":{},"partitioned_cookies":false}');
      return;
    }
    res.writeHead(404).end();
  });
}
