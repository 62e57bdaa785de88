// The emulated side of the fleet benchmark, in its own process so that what the benchmark
// measures of clerkguard (CPU, memory) is clerkguard's alone: N emulated Clerk instances in this
// one process, each with a latency on every request and Clerk's rate limit of its type.
//
//   node scripts/bench/fleet-host.mjs ROOT SPEC_JSON
//     SPEC_JSON: {"instances": N, "latencyMs": 50, "environmentType": "development", "seedFile": "…", "rateLimit": {"requests": 100, "windowMs": 10000}}
//   prints one JSON line {"instances": [{...emulator.env(), index}]}; then answers on stdin:
//     "stats" → {"requests", "bapi", "perInstanceBapi", "rateLimited", "peakInFlight"} over every instance; "reset"; "close".
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import readline from 'node:readline';

const require = createRequire(import.meta.url);
const [root, specText] = process.argv.slice(2);
const spec = JSON.parse(specText);
const { startEmulator } = require(path.join(root, 'dist/emulator/index.js'));
const { loadBaselineFile } = require(path.join(root, 'dist/baseline/load.js'));

// Requests in flight at the servers, over every instance: counted from the request's arrival to
// the end of its answer. The server's view, so it holds whatever the client does.
let inFlight = 0;
let peakInFlight = 0;
// Connections the client opened (at the front server and the instances' Frontend API servers):
// with kept-alive sockets, far fewer than requests.
let connections = 0;
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, request, response) {
  if (event === 'connection' && (this === front || frontendPorts?.has(String(this.address()?.port)))) connections++;
  if (event === 'request' && (counted === undefined || counted.has(String(this.address()?.port)))) {
    inFlight++;
    if (inFlight > peakInFlight) peakInFlight = inFlight;
    response.once('close', () => inFlight--);
  }
  return emit.apply(this, arguments);
};

let front;
/** Ports of the instances' own servers, and of their Frontend API servers (set once they listen). */
let counted;
let frontendPorts;
const seed = loadBaselineFile(spec.seedFile);
if (spec.environmentType === null) delete spec.environmentType; // the seed's own type
const emulators = [];
for (let index = 0; index < spec.instances; index++) {
  const emulator = await startEmulator({ seed, ...(spec.environmentType ? { environmentType: spec.environmentType } : {}), ...(spec.rateLimit === undefined ? {} : { rateLimit: spec.rateLimit }) });
  if (spec.latencyMs) emulator.faults.add({ kind: 'latency', path: '*', ms: spec.latencyMs });
  emulators.push(emulator);
}
// One Backend/Platform API origin for every instance, as Clerk has (api.clerk.com): a front
// server hands each request to the instance its key names, over kept-alive connections. Without
// it every instance would be its own origin and the client would open connections per instance,
// which a real fleet does not (each instance keeps its own Frontend API host, as on Clerk).
const byKey = new Map();
for (const emulator of emulators) {
  byKey.set(`Bearer ${emulator.secret_key}`, emulator);
  byKey.set(`Bearer ${emulator.platform_api_key}`, emulator);
}
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
front = http.createServer((request, response) => {
  const target = byKey.get(request.headers.authorization ?? '') ?? emulators[0];
  const url = new URL(target.bapi_url);
  const forward = http.request({ host: url.hostname, port: url.port, method: request.method, path: request.url, headers: request.headers, agent }, (answer) => {
    response.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(response);
  });
  forward.on('error', () => {
    response.writeHead(502);
    response.end();
  });
  request.pipe(forward);
});
await new Promise((resolve) => front.listen(0, '127.0.0.1', resolve));
const frontUrl = `http://127.0.0.1:${front.address().port}`;
// Requests are counted (in flight, above) at the instances' own servers, not at the front.
frontendPorts = new Set(emulators.map((emulator) => new URL(emulator.frontend_api_url).port));
counted = new Set(emulators.map((emulator) => new URL(emulator.bapi_url).port).concat(emulators.map((emulator) => new URL(emulator.frontend_api_url).port)));
process.stdout.write(
  `${JSON.stringify({ instances: emulators.map((emulator, index) => ({ index, ...emulator.env(), ...(spec.direct ? {} : { CLERK_API_URL: frontUrl, CLERK_PLATFORM_API_URL: frontUrl }) })) })}\n`,
);

const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  const command = line.trim();
  if (command === 'stats') {
    const all = emulators.flatMap((emulator) => emulator.requests.filter((request) => request.api !== 'admin'));
    process.stdout.write(
      `${JSON.stringify({
        requests: all.length,
        bapi: all.filter((request) => request.api === 'bapi').length,
        perInstanceBapi: emulators.map((emulator) => emulator.requests.filter((request) => request.api === 'bapi').length),
        rateLimited: all.filter((request) => request.status === 429).length,
        peakInFlight,
        connections,
        hostCpuMs: (process.resourceUsage().userCPUTime + process.resourceUsage().systemCPUTime) / 1000,
      })}\n`,
    );
  } else if (command === 'requests') {
    // What the bound of bench (b) needs: every request of the first instance, without bodies.
    const requests = emulators[0].requests.filter((request) => request.api !== 'admin').map((request) => ({ api: request.api, method: request.method, path: request.path, query: request.query, status: request.status }));
    process.stdout.write(`${JSON.stringify({ requests })}\n`);
  } else if (command === 'latency-off') {
    for (const emulator of emulators) emulator.faults.clear();
    process.stdout.write('{}\n');
  } else if (command === 'reset') {
    for (const emulator of emulators) emulator.requests.length = 0;
    peakInFlight = inFlight;
    connections = 0;
    process.stdout.write(`${JSON.stringify({ hostCpuMs: (process.resourceUsage().userCPUTime + process.resourceUsage().systemCPUTime) / 1000 })}\n`);
  } else if (command === 'close') {
    break;
  }
}
front.close();
agent.destroy();
await Promise.all(emulators.map((emulator) => emulator.close()));
process.exit(0);
