/**
 * A local, stateful Clerk emulator on plain node:http.
 *
 * Two listeners on 127.0.0.1: one serves the Backend API (`/v1/...`), the Platform API config
 * (`/v1/platform/...`) and the admin endpoints (`/__emulator/...`); the other serves the
 * Frontend API (`/v1/environment`), whose host is encoded in the publishable key.
 *
 * In-process use (tests, demo):
 *
 *   const emulator = await startEmulator({ seed: loadBaselineFile('baselines/production.json') });
 *   const env = { ...process.env, ...emulator.env() };      // CLERK_* vars for clerkguard
 *   emulator.faults.add({ kind: 'status', path: '/v1/instance/protect', status: 503 });
 *   emulator.applySettings({ session: { inactivity_timeout_minutes: 120 } }); // dashboard-style change
 *   emulator.requests;                                       // every request, recorded
 *   await emulator.close();
 *
 * Admin HTTP endpoints (no auth; loopback only):
 *   GET /__emulator/                     this list and every Clerk route served (adminIndex)
 *   GET/POST/DELETE /__emulator/faults   list / add (FaultSpec JSON) / clear faults
 *   GET/DELETE /__emulator/requests      recorded requests / forget them
 *   GET /__emulator/state                the state (a state file for --seed)
 *   POST /__emulator/settings            apply settings-model JSON as a dashboard change
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import type { LoadedBaseline } from '../baseline/load';
import { encodePublishableKey } from '../clerk/connection';
import type { ApiName } from '../clerk/http';
import { formatIssue, validateWithSchema } from '../baseline/validate';
import { settingsSchema, type Settings } from '../settings/model';
import { createFaultController, FAULT_KINDS, type ActiveFault, type FaultController, validateFaultSpec } from './faults';
import { BAPI_ROUTES, FAPI_ROUTES, HttpError, platformRoutes, compileTemplate, type Route, type Workspace, type WorkspaceApplication } from './routes';
import { applySettings, defaultState, type EmulatorState, type EnvironmentType, isEmulatorState } from './state';
import { ClerkguardError } from '../util/errors';
import { clerkError } from './wire';
import { MAX_JSON_DEPTH, scanJsonText } from '../util/json-input';
import { createTurnQueue } from '../util/turns';

/**
 * Released Clerk API versions (Clerk docs, "Available versions"); @clerk/backend 3.25 sends
 * 2026-05-12. None of them changes the endpoints the emulator serves.
 */
export const CLERK_API_VERSIONS: readonly string[] = ['2021-02-05', '2024-10-01', '2025-04-10', '2025-11-10', '2026-05-12'];

/** Operations Clerk does not rate-limit (Clerk docs, "Rate limits": GET /v1/jwks). */
const UNLIMITED_OPERATIONS: readonly string[] = ['GetJWKS'];

export interface RecordedRequest {
  api: ApiName | 'admin' | 'unknown';
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  /** Request headers without Authorization (whether it matched is in `authorized`). */
  headers: Record<string, string>;
  body: unknown;
  authorized: boolean;
  operation_id?: string;
  status: number;
  /** The body the emulator answered with (JSON), for contract checks. */
  response?: unknown;
}

export interface RateLimit {
  requests: number;
  windowMs: number;
}

export interface EmulatorOptions {
  /** Initial live state: settings, a baseline (its settings), or a saved state file. */
  seed?: Settings | LoadedBaseline | EmulatorState;
  /** Instance type when the seed does not say (default: the baseline's target, else production). */
  environmentType?: EnvironmentType;
  /** BAPI/Platform port (0 = any free port). */
  port?: number;
  /** FAPI port (0 = any free port). */
  frontendPort?: number;
  /** Per-instance rate limit; default Clerk's (production 1000 / 10 s, development 100 / 10 s); false disables. */
  rateLimit?: RateLimit | false;
  /** Largest request body read, in bytes (default 1 MiB; admin endpoints 16 MiB); a larger one answers 413. */
  maxBodyBytes?: number;
  /** Fixed keys for reproducible runs; random when absent. */
  secretKey?: string;
  platformApiKey?: string;
  applicationId?: string;
  /** The application's name in the workspace listing (PlatformListApplications). */
  applicationName?: string;
  /** Other applications of the workspace the Platform API lists beside this one (discovery). */
  workspace?: WorkspaceApplication[];
}

