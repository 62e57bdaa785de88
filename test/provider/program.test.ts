/**
 * The Pulumi program's resource graph (with @pulumi/pulumi mocks, which run no CRUD) and the
 * policy pack's checklist evaluation over the declared inputs. CRUD itself is tested directly
 * (provider.test.ts) and with the real engine (e2e.test.ts).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Pulumi from '@pulumi/pulumi';
import { baselineSchema, type Baseline } from '../../src/baseline/schema';
import type { PolicyResource } from '../../src/provider/policy';
import { baselineWith, productionBaseline } from '../helpers/baselines';
import { REPO_ROOT, missingRepositoryPieces } from './pulumi';

const nodeRequire = createRequire(__filename);
let pulumi: typeof Pulumi;
let stackModule: typeof import('../../src/provider/stack');
let policy: typeof import('../../src/provider/policy');
const registered: { type: string; name: string; inputs: Record<string, unknown> }[] = [];

beforeAll(async () => {
  const missing = missingRepositoryPieces().filter((piece) => piece.startsWith('dist') || piece.startsWith('node_modules'));
  if (missing.length > 0) throw new Error(`the program test needs: ${missing.join('; ')}`);
  pulumi = nodeRequire('@pulumi/pulumi') as typeof Pulumi;
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: () => ({}),
    },
    'clerkguard',
    'test',
    true,
  );
  stackModule = nodeRequire(path.join(REPO_ROOT, 'dist', 'provider', 'stack.js')) as typeof stackModule;
  policy = nodeRequire(path.join(REPO_ROOT, 'dist', 'provider', 'policy.js')) as typeof policy;
});

// A worker runs file after file in one module graph (vitest isolate: false): Pulumi's runtime
// store (mock monitor, options, feature flags) must not outlive this file. resetOptions clears
// them to what a fresh store holds (state.js: project "project", stack "stack", no monitor).
afterAll(() => {
  pulumi?.runtime.resetOptions('project', 'stack', -1, '', '', false, '');
});

/** Declares a baseline under mocks and returns what the policy pack would see. */
async function declare(baseline: Baseline, platform = true, jwtSigningKeys: Record<string, string> = { supabase: 'signing-key-value' }): Promise<PolicyResource[]> {
  registered.length = 0;
  const { baseline: record, resources } = stackModule.declareBaseline(baseline, { platform, jwtSigningKeys });
  const all = [record, ...Object.values(resources)];
  const urns = await Promise.all(all.map((resource) => new Promise<string>((resolve) => resource.urn.apply(resolve))));
  return all.map((resource, index) => {
    const name = urns[index]!.split('::').pop()!;
    const entry = registered.find((item) => item.name === name)!;
    const props = Object.fromEntries(Object.entries(entry.inputs).filter(([key]) => key !== '__provider'));
    return { type: entry.type, name, urn: urns[index]!, props };
  });
}

const parse = (input: unknown): Baseline => baselineSchema.parse(input);

