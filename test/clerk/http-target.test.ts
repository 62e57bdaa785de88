/**
 * rawAttempt's request line: the client works out the target of base + path once per distinct
 * string instead of building a URL per request; what reaches the server must be exactly what
 * `new URL(base + path)` plus `searchParams.append` per query item sends (the request line it
 * had before). A real local server records what it received.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawAttempt, type RawRequest } from '../../src/clerk/http';

let server: http.Server;
let origin: string;
const seen: { url: string; host: string | undefined; authorization: string | undefined }[] = [];

beforeAll(async () => {
  server = http.createServer((request, response) => {
    seen.push({ url: request.url ?? '', host: request.headers.host, authorization: request.headers.authorization });
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** The request line the URL API makes of a request (the client's behaviour before the cache). */
function expectedPath(base: string, request: Pick<RawRequest, 'path' | 'query'>): string {
  const url = new URL(base + request.path);
  for (const [key, value] of Object.entries(request.query ?? {})) for (const item of typeof value === 'object' ? value : value === undefined ? [] : [String(value)]) url.searchParams.append(key, item);
  return url.pathname + url.search;
}

const cases: { name: string; prefix?: string; path: string; query?: RawRequest['query'] }[] = [
  { name: 'a plain path', path: '/v1/instance' },
  { name: 'a page of a list', path: '/v1/jwt_templates', query: { limit: 500, offset: 1000 } },
  { name: 'an array as one parameter per item, undefined left out', path: '/v1/platform/applications', query: { include: ['a', 'b c'], skip: undefined, flag: true } },
  { name: 'characters the form encoding escapes', path: '/v1/x', query: { q: "a b&c=d+e/f?g#h!*'()~ä" } },
  { name: 'an empty query object', path: '/v1/instance', query: {} },
  { name: 'a query whose only item is undefined', path: '/v1/instance', query: { skip: undefined } },
  { name: 'dot segments resolved as the URL parser does', path: '/v1/a/./b/../c' },
  { name: 'percent-encoding of spaces and non-ASCII in the path', path: '/v1/ä b/%41' },
  { name: 'a base with a path prefix', prefix: '/proxy/clerk', path: '/v1/instance', query: { limit: 1 } },
  { name: 'a query already in the path, with more appended', path: '/v1/x?a=%20b&c', query: { d: 'e f' } },
  { name: 'a query already in the path, nothing appended', path: '/v1/x?a=%20b&c' },
];

describe('rawAttempt sends the request line the URL API makes of base + path + query', () => {
  for (const testCase of cases) {
    it(testCase.name, async () => {
      const base = origin + (testCase.prefix ?? '');
      // Twice: the first request parses the target, the second is served from the cache.
      for (let round = 0; round < 2; round++) {
        seen.length = 0;
        await rawAttempt({ method: 'GET', base, path: testCase.path, ...(testCase.query ? { query: testCase.query } : {}) }, new AbortController().signal);
        expect(seen).toEqual([{ url: expectedPath(base, testCase), host: new URL(origin).host, authorization: undefined }]);
      }
    });
  }

  it('credentials in the base URL are sent as before (Basic auth from the URL, the bearer overriding it)', async () => {
    const base = origin.replace('http://', 'http://user:pass@');
    seen.length = 0;
    await rawAttempt({ method: 'GET', base, path: '/v1/instance', query: { limit: 1 } }, new AbortController().signal);
    await rawAttempt({ method: 'GET', base, path: '/v1/instance', bearer: 'sk_test_x' }, new AbortController().signal);
    expect(seen).toEqual([
      { url: '/v1/instance?limit=1', host: new URL(origin).host, authorization: `Basic ${Buffer.from('user:pass').toString('base64')}` },
      { url: '/v1/instance', host: new URL(origin).host, authorization: 'Bearer sk_test_x' },
    ]);
  });
});
