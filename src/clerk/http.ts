/**
 * One request policy for every Clerk call, whether it goes through @clerk/backend or raw fetch:
 * a timeout per attempt, Retry-After honoured on 429, jittered backoff on 5xx / network errors /
 * malformed bodies, and a bounded number of attempts. Failures end as a ClerkguardError whose
 * message names the endpoint and the environment and never contains a key.
 */
import { scrubSecrets } from '../settings/redact';
import { ClerkguardError } from '../util/errors';
import { CLERK_API_VERSION, type ClerkConnection, type RetryPolicy, secretsOf } from './connection';
import { formatPath } from '../settings/paths';
import { MAX_JSON_DEPTH, scanJsonText, shortPath } from '../util/json-input';

export type ApiName = 'bapi' | 'fapi' | 'platform';

export interface Endpoint {
  api: ApiName;
  method: string;
  /** Path as sent, including the /v1 prefix, without the query string. */
  path: string;
}

export type FailureKind = 'auth' | 'forbidden' | 'not_found' | 'conflict' | 'rejected' | 'rate_limited' | 'server' | 'network' | 'timeout' | 'malformed' | 'too_large' | 'deadline';

const RETRYABLE: ReadonlySet<FailureKind> = new Set(['rate_limited', 'server', 'network', 'timeout', 'malformed']);

/** One failed attempt, classified. Internal: callers see ClerkguardError. */
export class ClerkRequestFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    readonly detail: string,
    readonly status?: number,
    readonly retryAfterSeconds?: number,
    /** Overrides the kind's default: an answer nested too deep will be nested too deep again. */
    readonly retryable: boolean = RETRYABLE.has(kind),
  ) {
    super(detail);
    this.name = 'ClerkRequestFailure';
  }
}

/** A Clerk call that failed for good; carries what drift reports need (endpoint, status). */
export class ClerkApiError extends ClerkguardError {
  constructor(
    message: string,
    readonly kind: FailureKind,
    readonly endpoint: string,
    readonly status: number | undefined,
    hint?: string,
  ) {
    super(message, { hint, exitCode: 1 });
    this.name = 'ClerkApiError';
  }
}

export function label(endpoint: Endpoint): string {
  return `${endpoint.method} ${endpoint.path}`;
}

/** Counts HTTP attempts (not logical calls) so `export` can report what it cost. */
export interface RequestCounter {
  attempts: number;
}

export type Sleep = (ms: number) => Promise<void>;

/** What runs around each attempt of one call: the rate budget (src/clerk/budget.ts). */
export interface AttemptHooks {
  /** Resolves when the next attempt may start (rejects when it could not before `deadlineAt`). */
  admit?: (deadlineAt: number | undefined) => Promise<void>;
  /** After each attempt, whatever its outcome (before any wait for a retry). */
  settled?: () => void;
  /** Clerk answered 429; the Retry-After as scaled for waiting, in ms, when it sent one. */
  onRateLimited?: (retryAfterMs: number | undefined) => void;
}
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Retries of a request whose answer failed after its attempt was over (a list page is parsed
 * after its lane asked for the next one): the attempts made so far and the last one's failure.
 * The loop goes on from there, so the retries, the waits and the "after N attempts" of the
 * message are what they would have been had the failure happened inside the attempt.
 */
export interface ResumedRetries {
  attempts: number;
  failure: ClerkRequestFailure;
}

/**
 * Runs `attempt` until it succeeds, a non-retryable failure occurs, or the budget is spent.
 * `attempt` receives an AbortSignal that fires at the per-request timeout, or earlier at
 * `deadlineAt` (epoch ms): no attempt and no wait runs past the client's total deadline.
 */
