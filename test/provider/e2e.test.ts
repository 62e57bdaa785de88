/**
 * `pulumi up` exactly as users run it: the `pulumi` CLI (with the Node language host and the
 * dynamic-provider launcher beside it, as an official install has them) on the repository's
 * own Pulumi.yaml, in a copy of the repository, logged in to a local (file) backend of its own,
 * against the in-process Clerk emulator. The commands are the ones
 * docs/pulumi.md and the README give; the last test checks that every `pulumi` command there
 * was run here. Steps run in order on one stack.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClerkApi } from '../../src/clerk/api';
import { connectionFromEnv } from '../../src/clerk/connection';
import { readSettings } from '../../src/clerk/settings-io';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index';
import { SET_LIKE_PATHS, type Settings } from '../../src/settings/model';
import { containsSecret } from '../../src/settings/redact';
import { canonicalize } from '../../src/util/json';
import { DRIFTED, SENTINEL_PLATFORM_KEY, SENTINEL_SECRET_KEY, writesSince } from './helpers';
import { REPO_ROOT, copyCheckout, e2eUnavailableReason, findPulumiBin, initStack, missingRepositoryPieces, pulumiUser, runPulumi, type CommandResult, type PulumiUser } from './pulumi';

const unavailable = e2eUnavailableReason();
if (unavailable) {
  // Visible in every run's output, not only in the skipped-test count.
  console.warn(`[test/provider/e2e] SKIPPED: ${unavailable}`);
}

// CI sets CLERKGUARD_REQUIRE_PULUMI=1 so that a missing engine fails the run instead of skipping.
describe.runIf(unavailable !== undefined && process.env.CLERKGUARD_REQUIRE_PULUMI === '1')('pulumi end-to-end prerequisites', () => {
  it('has pulumi, pulumi-language-nodejs and pulumi-resource-pulumi-nodejs (CLERKGUARD_REQUIRE_PULUMI=1)', () => {
    expect.fail(unavailable);
  });
});

const SIGNING_KEY = 'supabase-hs256-secret-SENTINEL-signing-value';

/** Per step: several CLI commands, each of which is killed after 180 s (runPulumi). */
const TEST_TIMEOUT_MS = 600_000;

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
    organizations: withWritableModes(settings.organizations!),
    jwt_templates: settings.jwt_templates!,
    // Only the documented session.lifetime is applied; the inactivity timeout has no Platform name.
    session: { maximum_lifetime_minutes: settings.session!.maximum_lifetime_minutes! },
  };
}

/** PATCH writes the automatic domain enrollment modes only; manual_invitation is read-only. */
function withWritableModes(organizations: NonNullable<Settings['organizations']>): NonNullable<Settings['organizations']> {
  const modes = organizations.settings?.domains_enrollment_modes;
  if (!modes) return organizations;
  return { ...organizations, settings: { ...organizations.settings, domains_enrollment_modes: modes.filter((mode) => mode !== 'manual_invitation') } };
}

/** Files under `dir` (recursively), concatenated: the state a local backend keeps. */
function filesUnder(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && statSync(path.join(entry.parentPath, entry.name)).size < 16 * 1024 * 1024)
    .map((entry) => readFileSync(path.join(entry.parentPath, entry.name), 'utf8'))
    .join('\n');
}

