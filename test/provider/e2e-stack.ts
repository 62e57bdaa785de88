/**
 * One stack of the Pulumi end-to-end suites (e2e.test.ts, e2e-other-baselines.test.ts): an
 * emulated instance never under Pulumi, drifted, with a JWT template, role and permission made by
 * hand under the baseline's names; a copy of the repository; a Pulumi home and local backend of
 * its own. Each suite file owns one, so vitest runs the files side by side.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClerkApi } from '../../src/clerk/api';
import { connectionFromEnv } from '../../src/clerk/connection';
import { readSettings } from '../../src/clerk/settings-io';
import type { RunningEmulator } from '../../src/emulator/index';
import { SET_LIKE_PATHS, type Settings } from '../../src/settings/model';
import { canonicalize } from '../../src/util/json';
import { DRIFTED, startDriftedEmulator } from './helpers';
import { REPO_ROOT, copyCheckout, e2eUnavailableReason, findPulumiBin, missingRepositoryPieces, pulumiUser, runPulumi, type CommandResult, type PulumiUser } from './pulumi';

export const SIGNING_KEY = 'supabase-hs256-secret-SENTINEL-signing-value';

/** Per step: several CLI commands, each of which is killed after 180 s (runPulumi). */
export const TEST_TIMEOUT_MS = 600_000;

/** A Node stack trace line ("    at fn (file:1:2)"). */
export const STACK_TRACE = /\n\s+at \S+ \(|\n\s+at \/|Cannot find module/;

/**
 * Why the suite named `label` cannot run here (it is skipped, with a message in the output), or
 * undefined. CI sets CLERKGUARD_REQUIRE_PULUMI=1 so that a missing engine fails the run instead.
 */
export function pulumiPrerequisites(label: string): string | undefined {
  const unavailable = e2eUnavailableReason();
  // Visible in every run's output, not only in the skipped-test count.
  if (unavailable) console.warn(`[${label}] SKIPPED: ${unavailable}`);
  describe.runIf(unavailable !== undefined && process.env.CLERKGUARD_REQUIRE_PULUMI === '1')('pulumi end-to-end prerequisites', () => {
    it('has pulumi, pulumi-language-nodejs and pulumi-resource-pulumi-nodejs (CLERKGUARD_REQUIRE_PULUMI=1)', () => {
      expect.fail(unavailable);
    });
  });
  return unavailable;
}

/** Objects that are one value: extra live keys are a mismatch (a leftover PII claim). */
const WHOLE_VALUES = new Set(['claims']);

/** Every managed setting of `expected` that `live` does not match, as readable lines. */
export function unmet(expected: unknown, live: unknown, at: string[] = []): string[] {
  const here = at.join('.');
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected) && !WHOLE_VALUES.has(at[at.length - 1] ?? '')) {
    return Object.entries(expected).flatMap(([key, value]) => unmet(value, (live as Record<string, unknown> | undefined)?.[key], [...at, key]));
  }
  const setLike = SET_LIKE_PATHS.some((pattern) => pattern.split('.').length === at.length && pattern.split('.').every((part, index) => part === '*' || part === at[index]));
  const normalize = (value: unknown) => JSON.stringify(canonicalize(setLike && Array.isArray(value) ? [...new Set(value.map(String))].sort() : value));
  return normalize(expected) === normalize(live) ? [] : [`${here}: wanted ${normalize(expected)}, live ${normalize(live)}`];
}

/** The part of a baseline Pulumi manages (what `up` must make true). */
export function managedPart(settings: Settings): Settings {
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
export function filesUnder(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && statSync(path.join(entry.parentPath, entry.name)).size < 16 * 1024 * 1024)
    .map((entry) => readFileSync(path.join(entry.parentPath, entry.name), 'utf8'))
    .join('\n');
}

