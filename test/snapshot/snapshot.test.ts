/**
 * The snapshot flow end to end on real git repositories, with live settings from fixtures
 * (the CLI test drives the same flow against the emulator).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBaseline, type LoadedBaseline } from '../../src/baseline/load';
import type { LiveExport } from '../../src/export/types';
import { parseSnapshotText } from '../../src/snapshot/layout';
import { parseQuarter, quarterOf } from '../../src/snapshot/quarter';
import { blankSignOff } from '../../src/snapshot/review-markdown';
import { takeSnapshots, type SnapshotOptions } from '../../src/snapshot/snapshot';
import { baselineWith, productionBaseline } from '../helpers/baselines';
import { liveExportFixture } from './fixtures';
import { tempRepo, type TempRepo } from './git-fixture';

const SENTINEL_SECRET = 'sk_live_SENTINELsecretVALUE0123456789';
const SENTINEL_RAW = 'plain-sentinel-credential-7f3a9c';

function loadedBaseline(environment = 'production'): LoadedBaseline {
  const baseline = environment === 'production' ? productionBaseline() : baselineWith((b) => (b.environment = environment));
  return parseBaseline(JSON.stringify(baseline), `baselines/${environment}.json`);
}

type Mutate = (settings: Record<string, any>) => void; // eslint-disable-line @typescript-eslint/no-explicit-any

/** An exporter over fixture settings; `live` can be changed between runs like a real instance. */
function fixtureExporter(state: { mutate: Mutate; failFor?: string }) {
  return async (loaded: LoadedBaseline): Promise<LiveExport> => {
    if (state.failFor === loaded.baseline.environment) throw new Error('GET /v1/instance returned HTTP 503 (Bearer sk_live_abcdefghij)');
    return { ...liveExportFixture(state.mutate), environment: loaded.baseline.environment };
  };
}

