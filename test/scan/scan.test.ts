/**
 * The scan's edges: files it cannot analyse (listed, never clean), symlink loops, node_modules,
 * inline suppressions, baseline exceptions on code locations, the evidence merge, secrets in
 * output, and the CLI as a user runs it.
 */
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkBaseline } from '../../src/checklist/evaluate-baseline';
import { parseBaseline } from '../../src/baseline/load';
import { withEvidence, type ApplicationEvidence } from '../../src/evidence/index';
import { scanFindings } from '../../src/scan/findings';
import { scanApplication, ALL_REVOKE_EVENTS } from '../../src/scan/index';
import { compileRoutePattern } from '../../src/scan/middleware';
import { renderScan } from '../../src/scan/report';
import { fixtureDir, runCli } from '../helpers/cli';

const TODAY = '2026-11-26';
const POLICY = { revokeOn: ALL_REVOKE_EVENTS };
const FIXTURES = path.join(__dirname, 'fixtures');

const webhookRoute = (comment = '') => `import { Webhook } from 'svix';
${comment}
export async function POST(req: Request) {
  const body = await req.text();
  return new Response(body ? 'ok' : 'empty');
}
`;

describe('scan: what it cannot analyse is listed, never clean', () => {
  it('reports syntax errors, binary files, unreadable files, symlink loops and broken symlinks', () => {
    const dir = fixtureDir({
      'app/api/a/route.ts': 'export async function GET( {\n',
      'app/api/b/route.ts': 'export const ok = 1;\n',
      'lib/blob.js': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01]).toString('latin1'),
      'lib/secret.ts': 'export const x = 1;\n',
    });
    mkdirSync(path.join(dir, 'nested'));
    symlinkSync(dir, path.join(dir, 'nested', 'loop'));
    symlinkSync(path.join(dir, 'missing'), path.join(dir, 'dangling.ts'));
    const result = scanApplication(
      {
        roots: ['.'],
        cwd: dir,
        readFile: (file) => {
          if (file.endsWith('secret.ts')) throw Object.assign(new Error('permission denied'), { code: 'EACCES' });
          return readFileSync(file);
        },
      },
      POLICY,
      TODAY,
    );
    const reasons = Object.fromEntries(result.notAnalysed.map((gap) => [gap.file, gap.reason]));
    expect(reasons['app/api/a/route.ts']).toMatch(/^syntax error at \d+:\d+: /);
    expect(reasons['lib/blob.js']).toMatch(/binary/);
    expect(reasons['lib/secret.ts']).toMatch(/could not be read \(EACCES\)/);
    expect(reasons['nested/loop']).toMatch(/symlink loop/);
    expect(reasons['dangling.ts']).toMatch(/broken symlink/);
    const findings = scanFindings(result, { environment: 'app', today: TODAY });
    const gaps = findings.filter((finding) => finding.rule === 'scan-file-not-analysed');
    expect(gaps).toHaveLength(5);
    expect(gaps.every((finding) => finding.status === 'not_verifiable')).toBe(true);
    expect(gaps.find((finding) => finding.location?.file === 'app/api/a/route.ts')?.location?.line).toBeGreaterThan(0);
  });

  it('skips node_modules and build output unless asked, and says so', () => {
    const dir = fixtureDir({
      'node_modules/leaky/index.js': "export const k = 'sk_live_Y2xlcmtndWFyZC1maXh0dXJlLWxpdmUtc2VjcmV0LWtleS0wMQ';\n",
      'src/index.ts': 'export const ok = true;\n',
    });
    const skipped = scanApplication({ roots: ['.'], cwd: dir }, POLICY, TODAY);
    expect(skipped.skipped).toEqual({ node_modules: 1 });
    expect(skipped.evidence.observations.filter((observation) => observation.status === 'fail' && observation.rule === 'keys-secret-server-only')).toEqual([]);
    const included = scanApplication({ roots: ['.'], cwd: dir, includeNodeModules: true }, POLICY, TODAY);
    expect(included.evidence.observations.some((observation) => observation.check === 'secret-key-literal' && observation.location.file === 'node_modules/leaky/index.js')).toBe(true);
  });

  it('rejects a missing directory with a hint', () => {
    expect(() => scanApplication({ roots: ['nope'], cwd: fixtureDir() }, POLICY, TODAY)).toThrow(/application directory nope does not exist/);
  });
});

