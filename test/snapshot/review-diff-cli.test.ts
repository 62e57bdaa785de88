/** `clerkguard review diff` through the compiled CLI, as a user runs it. */
import { beforeAll, describe, expect, it } from 'vitest';
import { stableStringify } from '../../src/util/json';
import { fixtureDir, runCli } from '../helpers/cli';
import { liveExportFixture } from './fixtures';

let dir: string;

beforeAll(() => {
  const older = liveExportFixture();
  const newer = {
    ...liveExportFixture((settings) => {
      settings.session.inactivity_timeout_minutes = 1440;
      settings.instance.allowed_origins = ['https://app.example.com'];
      settings.password_settings.min_length = 14;
    }),
    captured_at: '2027-01-05T12:00:00.000Z',
  };
  dir = fixtureDir({
    'old.json': stableStringify(older),
    'new.json': stableStringify(newer),
    'same.json': stableStringify(older),
    // The next quarter ran without the dashboard export: session and webhooks have no source.
    'no-dashboard.json': stableStringify({
      ...liveExportFixture((settings) => {
        delete settings.session;
        delete settings.webhooks.endpoints;
      }),
      coverage: { ...older.coverage, session: 'unverified', 'webhooks.endpoints': 'unverified' },
    }),
    'broken.json': '{\n  "schema_version": 1,\n  "kind": "clerkguard-live-export",\n  "captured_at": "x",\n  "environment": "production",\n  "instance_id": null,\n  "settings": { "sesion": {} },\n  "coverage": {}\n}\n',
    'syntax.json': '{\n  "schema_version": 1,\n}\n',
  });
}, 120_000);

describe('clerkguard review diff', () => {
  it('text: classifies every change and exits 2', () => {
    const result = runCli(['review', 'diff', 'old.json', 'new.json'], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(2);
    expect(result.stdout).toContain('settings.session.inactivity_timeout_minutes');
    expect(result.stdout).toMatch(/WEAKENING\s+high\s+settings\.session\.inactivity_timeout_minutes/);
    expect(result.stdout).toMatch(/STRENGTHENING\s+\S+\s+settings\.password_settings\.min_length/);
    expect(result.stdout).toContain('settings.instance.allowed_origins["https://www.example.com"]');
    expect(result.stdout).toContain('30 → 1440');
  });

  it('json: the drift contract with changes and sources from the newer snapshot', () => {
    const result = runCli(['review', 'diff', 'old.json', 'new.json', '--format', 'json'], { cwd: dir });
    expect(result.status).toBe(2);
    const report = JSON.parse(result.stdout);
    expect(report.status).toBe('drift');
    const [environment] = report.environments;
    expect(environment).toMatchObject({ environment: 'production', baseline_file: 'old.json', captured_at: '2027-01-05T12:00:00.000Z' });
    const byPath = Object.fromEntries(environment.changes.map((change: { path: string }) => [change.path, change]));
    expect(byPath['settings.session.inactivity_timeout_minutes']).toMatchObject({ kind: 'changed', baseline: 30, live: 1440, direction: 'weakening', source: 'export-file', checklist_items: [5] });
    expect(byPath['settings.instance.allowed_origins["https://www.example.com"]']).toMatchObject({ kind: 'removed', source: 'bapi' });
    expect(environment.changes).toHaveLength(3);
  });

  it('markdown and sarif render too', () => {
    const markdown = runCli(['review', 'diff', 'old.json', 'new.json', '--format', 'markdown'], { cwd: dir });
    expect(markdown.status).toBe(2);
    expect(markdown.stdout).toContain('| weakening | high | `settings.session.inactivity_timeout_minutes` | `30 → 1440` | 5 | export-file |');
    const sarif = runCli(['review', 'diff', 'old.json', 'new.json', '--format', 'sarif'], { cwd: dir });
    expect(sarif.status).toBe(2);
    const log = JSON.parse(sarif.stdout);
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0].results.map((result: { ruleId: string }) => result.ruleId).sort()).toEqual(['drift-strengthening', 'drift-strengthening', 'drift-weakening']);
  });

  it('identical snapshots: no changes, exit 0', () => {
    const result = runCli(['review', 'diff', 'old.json', 'same.json'], { cwd: dir });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('no changes');
  });

  it('a setting one snapshot could not verify is listed as unverified, not as removed', () => {
    const result = runCli(['review', 'diff', 'old.json', 'no-dashboard.json', '--format', 'json'], { cwd: dir });
    expect(result.status).toBe(0);
    const [environment] = JSON.parse(result.stdout).environments;
    expect(environment.changes).toEqual([]);
    expect(environment.unverified.map((entry: { path: string }) => entry.path)).toEqual(['settings.session', 'settings.webhooks.endpoints']);
    const back = runCli(['review', 'diff', 'no-dashboard.json', 'old.json', '--format', 'json'], { cwd: dir });
    expect(JSON.parse(back.stdout).environments[0].changes).toEqual([]);
  });

  it('a snapshot that is not valid is bad input: file:line:col, path and hint, exit 1', () => {
    const result = runCli(['review', 'diff', 'old.json', 'broken.json'], { cwd: dir });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('clerkguard: broken.json is not a valid snapshot:');
    expect(result.stderr).toMatch(/broken\.json:7:17 settings\.sesion: unknown key "sesion"/);
    expect(result.stderr).toContain('did you mean "session"?');
    expect(result.stderr).not.toContain('    at ');

    const syntax = runCli(['review', 'diff', 'syntax.json', 'old.json'], { cwd: dir });
    expect(syntax.status).toBe(1);
    expect(syntax.stderr).toMatch(/syntax\.json:3:1 invalid JSON/);

    const missing = runCli(['review', 'diff', 'old.json', 'nope.json'], { cwd: dir });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('clerkguard: nope.json: no such file');
    expect(missing.stderr).toContain('hint: pass two snapshot files');
  });

  it('unknown --format is rejected with the choices', () => {
    const result = runCli(['review', 'diff', 'old.json', 'new.json', '--format', 'yaml'], { cwd: dir });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('expected one of text, json, markdown, sarif');
  });
});
