/**
 * `clerkguard init` through the CLI's entry point (`main(argv, io)`) in-process, against the
 * emulator, followed by `check` and `drift` exactly as a user runs them next: the written file
 * must validate, drift must be clean against today's values, and `--harden` must make drift
 * show exactly the proposed changes.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { validateBaselineText } from '../../src/baseline/load';
import { runMain } from '../helpers/in-process';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index';
import type { Settings } from '../../src/settings/model';

const SENTINEL_SECRET_KEY = 'sk_live_SENTINEL0init0secret0DO0NOT0LEAK';
const SENTINEL_PLATFORM_KEY = 'ak_SENTINEL0init0platform0DO0NOT0LEAK';
const SENTINEL_SIGNING_KEY = 'SENTINEL-init-signing-key-DO-NOT-LEAK';

/** An instance as an AI tool might leave it: most checklist items off. */
const WEAK: Settings = {
  instance: { environment_type: 'production', allowed_origins: ['https://*.example.com', 'http://localhost:3000', 'https://app.example.com'], test_mode: true, hibp: false },
  session: { maximum_lifetime_minutes: 43200 },
  attack_protection: { user_lockout: { enabled: false, max_attempts: 50, duration_in_minutes: 60 }, enumeration_protection: { enabled: false } },
  sign_in: { second_factor: { required: false } },
  password_settings: { min_length: 6 },
  oauth_application_settings: { dynamic_oauth_client_registration: true },
  jwt_templates: {
    supabase: { claims: { aud: 'authenticated', email: '{{user.primary_email_address}}', meta: { phone: '{{user.primary_phone_number}}', plan: 'pro' } }, lifetime: 3600, allowed_clock_skew: 5, signing_algorithm: 'RS256' },
    worker: { claims: { org: '{{org.id}}' }, lifetime: 60 },
  },
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let dir: string;
let emulator: RunningEmulator;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-init-'));
});
afterEach(async () => {
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function start(seed: Settings | undefined, options: { environmentType?: 'production' | 'development' } = {}): Promise<void> {
  emulator = await startEmulator({ ...(seed ? { seed: structuredClone(seed) } : {}), rateLimit: false, secretKey: options.environmentType === 'development' ? 'sk_test_SENTINEL0init0secret0DO0NOT0LEAK' : SENTINEL_SECRET_KEY, platformApiKey: SENTINEL_PLATFORM_KEY, ...options });
}

async function cli(args: string[], env: Record<string, string | undefined> = emulator.env()): Promise<Run> {
  return runMain(args, { cwd: dir, env });
}

const read = (name = 'baselines/production.json') => readFileSync(path.join(dir, name), 'utf8');

interface DriftJson {
  status: string;
  environments: { status: string; changes: { path: string; kind: string; baseline: unknown; live: unknown }[]; unverified: { path: string }[]; coverage: Record<string, string> }[];
}

/** Every failing finding of `check --format json`: rule and path. */
async function failing(file = 'baselines/production.json'): Promise<{ rule: string; path: string }[]> {
  const run = await cli(['check', file, '--format', 'json']);
  const report = JSON.parse(run.stdout) as { findings: { rule: string; path: string; status: string }[] };
  return report.findings.filter((finding) => finding.status === 'fail').map(({ rule, path: at }) => ({ rule, path: at }));
}

describe('clerkguard init --from-live', () => {
  test('writes a valid, strict-JSON baseline of today\'s values: check lists the failing rules, drift is clean', async () => {
    await start(WEAK);
    const init = await cli(['init', '--from-live']);
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    const text = read();

    // Strict JSON, 2-space indent, trailing newline, $schema first, the model's key order.
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
    const document = JSON.parse(text) as Record<string, unknown> & { settings: Record<string, unknown> };
    expect(Object.keys(document)).toEqual(['$schema', '$comment', 'schema_version', 'version', 'environment', 'profile', 'description', 'target', 'settings']);
    expect(Object.keys(document.settings).filter((key) => key !== '$comment')).toEqual([
      'keys', 'instance', 'session', 'restrictions', 'protect', 'communication', 'attack_protection', 'sign_in', 'sign_up', 'password_settings', 'passkey_settings', 'oauth_application_settings', 'organizations', 'jwt_templates',
    ]);
    expect(document.target).toEqual({ environment_type: 'production', secret_key_env: 'CLERK_SECRET_KEY', publishable_key_env: 'CLERK_PUBLISHABLE_KEY', platform_api_key_env: 'CLERK_PLATFORM_API_KEY' });
    const validation = validateBaselineText(text, 'baselines/production.json');
    expect(validation.errors).toEqual([]);

    // Today's values, read from Clerk: the weak ones included.
    const settings = validation.value!.settings;
    expect(settings.instance).toMatchObject({ test_mode: true, hibp: false, allowed_origins: ['http://localhost:3000', 'https://*.example.com', 'https://app.example.com'] });
    expect(settings.session?.maximum_lifetime_minutes).toBe(43200);
    expect(settings.jwt_templates?.supabase?.lifetime).toBe(3600);

    // check: exactly the failing rules init reported, each annotated in the file next to its setting.
    const failures = await failing();
    expect(failures.length).toBeGreaterThan(5);
    for (const failure of failures) {
      expect(text, `${failure.rule} at ${failure.path}`).toContain(`FAILS ${failure.rule} (`);
      expect(init.stdout).toContain(failure.rule);
    }
    expect(init.stdout).toContain('proposed: set to false (today true); `pulumi up` applies it');
    expect(text).toContain('FAILS keys-production-live (critical, item 2) at settings.instance.test_mode: test mode is on in production');
    expect(JSON.stringify((document.settings.instance as Record<string, unknown>).$comment)).toContain('Proposed: set to false');
    // A failing rule with no value to propose says so, and why.
    expect(text).toContain('FAILS jwt-audience-claim (high, item 18) at settings.jwt_templates.worker.claims: JWT template \\"worker\\" has no \\"aud\\" claim. No value proposed: add an \\"aud\\" claim');

    const drift = await cli(['drift', 'baselines/production.json', '--format', 'json']);
    expect(drift.code).toBe(0);
    const report = JSON.parse(drift.stdout) as DriftJson;
    expect(report.status).toBe('clean');
    expect(report.environments[0]!.changes).toEqual([]);
    expect(report.environments[0]!.unverified).toEqual([]);
    // Every recorded setting was verified live this run.
    expect(new Set(Object.values(report.environments[0]!.coverage))).toEqual(new Set(['bapi', 'fapi', 'platform']));
  });

  test('--harden writes the proposals: drift shows exactly the failing rules\' paths, and check passes them', async () => {
    await start(WEAK);
    const today = await cli(['init']);
    expect(today.code).toBe(0);
    const before = await failing();

    const hardened = await cli(['init', '--harden', '--force']);
    expect(hardened.code, hardened.stderr).toBe(0);
    expect(hardened.stdout).toContain('replaced baselines/production.json');
    const text = read();
    expect(validateBaselineText(text, 'baselines/production.json').errors).toEqual([]);
    expect(text).toContain('HARDENED settings.instance.test_mode for keys-production-live (critical, item 2): the instance has true');

    // The proposals, as init reported them: settings paths with a value.
    const proposed = [...hardened.stdout.matchAll(/^ {2}(?:critical|high|medium|low) +(\S+) {2}(settings\.\S+)\n.*\n {11}written: /gm)].map((match) => ({ rule: match[1]!, path: match[2]! }));
    expect(proposed.length).toBeGreaterThan(5);

    const drift = await cli(['drift', 'baselines/production.json', '--format', 'json']);
    expect(drift.code).toBe(2);
    const changes = (JSON.parse(drift.stdout) as DriftJson).environments[0]!.changes;
    const under = (changePath: string, proposal: string) => changePath === proposal || changePath.startsWith(`${proposal}.`) || changePath.startsWith(`${proposal}[`);
    // Every change is a hardening init wrote, and every hardening shows up as a change.
    for (const change of changes) expect(proposed.some((proposal) => under(change.path, proposal.path)), change.path).toBe(true);
    for (const proposal of proposed) expect(changes.some((change) => under(change.path, proposal.path)), proposal.path).toBe(true);
    // The failing paths of today's check, by rule: each one with a proposal is a change now.
    for (const failure of before) {
      const proposal = proposed.find((entry) => entry.rule === failure.rule && (under(failure.path, entry.path) || under(entry.path, failure.path)));
      if (proposal) expect(changes.some((change) => under(change.path, proposal.path)), failure.path).toBe(true);
    }
    expect(changes.find((change) => change.path === 'settings.instance.test_mode')).toMatchObject({ baseline: false, live: true });
    expect(changes.find((change) => change.path === 'settings.jwt_templates.supabase.lifetime')).toMatchObject({ baseline: 60, live: 3600 });
    expect(changes.map((change) => change.path)).toContain('settings.jwt_templates.supabase.claims.email');
    expect(changes.map((change) => change.path)).toContain('settings.jwt_templates.supabase.claims.meta.phone');

    // check on the hardened file: only the finding with no proposal still fails.
    expect(await failing()).toEqual([{ rule: 'jwt-audience-claim', path: 'settings.jwt_templates.worker.claims' }]);
  });

  test('profiles set the thresholds: banking fails what consumer accepts', async () => {
    await start({ attack_protection: { user_lockout: { enabled: true, max_attempts: 8, duration_in_minutes: 60 }, enumeration_protection: { enabled: true } }, session: { maximum_lifetime_minutes: 24 * 60 }, sign_in: { second_factor: { required: false } } });
    const rulesAt = (stdout: string) => [...stdout.matchAll(/^ {2}(?:critical|high|medium|low) +(\S+) {2}(settings\.\S+)$/gm)].map((match) => `${match[1]} ${match[2]}`).sort();

    const banking = await cli(['init', '--profile', 'banking', '--env', 'bank', '--dir', 'banking']);
    expect(banking.code).toBe(0);
    expect(rulesAt(banking.stdout)).toEqual([
      'keys-production-live settings.sign_in.second_factor.required',
      'monitoring-failed-login-alerts settings.attack_protection.user_lockout.max_attempts',
      'monitoring-failed-login-alerts settings.password_settings.min_length',
      'session-inactivity-timeout settings.session.maximum_lifetime_minutes',
    ]);
    expect(banking.stdout).toContain('proposed: set to 5 (today 8)');
    expect(banking.stdout).toContain('proposed: set to 720 (today 1440)');
    expect(banking.stdout).toContain('proposed: set to 12 (today 8)');
    expect(JSON.parse(read('banking/bank.json')).profile).toBe('banking');

    const consumer = await cli(['init', '--profile', 'consumer', '--env', 'shop', '--dir', 'consumer']);
    expect(consumer.code).toBe(0);
    expect(rulesAt(consumer.stdout)).toEqual([]);
    expect(consumer.stdout).toContain('Nothing the instance showed fails the consumer checklist.');
    expect((await cli(['check', 'consumer/shop.json'])).code).toBe(0);
    expect((await cli(['check', 'banking/bank.json'])).code).toBe(2);
  });

  test('refuses to overwrite without --force, before reading Clerk; --force replaces; --dir is created', async () => {
    await start(undefined);
    const first = await cli(['init', '--dir', 'config/clerk/baselines']);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('wrote config/clerk/baselines/production.json');
    const file = path.join(dir, 'config/clerk/baselines/production.json');
    writeFileSync(file, `${read('config/clerk/baselines/production.json').replace('"version": "1.0.0"', '"version": "1.0.1-edited"')}`);
    const edited = readFileSync(file, 'utf8');

    const requests = emulator.requests.length;
    const again = await cli(['init', '--dir', 'config/clerk/baselines']);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      'clerkguard: config/clerk/baselines/production.json already exists; nothing was read or written\n  hint: pass --force to replace it (its notes and edits are lost: commit it first), or choose another --dir or --env\n',
    );
    expect(emulator.requests.length).toBe(requests);
    expect(readFileSync(file, 'utf8')).toBe(edited);

    const forced = await cli(['init', '--dir', 'config/clerk/baselines', '--force']);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('replaced config/clerk/baselines/production.json');
    expect(readFileSync(file, 'utf8')).not.toContain('1.0.1-edited');

    // The same values and date give the same bytes: reruns make no git noise.
    const bytes = readFileSync(file, 'utf8');
    expect((await cli(['init', '--dir', 'config/clerk/baselines', '--force'])).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(bytes);

    // Another file describing the same environment would make check fail: refused even with --force.
    writeFileSync(path.join(dir, 'config/clerk/baselines/prod.json'), bytes);
    const twice = await cli(['init', '--dir', 'config/clerk/baselines', '--force']);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('clerkguard: config/clerk/baselines/prod.json already describes environment "production"');
    expect(twice.stderr).toContain('hint: each environment has one baseline file');
  });

  test('what could not be read is left out and listed, never guessed; drift stays clean', async () => {
    await start(WEAK);
    emulator.faults.add({ kind: 'status', path: '/v1/instance/organization_settings', status: 404 });
    const env = { ...emulator.env(), CLERK_PLATFORM_API_KEY: undefined };
    const init = await cli(['init'], env);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stderr).toContain('GET /v1/instance/organization_settings answered 404 (not available on this instance)');
    expect(init.stdout).toContain('Left out, not verified (never guessed');
    expect(init.stdout).toContain('settings.session.maximum_lifetime_minutes: not read: the Platform API is not configured (set CLERK_PLATFORM_API_KEY and CLERK_APPLICATION_ID)');
    expect(init.stdout).toMatch(/settings\.organizations: not read this run: GET \/v1\/instance\/organization_settings, \/v1\/organization_roles and \/v1\/organization_permissions did not show it/);

    const text = read();
    const settings = validateBaselineText(text, 'b.json').value!.settings;
    expect(settings.session?.maximum_lifetime_minutes).toBeUndefined();
    expect(settings.organizations).toBeUndefined();
    expect(text).toContain('NOT VERIFIED, left out: settings.session.maximum_lifetime_minutes: not read: the Platform API is not configured');
    // The session limit it could not read is not proposed either: check calls it unverified.
    expect(init.stdout).not.toContain('session-inactivity-timeout');
    expect(text).toContain('TODO settings.session.inactivity_timeout_minutes');

    const drift = await cli(['drift', 'baselines/production.json', '--format', 'json'], env);
    expect(drift.code).toBe(0);
    expect((JSON.parse(drift.stdout) as DriftJson).environments[0]!.changes).toEqual([]);
  });

  test('never writes a secret: keys, signing keys, Platform sensitive values, secret-shaped claims', async () => {
    await start(WEAK);
    const bapi = async (method: string, route: string, body: unknown) => {
      const response = await fetch(`${emulator.bapi_url}/v1${route}`, { method, headers: { Authorization: `Bearer ${emulator.secret_key}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      expect(response.status, route).toBeLessThan(300);
    };
    await bapi('POST', '/jwt_templates', { name: 'signed', claims: { aud: 'api' }, lifetime: 60, custom_signing_key: true, signing_algorithm: 'HS256', signing_key: SENTINEL_SIGNING_KEY });
    await bapi('POST', '/jwt_templates', { name: 'leaky', claims: { aud: 'api', token: 'sk_live_SENTINEL0in0a0claim0DO0NOT0LEAK' }, lifetime: 60 });
    const platformSecret = emulator.state.platform.secrets['captcha.secret_key'];
    expect(platformSecret).toBeTruthy();

    const init = await cli(['init', '--harden']);
    expect(init.code, init.stderr).toBe(0);
    const text = read();
    for (const secret of [SENTINEL_SECRET_KEY, SENTINEL_PLATFORM_KEY, SENTINEL_SIGNING_KEY, 'SENTINEL0in0a0claim', platformSecret!]) {
      expect(text).not.toContain(secret);
      expect(init.stdout + init.stderr).not.toContain(secret);
    }
    const settings = validateBaselineText(text, 'b.json').value!.settings;
    // The template with a custom key: recorded as a presence flag, its key nowhere.
    expect(settings.jwt_templates?.signed).toMatchObject({ custom_signing_key: true });
    // A template whose claims hold something shaped like a key is left out and listed.
    expect(settings.jwt_templates?.leaky).toBeUndefined();
    expect(init.stdout).toContain('settings.jwt_templates.leaky: it holds a value shaped like a key or token; clerkguard never writes one into a baseline');
    expect(text).not.toMatch(/sk_live_|ak_[A-Za-z0-9]{8}|whsec_/);
  });

  test('keys are data: templates named __proto__ and constructor, a claim named $comment, round-trip clean', async () => {
    await start(undefined);
    for (const name of ['__proto__', 'constructor']) {
      const response = await fetch(`${emulator.bapi_url}/v1/jwt_templates`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${emulator.secret_key}`, 'Content-Type': 'application/json' },
        // Text, not an object literal: `__proto__:` in a literal would set the prototype.
        body: `{"name": ${JSON.stringify(name)}, "claims": {"aud": "api", "$comment": "a claim, not a note", "__proto__": "also a claim"}, "lifetime": 60}`,
      });
      expect(response.status, name).toBeLessThan(300);
    }
    const init = await cli(['init']);
    expect(init.code, init.stderr).toBe(0);
    const templates = validateBaselineText(read(), 'b.json').value!.settings.jwt_templates!;
    expect(Object.keys(templates).sort()).toEqual(['__proto__', 'constructor']);
    expect(Object.prototype.hasOwnProperty.call(templates.__proto__!.claims, '$comment')).toBe(true);
    const constructorTemplate = Object.entries(templates).find(([name]) => name === 'constructor')![1];
    expect(Object.keys(constructorTemplate.claims).sort()).toEqual(['$comment', '__proto__', 'aud']);
    const drift = await cli(['drift', 'baselines/production.json', '--format', 'json']);
    expect(drift.code, drift.stdout).toBe(0);
    expect((JSON.parse(drift.stdout) as DriftJson).environments[0]!.changes).toEqual([]);
  });

  test('a development instance gets a development target; check does not apply production\'s key rules', async () => {
    await start(undefined, { environmentType: 'development' });
    const init = await cli(['init', '--env', 'dev']);
    expect(init.code, init.stderr).toBe(0);
    const document = JSON.parse(read('baselines/dev.json')) as { target: { environment_type: string }; settings: { keys: { expected_environment: string } } };
    expect(document.target.environment_type).toBe('development');
    expect(document.settings.keys.expected_environment).toBe('test');
    expect(init.stdout).not.toContain('keys-production-live');
    expect((await cli(['drift', 'baselines/dev.json'])).code).toBe(0);
  });
});

describe('clerkguard init --from-export', () => {
  test('bridges an export file (which check rejects) to a baseline; drift against the live instance is clean', async () => {
    await start(WEAK);
    const exported = await cli(['export', '--baseline', path.join(__dirname, '..', '..', 'baselines', 'production.json'), '--out', 'live/production.json']);
    expect(exported.code, exported.stderr).toBe(0);
    // An export is not a baseline...
    const rejected = await cli(['check', 'live/production.json']);
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toMatch(/live\/production\.json has \d+ problems/);

    // ...init makes one of it. The export was taken with the shipped baseline, so it carries that
    // baseline's attestations: they are not the instance's, and are left out.
    const init = await cli(['init', '--from-export', 'live/production.json', '--profile', 'banking']);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('from the export file live/production.json (environment production, captured 2026-11-26T12:00:00.000Z');
    expect(init.stdout).toMatch(/\n {2}settings\.keys\.last_rotation, [^\n]*settings\.practices, [^\n]*settings\.webhooks\.user_deleted_handling: an attestation copied from the baseline the export was taken with, not a value read from the instance/);
    expect(init.stdout).toContain('  settings.session.inactivity_timeout_minutes, settings.webhooks.endpoints: no source could read it when the export was taken (coverage: unverified)');
    expect(init.stdout).toContain('clerkguard init --from-export live/production.json --env production --profile banking --harden --force   # write the proposals instead');
    const settings = validateBaselineText(read(), 'b.json').value!.settings;
    expect(settings.practices).toBeUndefined();
    expect(settings.session?.revoke_on).toBeUndefined();
    expect(settings.session?.inactivity_timeout_minutes).toBeUndefined();
    expect(settings.instance?.test_mode).toBe(true);

    const check = await cli(['check', 'baselines/production.json']);
    expect(check.code).toBe(2);
    const drift = await cli(['drift', 'baselines/production.json', '--format', 'json']);
    expect(drift.code).toBe(0);
    expect((JSON.parse(drift.stdout) as DriftJson).status).toBe('clean');
  });

  test('an export without instance facts needs --environment-type; a missing or invalid file is a clear error', async () => {
    await start(undefined);
    const missing = await cli(['init', '--from-export', 'nope.json']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('clerkguard: nope.json: no such file\n  hint: create one with: clerkguard export --out FILE\n');

    mkdirSync(path.join(dir, 'live'));
    writeFileSync(path.join(dir, 'live', 'bare.json'), JSON.stringify({ schema_version: 1, kind: 'clerkguard-live-export', captured_at: '2026-11-01T00:00:00Z', environment: 'production', instance_id: null, settings: { protect: { rules_enabled: true } }, coverage: { protect: 'bapi' } }));
    const bare = await cli(['init', '--from-export', 'live/bare.json']);
    expect(bare.code).toBe(1);
    expect(bare.stderr).toContain('does not say whether the instance is production or development');
    expect(bare.stderr).toContain('hint: pass --environment-type production or --environment-type development');
    expect(existsSync(path.join(dir, 'baselines'))).toBe(false);

    const typed = await cli(['init', '--from-export', 'live/bare.json', '--environment-type', 'production']);
    expect(typed.code, typed.stderr).toBe(0);
    expect(typed.stdout).toMatch(/settings\.instance\.allowed_origins, [^\n]*: not in the export file \(GET \/v1\/instance did not show it when the export was taken\)/);
    const settings = validateBaselineText(read(), 'b.json').value!.settings;
    expect(settings).toEqual({ protect: { rules_enabled: true } });
  });
});

describe('clerkguard init: input errors and help', () => {
  test('each bad invocation is one message with a hint, and writes nothing', async () => {
    await start(undefined);
    const cases: [string[], Record<string, string | undefined> | undefined, string][] = [
      [['init', '--from-live', '--from-export', 'x.json'], undefined, 'clerkguard: pass either --from-live or --from-export, not both\n  hint:'],
      [['init', '--env', 'Prod'], undefined, 'clerkguard: "Prod" is not a usable environment name\n  hint: use lower-case letters'],
      [['init'], { ...emulator.env(), CLERK_SECRET_KEY: undefined }, 'clerkguard: no secret key for environment production: CLERK_SECRET_KEY is not set\n  hint: export CLERK_SECRET_KEY=sk_live_...'],
      [['init', '--secret-key-env', 'sk_live_oops'], undefined, 'clerkguard: "sk_live_[REDACTED]" is not an environment variable name'],
      [['init', '--profile', 'bank'], undefined, 'expected one of banking, saas, consumer (did you mean "banking"?)'],
      [['init', '--from-export', 'x.json', '--dashboard-export', 'd.json'], undefined, 'clerkguard: --dashboard-export goes with --from-live'],
    ];
    for (const [args, env, expected] of cases) {
      const run = await cli(args, env ?? emulator.env());
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.stderr, args.join(' ')).toContain(expected);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
    expect(existsSync(path.join(dir, 'baselines'))).toBe(false);
  });

  test('a staging instance is the user\'s call: --environment-type', async () => {
    await start(undefined);
    emulator.state.environment_type = 'staging' as never;
    const run = await cli(['init']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('is a staging instance');
    expect(run.stderr).toContain('hint: pass --environment-type production');
  });

  test('--help names the modes, the exit codes and examples', async () => {
    await start(undefined);
    const help = await cli(['init', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: clerkguard init [options]');
    for (const flag of ['--env <name>', '--profile <profile>', '--from-live', '--from-export <file>', '--dir <dir>', '--force', '--harden']) expect(help.stdout).toContain(flag);
    expect(help.stdout).toMatch(/Exit codes: 0 the baseline was written/);
    expect(help.stdout).toContain('Examples:\n  clerkguard init --from-live');
    expect((await cli(['--help'])).stdout).toMatch(/\n {2}init \[options\] +write a baseline from what a Clerk instance\n/);
  });
});