export interface E2eStack {
  emulator: RunningEmulator;
  user: PulumiUser;
  /** The temp directory holding the checkout, the Pulumi home and the state. */
  work: string;
  /** The copy of the repository the commands run in (a step may move it). */
  checkout: string;
  baseline: { settings: Settings; target: Record<string, unknown> };
  /** Every command run on this stack, in order. */
  ran: CommandResult[];
  /** Ids of the objects created by hand before the stack existed. */
  byHand: Record<string, string>;
  pulumi(...args: string[]): Promise<CommandResult>;
  /** A command that must succeed; the failure message is its output. */
  ok(...args: string[]): Promise<string>;
  /** A Backend API call that must succeed, as someone in the dashboard or a script makes it. */
  bapi(method: string, route: string, body?: unknown): Promise<Record<string, unknown>>;
  /** The instance's settings as clerkguard reads them (writable enrollment modes only). */
  liveSettings(): Promise<Settings>;
}

/**
 * Registers the beforeAll/afterAll of one end-to-end stack in the current describe block and
 * returns it (its fields are set once beforeAll has run). `prefix` names the temp directory.
 */
export function useE2eStack(prefix: string): E2eStack {
  const stack = { ran: [] as CommandResult[], byHand: {} as Record<string, string> } as E2eStack;

  stack.pulumi = async (...args) => {
    const result = await runPulumi(stack.user, stack.checkout, args);
    stack.ran.push(result);
    // CLERKGUARD_E2E_LOG=<file> keeps the CLI's output for debugging a failed run.
    if (process.env.CLERKGUARD_E2E_LOG) writeFileSync(process.env.CLERKGUARD_E2E_LOG, `\n$ pulumi ${args.join(' ')}  (exit ${result.code}, ${prefix})\n${result.output}`, { flag: 'a' });
    return result;
  };
  stack.ok = async (...args) => {
    const result = await stack.pulumi(...args);
    expect(result.code, `pulumi ${args.join(' ')}\n${result.output}`).toBe(0);
    return result.output;
  };
  stack.bapi = async (method, route, body) => {
    const response = await fetch(`${stack.emulator.bapi_url}/v1${route}`, {
      method,
      headers: { Authorization: `Bearer ${stack.emulator.secret_key}`, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(response.status, `${method} ${route}`).toBeLessThan(300);
    return response.status === 204 ? {} : ((await response.json()) as Record<string, unknown>);
  };
  stack.liveSettings = async () => {
    const connection = connectionFromEnv(stack.baseline.target as never, stack.emulator.env(), { policy: { maxRetries: 0 } });
    const settings = (await readSettings(createClerkApi(connection))).settings;
    return settings.organizations ? { ...settings, organizations: withWritableModes(settings.organizations) } : settings;
  };

  beforeAll(async () => {
    const missing = missingRepositoryPieces();
    if (missing.length > 0) throw new Error(`the Pulumi end-to-end tests need: ${missing.join('; ')}`);
    stack.baseline = JSON.parse(readFileSync(path.join(REPO_ROOT, 'baselines', 'production.json'), 'utf8'));

    // An instance never under Pulumi, drifted, whose JWT template, role and permission carry the
    // baseline's names because someone created them by hand (through the Backend API).
    const { jwt_templates: _templates, ...drifted } = DRIFTED;
    stack.emulator = await startDriftedEmulator(drifted);
    stack.byHand.template = String(
      (await stack.bapi('POST', '/jwt_templates', { name: 'supabase', claims: { aud: 'authenticated', email: '{{user.primary_email_address}}' }, lifetime: 3600, allowed_clock_skew: 5 })).id,
    );
    stack.byHand.permission = String((await stack.bapi('POST', '/organization_permissions', { key: 'org:billing:manage', name: 'Billing (by hand)', description: 'made in the dashboard' })).id);
    stack.byHand.role = String((await stack.bapi('POST', '/organization_roles', { key: 'org:billing', name: 'Billing (by hand)', description: 'made in the dashboard', permissions: [] })).id);

    stack.work = mkdtempSync(path.join(os.tmpdir(), prefix));
    stack.checkout = path.join(stack.work, 'clerkguard');
    copyCheckout(stack.checkout);
    stack.user = pulumiUser(findPulumiBin()!, stack.work);
  }, 120_000);

  afterAll(async () => {
    await stack.emulator?.close();
    if (stack.work) rmSync(stack.work, { recursive: true, force: true });
  });

  return stack;
}