export interface ConnectionInfo {
  bapi_url: string;
  frontend_api_url: string;
  platform_api_url: string;
  secret_key: string;
  publishable_key: string;
  platform_api_key: string;
  application_id: string;
}

export interface RunningEmulator extends ConnectionInfo {
  /**
   * The live state. A change made to it directly is not ordered after reads a latency fault
   * holds (their answers may be worked out after it): while reads are held, change the state
   * through `applySettings`, the admin endpoints or the API.
   */
  state: EmulatorState;
  faults: FaultController;
  requests: RecordedRequest[];
  /** Env vars that point clerkguard at this emulator. */
  env(): Record<string, string>;
  /** What the CLI prints on start. */
  info(): ConnectionInfo;
  /** A dashboard-style change for settings no API writes (or any other). */
  applySettings(settings: Settings): void;
  close(): Promise<void>;
}

function seedSettings(seed: EmulatorOptions['seed']): { settings?: Settings; state?: EmulatorState; environmentType?: EnvironmentType } {
  if (!seed) return {};
  if (isEmulatorState(seed)) return { state: structuredClone(seed) };
  if ('baseline' in seed && 'file' in seed) {
    const loaded = seed as LoadedBaseline;
    return { settings: loaded.baseline.settings, environmentType: loaded.baseline.settings.instance?.environment_type ?? loaded.baseline.target.environment_type };
  }
  const settings = seed as Settings;
  return { settings, ...(settings.instance?.environment_type ? { environmentType: settings.instance.environment_type } : {}) };
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const seeded = seedSettings(options.seed);
  const environmentType = options.environmentType ?? seeded.environmentType ?? seeded.state?.environment_type ?? 'production';
  const state = seeded.state ?? defaultState(environmentType);
  if (seeded.settings) applySettings(state, seeded.settings);
  state.environment_type = options.environmentType ?? state.environment_type;

  const live = state.environment_type === 'production' ? 'live' : 'test';
  const secretKey = options.secretKey ?? `sk_${live}_${randomBytes(24).toString('base64url')}`;
  const platformApiKey = options.platformApiKey ?? `ak_${randomBytes(24).toString('hex')}`;
  const applicationId = options.applicationId ?? `app_${randomBytes(12).toString('hex')}`;
  const faults = createFaultController();
  const requests: RecordedRequest[] = [];
  const rateLimit = options.rateLimit === false ? undefined : (options.rateLimit ?? { requests: state.environment_type === 'production' ? 1000 : 100, windowMs: 10_000 });
  // Clerk docs, "Rate limits": a 429 blocks "that specific endpoint", so each endpoint (method +
  // path template) has its own window; GET /v1/jwks has no rate limit.
  const windows = new Map<string, { start: number; count: number }>();

  // The workspace the Platform API lists: this instance's application first (its publishable key
  // is known once the servers listen), then the others the options name.
  let publishableKey = '';
  const workspace: Workspace = {
    own: () => ({
      application_id: applicationId,
      name: options.applicationName ?? 'clerkguard emulator',
      instances: [{ instance_id: state.instance_id, environment_type: state.environment_type as 'development' | 'production', publishable_key: publishableKey, secret_key: secretKey }],
    }),
    others: structuredClone(options.workspace ?? []),
  };
  const backendRoutes: { route: Route; match: ReturnType<typeof compileTemplate> }[] = [
    ...BAPI_ROUTES.map((route) => ({ route, match: compileTemplate(`/v1${route.template}`) })),
    ...platformRoutes(applicationId, workspace).map((route) => ({ route, match: compileTemplate(`/v1${route.template}`) })),
  ];
  const frontendRoutes = FAPI_ROUTES.map((route) => ({ route, match: compileTemplate(route.template) }));

  const emulator = {} as RunningEmulator;

  const rateLimited = (route: Route): number | undefined => {
    if (!rateLimit || UNLIMITED_OPERATIONS.includes(route.operationId)) return undefined;
    const key = `${route.method} ${route.template}`;
    const now = Date.now();
    let window = windows.get(key);
    if (!window || now - window.start >= rateLimit.windowMs) {
      window = { start: now, count: 0 };
      windows.set(key, window);
    }
    window.count++;
    if (window.count <= rateLimit.requests) return undefined;
    return Math.max(1, Math.ceil((window.start + rateLimit.windowMs - now) / 1000));
  };

  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  // Reads slowed by a latency fault are worked out in a later turn, one per turn: this one
  // process then notes the arrival (and so the due time) of every request of a burst before it
  // builds any answer, as a server that handles requests in parallel would, instead of adding
  // the building of each page before it to a request's latency. Anything else that touches the
  // state (any other request, an admin call, applySettings) first works out every read still
  // waiting, in order of arrival: a read still answers the state as it was when it arrived.
  const deferredReads = createTurnQueue();
  const workOutWaitingReads = () => deferredReads.runAll();

  // The body is read last: after the route, the key and the rate limit are checked, and only
  // up to maxBodyBytes. An unauthenticated or oversized upload is answered (and the connection
  // closed) without being buffered.
  const handler = (side: 'backend' | 'frontend') => async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const method = (req.method ?? 'GET').toUpperCase();
    const record: RecordedRequest = {
      api: 'unknown',
      method,
      path: url.pathname,
      query: queryObject(url.searchParams),
      headers: headerObject(req.headers),
      body: undefined,
      authorized: false,
      status: 0,
    };
    let bodyRead = false;

    if (side === 'backend' && (url.pathname === '/__emulator' || url.pathname.startsWith('/__emulator/'))) {
      record.api = 'admin';
      const body = await readBody(req, Math.max(maxBodyBytes, ADMIN_MAX_BODY_BYTES));
      if (body === undefined) return tooLarge(res, Math.max(maxBodyBytes, ADMIN_MAX_BODY_BYTES));
      return admin(req, res, url, method, body);
    }

    const routes = side === 'backend' ? backendRoutes : frontendRoutes;
    let route: Route | undefined;
    let params: Record<string, string> = {};
    let pathMatched = false;
    for (const candidate of routes) {
      const found = candidate.match(url.pathname);
      if (!found) continue;
      pathMatched = true;
      if (candidate.route.method === method) {
        route = candidate.route;
        params = found;
        break;
      }
    }
    if (route) {
      record.api = route.api;
      record.operation_id = route.operationId;
    }
    requests.push(record);

    /** A read slowed by a latency fault: when its answer (worked out in a later turn) may leave. */
    let deliverAt: number | undefined;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      if (body !== undefined) record.response = body;
      // An unread request body is not drained: the connection closes after this answer.
      const closing: Record<string, string> = !bodyRead && hasBody(req) ? { Connection: 'close' } : {};
      // Encoded once, now: an answer held by a latency fault leaves as bytes ready to write.
      const bytes = status === 204 || body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const write = () => {
        if (bytes === undefined) {
          res.writeHead(status, { ...closing, ...headers });
          res.end();
          return;
        }
        // Exactly "application/json": @clerk/backend parses only that content type as JSON.
        res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': bytes.length, ...closing, ...headers });
        res.end(bytes);
      };
      // Node's timers run on a whole-millisecond clock and fire up to a millisecond early or late:
      // a timer brings an answer to within two milliseconds of its time, and the last stretch is
      // waited turn by turn, so it leaves neither before its delay nor a millisecond or two after.
      const writeWhenDue = () => {
        const left = deliverAt === undefined ? 0 : deliverAt - performance.now();
        if (left >= 2) {
          setTimeout(writeWhenDue, Math.floor(left) - 1).unref();
          return;
        }
        if (left > 0) {
          // Not unref'd: an unref'd immediate lets the loop block in poll, far past its time.
          setImmediate(writeWhenDue);
          return;
        }
        try {
          write();
        } catch {
          res.destroy(); // as serve's own catch does for an answer that could not be written
        }
      };
      writeWhenDue();
    };

    // Faults first: a slow or broken network is in front of everything else.
    const active = faults.take(method, url.pathname);
    const delay = active.filter((fault) => fault.kind === 'latency').reduce((sum, fault) => sum + (fault.ms ?? 0), 0);
    const terminal = active.find((fault) => fault.kind !== 'latency');
    if (delay > 0) {
      // A read is answered `delay` ms after it arrived, as a far-away server that serves many
      // requests at once would: the answer is worked out during the wait, so this one process
      // answering ten pages of 500 templates does not add its own work to every request's
      // latency. A write, or a request a fault answers, waits first and is handled after the
      // wait: until then the emulator's state is as it was.
      if (READ_METHODS.has(method) && !terminal) deliverAt = performance.now() + delay;
      else await sleep(delay);
    }
    if (terminal) return applyFault(terminal, req, res, record, send, url);

    if (!route) {
      return send(pathMatched ? 405 : 404, clerkError('resource_not_found', 'not found', `${method} ${url.pathname} is not served by the clerkguard emulator.`));
    }

    if (route.api !== 'fapi') {
      const expected = route.api === 'platform' ? platformApiKey : secretKey;
      const auth = req.headers.authorization ?? '';
      record.authorized = auth === `Bearer ${expected}`;
      if (!record.authorized) {
        return send(
          401,
          clerkError('authentication_invalid', 'Invalid authentication', 'Unable to authenticate the request, you need to supply an active API key'),
        );
      }
      // Clerk docs, "Versioning": the version comes as the Clerk-API-Version header or the
      // __clerk_api_version query parameter; every released version is served (the endpoints
      // the emulator serves have the same shapes in all of them).
      const header = req.headers['clerk-api-version'];
      const version = typeof header === 'string' ? header : (url.searchParams.get('__clerk_api_version') ?? undefined);
      if (route.api === 'bapi' && version !== undefined && !CLERK_API_VERSIONS.includes(version)) {
        return send(400, clerkError('api_version_invalid', 'invalid API version', `Clerk-API-Version ${version} is not a released Clerk API version (released: ${CLERK_API_VERSIONS.join(', ')}).`));
      }
      const retryAfter = rateLimited(route);
      if (retryAfter !== undefined) {
        return send(429, clerkError('too_many_requests', 'Too Many Requests', 'You have exceeded the rate limit for this instance. Retry after the time in Retry-After.'), { 'Retry-After': String(retryAfter) });
      }
    } else {
      record.authorized = true;
    }

    const bodyText = await readBody(req, maxBodyBytes);
    bodyRead = true;
    if (bodyText === undefined) {
      return send(413, clerkError('request_body_too_large', 'request body too large', `The request body is larger than ${maxBodyBytes} bytes.`), { Connection: 'close' });
    }
    record.body = parseMaybe(bodyText);
    if (bodyText !== '' && record.body === undefined) {
      return send(400, clerkError('malformed_request_body', 'malformed request body', 'The request body is not valid JSON, repeats a key, or nests deeper than 64 levels.'));
    }
    const handle = () => {
      try {
        const result = route.handle({ state, params, query: url.searchParams, body: record.body, headers: req.headers });
        send(result.status, result.body, result.headers);
      } catch (error) {
        if (error instanceof HttpError) return send(error.status, error.body);
        send(500, clerkError('internal_clerk_error', 'internal error', error instanceof Error ? error.message : String(error)));
      }
    };
    if (deliverAt !== undefined) {
      // Worked out later, from a turn of its own or another request's handling: whatever it
      // throws ends this answer (the connection is dropped), never the emulator or that request.
      return deferredReads.push(() => {
        try {
          handle();
        } catch {
          res.destroy();
        }
      });
    }
    workOutWaitingReads();
    handle();
  };

  const admin = (req: http.IncomingMessage, res: http.ServerResponse, url: URL, method: string, bodyText: string) => {
    workOutWaitingReads();
    const reply = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    };
    try {
      const route = `${method} ${url.pathname}`;
      if (route === 'GET /__emulator' || route === 'GET /__emulator/') return reply(200, adminIndex(info, backendRoutes, frontendRoutes));
      if (route === 'GET /__emulator/faults') return reply(200, faults.list());
      if (route === 'POST /__emulator/faults') return reply(200, faults.add(validateFaultSpec(strictJson(bodyText))));
      if (route === 'DELETE /__emulator/faults') {
        faults.clear();
        return reply(200, { cleared: true });
      }
      if (route === 'GET /__emulator/requests') return reply(200, requests);
      if (route === 'DELETE /__emulator/requests') {
        requests.length = 0;
        return reply(200, { cleared: true });
      }
      if (route === 'GET /__emulator/state') return reply(200, state);
      if (route === 'POST /__emulator/settings') {
        // Validated like a baseline's settings first: a typo must not half-apply or corrupt state.
        const checked = validateWithSchema(settingsSchema, strictJson(bodyText), 'request body', bodyText);
        if (!checked.value) return reply(400, { error: 'invalid settings', issues: checked.errors.map(formatIssue) });
        applySettings(state, checked.value);
        return reply(200, { applied: true });
      }
      return reply(404, { error: `unknown admin endpoint ${route}`, hint: 'GET /__emulator/ lists the admin endpoints and every Clerk route served' });
    } catch (error) {
      return reply(400, { error: error instanceof Error ? error.message : String(error) });
    }
  };

  // No request, however malformed (a bad %-escape, a body that breaks mid-stream), may take the
  // emulator down: anything a handler throws becomes a Clerk-style error answer.
  const serve = (side: 'backend' | 'frontend') => (req: http.IncomingMessage, res: http.ServerResponse) => {
    handler(side)(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const bad = error instanceof URIError;
      const text = JSON.stringify(clerkError(bad ? 'request_invalid' : 'internal_clerk_error', bad ? 'invalid request' : 'internal error', error instanceof Error ? error.message : String(error)));
      res.writeHead(bad ? 400 : 500, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    });
  };
  const backend = http.createServer(serve('backend'));
  const frontend = http.createServer(serve('frontend'));
  await listen(backend, options.port ?? 0, 'port');
  try {
    await listen(frontend, options.frontendPort ?? 0, 'frontend port');
  } catch (error) {
    await closeServer(backend);
    throw error;
  }
  const bapiUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  const frontendHost = `127.0.0.1:${(frontend.address() as AddressInfo).port}`;
  const info: ConnectionInfo = {
    bapi_url: bapiUrl,
    frontend_api_url: `http://${frontendHost}`,
    platform_api_url: bapiUrl,
    secret_key: secretKey,
    publishable_key: encodePublishableKey(live, frontendHost),
    platform_api_key: platformApiKey,
    application_id: applicationId,
  };
  publishableKey = info.publishable_key;

  Object.assign(emulator, info, {
    state,
    faults,
    requests,
    info: () => ({ ...info }),
    env: () => ({
      CLERK_API_URL: info.bapi_url,
      CLERK_FRONTEND_API_URL: info.frontend_api_url,
      CLERK_PLATFORM_API_URL: info.platform_api_url,
      CLERK_SECRET_KEY: info.secret_key,
      CLERK_PUBLISHABLE_KEY: info.publishable_key,
      CLERK_PLATFORM_API_KEY: info.platform_api_key,
      CLERK_APPLICATION_ID: info.application_id,
    }),
    applySettings: (settings: Settings) => {
      workOutWaitingReads();
      applySettings(state, settings);
    },
    close: async () => {
      await Promise.all([closeServer(backend), closeServer(frontend)]);
    },
  });
  return emulator;
}