describe('scan: suppressions and exceptions', () => {
  it('honours and lists an inline suppression; an expired, reasonless, ownerless or open-ended one waives nothing', () => {
    const dir = fixtureDir({
      'app/api/webhooks/a/route.ts': webhookRoute('// clerkguard-ignore webhook-unverified: verified by the API gateway (owner: @ops, expires: 2027-06-30)'),
      'app/api/webhooks/b/route.ts': webhookRoute('// clerkguard-ignore webhook-signature-verification: old (owner: @ops, expires: 2020-01-01)'),
      'app/api/webhooks/c/route.ts': webhookRoute('// clerkguard-ignore webhook-signature-verification:'),
      'app/api/webhooks/d/route.ts': webhookRoute('// clerkguard-ignore webhook-signature-verification: trust me'),
    });
    const result = scanApplication({ roots: ['.'], cwd: dir }, POLICY, TODAY);
    const unverified = result.evidence.observations.filter((observation) => observation.check === 'webhook-unverified');
    expect(unverified.map((observation) => [observation.location.file, Boolean(observation.suppressed)])).toEqual([
      ['app/api/webhooks/a/route.ts', true],
      ['app/api/webhooks/b/route.ts', false],
      ['app/api/webhooks/c/route.ts', false],
      ['app/api/webhooks/d/route.ts', false],
    ]);
    expect(result.suppressions.map((suppression) => [suppression.file, suppression.status, suppression.owner ?? null])).toEqual([
      ['app/api/webhooks/a/route.ts', 'applied', '@ops'],
      ['app/api/webhooks/b/route.ts', 'expired', '@ops'],
      ['app/api/webhooks/c/route.ts', 'invalid', null],
      ['app/api/webhooks/d/route.ts', 'invalid', null],
    ]);
    expect(result.suppressions[3]?.problem).toMatch(/owner and an expiry like a baseline exception/);
    const findings = scanFindings(result, { environment: 'app', today: TODAY });
    const waived = findings.find((finding) => finding.check === 'webhook-unverified' && finding.status === 'excepted');
    expect(waived?.exception).toMatchObject({ by: 'inline', owner: '@ops', expires: '2027-06-30', at: 'app/api/webhooks/a/route.ts:2' });
    expect(findings.filter((finding) => finding.rule === 'scan-suppression-invalid')).toHaveLength(3);
    const text = renderScan({ result, findings, format: 'text', failOn: 'high', verbose: false, color: false });
    expect(text).toContain('Inline suppressions (4)');
    expect(text).toContain('[applied] verified by the API gateway (owner @ops, expires 2027-06-30)');
  });

  it('applies a baseline exception scoped to code locations', () => {
    const dir = fixtureDir({ 'app/api/webhooks/legacy/route.ts': webhookRoute(), 'app/api/webhooks/new/route.ts': webhookRoute() });
    const result = scanApplication({ roots: ['.'], cwd: dir }, POLICY, TODAY);
    const exceptions = [{ rule: 'webhook-signature-verification', path: 'code:app/api/webhooks/legacy/**', reason: 'retired next sprint', owner: 'web', expires: '2027-01-31' }];
    const findings = scanFindings(result, { environment: 'app', today: TODAY, exceptions });
    const byFile = Object.fromEntries(findings.filter((finding) => finding.check === 'webhook-unverified').map((finding) => [finding.location?.file, finding.status]));
    expect(byFile).toEqual({ 'app/api/webhooks/legacy/route.ts': 'excepted', 'app/api/webhooks/new/route.ts': 'fail' });
  });
});

