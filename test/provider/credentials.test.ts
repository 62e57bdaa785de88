/** Where the provider's credentials come from: stack config first, then the environment. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { EMPTY_CONFIG, baselinePath, projectDirAbove, providerConnection, type ConfigSource } from '../../src/provider/credentials';
import type { ClerkguardError } from '../../src/util/errors';
import { baselineWith } from '../helpers/baselines';

const config = (values: Record<string, string>): ConfigSource => ({ get: (key) => values[key] });

/** A staging baseline with `target`, in a temp dir removed after the test. */
function stagingBaselineFile(target: ReturnType<typeof baselineWith>['target']): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-provider-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'staging.json');
  const baseline = baselineWith((draft) => {
    draft.environment = 'staging';
    draft.target = target;
  });
  writeFileSync(file, JSON.stringify(baseline));
  return file;
}

describe('providerConnection', () => {
  it('falls back to CLERK_SECRET_KEY and CLERK_API_URL without stack config', () => {
    const connection = providerConnection(EMPTY_CONFIG, { CLERK_SECRET_KEY: 'sk_test_fromenv0000', CLERK_API_URL: 'http://127.0.0.1:9/' });
    expect(connection.secretKey).toBe('sk_test_fromenv0000');
    expect(connection.apiUrl).toBe('http://127.0.0.1:9');
    expect(connection.platform).toBeUndefined();
  });

  it('prefers stack config over the environment', () => {
    const connection = providerConnection(
      config({ 'clerkguard:secretKey': 'sk_live_fromconfig00', 'clerkguard:apiUrl': 'http://127.0.0.1:1', 'clerkguard:platformApiKey': 'ak_fromconfig0000', 'clerkguard:applicationId': 'app_1' }),
      { CLERK_SECRET_KEY: 'sk_test_fromenv0000', CLERK_API_URL: 'http://127.0.0.1:9' },
    );
    expect(connection.secretKey).toBe('sk_live_fromconfig00');
    expect(connection.apiUrl).toBe('http://127.0.0.1:1');
    expect(connection.platform).toMatchObject({ apiKey: 'ak_fromconfig0000', applicationId: 'app_1' });
  });

  it('gives a stack the instance-specific variables even when its baseline names its own keys', () => {
    const file = stagingBaselineFile({ environment_type: 'production', secret_key_env: 'CLERK_STAGING_SECRET_KEY' });
    const connection = providerConnection(config({ 'clerkguard:baseline': file }), {
      CLERK_STAGING_SECRET_KEY: 'sk_live_staging00000',
      CLERK_PLATFORM_API_KEY: 'ak_fromenv00000000',
      CLERK_APPLICATION_ID: 'app_staging',
      CLERK_FRONTEND_API_URL: 'https://clerk.staging.example.com',
    });
    expect(connection.platform?.applicationId).toBe('app_staging');
    expect(connection.frontendApiUrl).toBe('https://clerk.staging.example.com');
  });

  it("honours the baseline's target: its env var names and application id", () => {
    const file = stagingBaselineFile({ environment_type: 'development', secret_key_env: 'STAGING_CLERK_KEY', application_id: 'app_staging' });
    const connection = providerConnection(config({ 'clerkguard:baseline': file }), { STAGING_CLERK_KEY: 'sk_test_staging0000', CLERK_PLATFORM_API_KEY: 'ak_staging000000' });
    expect(connection.secretKey).toBe('sk_test_staging0000');
    expect(connection.platform).toMatchObject({ applicationId: 'app_staging' });
  });

  it('refuses to guess the key variables when the configured baseline cannot be read, unless the stack names its own key', () => {
    const missing = path.join(os.tmpdir(), 'clerkguard-no-such-dir', 'staging.json');
    const env = { CLERK_SECRET_KEY: 'sk_live_production000' };
    expect(() => providerConnection(config({ 'clerkguard:baseline': missing }), env)).toThrow(/^cannot read the stack's baseline .*staging\.json .*keys are unknown$/);
    const connection = providerConnection(config({ 'clerkguard:baseline': missing, 'clerkguard:secretKey': 'sk_live_fromstack0000' }), env);
    expect(connection.secretKey).toBe('sk_live_fromstack0000');
  });

  it('names the stack config key and the variable, never a value, when no key is configured', () => {
    const failure = (() => {
      try {
        providerConnection(EMPTY_CONFIG, {});
      } catch (error) {
        return error as ClerkguardError;
      }
      return undefined;
    })();
    expect(failure?.message).toBe('no secret key for environment production: neither stack config clerkguard:secretKey nor CLERK_SECRET_KEY is set');
    expect(failure?.hint).toMatch(/^pulumi config set --secret clerkguard:secretKey sk_live_/);
  });

  it('says which source holds a value that is not a secret key, without the value', () => {
    expect(() => providerConnection(config({ 'clerkguard:secretKey': 'pk_live_NOT0A0SECRET0KEY' }), {})).toThrow(
      /^stack config clerkguard:secretKey is not a Clerk secret key \(expected sk_live_… or sk_test_…\)$/,
    );
    expect(() => providerConnection(EMPTY_CONFIG, { CLERK_SECRET_KEY: 'whatever0value' })).toThrow(/^CLERK_SECRET_KEY is not a Clerk secret key/);
  });
});

describe('the baseline path', () => {
  it('resolves a relative path against the project directory, never the working directory', () => {
    expect(baselinePath(config({ 'clerkguard:baseline': 'baselines/production.json' }), '/srv/project', {})).toBe('/srv/project/baselines/production.json');
    expect(baselinePath(config({ 'clerkguard:baseline': '/etc/clerk/prod.json' }), '/srv/project', {})).toBe('/etc/clerk/prod.json');
    expect(baselinePath(EMPTY_CONFIG, '/srv/project', { CLERKGUARD_BASELINE: 'b.json' })).toBe('/srv/project/b.json');
    expect(baselinePath(EMPTY_CONFIG, '/srv/project', {})).toBeUndefined();
  });

  it('finds the project directory of the provider process by its Pulumi.yaml', () => {
    const project = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-project-'));
    onTestFinished(() => rmSync(project, { recursive: true, force: true }));
    const nested = path.join(project, 'dist', 'provider');
    mkdirSync(nested, { recursive: true });
    expect(projectDirAbove(nested)).toBe(nested); // no Pulumi.yaml anywhere above: the start
    writeFileSync(path.join(project, 'Pulumi.yaml'), 'name: x\nruntime: nodejs\n');
    expect(projectDirAbove(nested)).toBe(project);
    expect(projectDirAbove(project)).toBe(project);
  });

  it("lets the provider, started in dirname(main), use a relative baseline's target", () => {
    const project = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-project-'));
    onTestFinished(() => rmSync(project, { recursive: true, force: true }));
    writeFileSync(path.join(project, 'Pulumi.yaml'), 'name: x\nruntime: nodejs\n');
    mkdirSync(path.join(project, 'baselines'));
    mkdirSync(path.join(project, 'dist', 'provider'), { recursive: true });
    writeFileSync(
      path.join(project, 'baselines', 'staging.json'),
      JSON.stringify(
        baselineWith((draft) => {
          draft.environment = 'staging';
          draft.target = { environment_type: 'development', secret_key_env: 'STAGING_CLERK_KEY' };
        }),
      ),
    );
    const previous = process.cwd();
    process.chdir(path.join(project, 'dist', 'provider'));
    onTestFinished(() => process.chdir(previous));
    const connection = providerConnection(config({ 'clerkguard:baseline': 'baselines/staging.json' }), { STAGING_CLERK_KEY: 'sk_test_staging0000', CLERK_SECRET_KEY: 'sk_live_wrong000000' });
    expect(connection.secretKey).toBe('sk_test_staging0000');
  });
});
