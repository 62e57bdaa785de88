/**
 * The Pulumi end-to-end suite's steps that point the stack at another baseline (see
 * e2e.test.ts for the setting): one the policy pack blocks, one with a write Clerk drops and a
 * raw Platform config key, and one that does not exist. A stack of their own, side by side with
 * e2e.test.ts; set up as that suite's steps 1-3 leave theirs (login, stack init, the docs' config
 * with the signing key, and for 6b the baseline applied).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Settings } from '../../src/settings/model';
import { writesSince } from './helpers';
import { SIGNING_KEY, STACK_TRACE, TEST_TIMEOUT_MS, pulumiPrerequisites, useE2eStack } from './e2e-stack';
import { initStack } from './pulumi';

const unavailable = pulumiPrerequisites('test/provider/e2e-other-baselines');

describe.skipIf(unavailable !== undefined)('pulumi CLI on the repository’s Pulumi.yaml with other baselines (end to end)', () => {
  const stack = useE2eStack('clerkguard-pulumi-baselines-');
  const { pulumi, ok, ran } = stack;

  beforeAll(async () => {
    await initStack(ok, stack.user, stack.emulator, 'baselines/production.json');
    await ok('config', 'set', '--secret', '--path', 'clerkguard:jwtSigningKeys.supabase', SIGNING_KEY);
  }, TEST_TIMEOUT_MS);

  it('6. the policy pack directory blocks a baseline that turns MFA or lockout off, ships a PII claim, or widens origins', async () => {
    const violating = structuredClone(stack.baseline) as { settings: Settings };
    violating.settings.sign_in = { second_factor: { required: false } };
    violating.settings.attack_protection!.user_lockout = { enabled: false };
    violating.settings.jwt_templates!.supabase!.claims.email = '{{user.primary_email_address}}';
    violating.settings.instance!.allowed_origins = ['https://*.example.com'];
    writeFileSync(path.join(stack.checkout, 'baselines', 'violating.json'), JSON.stringify(violating, null, 2));
    await ok('config', 'set', 'clerkguard:baseline', 'baselines/violating.json');

    const from = stack.emulator.requests.length;
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
    expect(writesSince(stack.emulator, from)).toEqual([]);

    await ok('config', 'set', 'clerkguard:baseline', 'baselines/production.json');
    const clean = await ok('preview', '--policy-pack', 'policy');
    expect(clean).not.toMatch(/\[mandatory\]/);
  }, TEST_TIMEOUT_MS);

  it('7. a baseline that cannot be loaded fails with one clear message and no stack trace', async () => {
    await ok('config', 'set', 'clerkguard:baseline', 'baselines/missing.json');
    const failed = await pulumi('preview');
    await ok('config', 'set', 'clerkguard:baseline', 'baselines/production.json');
    expect(failed.code, failed.output).not.toBe(0);
    expect(failed.output).toContain(`error: clerkguard: ${path.join(stack.checkout, 'baselines', 'missing.json')}: no such file`);
    expect(failed.output).not.toContain('Unhandled exception');
    expect(failed.output).not.toMatch(STACK_TRACE);
  }, TEST_TIMEOUT_MS);

  describe('on the stack with the baseline applied', () => {
    beforeAll(async () => {
      await ok('up', '--yes', '--policy-pack', 'policy');
      expect(stack.emulator.state.jwt_templates.find((template) => template.name === 'supabase')?.id).toBe(stack.byHand.template);
    }, TEST_TIMEOUT_MS);

    it('6b. a write Clerk would drop fails up naming the field; a Platform config key with no typed model is applied, and its drift is previewed', async () => {
      const extended = structuredClone(stack.baseline) as { settings: Settings };
      // AQ is not an SMS-tier country: Clerk drops such codes silently (bapi spec, UpdateInstanceCommunication).
      extended.settings.communication = { blocked_country_codes: ['KP', 'IR', 'AQ'] };
      extended.settings.platform_config = { captcha: { widget_type: 'invisible' } };
      writeFileSync(path.join(stack.checkout, 'baselines', 'extended.json'), JSON.stringify(extended, null, 2));
      await ok('config', 'set', 'clerkguard:baseline', 'baselines/extended.json');
      const dropped = await pulumi('up', '--yes');
      expect(dropped.code, dropped.output).not.toBe(0);
      expect(dropped.output).toMatch(/Clerk did not confirm the write to PATCH \/v1\/instance\/communication for environment production: its answer does not reflect blocked_country_codes/);
      expect(dropped.output).not.toMatch(STACK_TRACE);

      extended.settings.communication = stack.baseline.settings.communication!;
      writeFileSync(path.join(stack.checkout, 'baselines', 'extended.json'), JSON.stringify(extended, null, 2));
      await ok('up', '--yes');
      expect(stack.emulator.state.platform.config.captcha).toMatchObject({ widget_type: 'invisible' });
      stack.emulator.applySettings({ platform_config: { captcha: { widget_type: 'smart' } } });
      const drift = await pulumi('preview', '--refresh', '--expect-no-changes', '--diff');
      expect(drift.code, drift.output).toBe(7);
      expect(drift.output).toMatch(/widget_type\s*:\s*"smart" => "invisible"/);
      expect(stack.emulator.requests.some((request) => request.method === 'PUT')).toBe(false);

      await ok('config', 'set', 'clerkguard:baseline', 'baselines/production.json');
      await ok('up', '--yes', '--policy-pack', 'policy');
    }, TEST_TIMEOUT_MS);
  });

  it('no command warned about plugins taken from $PATH', () => {
    expect(ran.length).toBeGreaterThan(15);
    for (const result of ran) expect(result.output, `pulumi ${result.args.join(' ')}`).not.toMatch(/from \$PATH/);
  });
});