describe('evidence: application evidence and attestations', () => {
  const attestation = { status: 'pass' as const, message: 'attested by alice', path: ['webhooks', 'signature_verification'] };
  const evidence = (status: 'pass' | 'fail' | 'not_verifiable'): ApplicationEvidence => ({
    source: 'code',
    subjects: ['.'],
    examined: ['webhook-signature-verification'],
    observations: [{ source: 'code', rule: 'webhook-signature-verification', check: 'webhook-verified', status, confidence: 'high', message: `scan says ${status}`, location: { file: 'a.ts', line: 3, column: 1 } }],
  });

  it('a failing scan beats a passing attestation; a passing scan needs none; an undecided scan keeps the attestation', () => {
    const failing = withEvidence('webhook-signature-verification', [attestation], { mode: 'baseline', application: [evidence('fail')] });
    expect(failing.map((result) => [result.status, result.evidence])).toEqual([['fail', 'code']]);
    const passing = withEvidence('webhook-signature-verification', [{ status: 'not_verifiable', message: 'no attestation', path: ['webhooks', 'signature_verification'] }], { mode: 'live', application: [evidence('pass')] });
    expect(passing.map((result) => [result.status, result.evidence, result.location?.line])).toEqual([['pass', 'code', 3]]);
    const undecided = withEvidence('webhook-signature-verification', [attestation], { mode: 'baseline', application: [evidence('not_verifiable')] });
    expect(undecided.map((result) => [result.status, result.evidence])).toEqual([['pass', 'baseline']]);
    expect(undecided[0]?.message).toContain('code: scan says not_verifiable');
  });

  it('check with a scan shows items 1, 6, 7, 9-14 with evidence code instead of attestations', () => {
    const loaded = parseBaseline(
      JSON.stringify({
        schema_version: 1,
        version: '1',
        environment: 'production',
        profile: 'saas',
        target: { environment_type: 'production' },
        settings: { practices: { server_side_session_verification: { attested_by: 'alice', attested_at: '2026-10-01', evidence: 'review' } } },
      }),
      'production.json',
    );
    const result = scanApplication({ roots: ['next-app-router/fixed'], builds: ['next-app-router/fixed/.next/static'], cwd: FIXTURES }, POLICY, TODAY);
    const findings = checkBaseline(loaded, TODAY, [result.evidence]);
    for (const item of [1, 6, 7, 9, 10, 11, 12, 13, 14]) {
      const own = findings.filter((finding) => finding.checklist_item === item);
      expect(own.some((finding) => finding.evidence === 'code' && finding.status === 'pass'), `item ${item}`).toBe(true);
      expect(own.some((finding) => finding.evidence === 'baseline' && /attest/.test(finding.message)), `item ${item} still rests on an attestation`).toBe(false);
    }
  });
});

describe('scan: route patterns', () => {
  it.each([
    ['/dashboard(.*)', '/dashboard/1', true],
    ['/dashboard(.*)', '/settings', false],
    ['/admin/:path*', '/admin', true],
    ['/admin/:path*', '/admin/a/b', true],
    ['/api/:id', '/api/1', true],
    ['/((?!_next|[^?]*\\.(?:html?|css|js(?!on)|png)).*)', '/api/items', true],
    ['/((?!_next|[^?]*\\.(?:html?|css|js(?!on)|png)).*)', '/_next/static/x.js', false],
  ])('%s matches %s: %s', (pattern, url, matches) => {
    expect(compileRoutePattern(pattern)?.test(url)).toBe(matches);
  });
});