function options(repo: TempRepo, today: string, state: { mutate: Mutate; failFor?: string }, extra: Partial<SnapshotOptions> = {}): SnapshotOptions {
  return {
    dir: 'snapshots',
    quarter: quarterOf(today),
    today,
    cwd: repo.dir,
    env: { ...repo.env, CLERK_SECRET_KEY: SENTINEL_RAW },
    exporter: fixtureExporter(state),
    commit: {},
    ...extra,
  };
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

function initialCommit(repo: TempRepo): void {
  repo.write('README.md', 'app\n');
  repo.git('add', 'README.md');
  repo.git('commit', '-q', '-m', 'init');
}

describe('takeSnapshots with --commit (real git)', () => {
  it('first snapshot: writes both files and commits exactly them with the contract message', async () => {
    const repo = tempRepo();
    initialCommit(repo);
    repo.write('notes.txt', 'untracked work in progress\n');
    const run = await takeSnapshots([loadedBaseline()], options(repo, '2026-11-26', { mutate: () => {} }));

    expect(run.environments[0]).toMatchObject({
      environment: 'production',
      quarter: '2026-Q4',
      json: 'snapshots/production/2026-Q4.json',
      markdown: 'snapshots/production/2026-Q4.md',
      written: ['snapshots/production/2026-Q4.json', 'snapshots/production/2026-Q4.md'],
      commit: { message: 'clerkguard: 2026-Q4 review snapshot for production' },
    });
    expect(repo.log()).toHaveLength(2);
    expect(repo.git('show', '--name-only', '--format=%s', 'HEAD').trim().split('\n')).toEqual([
      'clerkguard: 2026-Q4 review snapshot for production',
      '',
      'snapshots/production/2026-Q4.json',
      'snapshots/production/2026-Q4.md',
    ]);
    expect(repo.git('status', '--porcelain')).toBe('?? notes.txt\n');

    const jsonText = readFileSync(path.join(repo.dir, 'snapshots/production/2026-Q4.json'), 'utf8');
    const snapshot = parseSnapshotText(jsonText, 'x.json');
    expect(snapshot.environment).toBe('production');
    expect(jsonText.endsWith('}\n')).toBe(true);
    expect(jsonText).toBe(`${JSON.stringify(JSON.parse(jsonText), null, 2)}\n`);
    expect(Object.keys(JSON.parse(jsonText))).toEqual([...Object.keys(JSON.parse(jsonText))].sort());
    expect(jsonText).toContain('\n  "captured_at": "2026-11-26T12:00:00.000Z",\n');
    const markdown = readFileSync(path.join(repo.dir, 'snapshots/production/2026-Q4.md'), 'utf8');
    expect(markdown).toContain('First snapshot: there is no earlier snapshot of production');
    expect(markdown).toContain(blankSignOff());
  });

  it('second quarter after changes lists them under changes since last-known-good and commits again', async () => {
    const repo = tempRepo();
    const state: { mutate: Mutate } = { mutate: () => {} };
    await takeSnapshots([loadedBaseline()], options(repo, '2026-11-26', state));
    state.mutate = (settings) => {
      settings.instance.allowed_origins.push('https://evil.example.com');
      settings.jwt_templates.supabase.lifetime = 3600;
    };
    const run = await takeSnapshots([loadedBaseline()], options(repo, '2027-01-05', state));

    expect(run.quarter).toBe('2027-Q1');
    expect(run.environments[0]!.summary).toMatchObject({ previous_quarter: '2026-Q4', changes_since_last_known_good: 2, drift_changes: 2 });
    expect(repo.log()).toHaveLength(2);
    expect(repo.git('log', '--format=%s').trim().split('\n')).toEqual([
      'clerkguard: 2027-Q1 review snapshot for production',
      'clerkguard: 2026-Q4 review snapshot for production',
    ]);
    const markdown = readFileSync(path.join(repo.dir, 'snapshots/production/2027-Q1.md'), 'utf8');
    const since = markdown.slice(markdown.indexOf('## Changes since last-known-good'), markdown.indexOf('## Exceptions'));
    expect(since).toContain('Compared with 2026-Q4 (`production/2026-Q4.json`');
    expect(since).toContain('| `settings.instance.allowed_origins["https://evil.example.com"]` | added | — | `"https://evil.example.com"` | weakening |');
    expect(since).toContain('| `settings.jwt_templates.supabase.lifetime` | changed | `60` | `3600` | weakening |');
    const drift = markdown.slice(markdown.indexOf('## Drift against the baseline'), markdown.indexOf('## Changes since'));
    expect(drift).toContain('`settings.jwt_templates.supabase.lifetime`');
    expect(existsSync(path.join(repo.dir, 'snapshots/production/2026-Q4.md'))).toBe(true);
  });

  it('nothing changed: files untouched and no empty commit; a filled-in sign-off survives a rerun', async () => {
    const repo = tempRepo();
    const state = { mutate: () => {} };
    await takeSnapshots([loadedBaseline()], options(repo, '2026-11-26', state));
    const head = repo.log()[0];
    const again = await takeSnapshots([loadedBaseline()], options(repo, '2026-11-27', state));
    expect(again.environments[0]!.written).toEqual([]);
    expect(again.environments[0]!.commit).toBeNull();
    expect(repo.log()[0]).toBe(head);

    const mdFile = path.join(repo.dir, 'snapshots/production/2026-Q4.md');
    const signed = readFileSync(mdFile, 'utf8').replace('| Reviewer | |', '| Reviewer | Grace Hopper |');
    writeFileSync(mdFile, signed);
    repo.git('commit', '-q', '-am', 'sign-off');
    const afterSignOff = await takeSnapshots([loadedBaseline()], options(repo, '2026-11-28', state));
    expect(afterSignOff.environments[0]!.commit).toBeNull();
    expect(readFileSync(mdFile, 'utf8')).toContain('| Reviewer | Grace Hopper |');
  });

  it('refuses when unrelated changes are staged, and changes nothing', async () => {
    const repo = tempRepo();
    initialCommit(repo);
    repo.write('src/app.ts', 'staged\n');
    repo.git('add', 'src/app.ts');
    await expect(takeSnapshots([loadedBaseline()], options(repo, '2026-11-26', { mutate: () => {} }))).rejects.toThrow(
      /refusing to commit: other changes are staged \(src\/app.ts\)/,
    );
    expect(existsSync(path.join(repo.dir, 'snapshots'))).toBe(false);
    expect(repo.log()).toHaveLength(1);
    expect(repo.git('diff', '--cached', '--name-only')).toBe('src/app.ts\n');
  });

  it('a failing pre-commit hook: exit with the hook output, no files, no commit', async () => {
    const repo = tempRepo();
    initialCommit(repo);
    repo.failingPreCommitHook('pre-commit: blocked by policy');
    const error = await takeSnapshots([loadedBaseline()], options(repo, '2026-11-26', { mutate: () => {} })).catch((caught: unknown) => caught);
    expect(String((error as Error).message)).toMatch(/git commit failed: pre-commit: blocked by policy/);
    expect(String((error as Error).message)).toContain('no snapshot was committed');
    expect(filesUnder(path.join(repo.dir, 'snapshots'))).toEqual([]);
    expect(existsSync(path.join(repo.dir, 'snapshots'))).toBe(false);
    expect(repo.log()).toHaveLength(1);
    expect(repo.git('status', '--porcelain')).toBe('');
  });

  it('a git failure on the second environment undoes the first environment\'s commit and restores earlier files', async () => {
    const repo = tempRepo();
    const state: { mutate: Mutate } = { mutate: () => {} };
    const both = () => [loadedBaseline('production'), loadedBaseline('staging')];
    await takeSnapshots(both(), options(repo, '2026-11-26', state));
    expect(repo.log()).toHaveLength(2);
    const before = Object.fromEntries(filesUnder(path.join(repo.dir, 'snapshots')).map((file) => [file, readFileSync(path.join(repo.dir, 'snapshots', file), 'utf8')]));

    // Next quarter both change, but the hook rejects any commit touching staging.
    repo.failingPreCommitHook('staging is frozen');
    writeFileSync(
      path.join(repo.dir, '.git/hooks/pre-commit'),
      '#!/bin/sh\nif git diff --cached --name-only | grep -q staging; then echo "staging is frozen" >&2; exit 1; fi\n',
    );
    state.mutate = (settings: Record<string, any>) => { // eslint-disable-line @typescript-eslint/no-explicit-any
      settings.instance.hibp = false;
    };
    await expect(takeSnapshots(both(), options(repo, '2027-01-05', state))).rejects.toThrow(/staging is frozen/);
    expect(repo.log()).toHaveLength(2);
    expect(repo.git('status', '--porcelain')).toBe('');
    const after = Object.fromEntries(filesUnder(path.join(repo.dir, 'snapshots')).map((file) => [file, readFileSync(path.join(repo.dir, 'snapshots', file), 'utf8')]));
    expect(after).toEqual(before);
  });

  it('an API error in any environment writes nothing for any environment', async () => {
    const repo = tempRepo();
    const run = takeSnapshots([loadedBaseline('production'), loadedBaseline('staging')], options(repo, '2026-11-26', { mutate: () => {}, failFor: 'staging' }));
    await expect(run).rejects.toThrow(/staging: could not read the live settings: GET \/v1\/instance returned HTTP 503/);
    expect(existsSync(path.join(repo.dir, 'snapshots'))).toBe(false);
    expect(repo.log()).toEqual([]);
  });

  it('a write failure part-way leaves no partial files', async () => {
    const repo = tempRepo();
    // A file where the staging folder must go: writing staging fails after production's temp files exist.
    repo.write('snapshots/staging', 'not a folder\n');
    await expect(takeSnapshots([loadedBaseline('production'), loadedBaseline('staging')], options(repo, '2026-11-26', { mutate: () => {} }))).rejects.toThrow(
      /could not write the snapshot files/,
    );
    expect(filesUnder(path.join(repo.dir, 'snapshots'))).toEqual(['staging']);
    expect(repo.log()).toEqual([]);
  });

  it('never writes a secret: sentinel key shapes and the configured key value are scrubbed from every file', async () => {
    const repo = tempRepo();
    const state = {
      mutate: (settings: Record<string, any>) => { // eslint-disable-line @typescript-eslint/no-explicit-any
        settings.jwt_templates.supabase.claims.leak = SENTINEL_SECRET;
        settings.jwt_templates.supabase.claims.raw = SENTINEL_RAW;
        settings.webhooks.endpoints['https://api.example.com/webhooks/clerk'].description = `Bearer ${SENTINEL_RAW} whsec_c2VjcmV0c2VjcmV0`;
      },
    };
    await takeSnapshots([loadedBaseline()], options(repo, '2026-11-26', state));
    const files = filesUnder(path.join(repo.dir, 'snapshots'));
    expect(files).toEqual(['production/2026-Q4.json', 'production/2026-Q4.md']);
    for (const file of files) {
      const text = readFileSync(path.join(repo.dir, 'snapshots', file), 'utf8');
      expect(text).not.toContain('SENTINEL');
      expect(text).not.toContain(SENTINEL_RAW);
      expect(text).not.toContain('c2VjcmV0c2VjcmV0');
    }
    const committed = repo.git('show', 'HEAD');
    expect(committed).not.toContain('SENTINEL');
    expect(committed).not.toContain(SENTINEL_RAW);
  });

  it('honours --author and GIT_COMMITTER_* from the environment', async () => {
    const repo = tempRepo();
    await takeSnapshots(
      [loadedBaseline()],
      options(repo, '2026-11-26', { mutate: () => {} }, {
        commit: { author: 'Review Bot <review-bot@example.com>' },
        env: { ...repo.env, GIT_COMMITTER_NAME: 'CI Runner', GIT_COMMITTER_EMAIL: 'ci@example.com' },
      }),
    );
    expect(repo.git('log', '-1', '--format=%an <%ae>|%cn <%ce>').trim()).toBe('Review Bot <review-bot@example.com>|CI Runner <ci@example.com>');
  });

  it('refuses a future quarter', async () => {
    const repo = tempRepo();
    await expect(takeSnapshots([loadedBaseline()], options(repo, '2026-11-26', { mutate: () => {} }, { quarter: parseQuarter('2027-Q1')! }))).rejects.toThrow(
      /--quarter 2027-Q1 is in the future/,
    );
  });

  it('without --commit writes the files and leaves git alone', async () => {
    const repo = tempRepo();
    const run = await takeSnapshots([loadedBaseline()], options(repo, '2026-11-26', { mutate: () => {} }, { commit: undefined }));
    expect(run.committed).toBe(false);
    expect(repo.log()).toEqual([]);
    expect(repo.git('status', '--porcelain')).toBe('?? snapshots/\n');
  });
});
