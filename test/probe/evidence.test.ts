/**
 * Application evidence (probe and code) beyond `clerkguard probe`: in the checklist (`check`),
 * in drift reports (changes, coverage, undecided gaps, suppression, SARIF, Slack fingerprints)
 * and in the quarterly review. In-process against the real test application.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBaselines, type LoadedBaseline } from '../../src/baseline/load';
import { checkBaseline } from '../../src/checklist/evaluate-baseline';
import { diffBaseline } from '../../src/drift/index';
import type { EnvironmentDrift } from '../../src/drift/types';
import { applicationCollector, type EvidenceCollector } from '../../src/evidence/collect';
import { withApplicationDrift, type CollectedEvidence } from '../../src/evidence/drift';
import type { ApplicationEvidence } from '../../src/evidence/index';
import { liveExportSchema, type LiveExport } from '../../src/export/types';
import { driftFingerprint } from '../../src/notify/state';
import { probeUserAgent, runProbe } from '../../src/probe/index';
import { renderDrift } from '../../src/report/drift';
import { takeSnapshots } from '../../src/snapshot/snapshot';
import { fixtureDir } from '../helpers/cli';
import { GROUP_COVERAGE } from '../helpers/coverage';
import { LIVE_PUBLISHABLE_KEY, SIGNING_SECRET, startApp, type RunningServer } from './app-server';
import { WEBHOOK_PATH, probeBaseline, writeProbeBaseline } from './fixtures';

const ENV = { CLERK_PUBLISHABLE_KEY: LIVE_PUBLISHABLE_KEY, CLERK_WEBHOOK_SIGNING_SECRET: SIGNING_SECRET };
const TODAY = '2026-11-26';

let vulnerable: RunningServer;
let fixed: RunningServer;

beforeAll(async () => {
  vulnerable = await startApp({ variant: 'vulnerable' });
  fixed = await startApp({ variant: 'fixed' });
});

afterAll(async () => {
  await Promise.all([vulnerable?.close(), fixed?.close()]);
});

async function probeOf(origin: string, mutate?: Parameters<typeof writeProbeBaseline>[0]['mutate']) {
  const written = writeProbeBaseline({ origin, ...(mutate ? { mutate } : {}) });
  const result = await runProbe(written.loaded, { env: ENV, now: new Date(), userAgent: probeUserAgent() });
  return { ...written, evidence: result.evidence };
}

/** A live export equal to the baseline's settings, so drift comes only from the application. */
function liveFor(settings: unknown): LiveExport {
  return liveExportSchema.parse({
    schema_version: 1,
    kind: 'clerkguard-live-export',
    captured_at: '2026-11-26T12:00:00.000Z',
    environment: 'production',
    instance_id: 'ins_2abcDEF',
    baseline_version: '1.0.0',
    settings: structuredClone(settings),
    coverage: { ...GROUP_COVERAGE, keys: 'attested', 'session.cookie_same_site': 'export-file' },
  });
}

const ITEMS = [2, 7, 8, 9];

describe('probe evidence in the checklist (check --probe)', () => {
  it('vulnerable: items 2, 7, 8, 9 fail with evidence probe, beating the passing attestations', async () => {
    const { loaded, evidence } = await probeOf(vulnerable.origin);
    const findings = checkBaseline(loaded, TODAY, [evidence]);
    for (const item of ITEMS) {
      const own = findings.filter((finding) => finding.checklist_item === item && finding.evidence === 'probe');
      expect(own.some((finding) => finding.status === 'fail'), `item ${item}`).toBe(true);
    }
    // The person's word no longer decides items 7, 8, 9: the probe's observations replaced it.
    expect(findings.filter((finding) => [7, 8, 9].includes(finding.checklist_item ?? 0) && finding.evidence === 'baseline' && finding.path.match(/practices|signature_verification|cookie_same_site/))).toEqual([]);
  });

  it('fixed: items 2, 7, 8, 9 pass with evidence probe', async () => {
    const { loaded, evidence } = await probeOf(fixed.origin);
    const findings = checkBaseline(loaded, TODAY, [evidence]);
    for (const item of ITEMS) {
      const own = findings.filter((finding) => finding.checklist_item === item && finding.evidence === 'probe');
      expect(own.length, `item ${item}`).toBeGreaterThan(0);
      expect(own.every((finding) => finding.status === 'pass'), `item ${item}: ${JSON.stringify(own.map((finding) => finding.message))}`).toBe(true);
    }
  });
});

