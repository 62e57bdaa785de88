/**
 * The provider as Pulumi stores it: serialized by @pulumi/pulumi's closure serializer into
 * text that lands in the state. The text must carry no secret and no client, and the loaded
 * copy must work once `configure` hands it credentials.
 */
import { createRequire } from 'node:module';
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
  it('holds only the kind and the implementation path, never a credential, even after configure', async () => {
    const provider = dynamic.dynamicProvider('SmsCountryBlocklist');
    // Configure the live object first: credentials must not stick to it.
    await provider.configure!({ config: { ...emulatorConfig(emulator), require: (key: string) => emulatorConfig(emulator).get(key)! } });
    const serialized = await serialize(provider);
    expect(serialized.containsSecrets).toBe(false);
    expect(serialized.text).toContain('"SmsCountryBlocklist"');
    expect(serialized.text).toContain(path.join(REPO_ROOT, 'dist', 'provider', 'implementation.js'));
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

  it('still loads after the checkout moved, from dist/ under the project directory', async () => {
    const moved = load((await serialize(dynamic.dynamicProvider('Protect', '/checkout/that/moved/dist/provider/implementation.js'))).text);
    const previous = process.cwd();
    process.chdir(REPO_ROOT);
    try {
      const checked = await moved.check!({}, { rules_enabled: 'yes' });
      expect(checked.failures).toEqual([{ property: 'rules_enabled', reason: 'expected boolean, got string "yes"' }]);
    } finally {
      process.chdir(previous);
    }
  });
});