describe('clerkguard scan (CLI)', () => {
  it('finds the planted issues with file:line, exits 2, and never prints a key', () => {
    const fixture = 'test/scan/fixtures/next-app-router/vulnerable';
    const text = runCli(['scan', fixture, '--build', `${fixture}/.next/static`]);
    expect(text.status).toBe(2);
    expect(text.stdout).toContain(`${fixture}/app/api/items/route.ts:5:1 [unprotected-route`);
    expect(text.stdout).toContain(`${fixture}/.next/static/chunks/app-page.js:4:8 [secret-key-in-build`);
    const sarif = runCli(['scan', fixture, '--build', `${fixture}/.next/static`, '--format', 'sarif']);
    const run = JSON.parse(sarif.stdout).runs[0];
    const result = run.results.find((item: { properties: { check?: string } }) => item.properties.check === 'webhook-2xx-on-failure');
    expect(result.locations[0].physicalLocation).toMatchObject({ artifactLocation: { uri: `${fixture}/app/api/webhooks/clerk/route.ts` }, region: { startLine: 24, startColumn: 11 } });
    const json = runCli(['scan', fixture, '--build', `${fixture}/.next/static`, '--format', 'json']);
    for (const output of [text.stdout, sarif.stdout, json.stdout, runCli(['scan', fixture, '--format', 'markdown']).stdout]) {
      expect(output).not.toMatch(/(sk_live|sk_test|whsec|pk_test|pk_live)_[A-Za-z0-9]{8,}/);
    }
  });

  it('passes the fixed variant (exit 0) and answers a missing directory with exit 1 and a hint', () => {
    expect(runCli(['scan', 'test/scan/fixtures/express-api/fixed']).status).toBe(0);
    const missing = runCli(['scan', 'no/such/app']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('application directory no/such/app does not exist');
    expect(missing.stderr).toContain('hint:');
  });

  it('check --scan puts code evidence into the checklist', () => {
    const dir = path.join('test', 'scan', 'fixtures', 'next-app-router');
    const result = runCli(['check', `${dir}/production.json`, '--scan', `${dir}/vulnerable`, '--format', 'json']);
    expect(result.status).toBe(2);
    const findings = JSON.parse(result.stdout).findings as { checklist_item: number; evidence: string; status: string }[];
    expect(findings.some((finding) => finding.checklist_item === 9 && finding.evidence === 'code' && finding.status === 'fail')).toBe(true);
  });
});


describe('scan: authorizedParties (item 3, the origins the app itself trusts)', () => {
  it('passes exact production origins, fails a wildcard or http origin, and cannot decide a computed list', () => {
    const middleware = (parties: string) => `import { clerkMiddleware } from '@clerk/nextjs/server';\nexport default clerkMiddleware(async () => {}, { authorizedParties: ${parties} });\n`;
    const scan = (parties: string) =>
      scanApplication({ roots: ['.'], cwd: fixtureDir({ 'middleware.ts': middleware(parties) }) }, { ...POLICY, environmentType: 'production' }, TODAY).evidence.observations.filter(
        (observation) => observation.rule === 'origins-exact-allowlist',
      );
    expect(scan("['https://app.example.com']").map((observation) => [observation.status, observation.check])).toEqual([['pass', 'authorized-parties-exact']]);
    const wide = scan("['https://*.example.com', 'http://app.example.com']");
    expect(wide.map((observation) => observation.status)).toEqual(['fail', 'fail']);
    expect(wide[0]!.message).toMatch(/accepts session tokens for "https:\/\/\*\.example\.com", which is a wildcard/);
    expect(wide[0]!.location.file).toBe('middleware.ts');
    expect(scan('process.env.PARTIES.split(",")').map((observation) => observation.status)).toEqual(['not_verifiable']);
    // No authorizedParties anywhere: nothing said, the item keeps its instance evidence.
    expect(scanApplication({ roots: ['.'], cwd: fixtureDir({ 'middleware.ts': "import { clerkMiddleware } from '@clerk/nextjs/server';\nexport default clerkMiddleware();\n" }) }, POLICY, TODAY).evidence.observations.filter((observation) => observation.rule === 'origins-exact-allowlist')).toEqual([]);
  });
});
