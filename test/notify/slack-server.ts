/**
 * A local stand-in for the Slack Web API on 127.0.0.1: records every request and answers like
 * Slack ({"ok":true,"ts":…}), including the three steps of filesUploadV2
 * (files.getUploadURLExternal, the POST to the upload URL, files.completeUploadExternal).
 * `mode` makes it fail with HTTP 500 or never answer, to test failure handling.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Web API method (e.g. `chat.postMessage`) or `upload` for the upload URL. */
  api: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
  raw: string;
}

export interface SlackServer {
  /** Base URL for SLACK_API_URL, ending in `/api/`. */
  apiUrl: string;
  requests: RecordedRequest[];
  mode: 'ok' | 'error500' | 'hang' | 'no-ts' | 'bad-ts';
  /** Top-level and threaded chat.postMessage bodies, in order. */
  messages(): Record<string, unknown>[];
  close(): Promise<void>;
}

export async function startSlackServer(): Promise<SlackServer> {
  let counter = 0;
  const hanging = new Set<http.ServerResponse>();
  const state: SlackServer = {
    apiUrl: '',
    requests: [],
    mode: 'ok',
    messages: () => state.requests.filter((request) => request.api === 'chat.postMessage').map((request) => request.body),
    close: async () => {
      for (const response of hanging) response.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const api = url.pathname.startsWith('/upload/') ? 'upload' : url.pathname.replace(/^\/api\//, '');
      state.requests.push({ method: request.method ?? 'GET', api, authorization: request.headers.authorization, body: parseBody(raw, request.headers['content-type']), raw });
      if (state.mode === 'hang') {
        hanging.add(response);
        return;
      }
      if (state.mode === 'error500') {
        response.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
        return;
      }
      counter++;
      const json = (body: unknown) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      switch (api) {
        case 'chat.postMessage':
          if (state.mode === 'no-ts') return json({ ok: true, channel: 'C0CLERKGUARD', message: {} });
          if (state.mode === 'bad-ts') return json({ ok: true, channel: 'C0CLERKGUARD', ts: { nested: true }, message: {} });
          return json({ ok: true, channel: 'C0CLERKGUARD', ts: `1764126000.${String(counter).padStart(6, '0')}`, message: {} });
        case 'files.getUploadURLExternal':
          return json({ ok: true, upload_url: `${state.apiUrl.replace(/\/api\/$/, '')}/upload/F${counter}`, file_id: `F${counter}` });
        case 'upload':
          return response.writeHead(200, { 'content-type': 'text/plain' }).end('OK - 0');
        case 'files.completeUploadExternal':
          return json({ ok: true, files: [{ id: 'F1', title: 'report' }] });
        default:
          return json({ ok: false, error: 'unknown_method' });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  state.apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
  return state;
}

function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.includes('application/json')) {
    try {
      return JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return {};
    }
  }
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of new URLSearchParams(raw)) {
      out[key] = key === 'blocks' ? (JSON.parse(value) as unknown) : value;
    }
    return out;
  }
  return {};
}
