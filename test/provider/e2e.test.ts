/**
 * `pulumi up` for real: the Pulumi engine (a pulumi CLI built by scripts/build-pulumi.sh or
 * installed), the dynamic providers in their own provider process, the policy pack as an
 * analyzer plugin, and the in-process Clerk emulator. One stack, steps in order.
 *
 * The program runs as an Automation API inline program (the same function Pulumi.yaml runs),
 * because the Node language host cannot be built here; the compiled dist/ is used so that
 * what Pulumi serializes is exactly what ships.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Automation from '@pulumi/pulumi/automation';
import { createClerkApi } from '../../src/clerk/api';
import { connectionFromEnv } from '../../src/clerk/connection';
import { readSettings } from '../../src/clerk/settings-io';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index';
import { SET_LIKE_PATHS, type Settings } from '../../src/settings/model';
import { containsSecret } from '../../src/settings/redact';
import { canonicalize } from '../../src/util/json';
import { DRIFTED, SENTINEL_PLATFORM_KEY, SENTINEL_SECRET_KEY } from './helpers';
import { POLICY_PACK, REPO_ROOT, e2eUnavailableReason, engineEnvironment, findPulumiBin, missingRepositoryPieces, type EngineEnvironment } from './pulumi';

const unavailable = e2eUnavailableReason();
if (unavailable) {
  // Visible in every run's output, not only in the skipped-test count.
  console.warn(`[test/provider/e2e] SKIPPED: ${unavailable}`);
}

// CI sets CLERKGUARD_REQUIRE_PULUMI=1 so that a missing engine fails the run instead of skipping.
describe.runIf(unavailable !== undefined && process.env.CLERKGUARD_REQUIRE_PULUMI === '1')('pulumi end-to-end prerequisites', () => {
  it('has a pulumi binary (CLERKGUARD_REQUIRE_PULUMI=1)', () => {
    expect.fail(unavailable);
  });
});

/**
 * Every engine operation gets an abort signal: when it outlives this, the Automation API stops
 * the pulumi process (SIGINT) instead of leaving it running after the test has timed out. Each
 * test's own timeout is larger, so the abort, not vitest, ends a hung run.
 */
const ENGINE_TIMEOUT_MS = 90_000;
const engineOptions = (log: (text: string) => void) => ({ onOutput: log, color: 'never' as const, signal: AbortSignal.timeout(ENGINE_TIMEOUT_MS) });

// Native require: the program and the Automation API must share one @pulumi/pulumi instance,
// and the providers must be the compiled code Pulumi will serialize.
const nodeRequire = createRequire(__filename);
const SIGNING_KEY = 'supabase-hs256-secret-SENTINEL-signing-value';

/** Objects that are one value: extra live keys are a mismatch (a leftover PII claim). */
const WHOLE_VALUES = new Set(['claims']);

/** Every managed setting of `expected` that `live` does not match, as readable lines. */
function unmet(expected: unknown, live: unknown, at: string[] = []): string[] {
  const here = at.join('.');
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected) && !WHOLE_VALUES.has(at[at.length - 1] ?? '')) {
    return Object.entries(expected).flatMap(([key, value]) => unmet(value, (live as Record<string, unknown> | undefined)?.[key], [...at, key]));
  }
  const setLike = SET_LIKE_PATHS.some((pattern) => pattern.split('.').length === at.length && pattern.split('.').every((part, index) => part === '*' || part === at[index]));
  const normalize = (value: unknown) => JSON.stringify(canonicalize(setLike && Array.isArray(value) ? [...new Set(value.map(String))].sort() : value));
  return normalize(expected) === normalize(live) ? [] : [`${here}: wanted ${normalize(expected)}, live ${normalize(live)}`];
}

/** The part of a baseline Pulumi manages (what `up` must make true). */
function managedPart(settings: Settings): Settings {
  return {
    instance: { allowed_origins: settings.instance!.allowed_origins!, test_mode: settings.instance!.test_mode!, hibp: settings.instance!.hibp! },
    restrictions: settings.restrictions!,
    protect: settings.protect!,
    communication: settings.communication!,
    organizations: settings.organizations!,
    jwt_templates: settings.jwt_templates!,
    session: { inactivity_timeout_minutes: settings.session!.inactivity_timeout_minutes!, maximum_lifetime_minutes: settings.session!.maximum_lifetime_minutes! },
  };
}

