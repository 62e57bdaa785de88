/**
 * The provider as Pulumi stores it: serialized by @pulumi/pulumi's closure serializer into
 * text that lands in the state. The text must carry no secret and no client, and the loaded
 * copy must work once `configure` hands it credentials.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Pulumi from '@pulumi/pulumi';
import type { RunningEmulator } from '../../src/emulator/index';
import { containsSecret } from '../../src/settings/redact';
import { SENTINEL_PLATFORM_KEY, SENTINEL_SECRET_KEY, emulatorConfig, startDriftedEmulator } from './helpers';
import { REPO_ROOT, missingRepositoryPieces } from './pulumi';

// The compiled modules, loaded natively: this is the code Pulumi serializes in a real run.
const nodeRequire = createRequire(__filename);

let emulator: RunningEmulator;
let pulumi: typeof Pulumi;
let dynamic: typeof import('../../src/provider/dynamic');
let implementation: typeof import('../../src/provider/implementation');

beforeAll(async () => {
  const missing = missingRepositoryPieces().filter((piece) => piece.startsWith('dist') || piece.startsWith('node_modules'));
  if (missing.length > 0) throw new Error(`the serialization test needs: ${missing.join('; ')}`);
  pulumi = nodeRequire('@pulumi/pulumi') as typeof Pulumi;
  dynamic = nodeRequire(path.join(REPO_ROOT, 'dist', 'provider', 'dynamic.js')) as typeof dynamic;
  implementation = nodeRequire(path.join(REPO_ROOT, 'dist', 'provider', 'implementation.js')) as typeof implementation;
  emulator = await startDriftedEmulator();
});

afterAll(async () => {
  implementation?.resetConfiguration();
  await emulator?.close();
});

async function serialize(provider: Pulumi.dynamic.ResourceProvider): Promise<{ text: string; containsSecrets: boolean }> {
  // Exactly how pulumi.dynamic.Resource serializes its provider.
  return pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
}

function load(text: string): Pulumi.dynamic.ResourceProvider {
  // What the dynamic-provider plugin does with the state's __provider text.
  const requireFromString = nodeRequire('require-from-string') as (code: string) => { handler: () => Pulumi.dynamic.ResourceProvider };
  return requireFromString(text).handler();
}

describe('serialized dynamic provider', () => {
  it('holds only the kind and a loader, never a credential or a path of this checkout, even after configure', async () => {
    const provider = dynamic.dynamicProvider('SmsCountryBlocklist');
    // Configure the live object first: credentials must not stick to it.
    await provider.configure!({ config: { ...emulatorConfig(emulator), require: (key: string) => emulatorConfig(emulator).get(key)! } });
    const serialized = await serialize(provider);
    expect(serialized.containsSecrets).toBe(false);
    expect(serialized.text).toContain('"SmsCountryBlocklist"');
    // The state must read the same wherever the checkout lives (state portability).
    expect(serialized.text).not.toContain(REPO_ROOT);
    for (const secret of [SENTINEL_SECRET_KEY, SENTINEL_PLATFORM_KEY, emulator.bapi_url]) expect(serialized.text).not.toContain(secret);
    expect(containsSecret(serialized.text)).toBe(false);
    // No module graph or client was inlined: the text is a few small functions.
    expect(serialized.text.length).toBeLessThan(6000);
    expect(serialized.text).not.toMatch(/createClerkClient|clerkClient|@clerk\/backend/);
  });

  it('round-trips: the loaded text validates, creates, reads and diffs against the emulator', async () => {
    implementation.resetConfiguration();
    const loaded = load((await serialize(dynamic.dynamicProvider('SmsCountryBlocklist'))).text);
    const config = emulatorConfig(emulator);
    await loaded.configure!({ config: { get: config.get, require: (key: string) => config.get(key)! } });

    const checked = await loaded.check!({}, { blocked_country_codes: ['KP', 'ir'] });
    expect(checked.failures?.[0]).toMatchObject({ property: 'blocked_country_codes[1]' });

    const created = await loaded.create({ blocked_country_codes: ['KP', 'IR'] });
    expect(created).toEqual({ id: 'communication', outs: { blocked_country_codes: ['IR', 'KP'] } });
    expect([...emulator.state.communication.blocked_country_codes].sort()).toEqual(['IR', 'KP']);

    const read = await loaded.read!('communication', created.outs);
    expect(read.props).toEqual({ blocked_country_codes: ['IR', 'KP'] });
    expect((await loaded.diff!('communication', read.props, { blocked_country_codes: ['KP', 'IR'] })).changes).toBe(false);
  });

  it('finds the implementation from the plugin that runs it, never from the working directory', async () => {
    const text = (await serialize(dynamic.dynamicProvider('Protect'))).text;
    // A provider process whose main script lives in a project with clerkguard in node_modules,
    // started in an unrelated working directory: it loads that project's clerkguard.
    const project = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-dependent-'));
    const elsewhere = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-cwd-'));
    try {
      mkdirSync(path.join(project, 'node_modules'));
      symlinkSync(REPO_ROOT, path.join(project, 'node_modules', 'clerkguard'), 'dir');
      const found = runProvider(project, elsewhere, text);
      expect(found.failures, found.raw).toEqual([{ property: 'rules_enabled', reason: 'expected boolean, got string "yes"' }]);

      // Nothing above the plugin: one sentence with a hint, no stack trace.
      rmSync(path.join(project, 'node_modules', 'clerkguard'));
      const missing = runProvider(project, REPO_ROOT, text);
      expect(missing.error, missing.raw).toMatch(/^clerkguard: cannot find the provider implementation \(dist\/provider\/implementation\.js of the clerkguard package\) in any project above .*\(hint: run pulumi in the clerkguard checkout/);
      // What the plugin prints for a failed check: `${error}: ${error.stack}`.
      expect(missing.printed).toBe(`Error: ${missing.error}: `);
    } finally {
      rmSync(project, { recursive: true, force: true });
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});

/**
 * Runs the serialized provider's `check` in a fresh Node process whose main script lives in
 * `projectDir` (as the dynamic-provider plugin's does in node_modules/@pulumi/pulumi), started
 * in `cwd`.
 */
function runProvider(projectDir: string, cwd: string, text: string): { failures?: unknown; error?: string; printed?: string; raw: string } {
  const main = path.join(projectDir, 'provider-main.cjs');
  writeFileSync(
    main,
    `const load = require(${JSON.stringify(nodeRequire.resolve('require-from-string'))});
const provider = load(${JSON.stringify(text)}).handler();
provider.check({}, { rules_enabled: 'yes' }).then(
  (result) => process.stdout.write(JSON.stringify({ failures: result.failures })),
  (error) => process.stdout.write(JSON.stringify({ error: error.message, printed: \`\${error}: \${error.stack}\` })),
);
`,
  );
  const run = spawnSync(process.execPath, [main], { cwd, encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' });
  const raw = `${run.stdout}\n${run.stderr}`;
  try {
    return { ...(JSON.parse(run.stdout) as object), raw };
  } catch {
    return { raw };
  }
}