export async function withRetries<T>(
  connection: ClerkConnection,
  endpoint: Endpoint,
  attempt: (signal: AbortSignal) => Promise<T>,
  counter?: RequestCounter,
  sleep: Sleep = realSleep,
  deadlineAt?: number,
  hooks: AttemptHooks = {},
  resume?: ResumedRetries,
): Promise<T> {
  const policy = connection.policy;
  let attempts = resume?.attempts ?? 0;
  let last: ClerkRequestFailure | undefined;
  /** After a failed attempt: the error (not retryable, out of retries, or no time left for the wait), else the wait. */
  const waitToRetry = async (failure: ClerkRequestFailure): Promise<void> => {
    if (failure.kind === 'deadline' || !failure.retryable || attempts > policy.maxRetries) throw toApiError(connection, endpoint, failure, attempts);
    const wait = waitBefore(failure, attempts, policy);
    if (wait === undefined) throw toApiError(connection, endpoint, failure, attempts);
    last = failure;
    if (deadlineAt !== undefined && Date.now() + wait >= deadlineAt) throw toApiError(connection, endpoint, deadlineFailure(failure), attempts);
    await sleep(wait);
  };
  // The failed attempts' last failure decides as it would have inside the loop.
  if (resume) await waitToRetry(resume.failure);
  for (;;) {
    if (deadlineAt !== undefined && Date.now() >= deadlineAt) throw toApiError(connection, endpoint, deadlineFailure(last), Math.max(1, attempts));
    if (hooks.admit) {
      // Outside the attempt's timeout: waiting for the instance's rate budget is not a slow answer.
      try {
        await hooks.admit(deadlineAt);
      } catch {
        throw toApiError(connection, endpoint, new ClerkRequestFailure('deadline', `${last ? `the last attempt: ${describeFailure(last)}; ` : ''}the instance's rate budget had no room before the deadline`), Math.max(1, attempts));
      }
    }
    const remaining = deadlineAt === undefined ? Infinity : deadlineAt - Date.now();
    if (remaining <= 0) {
      // A budget place granted to a request that is never sent goes back, or it is held for good.
      hooks.settled?.();
      throw toApiError(connection, endpoint, deadlineFailure(last), Math.max(1, attempts));
    }
    attempts++;
    if (counter) counter.attempts++;
    try {
      const value = await runWithTimeout(attempt, Math.min(policy.timeoutMs, remaining), remaining < policy.timeoutMs);
      hooks.settled?.();
      return value;
    } catch (error) {
      hooks.settled?.();
      const failure = error instanceof ClerkRequestFailure ? error : new ClerkRequestFailure('network', describeCause(error));
      if (failure.kind === 'rate_limited') hooks.onRateLimited?.(failure.retryAfterSeconds === undefined ? undefined : failure.retryAfterSeconds * 1000 * policy.retryAfterScale);
      await waitToRetry(failure);
    }
  }
}

function deadlineFailure(last: ClerkRequestFailure | undefined): ClerkRequestFailure {
  return new ClerkRequestFailure('deadline', last ? `the last attempt: ${describeFailure(last)}` : 'no attempt could start');
}

function describeFailure(failure: ClerkRequestFailure): string {
  return failure.status !== undefined ? `${failure.status} ${failure.detail}` : failure.detail;
}

function waitBefore(failure: ClerkRequestFailure, attempts: number, policy: RetryPolicy): number | undefined {
  if (failure.kind === 'rate_limited' && failure.retryAfterSeconds !== undefined) {
    const wait = failure.retryAfterSeconds * 1000 * policy.retryAfterScale;
    // Up to half as long again, at random: requests that got a 429 together must not all retry
    // at the same moment (a retry storm at exactly Retry-After would be limited again).
    return wait > policy.maxRetryWaitMs ? undefined : Math.min(policy.maxRetryWaitMs, wait * (1 + Math.random() * 0.5));
  }
  const exponential = policy.backoffBaseMs * 2 ** (attempts - 1);
  return Math.min(policy.maxRetryWaitMs, exponential * (0.5 + Math.random() * 0.5));
}

/**
 * The abort of each attempt's own signal (made by runWithTimeout): `exchange` registers its
 * request's cancel here instead of as an 'abort' listener, which costs more per request (node's
 * EventTarget) than the rest of the wiring. Any other signal is listened to as usual.
 */
