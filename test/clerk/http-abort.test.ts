/**
 * rawAttempt and its abort signal (the attempt's timeout): an answer that never starts and a body
 * that stops halfway are timeouts, never an answer; a signal that fires after the answer changes
 * nothing (the kept-alive connection goes on serving the next request). A real local server.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { ClerkRequestFailure, rawAttempt } from '../../src/clerk/http';

let server: http.Server | undefined;
const seen: string[] = [];

async function serve(handler: http.RequestListener): Promise<string> {
  server = http.createServer((request, response) => {
    seen.push(request.url ?? '');
    handler(request, response);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  seen.length = 0;
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

async function failureOf(promise: Promise<unknown>): Promise<ClerkRequestFailure> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ClerkRequestFailure);
  return error as ClerkRequestFailure;
}

describe('rawAttempt with an abort signal', () => {
  it('a body that stops after its headers ends as a timeout when the signal fires', async () => {
    const base = await serve((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100' });
      response.write('{"object":"instance",');
    });
    const controller = new AbortController();
    // The signal fires once the client has the headers, not after a fixed delay: on a loaded
    // machine a 100 ms timer ran out before the headers were read (then the request, not the
    // body, was cut off).
    const abortOnceAnswered = () => setTimeout(() => controller.abort(), 20);
    diagnosticsChannel.subscribe('http.client.response.finish', abortOnceAnswered);
    onTestFinished(() => void diagnosticsChannel.unsubscribe('http.client.response.finish', abortOnceAnswered));
    const failure = await failureOf(rawAttempt({ method: 'GET', base, path: '/v1/instance' }, controller.signal));
    expect(failure.kind).toBe('timeout');
    expect(failure.message).toBe('response body not complete at the timeout');
  });

  it('no answer at all ends as a timeout when the signal fires', async () => {
    const base = await serve(() => undefined);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const failure = await failureOf(rawAttempt({ method: 'GET', base, path: '/v1/instance' }, controller.signal));
    expect(failure.kind).toBe('timeout');
    expect(failure.message).toBe('request aborted at the timeout');
  });

  it('a signal that has already fired sends nothing', async () => {
    const base = await serve((_request, response) => response.end('{}'));
    const failure = await failureOf(rawAttempt({ method: 'GET', base, path: '/v1/instance' }, AbortSignal.abort()));
    expect(failure.kind).toBe('timeout');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toEqual([]);
  });

  it('a signal that fires after the answer leaves the kept-alive connection serving the next request', async () => {
    let connections = 0;
    const base = await serve((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end('{"object":"instance","id":"ins_1"}');
    });
    server!.on('connection', () => connections++);
    const first = new AbortController();
    const answer = await rawAttempt<{ id: string }>({ method: 'GET', base, path: '/v1/instance' }, first.signal);
    expect(answer.body.id).toBe('ins_1');
    first.abort();
    const second = await rawAttempt<{ id: string }>({ method: 'GET', base, path: '/v1/instance' }, new AbortController().signal);
    expect(second.body.id).toBe('ins_1');
    expect(seen).toEqual(['/v1/instance', '/v1/instance']);
    expect(connections).toBe(1);
  });
});
