import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { loadBaselineFile } from '../../src/baseline/load';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index';
import type { ScheduledJob } from '../../src/schedule/jobs';
import { Scheduler } from '../../src/schedule/scheduler';
import { PRODUCTION_BASELINE_FILE } from '../drift/fixtures';
import { runCliAsync, startCli } from '../drift/cli';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let scheduler: Scheduler | undefined;
afterEach(async () => {
  await scheduler?.stop();
  scheduler = undefined;
});

describe('Scheduler', () => {
  test('runs never overlap: a tick while the job runs is skipped', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const job: ScheduledJob = {
      name: 'slow',
      cronTime: '* * * * * *',
      run: async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        await sleep(1_300);
        active--;
        runs++;
        return 0;
      },
    };
    const logs: string[] = [];
    scheduler = new Scheduler([job], { log: (line) => logs.push(line), allowSeconds: true });
    scheduler.start();
    while (runs < 2) await sleep(100);
    await scheduler.stop();
    expect(maxActive).toBe(1);
    // Two runs of 1.3 s each need at least 2.6 s, so at least two ticks fired meanwhile and
    // every tick during a run was skipped rather than started.
    expect(logs.filter((line) => line === 'slow: run started')).toHaveLength(runs);
  });

  test('a failing run is logged and alerted, and the daemon lives on', async () => {
    let calls = 0;
    const job: ScheduledJob = {
      name: 'flaky',
      cronTime: '* * * * * *',
      run: async () => {
        calls++;
        if (calls === 1) throw new Error('baseline unreadable sk_live_SENTINELxyz123456');
        return 2;
      },
    };
    const logs: string[] = [];
    const failures: string[] = [];
    scheduler = new Scheduler([job], { log: (line) => logs.push(line), allowSeconds: true, onFailure: async (failed, error) => void failures.push(`${failed.name}: ${(error as Error).message}`) });
    scheduler.start();
    while (scheduler.outcomes.length < 2) await sleep(50);
    expect(scheduler.outcomes.slice(0, 2).map((outcome) => outcome.exitCode)).toEqual([1, 2]);
    expect(failures).toEqual(['flaky: baseline unreadable sk_live_SENTINELxyz123456']);
    expect(logs.some((line) => line.startsWith('flaky: run failed'))).toBe(true);
    expect(logs.some((line) => line.startsWith('flaky: run finished') && line.includes('exit 2'))).toBe(true);
  });

  test('stop() waits for the running job to finish', async () => {
    let finished = false;
    const job: ScheduledJob = { name: 'long', cronTime: '0 3 * * *', run: async () => { await sleep(500); finished = true; return 0; } };
    scheduler = new Scheduler([job], { log: () => undefined });
    scheduler.start();
    const run = scheduler.runNow(job);
    await sleep(50);
    await scheduler.stop();
    expect(finished).toBe(true);
    expect((await run).exitCode).toBe(0);
  });

  test('bad cron expressions and time zones are refused before anything starts', () => {
    const job = (cronTime: string): ScheduledJob => ({ name: 'drift', cronTime, run: async () => 0 });
    expect(() => new Scheduler([job('61 * * * *')], { log: () => undefined })).toThrow(/not a valid cron expression/);
    expect(() => new Scheduler([job('0 3 * * *')], { timeZone: 'Mars/Olympus_Mons', log: () => undefined })).toThrow(/not a known IANA time zone/);
    expect(() => new Scheduler([job('0 3 * * *')], { timeZone: 'Europe/Berlin', log: () => undefined })).not.toThrow();
    // Five fields only: a sixth (seconds) would run the job every second.
    expect(() => new Scheduler([job('* * * * * *')], { log: () => undefined })).toThrow('the drift schedule "* * * * * *" has 6 fields, not 5');
    expect(() => new Scheduler([job('0 3 * *')], { log: () => undefined })).toThrow(/has 4 fields, not 5/);
    // Valid syntax that never fires (February 31) is refused instead of waiting forever.
    expect(() => new Scheduler([job('0 0 31 2 *')], { log: () => undefined })).toThrow('the drift schedule "0 0 31 2 *" never fires (no date matches it in the next eight years)');
    expect(() => new Scheduler([job('0 0 29 2 *')], { log: () => undefined })).not.toThrow();
    expect(() => new Scheduler([job('0 3 * * *')], { timeZone: '', log: () => undefined })).toThrow('--timezone is empty');
    expect(() => new Scheduler([job('0 3 * * *')], { timeZone: '  ', log: () => undefined })).toThrow('--timezone is empty');
  });
});

describe('clerkguard schedule (real CLI)', () => {
  let emulator: RunningEmulator | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await emulator?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('--cron and --timezone are validated at start: exit 1 with a clear message', async () => {
    const badCron = await runCliAsync(['schedule', PRODUCTION_BASELINE_FILE, '--cron', '0 25 * * *']);
    expect(badCron.code).toBe(1);
    expect(badCron.stderr).toContain('is not a valid cron expression');
    const badZone = await runCliAsync(['schedule', PRODUCTION_BASELINE_FILE, '--timezone', 'Nowhere/Special']);
    expect(badZone.code).toBe(1);
    expect(badZone.stderr).toContain('--timezone "Nowhere/Special" is not a known IANA time zone');
  });

  test('a missing baseline is refused at start, not at the first 03:00 run', async () => {
    const result = await runCliAsync(['schedule', 'baselines/no-such-env.json']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no-such-env.json');
    expect(result.stderr).not.toContain('scheduled');
  });

  test('--once runs drift now and exits with the drift exit code', async () => {
    emulator = await startEmulator({ seed: loadBaselineFile(PRODUCTION_BASELINE_FILE), rateLimit: false });
    dir = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-schedule-'));
    emulator.applySettings({ session: { maximum_lifetime_minutes: 43200 } });
    const result = await runCliAsync(['schedule', PRODUCTION_BASELINE_FILE, '--once', '--out', dir], { env: emulator.env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('drift: production drift (1 weakening)');
    expect(existsSync(path.join(dir, 'report.md'))).toBe(true);
  });

  test('SIGTERM lets the running drift job finish, then exits 0', async () => {
    emulator = await startEmulator({ seed: loadBaselineFile(PRODUCTION_BASELINE_FILE), rateLimit: false });
    dir = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-schedule-'));
    // A slow Clerk keeps the run in progress when the signal arrives.
    emulator.faults.add({ kind: 'latency', path: '/v1/jwt_templates', ms: 1_500 });
    const cli = startCli(['schedule', PRODUCTION_BASELINE_FILE, '--cron', '* * * * * *', '--out', dir], { env: { ...emulator.env(), CLERKGUARD_CRON_ALLOW_SECONDS: '1' } });
    await cli.waitFor('drift: run started');
    cli.child.kill('SIGTERM');
    const result = await cli.done;
    expect(result.code).toBe(0);
    const stderr = result.stderr;
    expect(stderr).toContain('SIGTERM: stopping after the running job');
    expect(stderr.indexOf('drift: run finished')).toBeGreaterThan(stderr.indexOf('SIGTERM'));
    expect(stderr).toContain('stopped');
    expect(existsSync(path.join(dir, 'report.json'))).toBe(true);
  });
});