function applyFault(
  fault: ActiveFault,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  record: RecordedRequest,
  send: (status: number, body: unknown, headers?: Record<string, string>) => void,
  url: URL,
): void {
  switch (fault.kind) {
    case 'body': {
      // Any answer a test needs: a body that parses but lacks fields, wrong types, pages that
      // never end ({{offset}} and {{n}} are replaced by the request's offset and the fault's hit count).
      const status = fault.status ?? 200;
      record.status = status;
      const template = fault.text ?? JSON.stringify(fault.body ?? null);
      const text = template.replace(/\{\{offset\}\}/g, String(Number(url.searchParams.get('offset') ?? 0))).replace(/\{\{n\}\}/g, String(fault.hits));
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...(hasBody(req) ? { Connection: 'close' } : {}) });
      res.end(text);
      return;
    }
    case 'status': {
      const status = fault.status ?? 500;
      const headers: Record<string, string> = status === 429 ? { 'Retry-After': String(fault.retry_after ?? 1) } : {};
      const code = status === 429 ? 'too_many_requests' : status >= 500 ? 'internal_clerk_error' : 'injected_fault';
      send(status, clerkError(code, `injected ${status}`, `The emulator answered ${status} as instructed by a fault.`), headers);
      return;
    }
    case 'malformed': {
      record.status = 200;
      const text = '{"object": "instance", "id": ';
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    case 'truncated': {
      record.status = 200;
      const text = JSON.stringify({ object: 'instance', id: 'ins_truncated', environment_type: 'production', allowed_origins: [], workspace_id: null });
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
      res.write(text.slice(0, Math.floor(text.length / 2)));
      // Announced length not delivered: the client sees a body cut off mid-stream.
      setTimeout(() => res.socket?.destroy(), 10);
      return;
    }
    case 'drop':
      record.status = 0;
      req.socket.destroy();
      return;
    default:
      send(500, clerkError('internal_clerk_error', 'unknown fault', 'unknown fault kind'));
  }
}

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const ADMIN_MAX_BODY_BYTES = 16 * 1024 * 1024;