describe('the program', () => {
  it('declares one resource per writable group, one per JWT template, role and permission', async () => {
    const resources = await declare(parse(productionBaseline()));
    expect(resources.map((resource) => `${resource.type.replace('pulumi-nodejs:dynamic/clerkguard:', '')} ${resource.name}`).sort()).toEqual([
      'Baseline baseline',
      'InstanceSettings instance-settings',
      'JwtTemplate jwt-template/supabase',
      'OrganizationPermission permission/org:billing:manage',
      'OrganizationRole role/org:billing',
      'OrganizationSettings organization-settings',
      'PlatformConfig platform-config',
      'Protect protect',
      'Restrictions restrictions',
      'SmsCountryBlocklist sms-country-blocklist',
    ]);
    const byName = Object.fromEntries(resources.map((resource) => [resource.name, resource.props]));
    expect(byName['instance-settings']).toEqual({ allowed_origins: ['https://app.example.com', 'https://www.example.com'], test_mode: false, hibp: true });
    // Only the documented session.lifetime is applied; the inactivity timeout is declared-only.
    expect(byName['platform-config']).toEqual({ session: { maximum_lifetime_minutes: 10080 } });
    expect(byName['jwt-template/supabase']).toMatchObject({ name: 'supabase', lifetime: 60 });
    // The signing key is registered as a Pulumi secret (the SDK's secret signature), never plain.
    expect(byName['jwt-template/supabase']!.signing_key).toEqual({ '4dabf18193072939515e22adb298388d': '1b47061264138c4ac30d75fd1eb44270', value: 'signing-key-value' });
    // What no API writes is recorded on the Baseline resource, not applied.
    const declared = byName.baseline!.declared_only as Record<string, unknown>;
    expect(Object.keys(declared).sort()).toEqual(['attack_protection', 'instance', 'keys', 'monitoring', 'password_settings', 'practices', 'session', 'sign_in', 'sign_up', 'webhooks']);
    expect(declared.session).toEqual({ inactivity_timeout_minutes: 30, revoke_on: ['password_change', 'email_change', 'mfa_enrollment'], cookie_same_site: 'lax' });
  });

  it('leaves session lifetimes to the record when no Platform API key is configured', async () => {
    const resources = await declare(parse(productionBaseline()), false);
    expect(resources.some((resource) => resource.name === 'platform-config')).toBe(false);
    const declared = resources.find((resource) => resource.name === 'baseline')!.props.declared_only as Record<string, Record<string, unknown>>;
    expect(declared.session?.inactivity_timeout_minutes).toBe(30);
  });

  it('omits groups the baseline does not declare', async () => {
    const resources = await declare(
      parse(
        baselineWith((baseline) => {
          delete baseline.settings.organizations;
          delete baseline.settings.jwt_templates;
          delete baseline.settings.protect;
        }),
      ),
    );
    expect(resources.map((resource) => resource.name).sort()).toEqual(['baseline', 'instance-settings', 'platform-config', 'restrictions', 'sms-country-blocklist']);
  });
});