describe('application evidence in drift reports', () => {
  it('turns what the probe contradicts into weakening changes with source probe, and lists what it could not decide', async () => {
    const { loaded, evidence } = await probeOf(vulnerable.origin);
    const clean = diffBaseline(loaded, liveFor(loaded.baseline.settings), { today: TODAY });
    expect(clean.status).toBe('clean');
    const drift = withApplicationDrift(clean, loaded, { evidence: [evidence], gaps: [] }, TODAY);
    expect(drift.status).toBe('drift');
    const webhook = drift.changes.find((change) => change.path === `settings.webhooks.signature_verification["probe ${vulnerable.origin}${WEBHOOK_PATH}"]`);
    expect(webhook).toMatchObject({
      kind: 'changed',
      baseline: 'attested by platform-team on 2026-10-15',
      live: expect.stringContaining('accepted a forged delivery'),
      direction: 'weakening',
      severity: 'critical',
      checklist_items: [9],
      source: 'probe',
      evidence: { rule: 'webhook-signature-verification', check: 'webhook-forged-signature', location: { url: `${vulnerable.origin}${WEBHOOK_PATH}` } },
    });
    expect(drift.changes.find((change) => change.path.startsWith('settings.session.cookie_same_site['))).toMatchObject({ baseline: 'lax', source: 'probe', checklist_items: [8] });
    expect(drift.changes.find((change) => change.path.startsWith('settings.keys.expected_environment['))).toMatchObject({ baseline: 'live', source: 'probe', checklist_items: [2] });
    expect(drift.application?.gaps.map((gap) => gap.check)).toEqual(['webhook-replay']);
    expect(drift.application?.sources).toEqual([expect.objectContaining({ source: 'probe' })]);

    const text = renderDrift('text', { status: drift.status, generated_at: '2026-11-26T12:00:00.000Z', environments: [drift] }, { color: false });
    expect(text).toContain('source probe');
    expect(text).toContain('undecided');
    const sarif = JSON.parse(renderDrift('sarif', { status: drift.status, generated_at: '2026-11-26T12:00:00.000Z', environments: [drift] }, { texts: { [loaded.file]: loaded.text } })) as {
      runs: { results: { message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] }[];
    };
    const result = sarif.runs[0]?.results.find((entry) => entry.message.text.includes('forged'));
    expect(result?.message.text).toContain(`at ${vulnerable.origin}${WEBHOOK_PATH}`);
    expect(result?.locations[0]?.physicalLocation.artifactLocation.uri).toBe(loaded.file);
    expect(result?.locations[0]?.physicalLocation.region.startLine).toBeGreaterThan(1);
    const json = JSON.parse(renderDrift('json', { status: drift.status, generated_at: '2026-11-26T12:00:00.000Z', environments: [drift] })) as { environments: { application?: unknown }[] };
    expect(json.environments[0]?.application).toBeDefined();
  });

  it('gives the same fingerprint night after night, so Slack does not re-alert', async () => {
    const first = await probeOf(vulnerable.origin);
    const second = await probeOf(vulnerable.origin);
    const clean = diffBaseline(first.loaded, liveFor(first.loaded.baseline.settings), { today: TODAY });
    const a = withApplicationDrift(clean, first.loaded, { evidence: [first.evidence], gaps: [] }, TODAY);
    const b = withApplicationDrift(clean, first.loaded, { evidence: [second.evidence], gaps: [] }, TODAY);
    expect(driftFingerprint(a.changes)).toBe(driftFingerprint(b.changes));
  });

  it('is waived by url: exceptions and ignore entries like any change', async () => {
    const { loaded, evidence } = await probeOf(vulnerable.origin, (baseline) => {
      baseline.exceptions = [{ rule: 'webhook-signature-verification', path: `url:${vulnerable.origin}/api/webhooks/`, reason: 'gateway verifies', owner: 'ops', expires: '2027-03-31' }];
      baseline.ignore = [{ path: 'settings.session.cookie_same_site', reason: 'embedded widget, reviewed', owner: 'web', expires: '2027-03-31' }];
    });
    const drift = withApplicationDrift(diffBaseline(loaded, liveFor(loaded.baseline.settings), { today: TODAY }), loaded, { evidence: [evidence], gaps: [] }, TODAY);
    const webhook = drift.changes.filter((change) => change.path.startsWith('settings.webhooks.signature_verification['));
    expect(webhook.map((change) => change.suppressed)).toEqual([
      { by: 'exception', reason: 'gateway verifies', rule: 'webhook-signature-verification', expires: '2027-03-31' },
      { by: 'exception', reason: 'gateway verifies', rule: 'webhook-signature-verification', expires: '2027-03-31' },
    ]);
    const cookies = drift.changes.filter((change) => change.path.startsWith('settings.session.cookie_same_site['));
    expect(cookies.length).toBeGreaterThan(0);
    expect(cookies.every((change) => change.suppressed?.by === 'ignore')).toBe(true);
    // Unwaived probe findings (keys, protected paths) still make it drift.
    expect(drift.status).toBe('drift');
  });

  it('fixed: no drift, and the decided settings are covered by the probe instead of the attestation', async () => {
    const { loaded, evidence } = await probeOf(fixed.origin);
    const drift = withApplicationDrift(diffBaseline(loaded, liveFor(loaded.baseline.settings), { today: TODAY }), loaded, { evidence: [evidence], gaps: [] }, TODAY);
    expect(drift.status).toBe('clean');
    expect(drift.changes).toEqual([]);
    expect(drift.coverage['settings.webhooks.signature_verification']).toBe('probe');
    expect(drift.coverage['settings.practices.server_side_session_verification']).toBe('probe');
    expect(drift.coverage['settings.session.cookie_same_site']).toBe('probe');
  });

  it('code evidence too: an unverified webhook route is drift at the code location, and SARIF points at the code', async () => {
    const app = fixtureDir({
      'app/api/webhooks/clerk/route.ts': "import { Webhook } from 'svix';\nexport async function POST(req: Request) {\n  const body = await req.text();\n  return new Response(body ? 'ok' : 'empty');\n}\n",
    });
    const dir = fixtureDir({ 'baselines/production.json': probeBaseline({ origin: fixed.origin }) });
    const [loaded] = loadBaselines(['baselines/production.json'], dir);
    if (!loaded) throw new Error('no baseline');
    const collector = applicationCollector({ scan: { roots: [app] } }, { cwd: dir, env: {}, today: () => TODAY, warn: () => undefined }, [loaded]);
    const collected = (await collector?.(loaded)) as CollectedEvidence;
    const drift: EnvironmentDrift = withApplicationDrift(diffBaseline(loaded, liveFor(loaded.baseline.settings), { today: TODAY }), loaded, collected, TODAY);
    const change = drift.changes.find((entry) => entry.source === 'code' && entry.checklist_items.includes(9));
    expect(change?.path).toMatch(/^settings\.webhooks\.signature_verification\["code .*app\/api\/webhooks\/clerk\/route\.ts:\d+:\d+"\]$/);
    const sarif = JSON.parse(renderDrift('sarif', { status: drift.status, generated_at: 'now', environments: [drift] }, { texts: { [loaded.file]: loaded.text } })) as {
      runs: { results: { properties: { source: string }; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[];
    };
    const codeResult = sarif.runs[0]?.results.find((entry) => entry.properties.source === 'code');
    expect(codeResult?.locations[0]?.physicalLocation.artifactLocation.uri).toMatch(/app\/api\/webhooks\/clerk\/route\.ts$/);
  });
});

describe('application evidence in the quarterly review', () => {
  /** 2026-Q4's snapshot of one baseline whose live export equals it, with the given application evidence. */
  const snapshotQuarter = (loaded: LoadedBaseline, dir: string, application: EvidenceCollector | undefined) =>
    takeSnapshots([loaded], {
      dir: 'snapshots',
      quarter: { year: 2026, quarter: 4 },
      today: TODAY,
      cwd: dir,
      env: {},
      exporter: async () => liveFor(loaded.baseline.settings),
      ...(application ? { application } : {}),
    });

  it('shows items 2, 7, 8, 9 with evidence probe', async () => {
    const { dir, loaded } = writeProbeBaseline({ origin: fixed.origin });
    const collect = async (): Promise<CollectedEvidence> => {
      const result = await runProbe(loaded, { env: ENV, now: new Date(), userAgent: probeUserAgent() });
      return { evidence: [result.evidence as ApplicationEvidence], gaps: [] };
    };
    const run = await snapshotQuarter(loaded, dir, collect);
    const review = run.environments[0]?.review;
    for (const item of ITEMS) {
      const row = review?.checklist.find((entry) => entry.item === item);
      expect(row?.evidence, `item ${item}`).toContain('probe');
    }
    expect(review?.checklist.find((entry) => entry.item === 9)?.status).toBe('pass');
    const markdown = readFileSync(path.join(dir, 'snapshots', 'production', '2026-Q4.md'), 'utf8');
    for (const item of ITEMS) expect(markdown).toMatch(new RegExp(`^\\| ${item} \\|.*\\| [^|]*probe[^|]* \\|`, 'm'));
    expect(markdown).toContain('Application evidence: probe');
  });

  it('shows the items a scan decides with evidence code (snapshot --scan)', async () => {
    const app = fixtureDir({
      'app/api/webhooks/clerk/route.ts': "import { Webhook } from 'svix';\nexport async function POST(req: Request) {\n  const body = await req.text();\n  return new Response(body ? 'ok' : 'empty');\n}\n",
    });
    const { dir, loaded } = writeProbeBaseline({ origin: fixed.origin });
    const collector = applicationCollector({ scan: { roots: [app] } }, { cwd: dir, env: {}, today: () => TODAY, warn: () => undefined }, [loaded]);
    const run = await snapshotQuarter(loaded, dir, collector);
    const review = run.environments[0]?.review;
    const item9 = review?.checklist.find((entry) => entry.item === 9);
    expect(item9).toMatchObject({ status: 'fail', evidence: expect.arrayContaining(['code']) });
    expect(review?.drift.changes.some((change) => change.source === 'code' && change.checklist_items.includes(9))).toBe(true);
    expect(readFileSync(path.join(dir, 'snapshots', 'production', '2026-Q4.md'), 'utf8')).toMatch(/evidence: code\) at `.*app\/api\/webhooks\/clerk\/route\.ts:\d+:\d+`/);
  });
});