function hasBody(req: http.IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/** The request body as text, or undefined when it is larger than `max` bytes (then it is not buffered). */
function readBody(req: http.IncomingMessage, max: number): Promise<string | undefined> {
  if (Number(req.headers['content-length'] ?? 0) > max) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        chunks.length = 0;
        req.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}

function tooLarge(res: http.ServerResponse, max: number): void {
  const text = JSON.stringify(clerkError('request_body_too_large', 'request body too large', `The request body is larger than ${max} bytes.`));
  res.writeHead(413, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), Connection: 'close' });
  res.end(text);
}

/**
 * A request body as JSON, or undefined when it is not JSON, repeats a key or nests deeper than
 * any Clerk request does (a 5,000-deep claim stored here would overflow every later answer).
 */
function parseMaybe(text: string): unknown {
  if (text === '') return undefined;
  try {
    return strictJson(text);
  } catch {
    return undefined;
  }
}

function strictJson(text: string): unknown {
  const problem = scanJsonText(text, { limit: 1 })[0];
  if (problem) throw new Error(problem.kind === 'too_deep' ? `JSON nested deeper than ${MAX_JSON_DEPTH} levels` : `the key ${JSON.stringify(problem.key)} appears twice`);
  return JSON.parse(text) as unknown;
}

function queryObject(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    out[key] = values.length === 1 ? values[0]! : values;
  }
  return out;
}