/** A Node stack trace line ("    at fn (file:1:2)"). */
const STACK_TRACE = /\n\s+at \S+ \(|\n\s+at \/|Cannot find module/;

describe.skipIf(unavailable !== undefined)('pulumi CLI on the repository’s Pulumi.yaml (end to end)', () => {
  let emulator: RunningEmulator;
  let user: PulumiUser;
  let work: string;
  let checkout: string;
  let baseline: { settings: Settings; target: Record<string, unknown> };
  /** Every command run, for the docs check. */
  const ran: CommandResult[] = [];
  /** Ids of the objects created by hand before the stack existed. */
  const byHand: Record<string, string> = {};

  const pulumi = async (...args: string[]): Promise<CommandResult> => {
    const result = await runPulumi(user, checkout, args);
    ran.push(result);
    // CLERKGUARD_E2E_LOG=<file> keeps the CLI's output for debugging a failed run.
    if (process.env.CLERKGUARD_E2E_LOG) writeFileSync(process.env.CLERKGUARD_E2E_LOG, `\n$ pulumi ${args.join(' ')}  (exit ${result.code})\n${result.output}`, { flag: 'a' });
    return result;
  };
  /** A command that must succeed; the failure message is its output. */
  const ok = async (...args: string[]): Promise<string> => {
    const result = await pulumi(...args);
    expect(result.code, `pulumi ${args.join(' ')}\n${result.output}`).toBe(0);
    return result.output;
  };

  const bapi = async (method: string, route: string, body?: unknown): Promise<Record<string, unknown>> => {
    const response = await fetch(`${emulator.bapi_url}/v1${route}`, {
      method,
      headers: { Authorization: `Bearer ${emulator.secret_key}`, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(response.status, `${method} ${route}`).toBeLessThan(300);
    return response.status === 204 ? {} : ((await response.json()) as Record<string, unknown>);
  };

  const liveSettings = async (): Promise<Settings> => {
    const connection = connectionFromEnv(baseline.target as never, emulator.env(), { policy: { maxRetries: 0 } });
    const settings = (await readSettings(createClerkApi(connection))).settings;
    return settings.organizations ? { ...settings, organizations: withWritableModes(settings.organizations) } : settings;
  };

  beforeAll(async () => {
    const missing = missingRepositoryPieces();
    if (missing.length > 0) throw new Error(`the Pulumi end-to-end tests need: ${missing.join('; ')}`);
    baseline = JSON.parse(readFileSync(path.join(REPO_ROOT, 'baselines', 'production.json'), 'utf8'));

    // An instance never under Pulumi, drifted, whose JWT template, role and permission carry the
    // baseline's names because someone created them by hand (through the Backend API).
    const { jwt_templates: _templates, ...drifted } = structuredClone(DRIFTED);
    emulator = await startEmulator({ seed: drifted, environmentType: 'production', secretKey: SENTINEL_SECRET_KEY, platformApiKey: SENTINEL_PLATFORM_KEY, rateLimit: false });
    byHand.template = String(
      (await bapi('POST', '/jwt_templates', { name: 'supabase', claims: { aud: 'authenticated', email: '{{user.primary_email_address}}' }, lifetime: 3600, allowed_clock_skew: 5 })).id,
    );
    byHand.permission = String((await bapi('POST', '/organization_permissions', { key: 'org:billing:manage', name: 'Billing (by hand)', description: 'made in the dashboard' })).id);
    byHand.role = String((await bapi('POST', '/organization_roles', { key: 'org:billing', name: 'Billing (by hand)', description: 'made in the dashboard', permissions: [] })).id);

    work = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-pulumi-cli-'));
    checkout = path.join(work, 'clerkguard');
    copyCheckout(checkout);
    user = pulumiUser(findPulumiBin()!, work);
  }, 120_000);

  afterAll(async () => {
    await emulator?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('1. login, stack init and config as docs/pulumi.md says; preview fails a custom signing key nobody configured before anything is applied', async () => {
    // docs: `pulumi login --local`, i.e. file://~ (see pulumiUser for why not ~ itself).
    await initStack(ok, user, emulator, 'baselines/production.json');

    const from = emulator.requests.length;
    const failed = await pulumi('preview', '--policy-pack', 'policy');
    expect(failed.code, failed.output).not.toBe(0);
    expect(failed.output).toContain(
      `error: clerkguard: JWT template "supabase" sets custom_signing_key, but stack config has no signing key for it (hint: pulumi config set --secret --path 'clerkguard:jwtSigningKeys.supabase' <signing key>)`,
    );
    expect(failed.output).not.toMatch(STACK_TRACE);
    expect(writesSince(emulator, from)).toEqual([]);

    await ok('config', 'set', '--secret', '--path', 'clerkguard:jwtSigningKeys.supabase', SIGNING_KEY);
  }, TEST_TIMEOUT_MS);

  it('2. preview with the policy pack directory passes the shipped baseline and writes nothing', async () => {
    const from = emulator.requests.length;
    const output = await ok('preview', '--policy-pack', 'policy');
    expect(output).toMatch(/clerkguard@v0\.1\.0 \(local: policy\)/);
    expect(output).not.toMatch(/\[mandatory\]/);
    expect(output).toMatch(/\+ 11 to create/);
    expect(writesSince(emulator, from)).toEqual([]);
  }, TEST_TIMEOUT_MS);

  it('3. up adopts the objects made by hand (no "already exists") and makes the instance equal the baseline', async () => {
    const expected = managedPart(baseline.settings);
    expect(unmet(expected, await liveSettings()).length).toBeGreaterThan(10);
    const output = await ok('up', '--yes', '--policy-pack', 'policy');
    expect(output).not.toMatch(/already exists/);
    for (const what of ['JWT template "supabase"', 'organization role "org:billing"', 'organization permission "org:billing:manage"']) {
      expect(output).toContain(`clerkguard: adopted the existing ${what}`);
    }
    expect(unmet(expected, await liveSettings())).toEqual([]);
    // The same objects, taken over: not deleted and created again.
    expect(emulator.state.jwt_templates.find((template) => template.name === 'supabase')?.id).toBe(byHand.template);
    expect(emulator.state.roles.find((role) => role.key === 'org:billing')?.id).toBe(byHand.role);
    expect(emulator.state.permissions.find((permission) => permission.key === 'org:billing:manage')?.id).toBe(byHand.permission);
    // Claims are compared whole: the hand-made template's PII claim is gone.
    expect(emulator.state.jwt_templates.find((template) => template.name === 'supabase')?.claims).toEqual(baseline.settings.jwt_templates!.supabase!.claims);
    expect(emulator.state.jwt_templates.find((template) => template.name === 'supabase')?.signing_key).toBe(SIGNING_KEY);
    expect(emulator.requests.some((request) => request.method === 'PUT')).toBe(false);
    const outputs = JSON.parse(await ok('stack', 'output', '--json')) as { managed: string[]; platformManaged: boolean };
    expect(outputs.managed).toContain('platform-config');
    expect(outputs.platformManaged).toBe(true);
  }, TEST_TIMEOUT_MS);

  it('4. a second up changes nothing, and a refresh of the untouched instance finds nothing', async () => {
    const from = emulator.requests.length;
    const output = await ok('up', '--yes', '--policy-pack', 'policy');
    expect(output).toMatch(/Resources:\s+11 unchanged/);
    expect(writesSince(emulator, from)).toEqual([]);
    const refreshed = await ok('preview', '--refresh', '--expect-no-changes');
    expect(refreshed).not.toContain('[diff:');
    expect(refreshed).not.toContain('could not be read');
  }, TEST_TIMEOUT_MS);

  it('5. a change through the Backend API is drift: preview --refresh --expect-no-changes exits 7 and names it, up --refresh fixes it', async () => {
    await bapi('PATCH', '/instance', { allowed_origins: ['https://app.example.com', 'https://www.example.com', 'https://evil.example.net'] });
    await bapi('PATCH', `/jwt_templates/${byHand.template}`, { name: 'supabase', claims: baseline.settings.jwt_templates!.supabase!.claims, lifetime: 3600 });

    const drift = await pulumi('preview', '--refresh', '--expect-no-changes', '--diff');
    expect(drift.code, drift.output).toBe(7);
    expect(drift.output).toContain('error: no changes were expected for preview but changes were proposed');
    expect(drift.output).toContain('https://evil.example.net');
    expect(drift.output).toMatch(/lifetime\s*:\s*3600 => 60/);
    expect(drift.output).not.toMatch(/error: clerkguard:/);
    expect(drift.output).not.toContain(SENTINEL_SECRET_KEY);

    await ok('up', '--refresh', '--yes', '--policy-pack', 'policy');
    expect(unmet(managedPart(baseline.settings), await liveSettings())).toEqual([]);
    await ok('preview', '--refresh', '--expect-no-changes');
  }, TEST_TIMEOUT_MS);

  it('6. the policy pack directory blocks a baseline that turns MFA or lockout off, ships a PII claim, or widens origins', async () => {
    const violating = structuredClone(baseline) as { settings: Settings };
    violating.settings.sign_in = { second_factor: { required: false } };
    violating.settings.attack_protection!.user_lockout = { enabled: false };
    violating.settings.jwt_templates!.supabase!.claims.email = '{{user.primary_email_address}}';
    violating.settings.instance!.allowed_origins = ['https://*.example.com'];
    writeFileSync(path.join(checkout, 'baselines', 'violating.json'), JSON.stringify(violating, null, 2));
    await ok('config', 'set', 'clerkguard:baseline', 'baselines/violating.json');

    const from = emulator.requests.length;
    for (const command of [['preview'], ['up', '--yes']]) {
      const blocked = await pulumi(...command, '--policy-pack', 'policy');
      expect(blocked.code, blocked.output).not.toBe(0);
      for (const rule of ['keys-production-live', 'monitoring-failed-login-alerts', 'jwt-claims-minimal', 'origins-exact-allowlist']) {
        expect(blocked.output, rule).toMatch(new RegExp(`\\[mandatory\\]\\s+${rule}`));
      }
      expect(blocked.output).toMatch(/MFA is not required/);
      expect(blocked.output).toMatch(/user lockout is off/);
      expect(blocked.output).toMatch(/puts PII in claims: email/);
      expect(blocked.output).toMatch(/wildcard/);
    }
    expect(writesSince(emulator, from)).toEqual([]);

    await ok('config', 'set', 'clerkguard:baseline', 'baselines/production.json');
    const clean = await ok('preview', '--policy-pack', 'policy');
    expect(clean).not.toMatch(/\[mandatory\]/);
  }, TEST_TIMEOUT_MS);

  it('6b. a write Clerk would drop fails up naming the field; a Platform config key with no typed model is applied, and its drift is previewed', async () => {
    const extended = structuredClone(baseline) as { settings: Settings };
    // AQ is not an SMS-tier country: Clerk drops such codes silently (bapi spec, UpdateInstanceCommunication).
    extended.settings.communication = { blocked_country_codes: ['KP', 'IR', 'AQ'] };
    extended.settings.platform_config = { captcha: { widget_type: 'invisible' } };
    writeFileSync(path.join(checkout, 'baselines', 'extended.json'), JSON.stringify(extended, null, 2));
    await ok('config', 'set', 'clerkguard:baseline', 'baselines/extended.json');
    const dropped = await pulumi('up', '--yes');
    expect(dropped.code, dropped.output).not.toBe(0);
    expect(dropped.output).toMatch(/Clerk did not confirm the write to PATCH \/v1\/instance\/communication for environment production: its answer does not reflect blocked_country_codes/);
    expect(dropped.output).not.toMatch(STACK_TRACE);

    extended.settings.communication = baseline.settings.communication!;
    writeFileSync(path.join(checkout, 'baselines', 'extended.json'), JSON.stringify(extended, null, 2));
    await ok('up', '--yes');
    expect(emulator.state.platform.config.captcha).toMatchObject({ widget_type: 'invisible' });
    emulator.applySettings({ platform_config: { captcha: { widget_type: 'smart' } } });
    const drift = await pulumi('preview', '--refresh', '--expect-no-changes', '--diff');
    expect(drift.code, drift.output).toBe(7);
    expect(drift.output).toMatch(/widget_type\s*:\s*"smart" => "invisible"/);
    expect(emulator.requests.some((request) => request.method === 'PUT')).toBe(false);

    await ok('config', 'set', 'clerkguard:baseline', 'baselines/production.json');
    await ok('up', '--yes', '--policy-pack', 'policy');
  }, TEST_TIMEOUT_MS);

  it('7. a baseline that cannot be loaded fails with one clear message and no stack trace', async () => {
    await ok('config', 'set', 'clerkguard:baseline', 'baselines/missing.json');
    const failed = await pulumi('preview');
    await ok('config', 'set', 'clerkguard:baseline', 'baselines/production.json');
    expect(failed.code, failed.output).not.toBe(0);
    expect(failed.output).toContain(`error: clerkguard: ${path.join(checkout, 'baselines', 'missing.json')}: no such file`);
    expect(failed.output).not.toContain('Unhandled exception');
    expect(failed.output).not.toMatch(STACK_TRACE);
  }, TEST_TIMEOUT_MS);

  it('8. pulumi stack export, the state files and the stack config file hold no plaintext secret', async () => {
    const exported = await ok('stack', 'export');
    const onDisk = `${filesUnder(user.stateDir)}\n${filesUnder(user.pulumiHome)}`;
    const stackConfig = readFileSync(path.join(checkout, 'Pulumi.production.yaml'), 'utf8');
    for (const text of [exported, onDisk, stackConfig]) {
      for (const secret of [SENTINEL_SECRET_KEY, SENTINEL_PLATFORM_KEY, SIGNING_KEY]) expect(text).not.toContain(secret);
      expect(containsSecret(text)).toBe(false);
    }
    expect(onDisk.length).toBeGreaterThan(1000);
    // The keys are there, encrypted: secret values are ciphertext envelopes.
    const deployment = JSON.parse(exported) as { deployment: { resources: { urn: string; type: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }[] } };
    const providerResource = deployment.deployment.resources.find((resource) => resource.type === 'pulumi:providers:pulumi-nodejs');
    expect(JSON.stringify(providerResource?.inputs?.['clerkguard:secretKey'])).toContain('ciphertext');
    const template = deployment.deployment.resources.find((resource) => resource.urn.endsWith('jwt-template/supabase'));
    expect(JSON.stringify(template?.outputs?.signing_key)).toContain('ciphertext');
    expect(JSON.stringify(template?.inputs?.signing_key)).toContain('ciphertext');
    // Portable: nothing in the state points at this checkout.
    expect(exported).not.toContain(checkout);
  }, TEST_TIMEOUT_MS);

  it('9. a moved checkout still refreshes and applies', async () => {
    const moved = path.join(work, 'moved', 'clerkguard-elsewhere');
    mkdirSync(path.dirname(moved));
    renameSync(checkout, moved);
    expect(existsSync(checkout)).toBe(false);
    checkout = moved;
    // The stack selection belongs to the old path: a user selects it again.
    await ok('stack', 'select', 'production');
    const refreshed = await pulumi('preview', '--refresh', '--expect-no-changes');
    expect(refreshed.code, refreshed.output).toBe(0);
    expect(refreshed.output).not.toMatch(STACK_TRACE);
    expect(refreshed.output).not.toMatch(/error:/);
    // An edit after the move is applied by the moved checkout's providers.
    await bapi('PATCH', '/instance', { allowed_origins: ['https://app.example.com'] });
    await ok('up', '--refresh', '--yes', '--policy-pack', 'policy');
    expect(unmet(managedPart(baseline.settings), await liveSettings())).toEqual([]);
  }, TEST_TIMEOUT_MS);

  it('10. destroy deletes templates, roles and permissions and leaves singleton settings as they are', async () => {
    const instanceBefore = { origins: [...emulator.state.allowed_origins], protect: { ...emulator.state.protect }, session: { ...emulator.state.platform.config.session } };
    const output = await ok('destroy', '--yes');
    expect(emulator.state.jwt_templates.some((template) => template.name === 'supabase')).toBe(false);
    expect(emulator.state.roles.some((role) => role.key === 'org:billing')).toBe(false);
    expect(emulator.state.permissions.some((permission) => permission.key === 'org:billing:manage')).toBe(false);
    expect(emulator.state.allowed_origins).toEqual(instanceBefore.origins);
    expect(emulator.state.protect).toEqual(instanceBefore.protect);
    expect(emulator.state.platform.config.session).toEqual(instanceBefore.session);
    expect(output).toMatch(/removed from the stack only/);
    const exported = JSON.parse(await ok('stack', 'export')) as { deployment: { resources?: unknown[] } };
    expect(exported.deployment.resources ?? []).toEqual([]);
  }, TEST_TIMEOUT_MS);

  it('11. no command warned about plugins taken from $PATH, and every pulumi command of docs/pulumi.md and the README ran', () => {
    expect(ran.length).toBeGreaterThan(20);
    for (const result of ran) expect(result.output, `pulumi ${result.args.join(' ')}`).not.toMatch(/from \$PATH/);
    const documented = documentedCommands();
    expect(documented.length).toBeGreaterThan(10);
    const notRun = documented.filter((command) => !ran.some((result) => matchesDocumented(command.words, result.args)));
    expect(notRun.map((command) => `${command.source}: ${command.line}`)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// The documented commands.

/** Flags a test adds to a documented command: it runs without a terminal to confirm on. */
const NON_INTERACTIVE_FLAGS = new Set(['--yes']);

interface DocumentedCommand {
  source: string;
  line: string;
  /** The words after `pulumi`. */
  words: string[];
}

/** Every `pulumi ...` line in the sh blocks of docs/pulumi.md and the README's Pulumi section. */
function documentedCommands(): DocumentedCommand[] {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Applying with Pulumi'));
  const sources: [string, string][] = [
    ['docs/pulumi.md', readFileSync(path.join(REPO_ROOT, 'docs', 'pulumi.md'), 'utf8')],
    ['README.md', section.slice(0, section.indexOf('\n## ', 3) > 0 ? section.indexOf('\n## ', 3) : undefined)],
  ];
  const commands: DocumentedCommand[] = [];
  for (const [source, text] of sources) {
    for (const block of text.matchAll(/```sh\n([\s\S]*?)```/g)) {
      for (const raw of block[1]!.split('\n')) {
        const line = raw.replace(/\s+#.*$/, '').trim();
        if (!line.startsWith('pulumi ')) continue;
        commands.push({ source, line, words: shellWords(line).slice(1) });
      }
    }
  }
  return commands;
}

/** Splits a documented command line into words: single quotes, and `<placeholder words>` as one. */
function shellWords(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|(<[^>]*>)|(\S+)/g)].map((match) => match[1] ?? match[2] ?? match[3]!);
}

/** A placeholder (`sk_live_...`, `<signing key>`) matches any value with its literal prefix. */
function wordMatches(documented: string, actual: string): boolean {
  if (/^<.*>$/.test(documented)) return actual !== '';
  if (documented.endsWith('...')) return actual.startsWith(documented.slice(0, -3)) && actual.length > documented.length - 3;
  return documented === actual;
}

/** `pulumi login --local` is `file://~`: the test's local backend is a file:// URL of its own. */
const LOCAL_LOGIN = ['login', '--local'];

function matchesDocumented(documented: readonly string[], args: readonly string[]): boolean {
  if (documented.join(' ') === LOCAL_LOGIN.join(' ')) return args.length === 2 && args[0] === 'login' && args[1]!.startsWith('file:///');
  const actual = args.filter((word) => !NON_INTERACTIVE_FLAGS.has(word) || documented.includes(word));
  return actual.length === documented.length && documented.every((word, index) => wordMatches(word, actual[index]!));
}
