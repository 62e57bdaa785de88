/**
 * The workflow docs/init.md describes, with the real `pulumi` CLI on the repository's
 * Pulumi.yaml (in a copy of the repository) against the emulator:
 *
 *   init (today's values) → pulumi up adopts the instance and writes nothing to Clerk →
 *   init --harden → pulumi preview changes exactly the proposed properties → pulumi up applies
 *   them → drift shows only the proposals Pulumi cannot apply (the dashboard's).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io';
import { main } from '../../src/cli/main';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index';
import type { Settings } from '../../src/settings/model';
import { writesSince } from '../provider/helpers';
import { copyCheckout, e2eUnavailableReason, findPulumiBin, initStack, missingRepositoryPieces, pulumiUser, runPulumi, type PulumiUser } from '../provider/pulumi';

const unavailable = e2eUnavailableReason();
if (unavailable) console.warn(`[test/init/pulumi] SKIPPED: ${unavailable}`);

describe.runIf(unavailable !== undefined && process.env.CLERKGUARD_REQUIRE_PULUMI === '1')('init with pulumi: prerequisites', () => {
  it('has pulumi, pulumi-language-nodejs and pulumi-resource-pulumi-nodejs (CLERKGUARD_REQUIRE_PULUMI=1)', () => {
    expect.fail(unavailable);
  });
});

const SECRET_KEY = 'sk_live_SENTINEL0init0pulumi0DO0NOT0LEAK';
const PLATFORM_KEY = 'ak_SENTINEL0init0pulumi0platform0LEAK';

/** Weak where Pulumi can write (origins, test mode, HIBP, OAuth, lifetime, JWT) and where it cannot (MFA, lockout). */
const WEAK: Settings = {
  instance: { environment_type: 'production', allowed_origins: ['https://*.example.com', 'https://app.example.com'], test_mode: true, hibp: false },
  session: { maximum_lifetime_minutes: 43200 },
  attack_protection: { user_lockout: { enabled: false, max_attempts: 10, duration_in_minutes: 60 }, enumeration_protection: { enabled: true } },
  sign_in: { second_factor: { required: false } },
  oauth_application_settings: { dynamic_oauth_client_registration: true },
  jwt_templates: { supabase: { claims: { aud: 'authenticated', email: '{{user.primary_email_address}}' }, lifetime: 3600, allowed_clock_skew: 5, signing_algorithm: 'RS256' } },
};

const TIMEOUT_MS = 600_000;

interface PreviewStep {
  op: string;
  urn: string;
  oldState?: { inputs?: unknown };
  newState?: { inputs?: unknown };
}

/** Dotted paths of the leaves (arrays whole) that differ between two input objects. */
function changedLeaves(before: unknown, after: unknown, at: string[] = []): string[] {
  const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((key) => key !== '__provider');
    return keys.flatMap((key) => changedLeaves(before[key], after[key], [...at, key]));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [at.join('.')];
}

describe.skipIf(unavailable !== undefined)('clerkguard init, then pulumi (end to end)', () => {
  let emulator: RunningEmulator;
  let user: PulumiUser;
  let work: string;
  let checkout: string;

  const cli = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    let stdout = '';
    let stderr = '';
    const io: CliIo = { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), cwd: checkout, env: { ...emulator.env(), CLERKGUARD_TODAY: '2026-11-26' }, color: false };
    return { code: await main(args, io), stdout, stderr };
  };
  const pulumi = async (...args: string[]) => runPulumi(user, checkout, args);
  const ok = async (...args: string[]) => {
    const result = await pulumi(...args);
    expect(result.code, `pulumi ${args.join(' ')}\n${result.output}`).toBe(0);
    return result.output;
  };

  beforeAll(async () => {
    const missing = missingRepositoryPieces();
    if (missing.length > 0) throw new Error(`the Pulumi end-to-end tests need: ${missing.join('; ')}`);
    emulator = await startEmulator({ seed: structuredClone(WEAK), environmentType: 'production', secretKey: SECRET_KEY, platformApiKey: PLATFORM_KEY, rateLimit: false });
    work = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-init-pulumi-'));
    checkout = path.join(work, 'clerkguard');
    copyCheckout(checkout);
    user = pulumiUser(findPulumiBin()!, work);
  }, 120_000);

  afterAll(async () => {
    await emulator?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('today\'s values: pulumi up adopts the instance and writes nothing to Clerk', async () => {
    const init = await cli(['init', '--from-live', '--dir', 'clerk']);
    expect(init.code, init.stderr).toBe(0);
    await initStack(ok, user, emulator, 'clerk/production.json');

    // The policy pack refuses today's values: it names the same failing rules check does.
    const blocked = await pulumi('preview', '--policy-pack', 'policy');
    expect(blocked.code).not.toBe(0);
    expect(blocked.output).toMatch(/\[mandatory\]\s+origins-exact-allowlist/);
    expect(blocked.output).toMatch(/\[mandatory\]\s+keys-production-live/);

    const from = emulator.requests.length;
    await ok('up', '--yes');
    expect(writesSince(emulator, from)).toEqual([]);
  }, TIMEOUT_MS);

  it('--harden: pulumi preview changes exactly the proposed properties; up applies them; drift keeps the dashboard ones', async () => {
    const hardened = await cli(['init', '--from-live', '--dir', 'clerk', '--harden', '--force']);
    expect(hardened.code, hardened.stderr).toBe(0);
    const preview = await pulumi('preview', '--json', '--policy-pack', 'policy');
    expect(preview.code, preview.output).toBe(0);
    const steps = (JSON.parse(preview.output.slice(preview.output.indexOf('{'))) as { steps: PreviewStep[] }).steps.filter((step) => step.op !== 'same');
    // Dynamic providers report no detailed diff: the changed inputs, leaf by leaf, are what preview shows.
    const changed = Object.fromEntries(steps.map((step) => [step.urn.split('::').pop()!, changedLeaves(step.oldState?.inputs, step.newState?.inputs).sort()]));
    expect(changed).toEqual({
      // What Clerk's API writes: the proposals init marked "`pulumi up` applies it".
      'instance-settings': ['allowed_origins', 'hibp', 'test_mode'],
      'oauth-application-settings': ['dynamic_oauth_client_registration'],
      'platform-config': ['session.maximum_lifetime_minutes'],
      'jwt-template/supabase': ['claims.email', 'lifetime'],
      // The rest (MFA, lockout) is recorded on the local Baseline resource, never applied.
      baseline: ['declared_only.attack_protection.user_lockout.enabled', 'declared_only.sign_in.second_factor.required'],
    });

    await ok('up', '--yes', '--policy-pack', 'policy');
    const drift = await cli(['drift', 'clerk/production.json', '--format', 'json']);
    expect(drift.code).toBe(2);
    const changes = (JSON.parse(drift.stdout) as { environments: { changes: { path: string }[] }[] }).environments[0]!.changes.map((change) => change.path).sort();
    expect(changes).toEqual(['settings.attack_protection.user_lockout.enabled', 'settings.sign_in.second_factor.required']);
    expect(hardened.stdout).toContain('change it in the Clerk dashboard');
    expect(preview.output + hardened.stdout).not.toContain(SECRET_KEY);
  }, TIMEOUT_MS);
});