function headerObject(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (key === 'authorization' || value === undefined) continue;
    out[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Requests that change nothing: a latency fault delays their answer, not their handling. */
const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD']);

/** Unref'd: an answer delayed by a latency fault never keeps a stopped emulator's process alive. */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function listen(server: http.Server, port: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') {
        const why = error.code === 'EADDRINUSE' ? 'is already in use' : 'needs privileges this process lacks';
        reject(new ClerkguardError(`cannot serve the emulator: ${what} ${port} on 127.0.0.1 ${why}`, { hint: 'pick another port, or 0 for any free port' }));
      } else reject(error);
    };
    server.once('error', failed);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', failed);
      resolve();
    });
  });
}

/** The admin endpoints, for the index and the CLI's help. */
const ADMIN_ENDPOINTS: readonly { method: string; path: string; does: string }[] = [
  { method: 'GET', path: '/__emulator/', does: 'this index: admin endpoints, fault kinds and every Clerk route served' },
  { method: 'GET', path: '/__emulator/faults', does: 'list the active faults' },
  { method: 'POST', path: '/__emulator/faults', does: 'add a fault (JSON: kind, path, method, status, ms, retry_after, body, text, times)' },
  { method: 'DELETE', path: '/__emulator/faults', does: 'clear every fault' },
  { method: 'GET', path: '/__emulator/requests', does: 'the requests received so far (method, path, api, status, body)' },
  { method: 'DELETE', path: '/__emulator/requests', does: 'forget the recorded requests' },
  { method: 'GET', path: '/__emulator/state', does: 'the whole state (save it; --seed takes it back)' },
  { method: 'POST', path: '/__emulator/settings', does: 'apply settings-model JSON as a dashboard-style change' },
];

