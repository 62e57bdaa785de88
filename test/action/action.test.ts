/**
 * The reusable GitHub Action: its metadata validates against the action schema, the example
 * workflows in the docs validate against the workflow schema, inputs and the runner script
 * agree, and the runner script does what the action promises against the emulator.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { validateAction, validateWorkflow } from '@action-validator/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { loadBaselineFile } from '../../src/baseline/load';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const ACTION_FILE = path.join(REPO_ROOT, 'action.yml');
const RUNNER = path.join(REPO_ROOT, 'scripts', 'action-run.sh');
const PRODUCTION = path.join(REPO_ROOT, 'baselines', 'production.json');

interface ActionStep {
  id?: string;
  run?: string;
  uses?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
interface ActionMetadata {
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

const actionText = readFileSync(ACTION_FILE, 'utf8');
const action = parse(actionText) as ActionMetadata;

/** The ```yaml blocks of a markdown file that are whole workflows. */
function workflowBlocks(file: string): { name: string; text: string }[] {
  const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
  return [...text.matchAll(/```ya?ml\n([\s\S]*?)```/g)]
    .map((match) => match[1] ?? '')
    .filter((block) => /^on:/m.test(block) && /^jobs:/m.test(block))
    .map((block, index) => ({ name: `${file} workflow #${index + 1}`, text: block }));
}

describe('action metadata', () => {
  test('action.yml validates against the GitHub Action metadata schema', () => {
    expect(validateAction(actionText).errors).toEqual([]);
  });

  test('a broken action file does not validate (the validator is really checking)', () => {
    expect(validateAction(actionText.replace(/\n {6}shell: bash\n {6}run: npm ci/, '\n      run: npm ci')).errors).not.toEqual([]);
  });

  const workflows = workflowBlocks('docs/github-actions.md');
  test('the docs hold example workflows', () => {
    expect(workflows.length).toBeGreaterThanOrEqual(2);
  });
  test.each(workflows)('$name validates against the workflow schema', ({ text }) => {
    expect(validateWorkflow(text).errors).toEqual([]);
  });

  test('every input is declared, described and used; every used input is declared', () => {
    const used = new Set([...actionText.matchAll(/inputs\.([a-z0-9-]+)/g)].map((match) => match[1]));
    const declared = Object.keys(action.inputs);
    expect([...used].filter((name) => !declared.includes(name!))).toEqual([]);
    expect(declared.filter((name) => !used.has(name))).toEqual([]);
    for (const [name, input] of Object.entries(action.inputs)) expect(input.description.length, name).toBeGreaterThan(10);
  });

  test('the runner script reads exactly the INPUT_* variables the action passes it', () => {
    const runStep = action.runs.steps.find((step) => step.id === 'run');
    const passed = Object.keys(runStep?.env ?? {}).filter((name) => name.startsWith('INPUT_')).sort();
    const script = readFileSync(RUNNER, 'utf8');
    const read = [...new Set([...script.matchAll(/\bINPUT_[A-Z_]+/g)].map((match) => match[0]))].sort();
    expect(read).toEqual(passed);
    for (const name of passed) expect(runStep?.env?.[name]).toBe(`\${{ inputs.${name.slice('INPUT_'.length).toLowerCase().replaceAll('_', '-')} }}`);
  });

  test('outputs come from the runner step', () => {
    for (const [name, output] of Object.entries(action.outputs)) expect(output.value).toBe(`\${{ steps.run.outputs.${name} }}`);
  });
});

interface RunnerResult {
  code: number | null;
  log: string;
  outputs: Record<string, string>;
  summary: string;
}

let emulator: RunningEmulator;
let work: string;

beforeAll(async () => {
  emulator = await startEmulator({ seed: loadBaselineFile(PRODUCTION), rateLimit: false });
  work = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-action-'));
  writeFileSync(path.join(work, 'production.json'), readFileSync(PRODUCTION, 'utf8').replace('"$schema": "./schema.json",', ''));
});
afterAll(async () => {
  await emulator.close();
  rmSync(work, { recursive: true, force: true });
});

