/** A local stand-in for the Slack Web API that records every request (real HTTP, real WebClient). */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: string;
  fields: Record<string, unknown>;
}

export interface SlackServer {
  url: string;
  requests: SlackRequest[];
  /** When set, chat.postMessage answers ok:false with this error. */
  failWith?: string;
  close(): Promise<void>;
}

function parseFields(body: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.includes('application/json')) return JSON.parse(body || '{}') as Record<string, unknown>;
  if (contentType?.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(body));
  return {};
}

export async function startSlackServer(): Promise<SlackServer> {
  const requests: SlackRequest[] = [];
  let counter = 0;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = (request.url ?? '').split('?')[0] ?? '';
      requests.push({ method: request.method ?? '', path, authorization: request.headers.authorization, body, fields: parseFields(body, request.headers['content-type']) });
      const reply = (value: unknown) => {
        response.writeHead(200, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify(value));
      };
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      if (path.endsWith('/chat.postMessage')) {
        if (state.failWith) return reply({ ok: false, error: state.failWith });
        return reply({ ok: true, channel: 'C0SNAPSHOT', ts: `1700000000.00000${++counter}` });
      }
      if (path.endsWith('/files.getUploadURLExternal')) return reply({ ok: true, upload_url: `${base}/upload/F${counter}`, file_id: `F${counter}` });
      if (path.startsWith('/upload/')) {
        response.writeHead(200, { 'Content-Type': 'text/plain' });
        return response.end('OK');
      }
      if (path.endsWith('/files.completeUploadExternal')) return reply({ ok: true, files: [{ id: `F${counter}`, title: 'report' }] });
      return reply({ ok: false, error: 'unknown_method' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const state: SlackServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  return state;
}