/** `GET /__emulator/`: what this emulator answers, so a person can find out without the source. */
function adminIndex(
  info: ConnectionInfo,
  backendRoutes: readonly { route: Route }[],
  frontendRoutes: readonly { route: Route }[],
): Record<string, unknown> {
  const routes = (list: readonly { route: Route }[], api: string, prefix: string) =>
    list.filter(({ route }) => route.api === api).map(({ route }) => ({ method: route.method, path: `${prefix}${route.template}`, operation_id: route.operationId }));
  return {
    emulator: 'clerkguard local Clerk API emulator (Backend, Frontend and Platform API; contract-tested against the OpenAPI specs)',
    admin: ADMIN_ENDPOINTS.map((endpoint) => ({ ...endpoint, url: `${info.bapi_url}${endpoint.path}` })),
    fault_kinds: [...FAULT_KINDS],
    apis: {
      bapi: { base_url: `${info.bapi_url}/v1`, auth: 'Authorization: Bearer <secret key>', routes: routes(backendRoutes, 'bapi', '/v1') },
      platform: { base_url: `${info.platform_api_url}/v1`, auth: 'Authorization: Bearer <platform API key>', routes: routes(backendRoutes, 'platform', '/v1') },
      fapi: { base_url: info.frontend_api_url, auth: 'none (public)', routes: routes(frontendRoutes, 'fapi', '') },
    },
  };
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