const ATTEMPT_ABORT = Symbol('the attempt\'s abort');
/** null: an attempt's own signal with no request registered yet. */
type AttemptSignal = AbortSignal & { [ATTEMPT_ABORT]?: (() => void) | null };

/**
 * `attempt` within `timeoutMs`: at the timeout its signal fires (its request is cancelled) and the
 * call fails as a timeout, or as the deadline when the deadline cut the timeout short. One promise
 * and one timer per attempt; the attempt's late result, once the timeout has won, is dropped (never
 * an unhandled rejection).
 */
function runWithTimeout<T>(attempt: (signal: AbortSignal) => Promise<T>, timeoutMs: number, cutByDeadline: boolean): Promise<T> {
  const controller = new AbortController();
  const signal: AttemptSignal = controller.signal;
  signal[ATTEMPT_ABORT] = null;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      controller.abort();
      signal[ATTEMPT_ABORT]?.();
      reject(cutByDeadline ? new ClerkRequestFailure('deadline', `the request was still running after ${Math.round(timeoutMs)} ms`) : new ClerkRequestFailure('timeout', `no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const fail = (error: unknown) => {
      clearTimeout(timer);
      reject(error);
    };
    let running: Promise<T>;
    try {
      running = attempt(signal);
    } catch (error) {
      fail(error);
      return;
    }
    running.then((value) => {
      clearTimeout(timer);
      resolve(value);
    }, fail);
  });
}

/** Raw JSON request for endpoints the SDK lacks (and for FAPI / Platform). */
export interface RawRequest {
  method: string;
  /** Absolute base, e.g. https://api.clerk.com */
  base: string;
  path: string;
  /** An array is sent as one parameter per item (OpenAPI `style: form`, `explode: true`). */
  query?: Record<string, string | number | boolean | readonly string[] | undefined>;
  body?: unknown;
  bearer?: string;
  headers?: Record<string, string>;
}

export interface RawResponse<T> {
  status: number;
  body: T;
  /** Response headers, names in lower case. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface RawTextResponse {
  status: number;
  /** The answer's text; undefined for 204 or an empty body. */
  text: string | undefined;
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface RawLimits {
  /** Largest body read (bytes). */
  maxBodyBytes: number;
}

type HttpModule = typeof import('node:http');
let transports: { http: HttpModule; https: typeof import('node:https'); agents: Record<'http:' | 'https:', import('node:http').Agent> } | undefined;

/**
 * node:http(s) with kept-alive connections, shared by every client of the process (a fleet run
 * reuses connections to api.clerk.com across environments). Not `fetch`: per request it costs
 * several times the CPU, which a run over a hundred environments pays a thousand times. Loaded on
 * first use: commands that never call Clerk do not load it.
 */
function transportFor(protocol: string): { module: Pick<HttpModule, 'request'>; agent: import('node:http').Agent } {
  if (!transports) {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const http = require('node:http') as HttpModule;
    const https = require('node:https') as typeof import('node:https');
    /* eslint-enable @typescript-eslint/no-require-imports */
    transports = { http, https, agents: { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) } };
  }
  if (protocol === 'https:') return { module: transports.https, agent: transports.agents['https:'] };
  if (protocol === 'http:') return { module: transports.http, agent: transports.agents['http:'] };
  throw new ClerkRequestFailure('network', `unsupported protocol ${protocol}`, undefined, undefined, false);
}

/**
 * One raw request. The body is read through a byte counter (a body over the limit is cancelled
 * and is an error, whatever Content-Length said), must be UTF-8, and a JSON answer is scanned
 * for duplicate keys and excessive nesting before JSON.parse.
 */
export async function rawAttempt<T>(request: RawRequest, signal: AbortSignal, limits: RawLimits = { maxBodyBytes: DEFAULT_MAX_BODY_BYTES }): Promise<RawResponse<T>> {
  const response = await rawTextAttempt(request, signal, limits);
  return { status: response.status, body: (response.text === undefined ? undefined : parseAnswer<T>(response.text)) as T, headers: response.headers };
}

/**
 * rawAttempt without the JSON parse: a 2xx answer's text (undefined for 204 or an empty body),
 * every other check made. For a caller that parses later with parseAnswer (list pages: the next
 * page is asked for before this one is parsed).
 */
export async function rawTextAttempt(request: RawRequest, signal: AbortSignal, limits: RawLimits = { maxBodyBytes: DEFAULT_MAX_BODY_BYTES }): Promise<RawTextResponse> {
  const headers: Record<string, string> = request.headers ? { Accept: 'application/json', 'Clerk-API-Version': CLERK_API_VERSION, ...request.headers } : { Accept: 'application/json', 'Clerk-API-Version': CLERK_API_VERSION };
  if (request.bearer) headers.Authorization = `Bearer ${request.bearer}`;
  const payload = request.body === undefined ? undefined : JSON.stringify(request.body);
  if (payload !== undefined) {
    headers['Content-Type'] = 'application/json';
    headers['Content-Length'] = String(Buffer.byteLength(payload));
  }
  const response = await exchange(requestTarget(request.base + request.path, request.query), request.method, headers, payload, signal, limits.maxBodyBytes);
  let text: string;
  try {
    text = utf8Decoder.decode(response.bytes);
  } catch {
    throw new ClerkRequestFailure('malformed', 'the answer is not valid UTF-8', response.status, undefined, false);
  }
  const retryAfterHeader = response.headers['retry-after'];
  if (response.status < 200 || response.status > 299) throw failureForStatus(response.status, parseErrorMessage(text), retryAfter(typeof retryAfterHeader === 'string' ? retryAfterHeader : null));
  return { status: response.status, text: response.status === 204 || text === '' ? undefined : text, headers: response.headers };
}

/** Where one request goes: node:http's options (protocol, host, port, path), or the URL itself. */
type RequestTarget = { protocol: string; hostname: string; port?: number; path: string } | URL;

/**
 * What `new URL(base + path)` makes of a base and path (the URL parser's normalization: dot
 * segments, percent-encoding), worked out once per distinct string: a fleet run asks every
 * instance the same paths on one API origin. A URL with credentials keeps the URL itself.
 */
interface ParsedTarget {
  url: URL;
  protocol: string;
  hostname: string;
  port?: number;
  pathname: string;
  search: string;
  plain: boolean;
}
const parsedTargets = new Map<string, ParsedTarget>();
/** A run asks a bounded set of paths; past this many distinct ones, the cache starts over. */
const MAX_PARSED_TARGETS = 4096;

function parsedTarget(href: string): ParsedTarget {
  let parsed = parsedTargets.get(href);
  if (!parsed) {
    const url = new URL(href);
    // As node:http's urlToHttpOptions reads a URL: an IPv6 host without its brackets.
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    parsed = { url, protocol: url.protocol, hostname, ...(url.port === '' ? {} : { port: Number(url.port) }), pathname: url.pathname, search: url.search, plain: url.username === '' && url.password === '' };
    if (parsedTargets.size >= MAX_PARSED_TARGETS) parsedTargets.clear();
    parsedTargets.set(href, parsed);
  }
  return parsed;
}

/**
 * The target of `href` with `query` appended as URLSearchParams would (an array is one parameter
 * per item, OpenAPI `style: form`, `explode: true`): the same request line as
 * `new URL(href)` plus `searchParams.append` per item, without a URL object per request.
 */
function requestTarget(href: string, query: RawRequest['query']): RequestTarget {
  const parsed = parsedTarget(href);
  let params: URLSearchParams | undefined;
  if (query) {
    for (const key of Object.keys(query)) {
      const value = query[key];
      if (value === undefined) continue;
      params ??= new URLSearchParams();
      if (typeof value === 'object') for (const item of value) params.append(key, item);
      else params.append(key, String(value));
    }
  }
  if (!parsed.plain || (params && parsed.search !== '')) {
    // Credentials in the URL, or a query in the path to merge with: the URL object, as before.
    const url = new URL(parsed.url.href);
    if (params) for (const [key, value] of params) url.searchParams.append(key, value);
    return url;
  }
  const search = params ? params.toString() : '';
  return { protocol: parsed.protocol, hostname: parsed.hostname, ...(parsed.port === undefined ? {} : { port: parsed.port }), path: parsed.pathname + (params ? (search === '' ? '' : `?${search}`) : parsed.search) };
}

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

/** One strict decoder for every answer: decode() without `stream` keeps no state between calls. */
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Sends one request and reads its answer whole, within `maxBytes`. A failure before the answer
 * starts is `network` (or `timeout` when `signal` fired); a body cut off is `malformed`; a body
 * over the limit is `too_large` and the connection is dropped rather than read to the end.
 */
function exchange(
  target: RequestTarget,
  method: string,
  headers: Record<string, string>,
  payload: string | undefined,
  signal: AbortSignal,
  maxBytes: number,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; bytes: Buffer }> {
  const { module, agent } = transportFor(target.protocol);
  return new Promise((resolve, reject) => {
    let settled = false;
    let answered = false;
    // The signal is watched here, not handed to node:http as `signal`: node's own wiring
    // (addAbortSignal: an abort listener plus an end-of-stream watcher on the request) costs more
    // CPU per request than the request's own work, which a fleet run pays a thousand times.
    const onAbort = () => request.destroy(new Error('aborted'));
    // An attempt's own signal (runWithTimeout) calls onAbort directly; any other signal, or a
    // second request on the same attempt's signal, gets a listener.
    const ownSignal = (signal as AttemptSignal)[ATTEMPT_ABORT] === null;
    const settle = (error: ClerkRequestFailure | undefined, value?: { status: number; headers: Record<string, string | string[] | undefined>; bytes: Buffer }) => {
      if (settled) return;
      settled = true;
      if (!ownSignal) signal.removeEventListener('abort', onAbort);
      else if ((signal as AttemptSignal)[ATTEMPT_ABORT] === onAbort) (signal as AttemptSignal)[ATTEMPT_ABORT] = null;
      if (error) reject(error);
      else resolve(value!);
    };
    const failure = (error: unknown): ClerkRequestFailure => {
      if (signal.aborted) return new ClerkRequestFailure('timeout', answered ? 'response body not complete at the timeout' : 'request aborted at the timeout');
      if (answered) return new ClerkRequestFailure('malformed', `the response body was cut off (${describeCause(error)})`);
      return new ClerkRequestFailure('network', describeCause(error));
    };
    const options = { method, headers, agent };
    const request = target instanceof URL ? module.request(target, options, onResponse) : module.request({ ...target, ...options }, onResponse);
    function onResponse(response: import('node:http').IncomingMessage): void {
      answered = true;
      const status = response.statusCode ?? 0;
      const tooLarge = (what: string) => new ClerkRequestFailure('too_large', `the answer is ${what}, more than the limit of ${maxBytes} bytes`, status, undefined, false);
      const declared = Number(response.headers['content-length'] ?? NaN);
      if (Number.isFinite(declared) && declared > maxBytes) {
        settle(tooLarge(`${declared} bytes (Content-Length)`));
        response.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      let total = 0;
      response.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total > maxBytes) {
          settle(tooLarge(`over ${maxBytes} bytes`));
          response.destroy();
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => settle(undefined, { status, headers: response.headers, bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total) }));
      response.on('error', (error) => settle(failure(error)));
      // A connection closed before the body's end: no 'end', sometimes no 'error'.
      response.on('close', () => {
        if (!response.complete) settle(failure(new Error('the connection closed before the end of the body')));
      });
    }
    request.on('error', (error) => settle(failure(error)));
    if (signal.aborted) {
      onAbort();
      return;
    }
    if (ownSignal) (signal as AttemptSignal)[ATTEMPT_ABORT] = onAbort;
    else signal.addEventListener('abort', onAbort, { once: true });
    request.end(payload);
  });
}

/** JSON.parse behind the same checks as files: no duplicate keys, no nesting past MAX_JSON_DEPTH. */
export function parseAnswer<T>(text: string): T {
  const problem = scanJsonText(text, { limit: 1 })[0];
  if (problem?.kind === 'too_deep') {
    throw new ClerkRequestFailure('malformed', `JSON nested deeper than ${MAX_JSON_DEPTH} levels at ${formatPath(shortPath(problem.path)) || 'the top'}`, undefined, undefined, false);
  }
  let value: T;
  try {
    value = JSON.parse(text) as T;
  } catch (error) {
    throw new ClerkRequestFailure('malformed', `invalid JSON (${(error as Error).message})`);
  }
  if (problem?.kind === 'duplicate_key') {
    throw new ClerkRequestFailure('malformed', `the key ${JSON.stringify(problem.key)} appears twice in ${formatPath(shortPath(problem.path.slice(0, -1))) || 'the top-level object'}`, undefined, undefined, false);
  }
  return value;
}

export function failureForStatus(status: number, message: string, retryAfterSeconds?: number): ClerkRequestFailure {
  const kind: FailureKind =
    status === 401
      ? 'auth'
      : status === 403
        ? 'forbidden'
        : status === 404
          ? 'not_found'
          : status === 409
            ? 'conflict'
            : status === 429
              ? 'rate_limited'
              : status >= 500
                ? 'server'
                : 'rejected';
  return new ClerkRequestFailure(kind, message, status, retryAfterSeconds);
}

/** Classifies what @clerk/backend throws (ClerkAPIResponseError or anything else). */
export function failureFromSdk(error: unknown): ClerkRequestFailure {
  if (error instanceof ClerkRequestFailure) return error;
  const candidate = error as { status?: number; errors?: { code?: string; message?: string; longMessage?: string; long_message?: string }[]; retryAfter?: number; message?: string };
  const first = candidate?.errors?.[0];
  const message = first?.longMessage ?? first?.long_message ?? first?.message ?? candidate?.message ?? String(error);
  if (typeof candidate?.status === 'number') return failureForStatus(candidate.status, message, candidate.retryAfter);
  // The SDK folds transport and parse errors into code "unexpected_error" without a status.
  if (/JSON|Unexpected (token|end)|Unterminated/i.test(message)) return new ClerkRequestFailure('malformed', `invalid JSON (${message})`);
  if (/terminated|other side closed|socket/i.test(message)) return new ClerkRequestFailure('malformed', `the response was cut off (${message})`);
  if (message === 'fetch failed') return new ClerkRequestFailure('network', 'the connection failed or was closed by the server (fetch failed)');
  return new ClerkRequestFailure('network', message);
}

function parseErrorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { errors?: { message?: string; long_message?: string }[] };
    const first = body.errors?.[0];
    if (first) return first.long_message ?? first.message ?? 'error';
  } catch {
    // not JSON: fall through to a short excerpt
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text || 'empty response';
}

function retryAfter(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

function describeCause(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const code = cause?.code ?? (error as { code?: string })?.code;
  const words: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'DNS lookup failed',
    ETIMEDOUT: 'connection timed out',
    UND_ERR_SOCKET: 'connection closed by the server',
  };
  // node:http's name for a connection the server closed before answering.
  if (code === 'ECONNRESET' && (error as Error)?.message === 'socket hang up') return 'connection closed by the server before it answered (ECONNRESET)';
  if (code && words[code]) return `${words[code]} (${code})`;
  return cause?.message ?? (error instanceof Error ? error.message : String(error));
}

/**
 * A response that parsed but does not have the shape clerkguard reads (a proxy answering 200,
 * a wrong CLERK_API_URL, an API change): an error naming the endpoint, never partial settings.
 */
export function malformedResponse(connection: ClerkConnection, endpoint: Endpoint, detail: string): ClerkApiError {
  return toApiError(connection, endpoint, new ClerkRequestFailure('malformed', detail), 1);
}

function toApiError(connection: ClerkConnection, endpoint: Endpoint, failure: ClerkRequestFailure, attempts: number): ClerkApiError {
  const env = connection.environment;
  const where = label(endpoint);
  const tries = attempts === 1 ? '' : ` after ${attempts} attempts`;
  const origin = originOf(connection, endpoint.api);
  const scrub = (text: string) => scrubSecrets(text, secretsOf(connection));
  let message: string;
  let hint: string | undefined;
  switch (failure.kind) {
    case 'auth':
      if (endpoint.api === 'platform') {
        message = `Clerk rejected the Platform API key for environment ${env} (401)`;
        hint = 'check CLERK_PLATFORM_API_KEY (ak_…) and CLERK_APPLICATION_ID';
      } else if (endpoint.api === 'fapi') {
        message = `Clerk's Frontend API refused ${where} for environment ${env} (401)`;
        hint = 'check the publishable key or CLERK_FRONTEND_API_URL';
      } else {
        message = `Clerk rejected the secret key for environment ${env} (401)`;
        hint = 'check the secret key env var of this environment; rotated keys must be redeployed';
      }
      break;
    case 'forbidden':
      message = `Clerk refused ${where} for environment ${env} (403): ${failure.detail}`;
      hint = 'the key may lack access to this endpoint, or the feature is not on the instance plan';
      break;
    case 'conflict':
      message = `the configuration of environment ${env} changed concurrently (409 on ${where}): ${failure.detail}`;
      hint = 'someone changed the instance since it was read; re-read and apply again';
      break;
    case 'rate_limited':
      message = `Clerk rate limited environment ${env}: ${where} still answered 429${tries}`;
      hint = 'Clerk allows 1000 requests per 10 s on production and 100 on development instances; wait and rerun';
      break;
    case 'server':
      message = `Clerk failed on ${where} for environment ${env} (${failure.status ?? 'server error'})${tries}`;
      hint = 'a Clerk-side error; retry later or check status.clerk.com';
      break;
    case 'timeout':
      message = `Clerk did not answer ${where} within ${connection.policy.timeoutMs} ms for environment ${env}${tries}`;
      hint = 'raise CLERKGUARD_HTTP_TIMEOUT_MS if the network is slow';
      break;
    case 'deadline':
      message = `Clerk did not complete ${where} for environment ${env} within the run deadline of ${formatSeconds(connection.policy.deadlineMs)}${tries} (${failure.detail})`;
      hint = 'every read of one environment shares this deadline; raise CLERKGUARD_RUN_DEADLINE_MS if the network is slow, or retry later';
      break;
    case 'too_large':
      message = `Clerk's answer to ${where} for environment ${env} is too large: ${failure.detail}`;
      hint = 'a proxy or a wrong CLERK_API_URL can answer with a large page; raise CLERKGUARD_HTTP_MAX_BODY_BYTES only if the instance really holds this much';
      break;
    case 'malformed':
      message = `Clerk sent a malformed response to ${where} for environment ${env}: ${failure.detail}${tries}`;
      break;
    case 'network':
      message = `could not reach Clerk at ${origin} for environment ${env} (${where}): ${failure.detail}${tries}`;
      hint = endpoint.api === 'fapi' ? 'check CLERK_FRONTEND_API_URL or the publishable key' : 'check CLERK_API_URL and the network';
      break;
    case 'not_found':
      message = `Clerk answered 404 for ${where} (environment ${env}): ${failure.detail}`;
      break;
    default:
      message = `Clerk rejected ${where} for environment ${env} (${failure.status ?? 'error'}): ${failure.detail}`;
  }
  return new ClerkApiError(scrub(message), failure.kind, where, failure.status, hint === undefined ? undefined : scrub(hint));
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function originOf(connection: ClerkConnection, api: ApiName): string {
  const raw = api === 'fapi' ? connection.frontendApiUrl : api === 'platform' ? connection.platform?.apiUrl : connection.apiUrl;
  try {
    return raw ? new URL(raw).origin : 'an unknown URL';
  } catch {
    return 'an invalid URL';
  }
}
