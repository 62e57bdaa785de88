/**
 * The probe's only way onto the network. Every request passes the same gate: its origin must be
 * one the baseline names, the run's request budget must allow it, and it gets a timeout, a body
 * cap, a User-Agent naming clerkguard and TLS verification (an extra CA can be added, never
 * verification turned off). Redirects are never followed here: callers decide, through this gate.
 */
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import zlib from 'node:zlib';

export interface ProbeClientOptions {
  /** Origins (`scheme://host[:port]`) the probe may contact; anything else is refused unsent. */
  allowedOrigins: ReadonlySet<string>;
  /** Requests one run may send. */
  maxRequests: number;
  /** Per request, from connect to the last body byte. */
  timeoutMs: number;
  userAgent: string;
  /** Extra trusted CA certificates (PEM), added to Node's bundled roots. */
  ca?: string;
}

export interface ProbeRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Largest body read; the rest is dropped and the response marked truncated. */
  maxBytes: number;
  /** What the request is for, for the request log (`keys and cookies`, `forged delivery`, …). */
  purpose: string;
}

export interface ProbeResponse {
  url: string;
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Raw Set-Cookie header lines. */
  setCookies: string[];
  body: string;
  bytes: number;
  truncated: boolean;
}

export type FailureKind = 'dns' | 'tls' | 'timeout' | 'network' | 'budget' | 'origin' | 'decode';

export type ProbeOutcome = { ok: true; response: ProbeResponse } | { ok: false; kind: FailureKind; reason: string };

/** One line of the run's request log. `sent` is false for refused or over-budget requests. */
export interface RequestRecord {
  method: string;
  url: string;
  purpose: string;
  sent: boolean;
  status?: number;
  error?: string;
}

const TLS_ERRORS = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|ERR_SSL|EPROTO|HOSTNAME_MISMATCH|ALTNAME/;

export class ProbeClient {
  readonly log: RequestRecord[] = [];
  private sent = 0;
  private readonly options: ProbeClientOptions;
  private readonly ca: string[] | undefined;

  constructor(options: ProbeClientOptions) {
    this.options = options;
    this.ca = options.ca ? [...tls.rootCertificates, options.ca] : undefined;
  }

  get used(): number {
    return this.sent;
  }

  get budget(): number {
    return this.options.maxRequests;
  }

  allows(url: string): boolean {
    const origin = originOf(url);
    return origin !== undefined && this.options.allowedOrigins.has(origin);
  }

  async send(request: ProbeRequest): Promise<ProbeOutcome> {
    const record: RequestRecord = { method: request.method, url: request.url, purpose: request.purpose, sent: false };
    this.log.push(record);
    if (!this.allows(request.url)) {
      record.error = 'not sent: its origin is not named by the baseline';
      return { ok: false, kind: 'origin', reason: `${originOf(request.url) ?? request.url} is not an origin the baseline names` };
    }
    if (this.sent >= this.options.maxRequests) {
      record.error = `not sent: request budget (${this.options.maxRequests}) used up`;
      return { ok: false, kind: 'budget', reason: `the request budget of ${this.options.maxRequests} was used up before this request (--max-requests)` };
    }
    this.sent++;
    record.sent = true;
    const outcome = await this.transmit(request);
    if (outcome.ok) record.status = outcome.response.status;
    else record.error = outcome.reason;
    return outcome;
  }

  private transmit(request: ProbeRequest): Promise<ProbeOutcome> {
    const url = new URL(request.url);
    const transport = url.protocol === 'https:' ? https : http;
    const body = request.body === undefined ? undefined : Buffer.from(request.body, 'utf8');
    const headers: Record<string, string> = {
      'user-agent': this.options.userAgent,
      accept: '*/*',
      // Asked for plainly so a body cap means bytes of text, not of a compressed stream.
      'accept-encoding': 'identity',
      ...request.headers,
      ...(body ? { 'content-length': String(body.length) } : {}),
    };
    return new Promise<ProbeOutcome>((resolve) => {
      let settled = false;
      const finish = (outcome: ProbeOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      const req = transport.request(url, { method: request.method, headers, agent: false, ...(this.ca && url.protocol === 'https:' ? { ca: this.ca } : {}) }, (res) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        let truncated = false;
        res.on('data', (chunk: Buffer) => {
          if (truncated) return;
          const room = request.maxBytes - bytes;
          if (chunk.length > room) {
            chunks.push(chunk.subarray(0, Math.max(0, room)));
            bytes += Math.max(0, room);
            truncated = true;
            // Enough read: stop the transfer instead of downloading what will be dropped.
            res.destroy();
            done();
            return;
          }
          chunks.push(chunk);
          bytes += chunk.length;
        });
        const done = () => {
          const raw = Buffer.concat(chunks);
          const decoded = decode(raw, res.headers['content-encoding'], request.maxBytes, truncated);
          if (decoded === undefined) {
            finish({ ok: false, kind: 'decode', reason: `the ${String(res.headers['content-encoding'])}-encoded body could not be decoded` });
            return;
          }
          const setCookie = res.headers['set-cookie'];
          finish({
            ok: true,
            response: { url: request.url, status: res.statusCode ?? 0, headers: res.headers, setCookies: Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [], body: decoded, bytes, truncated },
          });
        };
        res.on('end', done);
        res.on('error', (error) => (truncated ? done() : finish(classify(error))));
      });
      const timer = setTimeout(() => {
        req.destroy();
        finish({ ok: false, kind: 'timeout', reason: `no complete answer within ${this.options.timeoutMs} ms (--timeout)` });
      }, this.options.timeoutMs);
      req.on('error', (error) => finish(classify(error)));
      if (body) req.write(body);
      req.end();
    });
  }
}

function decode(raw: Buffer, encoding: string | undefined, maxBytes: number, truncated: boolean): string | undefined {
  const name = (encoding ?? 'identity').trim().toLowerCase();
  if (name === 'identity' || name === '') return raw.toString('utf8');
  // A cut compressed stream cannot be inflated whole; what decodes is still searched.
  const options = { maxOutputLength: maxBytes, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  try {
    if (name === 'gzip' || name === 'x-gzip') return zlib.gunzipSync(raw, options).toString('utf8');
    if (name === 'deflate') return zlib.inflateSync(raw, options).toString('utf8');
    if (name === 'br') return zlib.brotliDecompressSync(raw, { maxOutputLength: maxBytes, finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH }).toString('utf8');
  } catch {
    return truncated ? '' : undefined;
  }
  return undefined;
}

function classify(error: unknown): ProbeOutcome {
  const code = String((error as { code?: unknown }).code ?? '');
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NODATA' || code === 'EAI_FAIL') return { ok: false, kind: 'dns', reason: `DNS lookup failed (${code})` };
  if (TLS_ERRORS.test(code) || /certificate|TLS|SSL/i.test(message)) return { ok: false, kind: 'tls', reason: `TLS verification failed (${code || message}); add your CA with --ca FILE or NODE_EXTRA_CA_CERTS` };
  return { ok: false, kind: 'network', reason: `connection failed (${code || message})` };
}

export function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}