/** Runs scripts/action-run.sh the way the composite step does: working directory and INPUT_* env. */
function runRunner(inputs: Record<string, string>, extraEnv: Record<string, string> = {}): Promise<RunnerResult> {
  const outputFile = path.join(work, `output-${Math.random().toString(36).slice(2)}`);
  const summaryFile = `${outputFile}-summary`;
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NO_COLOR: '1',
    CLERKGUARD_TODAY: '2026-11-26',
    CLERKGUARD_BIN: path.join(REPO_ROOT, 'bin', 'clerkguard'),
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    ...Object.fromEntries(Object.entries(inputs).map(([name, value]) => [`INPUT_${name.toUpperCase().replaceAll('-', '_')}`, value])),
    ...extraEnv,
  };
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [RUNNER], { cwd: work, env });
    let log = '';
    child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      const outputs = Object.fromEntries(
        readFileSync(outputFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
      resolve({ code, log, outputs, summary: readFileSync(summaryFile, 'utf8') });
    });
  });
}

describe('the action runner against the emulator', () => {
  test('check: a clean baseline passes, writes SARIF and a job summary', async () => {
    const result = await runRunner({ command: 'check', baselines: 'production.json', 'report-dir': 'check-clean' });
    expect(result.code).toBe(0);
    expect(result.outputs['exit-code']).toBe('0');
    expect(result.outputs['sarif-file']).toBe(path.join(work, 'check-clean', 'check.sarif'));
    expect(JSON.parse(readFileSync(result.outputs['sarif-file']!, 'utf8'))).toMatchObject({ version: '2.1.0' });
    expect(result.summary).toContain('clerkguard');
  });

  test('check: an invalid baseline is exit code 1 and never an empty SARIF upload', async () => {
    writeFileSync(path.join(work, 'broken.json'), '{"schema_version": 1, "environment": 3}\n');
    const result = await runRunner({ command: 'check', baselines: 'broken.json', 'report-dir': 'check-broken' });
    expect(result.code).toBe(0); // the action's last step fails the job from the output
    expect(result.outputs['exit-code']).toBe('1');
    // check writes SARIF for an invalid baseline too: results at the file:line:col of each problem.
    const sarif = result.outputs['sarif-file'];
    expect(sarif).toBe(path.join(work, 'check-broken', 'check.sarif'));
    const log = JSON.parse(readFileSync(sarif!, 'utf8')) as { runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }[] }[] }[] };
    const results = log.runs[0]!.results.filter((entry) => entry.ruleId === 'baseline-invalid');
    expect(results.length).toBeGreaterThan(0);
    expect(results.map((entry) => entry.locations[0]!.physicalLocation.artifactLocation.uri)).toContain('broken.json');
    expect(results.map((entry) => entry.locations[0]!.physicalLocation.region)).toContainEqual({ startLine: 1, startColumn: 38 });
  });

  test('drift: clean, then drift after a dashboard-style change, with the SARIF report and summary', async () => {
    const env = { ...emulator.env(), CLERKGUARD_HTTP_TIMEOUT_MS: '5000' };
    const clean = await runRunner({ command: 'drift', baselines: 'production.json', 'report-dir': 'drift-clean' }, env);
    expect(clean.outputs['exit-code'], clean.log).toBe('0');

    const response = await fetch(`${emulator.bapi_url}/v1/instance`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${emulator.secret_key}`, 'content-type': 'application/json', 'clerk-api-version': '2026-05-12' },
      body: JSON.stringify({ test_mode: true }),
    });
    expect(response.status).toBeLessThan(300);
    const drifted = await runRunner({ command: 'drift', baselines: 'production.json', 'report-dir': 'drift-changed' }, env);
    expect(drifted.outputs['exit-code'], drifted.log).toBe('2');
    expect(drifted.outputs['sarif-file']).toBe(path.join(work, 'drift-changed', 'report.sarif'));
    expect(readFileSync(drifted.outputs['sarif-file']!, 'utf8')).toContain('settings.instance.test_mode');
    expect(drifted.summary).toContain('settings.instance.test_mode');
    for (const text of [drifted.log, drifted.summary]) expect(text).not.toContain(emulator.secret_key);
  });

  test('drift: missing keys are exit code 1, not clean', async () => {
    const result = await runRunner({ command: 'drift', baselines: 'production.json', 'report-dir': 'drift-nokeys' });
    expect(result.outputs['exit-code']).toBe('1');
  });

  test('an unknown command is exit code 1 with an error annotation', async () => {
    const result = await runRunner({ command: 'deploy', 'report-dir': 'unknown' });
    expect(result.outputs['exit-code']).toBe('1');
    expect(result.log).toContain("::error title=clerkguard::unknown command 'deploy'");
    expect(existsSync(path.join(work, 'unknown'))).toBe(true);
  });
});