describe('program errors', () => {
  const run = async (baselineFile: string | undefined) => {
    const saved = process.env.CLERKGUARD_BASELINE;
    if (baselineFile === undefined) delete process.env.CLERKGUARD_BASELINE;
    else process.env.CLERKGUARD_BASELINE = baselineFile;
    try {
      return await stackModule.clerkguardProgram().then(
        () => undefined,
        (error: unknown) => error as Error,
      );
    } finally {
      if (saved === undefined) delete process.env.CLERKGUARD_BASELINE;
      else process.env.CLERKGUARD_BASELINE = saved;
    }
  };

  // Pulumi prints a RunError as its message alone; anything else as "Unhandled exception" + stack.
  it.each([
    ['no baseline configured', undefined, /^clerkguard: no baseline configured for this stack \(hint: pulumi config set clerkguard:baseline /],
    ['a missing baseline file', path.join(REPO_ROOT, 'baselines', 'does-not-exist.json'), /^clerkguard: .*does-not-exist\.json: no such file/],
    ['an invalid baseline file', path.join(REPO_ROOT, 'package.json'), /^clerkguard: .*package\.json has \d+ problems?/],
  ])('%s is a RunError with one clear message', async (_what, file, message) => {
    const failure = await run(file);
    expect(pulumi.RunError.isInstance(failure)).toBe(true);
    expect(failure?.message).toMatch(message);
    // No frames: Pulumi's runner inspects the error with colors, which looped on a frame of
    // @pulumi/pulumi on Node 20 and 22 until a 3 GB heap gave up.
    expect(failure?.stack).toBe(`Error: ${failure?.message}`);
    expect(failure?.stack).not.toMatch(/\n\s+at /);
  });
});

describe('JWT signing keys', () => {
  const production = () => baselineSchema.parse(productionBaseline()) as Baseline;

  it('a template with custom_signing_key and no configured key fails the program before any resource, naming the command', () => {
    expect(() => stackModule.requireSigningKeys(production(), {})).toThrow(
      expect.objectContaining({
        message: 'JWT template "supabase" sets custom_signing_key, but stack config has no signing key for it',
        hint: "pulumi config set --secret --path 'clerkguard:jwtSigningKeys.supabase' <signing key>",
      }),
    );
    expect(() => stackModule.requireSigningKeys(production(), { supabase: 'key' })).not.toThrow();
  });

  it('names every template that lacks its key', () => {
    const baseline = production();
    baseline.settings.jwt_templates!.worker = { ...baseline.settings.jwt_templates!.supabase! };
    expect(() => stackModule.requireSigningKeys(baseline, {})).toThrow('JWT templates "supabase", "worker" set custom_signing_key, but stack config has no signing key for them');
  });

  it('sends no key to a template without custom_signing_key', async () => {
    const baseline = production();
    baseline.settings.jwt_templates!.plain = { claims: { aud: 'x' }, lifetime: 60 };
    const resources = await declare(baseline, false, { supabase: 'k1', plain: 'k2' });
    expect(resources.find((resource) => resource.name === 'jwt-template/plain')?.props).not.toHaveProperty('signing_key');
    expect(resources.find((resource) => resource.name === 'jwt-template/supabase')?.props).toHaveProperty('signing_key');
  });
});

describe('the policy pack evaluation', () => {
  const mandatory = (resources: PolicyResource[]) => {
    const evaluation = policy.evaluateStack(resources, '2026-11-26');
    return policy
      .policyRules()
      .filter((rule) => policy.enforcementFor(rule.severity) === 'mandatory')
      .flatMap((rule) => policy.violationsFor(rule, evaluation).map((violation) => ({ rule: rule.id, ...violation })));
  };

  it('passes the shipped production baseline', async () => {
    expect(mandatory(await declare(parse(productionBaseline())))).toEqual([]);
  });

  it.each([
    ['MFA off', 'keys-production-live', 'baseline', (b: ReturnType<typeof productionBaseline>) => ((b.settings as Record<string, unknown>).sign_in = { second_factor: { required: false } })],
    ['lockout off', 'monitoring-failed-login-alerts', 'baseline', (b: ReturnType<typeof productionBaseline>) => ((b.settings as { attack_protection: Record<string, unknown> }).attack_protection.user_lockout = { enabled: false })],
    [
      'a PII claim',
      'jwt-claims-minimal',
      'jwt-template/supabase',
      (b: ReturnType<typeof productionBaseline>) => ((b.settings as { jwt_templates: Record<string, { claims: Record<string, unknown> }> }).jwt_templates.supabase!.claims.phone = '{{user.primary_phone_number}}'),
    ],
    ['a wildcard origin', 'origins-exact-allowlist', 'instance-settings', (b: ReturnType<typeof productionBaseline>) => ((b.settings as { instance: Record<string, unknown> }).instance.allowed_origins = ['https://*.example.com'])],
  ])('blocks %s (%s) and attributes it to %s', async (_what, rule, owner, mutate) => {
    const violations = mandatory(await declare(parse(baselineWith(mutate))));
    expect(violations.map((violation) => violation.rule)).toEqual([rule]);
    expect(violations[0]!.urn).toMatch(new RegExp(`::${owner.replace(/[/.]/g, '\\$&')}$`));
  });

  it('honours a baseline exception', async () => {
    const excepted = baselineWith((baseline) => {
      (baseline.settings as { jwt_templates: Record<string, { claims: Record<string, unknown> }> }).jwt_templates.supabase!.claims.email = '{{user.primary_email_address}}';
      baseline.exceptions = [{ rule: 'jwt-claims-minimal', reason: 'the receiver needs the email', owner: 'platform-team', expires: '2027-01-31' }];
    });
    expect(mandatory(await declare(parse(excepted)))).toEqual([]);
  });

  it('makes critical and high rules mandatory, the others advisory', () => {
    const levels = Object.fromEntries(policy.policyRules().map((rule) => [rule.id, policy.enforcementFor(rule.severity)]));
    expect(levels['origins-exact-allowlist']).toBe('mandatory');
    expect(levels['jwt-short-lifetime']).toBe('mandatory');
    expect(levels['keys-rotation']).toBe('advisory');
    expect(levels['session-cookie-samesite']).toBe('advisory');
  });
});
