import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { baselineWith } from '../helpers/baselines';
import { REPO_ROOT, fixtureDir, runCli } from '../helpers/cli';

type SettingsDraft = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

beforeAll(() => {
  // The CLI runs the compiled output; build once so the tests exercise the current source.
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT });
}, 120_000);

const violating = baselineWith((b) => {
  const s = b.settings as SettingsDraft;
  s.instance.allowed_origins = ['https://*.example.com'];
  s.sign_in.second_factor.required = false;
  s.attack_protection.user_lockout.enabled = false;
  s.jwt_templates.supabase.claims.email = '{{user.primary_email_address}}';
  s.jwt_templates.supabase.lifetime = 3600;
});

describe('clerkguard check', () => {
  it('passes the shipped production baseline, covering items 1-20 in JSON', () => {
    const result = runCli(['check', 'baselines/production.json', '--format', 'json']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.summary).toMatchObject({ fail: 0, failing_at_threshold: 0, fail_on: 'high' });
    expect(report.summary.checklist_items).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
    for (const finding of report.findings) {
      expect(Object.keys(finding)).toEqual(expect.arrayContaining(['file', 'rule', 'checklist_item', 'severity', 'status', 'message', 'path']));
      expect(finding.file).toBe('baselines/production.json');
    }
  });

  it('checks every baseline in baselines/ by default', () => {
    const result = runCli(['check']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('baselines/production.json');
    expect(result.stdout).toContain('baselines/staging.json');
    expect(result.stdout).toContain('EXCEPTED');
  });

  it('exits 2 and lists each violated item', () => {
    const dir = fixtureDir({ 'baselines/production.json': violating });
    const result = runCli(['check'], { cwd: dir });
    expect(result.status).toBe(2);
    for (const expected of [
      /FAIL\s+2 critical keys-production-live\n\s+MFA is not required/,
      /FAIL\s+3 critical origins-exact-allowlist\n\s+origin "https:\/\/\*\.example\.com" is a wildcard/,
      /FAIL\s+16 high\s+jwt-claims-minimal\n\s+JWT template "supabase" puts PII in claims: email/,
      /FAIL\s+17 high\s+jwt-short-lifetime/,
      /FAIL\s+19 high\s+monitoring-failed-login-alerts\n\s+user lockout is off/,
    ]) {
      expect(result.stdout).toMatch(expected);
    }
    expect(result.stdout).toContain('5 failing findings at or above high');
  });

  it('honours --fail-on', () => {
    const dir = fixtureDir({ 'baselines/production.json': baselineWith((b) => void ((b.settings as SettingsDraft).session.cookie_same_site = 'none')) });
    expect(runCli(['check'], { cwd: dir }).status).toBe(0);
    expect(runCli(['check', '--fail-on', 'medium'], { cwd: dir }).status).toBe(2);
  });

  it('writes SARIF 2.1.0 with the line of the offending key', () => {
    const dir = fixtureDir({ 'baselines/production.json': violating });
    const result = runCli(['check', '--format', 'sarif'], { cwd: dir });
    expect(result.status).toBe(2);
    const sarif = JSON.parse(result.stdout);
    expect(sarif.version).toBe('2.1.0');
    const run = sarif.runs[0];
    expect(run.tool.driver.name).toBe('clerkguard');
    const lifetime = run.results.find((entry: { ruleId: string; level: string }) => entry.ruleId === 'jwt-short-lifetime');
    expect(lifetime.level).toBe('error');
    const location = lifetime.locations[0].physicalLocation;
    expect(location.artifactLocation.uri).toBe('baselines/production.json');
    const lines = readFileSync(path.join(dir, 'baselines/production.json'), 'utf8').split('\n');
    expect(lines[location.region.startLine - 1]).toContain('"lifetime": 3600');
    expect(run.tool.driver.rules[lifetime.ruleIndex].id).toBe('jwt-short-lifetime');
  });

  it('renders markdown', () => {
    const dir = fixtureDir({ 'baselines/production.json': violating });
    const result = runCli(['check', '--format', 'markdown'], { cwd: dir });
    expect(result.stdout).toMatch(/^# clerkguard checklist findings/);
    expect(result.stdout).toContain('| FAIL | 3 | critical | `origins-exact-allowlist` |');
  });

  it('exits 1 with a path-precise message on bad input, with no stack trace', () => {
    const bad = baselineWith((b) => {
      (b.settings as SettingsDraft).sesion = {};
      (b.settings as SettingsDraft).instance.hibp = 'yes';
    });
    const dir = fixtureDir({ 'baselines/production.json': bad });
    const result = runCli(['check'], { cwd: dir });
    expect(result.status).toBe(1);
    // The report names the file it could not evaluate; the problems are in the error message.
    expect(result.stdout).toContain('baselines/production.json\n  NOT EVALUATED 2 problems (the error message lists them)');
    expect(result.stderr).toMatch(/baselines\/production\.json has 2 problems:/);
    expect(result.stderr).toMatch(/baselines\/production\.json:\d+:\d+ settings\.instance\.hibp: expected boolean, got string "yes"/);
    expect(result.stderr).toMatch(/settings\.sesion: unknown key "sesion"\n\s+hint: did you mean "session"\?/);
    expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it.each([
    [['check', 'nope.json'], /nope\.json: no such file or directory/],
    [['check', 'empty'], /empty: no baseline files \(\*\.json\) in this directory/],
    [['check', '--format', 'xml'], /option '-f, --format <format>' argument 'xml' is invalid\. expected one of text, json, markdown, sarif/],
    [['check', '--fail-on', 'hgh'], /did you mean "high"\?/],
  ])('exits 1 for %j', (args, message) => {
    const dir = fixtureDir({ 'empty/readme.txt': 'not a baseline' });
    const result = runCli(args, { cwd: dir });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(message);
  });

  it('reports invalid JSON with file:line:column', () => {
    const dir = fixtureDir({ 'b.json': '{\n  "schema_version": 1,,\n}' });
    const result = runCli(['check', 'b.json'], { cwd: dir });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/b\.json is not a valid baseline:\n\s+b\.json:2:23 invalid JSON: expected a property name/);
  });

  it('refuses two baselines for one environment', () => {
    const dir = fixtureDir({ 'baselines/a.json': violating, 'baselines/b.json': violating });
    const result = runCli(['check'], { cwd: dir });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/both describe environment "production"/);
  });
});

describe('clerkguard basics', () => {
  it('prints its version', () => {
    const result = runCli(['--version']);
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version);
  });

  it('has help that lists commands and the exit-code contract', () => {
    const result = runCli(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('check');
    expect(result.stdout).toContain('Exit codes: 0 clean, 2 drift or failing findings, 1 could not complete.');
    const check = runCli(['check', '--help']);
    expect(check.stdout).toContain('--fail-on <severity>');
  });

  it('lists the 20 rules', () => {
    const result = runCli(['rules', '--format', 'json']);
    expect(JSON.parse(result.stdout)).toHaveLength(20);
  });

  it('exits 1 on an unknown command with a hint', () => {
    const result = runCli(['chekc']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/unknown command 'chekc'/);
  });
});

describe('generated docs', () => {
  it('docs/checklist.md is current (regenerate with `clerkguard rules --format markdown > docs/checklist.md`)', () => {
    const result = runCli(['rules', '--format', 'markdown']);
    expect(readFileSync(path.join(REPO_ROOT, 'docs', 'checklist.md'), 'utf8')).toBe(result.stdout);
  });
});

describe('generated settings reference', () => {
  it('docs/settings.md is current (regenerate with `clerkguard schema --format markdown > docs/settings.md`)', () => {
    const result = runCli(['schema', '--format', 'markdown']);
    expect(readFileSync(path.join(REPO_ROOT, 'docs', 'settings.md'), 'utf8')).toBe(result.stdout);
  });
});

describe('secrets in bad input', () => {
  it('never echoes a secret key pasted into a baseline', () => {
    const sentinel = 'sk_live_SENTINELsecret0123456789';
    const dir = fixtureDir({ 'baselines/production.json': baselineWith((b) => void (b.target.secret_key_env = sentinel)) });
    const result = runCli(['check', '--format', 'json'], { cwd: dir });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/target\.secret_key_env: expected an environment variable name such as "CLERK_SECRET_KEY", got string "sk_live_\[REDACTED\]"/);
    expect(result.stdout + result.stderr).not.toContain('SENTINELsecret');
  });
});
