/**
 * What a new user meets after the demo (issue 13), through the CLI's entry point in-process:
 * per-file check results and SARIF for invalid baselines, ignore entries held to the standard of
 * exceptions, snapshot notices and --force, and the output polish (schedule --once, Slack's
 * "no new alert", help, rules, review diff, unverified grouping, markdown, progress lines).
 * Real parts throughout: the Clerk emulator, a local Slack server, real git.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseBaseline } from '../../src/baseline/load';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index';
import { stableStringify } from '../../src/util/json';
import { startSlackServer, type SlackServer } from '../notify/slack-server';
import { tempRepo, type TempRepo } from '../snapshot/git-fixture';
import { liveExportFixture } from '../snapshot/fixtures';
import { productionBaseline } from '../helpers/baselines';
import { REPO_ROOT } from '../helpers/cli';
import { runMain } from '../helpers/in-process';

const PRODUCTION_TEXT = readFileSync(path.join(REPO_ROOT, 'baselines', 'production.json'), 'utf8');
const STAGING_TEXT = readFileSync(path.join(REPO_ROOT, 'baselines', 'staging.json'), 'utf8');
const BROKEN = '{"schema_version": 1, "environment": 3}\n';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-first-use-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(file: string, content: string | object): void {
  mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  writeFileSync(path.join(dir, file), typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
}

interface SarifRun {
  tool: { driver: { rules: { id: string }[] } };
  invocations?: { executionSuccessful: boolean; toolExecutionNotifications: { message: { text: string } }[] }[];
  results: { ruleId: string; level: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }[] }[];
}

describe('check: every file on its own, invalid files in every format', () => {
  it('a valid file is still evaluated next to an invalid one; exit 1 overall', async () => {
    write('baselines/production.json', PRODUCTION_TEXT);
    write('baselines/broken.json', BROKEN);
    const text = await runMain(['check'], { cwd: dir });
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('baselines/production.json\n  0 fail, 0 excepted, 0 unverified, 29 pass');
    expect(text.stdout).toContain('baselines/broken.json\n  NOT EVALUATED 5 problems (the error message lists them)');
    expect(text.stdout).toContain('1 baseline file not evaluated (exit 1)');
    expect(text.stderr).toContain('clerkguard: baselines/broken.json has 5 problems:\n');
    expect(text.stderr).toContain('baselines/broken.json:1:38 environment: expected string, got number 3');

    const json = await runMain(['check', '--format', 'json'], { cwd: dir });
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as { findings: { file: string }[]; invalid_files: { file: string; problems: { path: string; line: number; column: number }[] }[] };
    expect(new Set(report.findings.map((finding) => finding.file))).toEqual(new Set(['baselines/production.json']));
    expect(report.invalid_files.map((entry) => entry.file)).toEqual(['baselines/broken.json']);
    expect(report.invalid_files[0]!.problems).toContainEqual(expect.objectContaining({ path: 'environment', line: 1, column: 38 }));

    const markdown = await runMain(['check', '--format', 'markdown'], { cwd: dir });
    expect(markdown.stdout).toContain('## baselines/broken.json\n\n**Not evaluated**: the file could not be used as a baseline.');
    expect(markdown.stdout).toContain('- `baselines/broken.json:1:38` `environment`: expected string, got number 3');
  });

  it('check bad.json --format sarif is a SARIF log with a result at file:line:col, never an empty file', async () => {
    write('bad.json', BROKEN);
    const run = await runMain(['check', 'bad.json', '--format', 'sarif'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stdout.trim()).not.toBe('');
    const [sarifRun] = (JSON.parse(run.stdout) as { runs: SarifRun[] }).runs;
    const invalid = sarifRun!.results.filter((result) => result.ruleId === 'baseline-invalid');
    expect(invalid).toHaveLength(5);
    expect(invalid.every((result) => result.level === 'error')).toBe(true);
    const environment = invalid.find((result) => result.message.text.startsWith('environment:'));
    expect(environment?.locations[0]?.physicalLocation).toEqual({ artifactLocation: { uri: 'bad.json' }, region: { startLine: 1, startColumn: 38 } });
    expect(sarifRun!.tool.driver.rules.map((rule) => rule.id)).toContain('baseline-invalid');
  });

  it('a missing file, a duplicate environment and a valid file: two failures reported, the valid one checked', async () => {
    write('a.json', PRODUCTION_TEXT);
    write('b.json', PRODUCTION_TEXT);
    const run = await runMain(['check', 'a.json', 'nope.json', 'b.json', '--format', 'sarif'], { cwd: dir });
    expect(run.code).toBe(1);
    const [sarifRun] = (JSON.parse(run.stdout) as { runs: SarifRun[] }).runs;
    const invalid = sarifRun!.results.filter((result) => result.ruleId === 'baseline-invalid');
    expect(invalid.map((result) => [result.locations[0]!.physicalLocation.artifactLocation.uri, result.message.text])).toEqual([
      ['nope.json', expect.stringContaining('no such file or directory')],
      ['b.json', expect.stringContaining('environment "production" is already described by a.json')],
    ]);
    expect(invalid[1]!.locations[0]!.physicalLocation.region.startLine).toBeGreaterThan(1);
    expect(run.stderr).toContain('2 baseline files could not be used:');
  });

  it('no baselines at all: the SARIF run says the invocation failed, and the hint is about the user’s own repository', async () => {
    const run = await runMain(['check', '--format', 'sarif'], { cwd: dir });
    expect(run.code).toBe(1);
    const [sarifRun] = (JSON.parse(run.stdout) as { runs: SarifRun[] }).runs;
    expect(sarifRun!.results).toEqual([]);
    expect(sarifRun!.invocations?.[0]?.executionSuccessful).toBe(false);
    expect(sarifRun!.invocations?.[0]?.toolExecutionNotifications[0]?.message.text).toContain('baselines: no such file or directory');
    expect(run.stderr).toContain('hint: run clerkguard in the repository that holds your baselines/ folder');
  });
});

describe('check output: unverified items in one block, no empty markdown table', () => {
  it('groups the unverified items of a baseline into one short block with a count', async () => {
    write('baselines/staging.json', STAGING_TEXT);
    const run = await runMain(['check'], { cwd: dir });
    expect(run.code).toBe(0);
    const count = Number(/(\d+) unverified, \d+ pass/.exec(run.stdout)?.[1]);
    expect(count).toBeGreaterThan(5);
    expect(run.stdout.match(/UNVERIFIED/g)).toHaveLength(1);
    expect(run.stdout).toContain(`UNVERIFIED ${count} items without evidence yet (never a pass, never fails check; --verbose says how to verify each):`);
    expect(run.stdout).toMatch(/\n {6} 1 critical keys-secret-server-only\n/);
    expect(run.stdout).not.toContain('cannot be proven by configuration');
    // One short line per item instead of a paragraph each.
    expect(run.stdout.split('\n').length).toBeLessThan(count + 15);

    const verbose = await runMain(['check', '--verbose'], { cwd: dir });
    expect(verbose.stdout.match(/UNVERIFIED/g)).toHaveLength(count);
    expect(verbose.stdout).toContain('verify: ');
  });

  it('markdown says everything passes instead of printing an empty table', async () => {
    write('baselines/production.json', PRODUCTION_TEXT);
    const run = await runMain(['check', '--format', 'markdown'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('| Status |');
    expect(run.stdout).toContain('Every finding passes (29); nothing fails, is excepted or is unverified.');
    const verbose = await runMain(['check', '--format', 'markdown', '--verbose'], { cwd: dir });
    expect(verbose.stdout).toContain('| PASS |');
  });
});

describe('ignore entries: reason, owner and expiry like exceptions', () => {
  const ignoring = (entries: object[]) => stableStringify({ ...productionBaseline(), ignore: entries });

  it('an old entry (path and reason only) is an error whose hint shows it in the new shape', async () => {
    write('baselines/production.json', ignoring([{ path: 'settings.instance.allowed_origins', reason: 'preview deployments' }]));
    const run = await runMain(['check'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/baselines\/production\.json:\d+:\d+ ignore\[0\]\.owner: missing required key "owner"/);
    expect(run.stderr).toContain(
      'hint: ignore entries now need a reason, an owner and an expiry, like exceptions (older baselines had only path and reason); write it as {"path":"settings.instance.allowed_origins","reason":"preview deployments","owner":"team-or-person","expires":"YYYY-MM-DD"}',
    );
    expect(run.stderr).toMatch(/ignore\[0\]\.expires: missing required key "expires"/);
  });

  it('an expired entry is a failing check finding, like an expired exception', async () => {
    write('baselines/production.json', ignoring([{ path: 'settings.session.inactivity_timeout_minutes', reason: 'migration', owner: 'ops', expires: '2026-01-31' }]));
    const run = await runMain(['check', '--format', 'json', '--fail-on', 'medium'], { cwd: dir });
    expect(run.code).toBe(2);
    const expired = (JSON.parse(run.stdout) as { findings: { rule: string; status: string; message: string; path: string }[] }).findings.filter((finding) => finding.rule === 'baseline-ignore-expired');
    expect(expired).toEqual([expect.objectContaining({ status: 'fail', path: 'ignore[0]', message: 'the ignore entry for settings.session.inactivity_timeout_minutes (owner ops) expired on 2026-01-31 and no longer applies' })]);
    const sarif = await runMain(['check', '--format', 'sarif'], { cwd: dir });
    expect(sarif.stdout).toContain('"ruleId": "baseline-ignore-expired"');
  });

  describe('in drift, against the emulator', () => {
    let emulator: RunningEmulator;
    beforeAll(async () => {
      emulator = await startEmulator({ seed: parseBaseline(PRODUCTION_TEXT, 'baselines/production.json'), rateLimit: false });
      emulator.applySettings({ instance: { allowed_origins: [...productionBaseline().settings.instance!.allowed_origins!, 'https://evil.example'] } } as never);
    });
    afterAll(async () => {
      await emulator.close();
    });

    it('an ignore that hides a critical weakening keeps it out of the drift count and warns on every run', async () => {
      write('baselines/production.json', ignoring([{ path: 'settings.instance.allowed_origins', reason: 'preview deployments', owner: 'web-team', expires: '2027-03-31' }]));
      for (let run = 0; run < 2; run++) {
        const drift = await runMain(['drift'], { cwd: dir, env: emulator.env() });
        expect(drift.code).toBe(0);
        expect(drift.stdout).toContain('CLEAN — 1 suppressed');
        expect(drift.stdout).toContain('ignore: preview deployments (owner web-team, until 2027-03-31)');
        expect(drift.stdout).toContain('warning: an ignore entry hides this critical weakening; it is not counted as drift');
        expect(drift.stderr).toContain(
          'warning: production: the ignore entry "settings.instance.allowed_origins" (owner web-team, until 2027-03-31) hides a critical weakening of settings.instance.allowed_origins["https://evil.example"]: added "https://evil.example" (critical checklist item 3 (origins-exact-allowlist)); it is not counted as drift',
        );
      }
      const markdown = await runMain(['drift', '--format', 'markdown'], { cwd: dir, env: emulator.env() });
      expect(markdown.stdout).toContain('- **Warning: a critical weakening hidden by an ignore entry.** `settings.instance.allowed_origins["https://evil.example"]`');
      const json = JSON.parse((await runMain(['drift', '--format', 'json'], { cwd: dir, env: emulator.env() })).stdout) as { environments: { changes: { suppressed?: unknown }[] }[] };
      expect(json.environments[0]!.changes[0]!.suppressed).toEqual({ by: 'ignore', reason: 'preview deployments', owner: 'web-team', expires: '2027-03-31', scope: 'settings.instance.allowed_origins' });
    });

    it('an expired entry no longer applies: the drift counts again and the run says why', async () => {
      write('baselines/production.json', ignoring([{ path: 'settings.instance.allowed_origins', reason: 'preview deployments', owner: 'web-team', expires: '2026-10-31' }]));
      const drift = await runMain(['drift'], { cwd: dir, env: emulator.env() });
      expect(drift.code).toBe(2);
      expect(drift.stdout).toMatch(/WEAKENING\s+high\s+settings\.instance\.allowed_origins\["https:\/\/evil\.example"\]/);
      expect(drift.stderr).toContain('warning: baselines/production.json: the ignore entry "settings.instance.allowed_origins" (owner web-team) expired on 2026-10-31 and no longer applies');
    });
  });

  it('code: entries leave files out of a scan until they expire', async () => {
    write('app/legacy/old.ts', 'export const x = 1;\n');
    write('app/page.tsx', 'export default function Page() { return null; }\n');
    const scanWith = async (expires: string) => {
      write('baselines/production.json', ignoring([{ path: 'code:app/legacy/**', reason: 'frozen legacy code', owner: 'platform', expires }]));
      return runMain(['scan', 'app', '--baseline', 'baselines/production.json'], { cwd: dir });
    };
    expect((await scanWith('2027-01-31')).stdout).toContain("excluded by the baseline's ignore entries: 1 (frozen legacy code (owner platform, until 2027-01-31))");
    expect((await scanWith('2026-01-31')).stdout).not.toContain('excluded by the baseline');
  });
});

describe('snapshots: a backdated quarter and a replaced quarter say so; a committed quarter needs --force', () => {
  let emulator: RunningEmulator;
  let repo: TempRepo;
  beforeEach(async () => {
    emulator = await startEmulator({ seed: parseBaseline(PRODUCTION_TEXT, 'baselines/production.json'), rateLimit: false });
    repo = tempRepo();
    repo.write('baselines/production.json', PRODUCTION_TEXT);
    repo.git('add', 'baselines');
    repo.git('commit', '-q', '-m', 'baseline');
  });
  afterEach(async () => {
    await emulator.close();
    rmSync(repo.dir, { recursive: true, force: true });
  });
  const snapshot = (args: string[]) => runMain(['snapshot', ...args], { cwd: repo.dir, env: { ...repo.env, ...emulator.env() } });

  it('--quarter 2026-Q3 run in Q4 files today’s settings and says so, on stderr, in JSON and in the review', async () => {
    const run = await snapshot(['--quarter', '2026-Q3', '--format', 'json']);
    expect(run.code).toBe(0);
    const notice = "2026-Q3 is an earlier quarter than today's (2026-Q4): the snapshot files the settings as read today (2026-11-26) under 2026-Q3, not the settings during 2026-Q3; its review says so";
    expect(run.stderr).toBe(`notice: ${notice}\n`);
    expect((JSON.parse(run.stdout) as { notices: string[] }).notices).toEqual([notice]);
    expect(readFileSync(path.join(repo.dir, 'snapshots/production/2026-Q3.md'), 'utf8')).toMatch(/\| Captured at \| 2026-11-26T12:00:00\.000Z \(after 2026-Q3 ended: the settings on that day, not during the quarter\) \|/);
    const current = await snapshot([]);
    expect(current.stderr).not.toContain('notice');
    expect(readFileSync(path.join(repo.dir, 'snapshots/production/2026-Q4.md'), 'utf8')).not.toContain('after 2026-Q4 ended');
  });

  it('replacing an uncommitted quarter says so; replacing a committed one needs --force and says so', async () => {
    const first = await snapshot([]);
    expect(first.stdout).toContain('production 2026-Q4: wrote snapshots/production/2026-Q4.json');
    const unchanged = await snapshot([]);
    expect(unchanged.stdout).toContain('production 2026-Q4: unchanged');
    expect(unchanged.stderr).toBe('');

    emulator.applySettings({ session: { maximum_lifetime_minutes: 20160 } } as never);
    const replaced = await snapshot([]);
    expect(replaced.code).toBe(2);
    expect(replaced.stdout).toContain('production 2026-Q4: replaced snapshots/production/2026-Q4.json');
    expect(replaced.stderr).toMatch(/notice: production 2026-Q4: replaced the earlier snapshot snapshots\/production\/2026-Q4\.json \(captured 2026-11-26T12:00:00\.000Z\)\n/);

    const committed = await snapshot(['--commit']);
    expect(committed.code).toBe(2);
    const id = repo.git('log', '-1', '--format=%h').trim();
    const before = readFileSync(path.join(repo.dir, 'snapshots/production/2026-Q4.json'), 'utf8');

    emulator.applySettings({ session: { maximum_lifetime_minutes: 43200 } } as never);
    const refused = await snapshot(['--commit']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`clerkguard: 2026-Q4 of production is already committed (snapshots/production/2026-Q4.json, commit ${id}) and this run would replace it with different settings`);
    expect(refused.stderr).toContain('hint: rerun with --force to replace it');
    expect(readFileSync(path.join(repo.dir, 'snapshots/production/2026-Q4.json'), 'utf8')).toBe(before);
    // Without --commit too: the committed file is the record.
    expect((await snapshot([])).code).toBe(1);

    const forced = await snapshot(['--commit', '--force']);
    expect(forced.code).toBe(2);
    expect(forced.stderr).toContain(`notice: production 2026-Q4: replaced the earlier snapshot snapshots/production/2026-Q4.json (captured 2026-11-26T12:00:00.000Z), committed as ${id} (--force)`);
    expect(repo.log()).toHaveLength(3);
    expect(readFileSync(path.join(repo.dir, 'snapshots/production/2026-Q4.json'), 'utf8')).not.toBe(before);
  });
});

describe('schedule --once and Slack say what happened', () => {
  let emulator: RunningEmulator;
  let slack: SlackServer;
  beforeAll(async () => {
    slack = await startSlackServer();
    emulator = await startEmulator({ seed: parseBaseline(PRODUCTION_TEXT, 'baselines/production.json'), rateLimit: false });
    emulator.applySettings({ session: { maximum_lifetime_minutes: 43200 } } as never);
  });
  afterAll(async () => {
    await emulator.close();
    await slack.close();
  });

  it('logs each counted change and the report path; a repeat --slack run says "drift unchanged, no new alert"', async () => {
    write('baselines/production.json', PRODUCTION_TEXT);
    const env = { ...emulator.env(), SLACK_BOT_TOKEN: 'xoxb-first-use', SLACK_CHANNEL_ID: 'C0FIRSTUSE', SLACK_API_URL: slack.apiUrl };
    const first = await runMain(['schedule', '--once', '--slack'], { cwd: dir, env });
    expect(first.code).toBe(2);
    expect(first.stderr).toMatch(/drift: production drift \(1 weakening\)\n/);
    expect(first.stderr).toMatch(/drift: {3}WEAKENING high settings\.session\.maximum_lifetime_minutes: 10080 → 43200\n/);
    expect(first.stderr).toMatch(/drift: report \.clerkguard\/last-report\/report\.md \(also report\.json, report\.sarif, report\.txt\)\n/);
    expect(first.stderr).toContain('drift: slack drift alert for production');
    expect(existsSync(path.join(dir, '.clerkguard/last-report/report.md'))).toBe(true);

    const second = await runMain(['schedule', '--once', '--slack'], { cwd: dir, env });
    expect(second.code).toBe(2);
    expect(second.stderr).toContain('drift: slack: drift unchanged for production, no new alert (the open alert still stands)');
    expect(second.stderr).not.toContain('drift: slack drift');
    expect(slack.messages()).toHaveLength(1);
  });
});

describe('help', () => {
  const commands = [[], ['demo'], ['check'], ['scan'], ['probe'], ['export'], ['drift'], ['schedule'], ['snapshot'], ['review'], ['review', 'diff'], ['emulator'], ['schema'], ['rules']];

  it.each(commands.map((command) => ({ name: command.join(' ') || '(no command)', command })))('clerkguard $name --help has exit codes and an example', async ({ command }) => {
    const run = await runMain([...command, '--help'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\nExit codes: \S/);
    expect(run.stdout).toMatch(/\nExamples:\n( {2}.+\n)+\n?$/);
    expect(run.stdout.slice(run.stdout.indexOf('\nExamples:'))).toContain(`clerkguard ${command.join(' ')}`.trim());
  });

  it('is wrapped by the terminal width, not by newlines in the text', async () => {
    for (const command of commands) {
      // (Commander wraps option and command descriptions only where at least 40 columns remain beside them.)
      const narrow = await runMain([...command, '--help'], { cwd: dir, columns: 100 });
      const prose = narrow.stdout.split('\n').filter((line) => !/^ {2}(clerkguard|until|curl|kill|CLERK_)/.test(line));
      expect(prose.filter((line) => line.length > 100), command.join(' ')).toEqual([]);
      const examples = narrow.stdout.slice(narrow.stdout.indexOf('\nExamples:'));
      const text = narrow.stdout.slice(0, narrow.stdout.indexOf('\nExamples:'));
      expect(text.split('\n').filter((line) => line.length > 100), command.join(' ')).toEqual([]);
      expect(examples.length).toBeGreaterThan(0);
    }
    // Wider terminals get longer lines: nothing is broken at a fixed column.
    const wide = await runMain(['drift', '--help'], { cwd: dir, columns: 160 });
    expect(wide.stdout.split('\n').some((line) => line.length > 100 && !line.startsWith('  '))).toBe(true);
    expect(wide.stdout).toContain('Export the live settings of every environment, diff them against its baseline and classify each change (weakening,');
  });
});

describe('rules', () => {
  it('the list shows how each rule is verified', async () => {
    const run = await runMain(['rules'], { cwd: dir });
    expect(run.stdout).toMatch(/^ # {2}severity {2}rule +verified by +title\n/);
    expect(run.stdout).toMatch(/\n 3 {2}critical {2}origins-exact-allowlist +config, live[a-z, ]* {2}Allowed origins/);
    expect(run.stdout).toContain('verified by: config = a baseline, live = read from Clerk');
  });

  it('rules ID (or item number) shows one rule in full', async () => {
    const byId = await runMain(['rules', 'jwt-short-lifetime'], { cwd: dir });
    expect(byId.code).toBe(0);
    expect(byId.stdout).toMatch(/^jwt-short-lifetime: checklist item 17, high\n/);
    for (const field of ['why:', 'fix:', 'verified by:', 'verify:']) expect(byId.stdout).toContain(`\n${field}`);
    expect((await runMain(['rules', '17'], { cwd: dir })).stdout).toBe(byId.stdout);
    const json = JSON.parse((await runMain(['rules', '17', '--format', 'json'], { cwd: dir })).stdout) as { id: string; how_to_verify: string };
    expect(json.id).toBe('jwt-short-lifetime');
    expect(json.how_to_verify.length).toBeGreaterThan(10);
    const unknown = await runMain(['rules', 'jwt-short'], { cwd: dir });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('clerkguard: no checklist rule "jwt-short"\n  hint: did you mean "jwt-short-lifetime"? (clerkguard rules lists them all)\n');
  });
});

describe('review diff words its own output', () => {
  it('text and markdown speak of changes between snapshots, not of a drift report', async () => {
    write('old.json', stableStringify(liveExportFixture()));
    write('new.json', stableStringify({ ...liveExportFixture((settings) => (settings.session.maximum_lifetime_minutes = 43200)), captured_at: '2027-01-05T12:00:00.000Z' }));
    const text = await runMain(['review', 'diff', 'old.json', 'new.json'], { cwd: dir });
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(/^from old\.json \(production, captured .+\)\nto {3}new\.json \(production, captured 2027-01-05T12:00:00\.000Z\)\n/);
    expect(text.stdout).toMatch(/\n1 weakening between the snapshots\n$/);
    expect(text.stdout.toLowerCase()).not.toMatch(/drift|baseline/);
    const markdown = await runMain(['review', 'diff', 'old.json', 'new.json', '--format', 'markdown'], { cwd: dir });
    expect(markdown.stdout).toMatch(/^# Changes between two clerkguard snapshots\n/);
    expect(markdown.stdout.toLowerCase()).not.toMatch(/drift|baseline/);
    const same = await runMain(['review', 'diff', 'old.json', 'old.json'], { cwd: dir });
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/\nno changes between the snapshots\n$/);
  });
});

describe('progress lines on stderr', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ seed: parseBaseline(PRODUCTION_TEXT, 'baselines/production.json'), rateLimit: false });
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('a run over a second shows progress on a terminal; --quiet and a non-terminal stderr show none', async () => {
    write('baselines/production.json', PRODUCTION_TEXT);
    const slow = () => emulator.faults.add({ kind: 'latency', path: '/v1/instance', ms: 1600, times: 1 });
    slow();
    const shown = await runMain(['drift'], { cwd: dir, env: emulator.env(), stderrIsTTY: true });
    expect(shown.code).toBe(0);
    expect(shown.stderr).toMatch(/… drift: 0 of 1 environment done, reading production \(\d+ requests?\) \[\d+\.\d s\]\n/);
    expect(shown.stderr).toMatch(/… drift: 1 of 1 environment done \[\d+\.\d s\]\n/);
    slow();
    const quiet = await runMain(['drift', '--quiet'], { cwd: dir, env: emulator.env(), stderrIsTTY: true });
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).not.toContain('…');
    slow();
    const piped = await runMain(['drift'], { cwd: dir, env: emulator.env() });
    expect(piped.code).toBe(0);
    expect(piped.stderr).not.toContain('…');
    // A run under a second prints nothing, even on a terminal.
    expect((await runMain(['export', '--env', 'production', '--out', 'live.json'], { cwd: dir, env: emulator.env(), stderrIsTTY: true })).stderr).not.toContain('…');
  });
});

describe('docs that match behaviour', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ seed: parseBaseline(PRODUCTION_TEXT, 'baselines/production.json'), rateLimit: false });
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('export --out creates missing folders, as the README and --help say', async () => {
    write('baselines/production.json', PRODUCTION_TEXT);
    const run = await runMain(['export', '--out', 'live/2026/production.json'], { cwd: dir, env: emulator.env() });
    expect(run.code).toBe(0);
    expect(existsSync(path.join(dir, 'live/2026/production.json'))).toBe(true);
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    expect(readme).not.toMatch(/--out`?'?s? directory must exist/);
    expect(readme).toContain('creates missing folders');
  });

  it('the README documents FORCE_COLOR, ignore entries, pulumi login and the session caveats', () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    expect(readme).toMatch(/\| `FORCE_COLOR` \|/);
    expect(readme).toMatch(/"ignore": \[\s*\{ "path": "[^"]+", "reason": "[^"]+", "owner": "[^"]+", "expires": "\d{4}-\d{2}-\d{2}" \}/);
    expect(readme).toContain('pulumi login');
    expect(readme).toMatch(/session/i);
    expect(readme).toContain('docs/clerk-api-coverage.md#unverified-against-the-real-clerk');
    const settings = readFileSync(path.join(REPO_ROOT, 'docs', 'settings.md'), 'utf8');
    expect(settings).toContain('## `ignore`');
    expect(settings).toContain('owner');
  });
});
