import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { CliContext } from '../../src/cli/context';
import type { SlackPoster } from '../../src/notify/slack-client';
import { driftJobProvider } from '../../src/schedule/drift-job';
import { Scheduler } from '../../src/schedule/scheduler';
import { PRODUCTION_BASELINE_FILE } from '../drift/fixtures';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-drift-job-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function context(): CliContext {
  return {
    io: { stdout: () => undefined, stderr: () => undefined, cwd: dir, env: {}, color: false },
    today: () => '2026-11-26',
    now: () => new Date('2026-11-26T03:00:00Z'),
    setExitCode: () => undefined,
  };
}

describe('the scheduled drift job', () => {
  test('an unreadable alert state fails the run, so the daemon alerts it instead of going quiet', async () => {
    const stateFile = path.join(dir, 'state.json');
    writeFileSync(stateFile, '{ not json');
    const posted: string[] = [];
    const poster: SlackPoster = { postMessage: async (args) => (posted.push(args.text), { ts: '1.1', channel: 'C1' }), uploadFile: async () => undefined };
    const job = driftJobProvider.create({ baselines: [PRODUCTION_BASELINE_FILE], out: path.join(dir, 'out') }, { context: context(), log: () => undefined, slack: { poster, stateFile, origin: 'test' } });
    const failures: string[] = [];
    const scheduler = new Scheduler([job!], { log: () => undefined, onFailure: async (_job, error) => void failures.push((error as Error).message) });
    const outcome = await scheduler.runNow(job!);
    expect(outcome.exitCode).toBe(1);
    expect(failures).toEqual([expect.stringContaining('the alert state is not valid JSON')]);
    expect(posted).toEqual([]);
  });
});