describe.skipIf(unavailable !== undefined)('pulumi up with the real engine (end to end)', () => {
  let emulator: RunningEmulator;
  let stack: Automation.Stack;
  let baseline: { settings: Settings; target: Record<string, unknown> };
  let baselineFile: string;
  let violatingFile: string;
  let workDir: string;
  let engine: EngineEnvironment;
  let output: string[] = [];
  const log = (text: string) => {
    output.push(text);
  };
  const captured = () => {
    const text = output.join('');
    output = [];
    // CLERKGUARD_E2E_LOG=<file> keeps the engine's output for debugging a failed run.
    if (process.env.CLERKGUARD_E2E_LOG) appendFileSync(process.env.CLERKGUARD_E2E_LOG, text);
    return text;
  };

  const liveSettings = async (): Promise<Settings> => {
    const connection = connectionFromEnv(baseline.target as never, emulator.env(), { policy: { maxRetries: 0 } });
    return (await readSettings(createClerkApi(connection))).settings;
  };

  beforeAll(async () => {
    const missing = missingRepositoryPieces();
    if (missing.length > 0) throw new Error(`the Pulumi end-to-end tests need: ${missing.join('; ')}`);
    emulator = await startEmulator({ seed: structuredClone(DRIFTED), environmentType: 'production', secretKey: SENTINEL_SECRET_KEY, platformApiKey: SENTINEL_PLATFORM_KEY, rateLimit: false });

    const work = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-pulumi-e2e-'));
    workDir = work;
    baseline = JSON.parse(readFileSync(path.join(REPO_ROOT, 'baselines', 'production.json'), 'utf8'));
    baselineFile = path.join(work, 'production.json');
    writeFileSync(baselineFile, JSON.stringify(baseline, null, 2));
    const violating = structuredClone(baseline) as { settings: Settings };
    violating.settings.sign_in = { second_factor: { required: false } };
    violating.settings.attack_protection!.user_lockout = { enabled: false };
    violating.settings.jwt_templates!.supabase!.claims.email = '{{user.primary_email_address}}';
    violating.settings.instance!.allowed_origins = ['https://*.example.com'];
    violatingFile = path.join(work, 'violating.json');
    writeFileSync(violatingFile, JSON.stringify({ ...violating, environment: 'production' }, null, 2));

    const automation = nodeRequire('@pulumi/pulumi/automation') as typeof Automation;
    const { clerkguardProgram } = nodeRequire(path.join(REPO_ROOT, 'dist', 'provider', 'stack.js')) as typeof import('../../src/provider/stack');
    const binDir = findPulumiBin()!;
    engine = engineEnvironment(binDir);
    const pulumiCommand = await automation.PulumiCommand.get({ root: path.dirname(binDir), skipVersionCheck: true });
    stack = await automation.LocalWorkspace.createOrSelectStack(
      { stackName: 'e2e', projectName: 'clerkguard', program: clerkguardProgram },
      { workDir: work, envVars: engine.env, pulumiCommand, projectSettings: { name: 'clerkguard', runtime: 'nodejs' } },
    );
    await stack.setAllConfig({
      'clerkguard:baseline': { value: baselineFile },
      'clerkguard:secretKey': { value: emulator.secret_key, secret: true },
      'clerkguard:apiUrl': { value: emulator.bapi_url },
      'clerkguard:frontendApiUrl': { value: emulator.frontend_api_url },
      'clerkguard:platformApiKey': { value: emulator.platform_api_key, secret: true },
      'clerkguard:platformApiUrl': { value: emulator.platform_api_url },
      'clerkguard:applicationId': { value: emulator.application_id },
    });
    await stack.setConfig('clerkguard:jwtSigningKeys.supabase', { value: SIGNING_KEY, secret: true }, true);
  }, 120_000);

  afterAll(async () => {
    await emulator?.close();
    for (const dir of [workDir, engine?.backendDir, engine?.homeDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('1. up on a drifted instance makes the instance equal the baseline', async () => {
    const expected = managedPart(baseline.settings);
    expect(unmet(expected, await liveSettings()).length).toBeGreaterThan(10);
    const result = await stack.up(engineOptions(log));
    const text = captured();
    expect(result.summary.result, text).toBe('succeeded');
    expect(unmet(expected, await liveSettings())).toEqual([]);
    // Claims are compared whole: the drifted template's PII claim is gone, not merely outnumbered.
    expect(emulator.state.jwt_templates.find((template) => template.name === 'supabase')?.claims).toEqual(baseline.settings.jwt_templates!.supabase!.claims);
    // The emulator got the signing key; no response ever carried it back.
    expect(emulator.state.jwt_templates.find((template) => template.name === 'supabase')?.signing_key).toBe(SIGNING_KEY);
    expect(result.outputs.managed?.value).toContain('platform-config');
    expect(emulator.requests.some((request) => request.method === 'PUT')).toBe(false);
  }, 180_000);

  it('2. a second up changes nothing', async () => {
    const result = await stack.up(engineOptions(log));
    const text = captured();
    expect(Object.keys(result.summary.resourceChanges ?? {}), text).toEqual(['same']);
    await expect(stack.preview({ expectNoChanges: true, refresh: true, ...engineOptions(log) })).resolves.toBeDefined();
    // A refresh of an untouched instance finds nothing, not even order-only differences, and
    // every managed value was really read (none kept unverified from the state).
    const refreshText = captured();
    expect(refreshText).not.toContain('[diff:');
    expect(refreshText).not.toContain('could not be read');
  }, 180_000);

  it('3. a change through the API is drift: preview --refresh names it, up --refresh fixes it', async () => {
    // A "dashboard" edit through the emulator's Backend API and a Platform edit.
    const response = await fetch(`${emulator.bapi_url}/v1/instance`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${emulator.secret_key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ allowed_origins: ['https://app.example.com', 'https://www.example.com', 'https://evil.example.net'] }),
    });
    expect(response.status).toBe(204);
    emulator.applySettings({ session: { inactivity_timeout_minutes: 720 } });

    const failure = await stack.preview({ refresh: true, expectNoChanges: true, diff: true, ...engineOptions(log) }).then(
      () => undefined,
      (error: Error) => error,
    );
    const text = captured() + String(failure?.message ?? '');
    expect(failure, 'preview --refresh --expect-no-changes must fail on drift').toBeInstanceOf(Error);
    // It failed because of the drift, not because something else went wrong.
    expect(text).toContain('no changes were expected');
    expect(text).not.toMatch(/error: clerkguard:/);
    expect(text).toContain('allowed_origins');
    expect(text).toContain('https://evil.example.net');
    expect(text).toContain('inactivity_timeout_minutes');
    expect(text).not.toContain(SENTINEL_SECRET_KEY);

    const result = await stack.up({ refresh: true, ...engineOptions(log) });
    captured();
    expect(result.summary.result).toBe('succeeded');
    expect(unmet(managedPart(baseline.settings), await liveSettings())).toEqual([]);
  }, 240_000);

  it('4. the policy pack blocks a baseline that turns MFA or lockout off, ships a PII claim, or widens origins', async () => {
    await stack.setConfig('clerkguard:baseline', { value: violatingFile });
    const before = structuredClone(emulator.state.allowed_origins);
    const failure = await stack.preview({ policyPacks: [POLICY_PACK], ...engineOptions(log) }).then(
      () => undefined,
      (error: Error) => error,
    );
    const text = captured() + String(failure?.message ?? '');
    expect(failure, text).toBeInstanceOf(Error);
    for (const rule of ['keys-production-live', 'monitoring-failed-login-alerts', 'jwt-claims-minimal', 'origins-exact-allowlist']) {
      expect(text, rule).toMatch(new RegExp(`\\[mandatory\\]\\s+${rule}`));
    }
    expect(text).toMatch(/MFA is not required/);
    expect(text).toMatch(/user lockout is off/);
    expect(text).toMatch(/puts PII in claims: email/);
    expect(text).toMatch(/wildcard/);
    expect(emulator.state.allowed_origins).toEqual(before);

    // The shipped baseline passes the same pack.
    await stack.setConfig('clerkguard:baseline', { value: baselineFile });
    const clean = await stack.preview({ policyPacks: [POLICY_PACK], ...engineOptions(log) });
    const cleanText = captured();
    expect(clean.changeSummary, cleanText).toBeDefined();
    expect(cleanText).not.toMatch(/\[mandatory\]/);
  }, 240_000);

  it('4b. a baseline that cannot be loaded fails with one clear message and no stack trace', async () => {
    await stack.setConfig('clerkguard:baseline', { value: path.join(workDir, 'missing.json') });
    const failure = await stack.preview(engineOptions(log)).then(
      () => undefined,
      (error: Error) => error,
    );
    const text = captured() + String(failure?.message ?? '');
    await stack.setConfig('clerkguard:baseline', { value: baselineFile });
    expect(failure, text).toBeInstanceOf(Error);
    expect(text).toMatch(/error: clerkguard: .*missing\.json: no such file/);
    expect(text).not.toContain('Unhandled exception');
    expect(text).not.toMatch(/\n\s+at \S+ \(/);
  }, 120_000);

  it('5. pulumi stack export and the state on disk hold no plaintext secret', async () => {
    // The CLI command a user runs (the Automation API's exportStack adds --show-secrets).
    // spawnSync blocks the event loop, so vitest's timeout could not stop a hung export: kill it.
    const exported = spawnSync(path.join(engine.binDir, 'pulumi'), ['stack', 'export', '--stack', 'e2e'], {
      cwd: workDir,
      env: { ...process.env, ...engine.env },
      encoding: 'utf8',
      timeout: 50_000,
      killSignal: 'SIGKILL',
    });
    expect(exported.error, 'pulumi stack export did not finish').toBeUndefined();
    expect(exported.status, exported.stderr).toBe(0);
    const onDisk = readdirSync(engine.backendDir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => readFileSync(path.join(entry.parentPath, entry.name), 'utf8'))
      .join('\n');
    for (const text of [exported.stdout, onDisk]) {
      expect(text.length).toBeGreaterThan(1000);
      for (const secret of [SENTINEL_SECRET_KEY, SENTINEL_PLATFORM_KEY, SIGNING_KEY]) expect(text).not.toContain(secret);
      expect(containsSecret(text)).toBe(false);
    }
    // The keys are there, encrypted: secret values are ciphertext envelopes.
    const deployment = JSON.parse(exported.stdout) as { deployment: { resources: { urn: string; type: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }[] } };
    const providerResource = deployment.deployment.resources.find((resource) => resource.type === 'pulumi:providers:pulumi-nodejs');
    expect(JSON.stringify(providerResource?.inputs?.['clerkguard:secretKey'])).toContain('ciphertext');
    const template = deployment.deployment.resources.find((resource) => resource.urn.endsWith('jwt-template/supabase'));
    expect(JSON.stringify(template?.outputs?.signing_key)).toContain('ciphertext');
    expect(JSON.stringify(template?.inputs?.signing_key)).toContain('ciphertext');
  }, 60_000);

  it('6. destroy deletes templates, roles and permissions and leaves singleton settings as they are', async () => {
    const instanceBefore = { origins: [...emulator.state.allowed_origins], protect: { ...emulator.state.protect }, session: { ...emulator.state.platform.config.session } };
    const result = await stack.destroy(engineOptions(log));
    const text = captured();
    expect(result.summary.result).toBe('succeeded');
    expect(emulator.state.jwt_templates.some((template) => template.name === 'supabase')).toBe(false);
    expect(emulator.state.roles.some((role) => role.key === 'org:billing')).toBe(false);
    expect(emulator.state.permissions.some((permission) => permission.key === 'org:billing:manage')).toBe(false);
    expect(emulator.state.allowed_origins).toEqual(instanceBefore.origins);
    expect(emulator.state.protect).toEqual(instanceBefore.protect);
    expect(emulator.state.platform.config.session).toEqual(instanceBefore.session);
    expect(text).toMatch(/removed from the stack only/);
    const exported = await stack.exportStack();
    expect(exported.deployment.resources ?? []).toEqual([]);
  }, 180_000);
});
