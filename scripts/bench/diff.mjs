// (a) Diffing a large configuration, on the data `drift` really diffs: two values of the
// settings model (a baseline's settings and a live export's), JWT templates keyed by name and
// origins as a list. clerkguard's normalized diff runs side by side with a minimal keyed
// comparator (the least a correct order-insensitive diff needs) and, as context only, raw
// json-diff on the same values (origins as shuffled arrays).
import { createRequire } from 'node:module';
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
export const DIFF_SIZES = { templates: 2000, origins: 500 };

function seeded(seed) {
  let state = seed;
  return () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
}
function shuffle(items, random) {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/**
 * Baseline settings (baselines/production.json plus `templates` JWT templates and `origins`
 * origins, as a person writes them) and the live settings an export returns for the same
 * instance: templates in the API's order with the export's field order, origins in another
 * order, and four real changes (an extra origin, a template's lifetime 60 → 3600, an `email`
 * claim, a template deleted).
 */
export function modelConfig(root, sizes = DIFF_SIZES) {
  const production = JSON.parse(readFileSync(path.join(root, 'baselines/production.json'), 'utf8'));
  const origins = Array.from({ length: sizes.origins }, (_, i) => `https://app-${i}.example.com`);
  const names = Array.from({ length: sizes.templates }, (_, i) => `service-${i}`);
  const declared = (i) => ({ lifetime: 60, claims: { aud: `svc-${i}`, org_id: '{{org.id}}', role: i % 3 === 0 ? 'admin' : 'member' }, allowed_clock_skew: 5, signing_algorithm: 'RS256', custom_signing_key: false });
  const before = JSON.parse(JSON.stringify(production.settings));
  before.instance.allowed_origins = origins;
  before.jwt_templates = Object.fromEntries(names.map((name, i) => [name, declared(i)]));

  const random = seeded(42);
  const after = JSON.parse(JSON.stringify(production.settings));
  after.instance.allowed_origins = shuffle([...origins, 'https://evil.example.net'], random);
  after.jwt_templates = {};
  for (const i of shuffle(names.map((_, i) => i), random)) {
    if (i === 42) continue;
    const { lifetime, claims, allowed_clock_skew, signing_algorithm, custom_signing_key } = declared(i);
    after.jwt_templates[names[i]] = { claims, lifetime: i === 7 ? 3600 : lifetime, allowed_clock_skew, signing_algorithm, custom_signing_key };
    if (i === 11) claims.email = '{{user.primary_email_address}}';
  }
  return { before, after };
}

/**
 * The comparator: keyed normalization (object keys sorted, arrays of strings as keyed sets,
 * so order carries no meaning) and json-diff. Ten lines; no classification, no paths.
 */
export function keyedComparator(jsonDiff) {
  const keyed = (value) => {
    if (Array.isArray(value)) return value.every((item) => typeof item === 'string') ? Object.fromEntries(value.map((item) => [item, true])) : value.map(keyed);
    if (value === null || typeof value !== 'object') return value;
    const out = {};
    for (const key of Object.keys(value).sort()) out[key] = keyed(value[key]);
    return out;
  };
  return (before, after) => jsonDiff(keyed(before), keyed(after));
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Times each function `runs` times after warm-ups, interleaved so all see the same load. */
export function sideBySide(functions, { warmups = 5, runs = 31 } = {}) {
  const times = functions.map(() => []);
  const results = [];
  for (let i = 0; i < warmups; i++) functions.forEach((fn, index) => (results[index] = fn()));
  for (let i = 0; i < runs; i++) {
    functions.forEach((fn, index) => {
      const start = performance.now();
      results[index] = fn();
      times[index].push(performance.now() - start);
    });
  }
  return functions.map((_, index) => ({ ms: median(times[index]), result: results[index] }));
}

/** `compareWith`: another built checkout whose diffSettings runs in the same rounds. */
export async function benchDiff(root, { rawCapMs = 300_000, compareWith } = {}) {
  const { diffSettings, diffBaseline } = require(path.join(root, 'dist/drift/index.js'));
  const { parseBaseline } = require(path.join(root, 'dist/baseline/load.js'));
  const { diff: jsonDiff } = require(path.join(root, 'node_modules/json-diff'));
  const { before, after } = modelConfig(root);
  const production = JSON.parse(readFileSync(path.join(root, 'baselines/production.json'), 'utf8'));
  const loaded = parseBaseline(JSON.stringify({ ...production, settings: before }, null, 2), 'production.json');
  const coverage = Object.fromEntries(Object.keys(after).map((group) => [group, 'bapi']));
  const live = { schema_version: 1, kind: 'clerkguard-live-export', captured_at: '2026-11-26T03:00:00.000Z', environment: 'production', instance_id: 'ins_bench', settings: after, coverage };
  const comparator = keyedComparator(jsonDiff);
  const previous = compareWith ? require(path.join(compareWith, 'dist/drift/index.js')) : undefined;
  const [settingsDiff, baselineDiff, keyed, previousDiff] = sideBySide([
    () => diffSettings(before, after),
    () => diffBaseline(loaded, live, { today: '2026-11-26' }),
    () => comparator(before, after),
    ...(previous ? [() => previous.diffSettings(before, after)] : []),
  ]);
  const raw = await rawJsonDiff(rawCapMs);
  return {
    sizes: DIFF_SIZES,
    diff_settings_ms: settingsDiff.ms,
    diff_baseline_ms: baselineDiff.ms,
    comparator_ms: keyed.ms,
    ratio: settingsDiff.ms / keyed.ms,
    baseline_ratio: baselineDiff.ms / keyed.ms,
    changes: settingsDiff.result.map((change) => `${change.kind} ${change.path} (${change.direction}, ${change.severity})`),
    drift_changes: baselineDiff.result.changes.length,
    ...(previousDiff ? { before_diff_settings_ms: previousDiff.ms, before_ratio: previousDiff.ms / keyed.ms, same_changes_as_before: JSON.stringify(previousDiff.result) === JSON.stringify(settingsDiff.result) } : {}),
    raw_ms: raw.ms,
    raw_capped: raw.capped,
  };
}

/** Raw json-diff on the unnormalized values runs in a child process so that a cap can stop it. */
function rawJsonDiff(capMs) {
  return new Promise((resolve) => {
    const child = fork(fileURLToPath(import.meta.url), ['--raw-child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ ms: capMs, capped: true });
    }, capMs);
    child.on('message', (message) => {
      clearTimeout(timer);
      resolve({ ms: message.ms, capped: false });
      child.kill();
    });
  });
}

if (process.argv.includes('--raw-child')) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const { diff } = require(path.join(root, 'node_modules/json-diff'));
  const { before, after } = modelConfig(root);
  const start = performance.now();
  diff(before, after);
  process.send({ ms: performance.now() - start });
} else if (import.meta.url === `file://${process.argv[1]}`) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  console.log(JSON.stringify(await benchDiff(root), null, 2));
}
