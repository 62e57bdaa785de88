/**
 * Every provider method, called directly against the in-process emulator: check and diff
 * without an API, create/read/update/delete with the real @clerk/backend client underneath.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/index';
import * as provider from '../../src/provider/implementation';
import { OPERATIONS } from '../../src/provider/operations';
import { SENTINEL_PLATFORM_KEY, SENTINEL_SECRET_KEY, emulatorConfig, startDriftedEmulator, writesSince } from './helpers';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startDriftedEmulator();
});
afterAll(async () => {
  provider.resetConfiguration();
  await emulator.close();
});
beforeEach(() => {
  provider.configure(emulatorConfig(emulator));
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('check', () => {
  it('accepts inputs the settings model accepts', async () => {
    const result = await provider.check('JwtTemplate', {}, { name: 'supabase', claims: { aud: 'authenticated' }, lifetime: 60, __provider: 'serialized' });
    expect(result.failures).toEqual([]);
    expect(result.inputs).toEqual({ name: 'supabase', claims: { aud: 'authenticated' }, lifetime: 60 });
  });

  it('names the property and what was expected', async () => {
    const result = await provider.check('JwtTemplate', {}, { name: 'supabase', claims: {}, lifetime: 10, allowed_clock_skew: 'five' });
    expect(result.failures).toEqual([
      { property: 'lifetime', reason: expect.stringMatching(/30/) },
      { property: 'allowed_clock_skew', reason: 'expected number, got string "five"' },
    ]);
  });

  it('rejects unknown keys with a suggestion and an empty origin list with the reason', async () => {
    const typo = await provider.check('Protect', {}, { rules_enabeld: true });
    expect(typo.failures).toEqual([{ property: 'rules_enabeld', reason: 'unknown key "rules_enabeld" (did you mean "rules_enabled"?)' }]);
    const empty = await provider.check('InstanceSettings', {}, { allowed_origins: [] });
    expect(empty.failures[0]?.property).toBe('allowed_origins');
    expect(empty.failures[0]?.reason).toMatch(/cannot be emptied/);
  });

  it('rejects a JWT template with custom_signing_key and no signing key, naming the stack config', async () => {
    const result = await provider.check('JwtTemplate', {}, { name: 'supabase', claims: { aud: 'x' }, lifetime: 60, signing_algorithm: 'HS256', custom_signing_key: true });
    expect(result.failures).toEqual([{ property: 'signing_key', reason: expect.stringContaining('no signing key is configured: set stack config clerkguard:jwtSigningKeys.supabase') }]);
    const withKey = await provider.check('JwtTemplate', {}, { name: 'supabase', claims: { aud: 'x' }, lifetime: 60, signing_algorithm: 'HS256', custom_signing_key: true, signing_key: 'k' });
    expect(withKey.failures).toEqual([]);
  });

  it('validates Platform inputs with the model: only the documented session.lifetime is typed', async () => {
    const result = await provider.check('PlatformConfig', {}, { session: { maximum_lifetime_minutes: 0 } });
    expect(result.failures.map((failure) => failure.property)).toEqual(['session.maximum_lifetime_minutes']);
    // The inactivity timeout has no documented Platform name: the resource does not take it.
    const inactivity = await provider.check('PlatformConfig', {}, { session: { inactivity_timeout_minutes: 30 } });
    expect(inactivity.failures[0]?.property).toBe('session.inactivity_timeout_minutes');
    const twice = await provider.check('PlatformConfig', {}, { session: { maximum_lifetime_minutes: 60 }, platform_config: { session: { lifetime: 60 } } });
    expect(twice.failures[0]?.property).toBe('platform_config.session.lifetime');
  });
});

describe('diff', () => {
  it('returns set-like arrays in canonical order as the inputs Pulumi stores', async () => {
    const result = await provider.check('InstanceSettings', {}, { allowed_origins: ['https://b.example', 'https://a.example', 'https://b.example'], test_mode: false });
    expect(result.inputs).toEqual({ allowed_origins: ['https://a.example', 'https://b.example'], test_mode: false });
  });

  it('ignores the order and duplicates of set-like arrays', async () => {
    const result = await provider.diff('InstanceSettings', 'instance', { allowed_origins: ['https://b.example', 'https://a.example'] }, { allowed_origins: ['https://a.example', 'https://b.example', 'https://a.example'] });
    expect(result.changes).toBe(false);
  });

  it('reports changed properties, and a JWT template rename as a replacement', async () => {
    const olds = { name: 'supabase', claims: { aud: 'authenticated' }, lifetime: 60, __provider: 'x' };
    expect(await provider.diff('JwtTemplate', 'jtmp_1', olds, { ...olds, lifetime: 30 })).toMatchObject({ changes: true, replaces: [] });
    expect(await provider.diff('JwtTemplate', 'jtmp_1', olds, { ...olds, name: 'supabase-v2' })).toMatchObject({ changes: true, replaces: ['name'] });
    expect(await provider.diff('OrganizationRole', 'role_1', { key: 'org:a', name: 'A', permissions: [] }, { key: 'org:b', name: 'A', permissions: [] })).toMatchObject({ replaces: ['key'] });
  });

  it('treats keys the baseline leaves out as unmanaged and output-only bookkeeping as no change', async () => {
    const result = await provider.diff('PlatformConfig', 'platform_config', { session: { maximum_lifetime_minutes: 30 }, config_version: '7' }, { session: { maximum_lifetime_minutes: 30 } });
    expect(result.changes).toBe(false);
    const extra = await provider.diff('Protect', 'protect', { rules_enabled: true, specter_enabled: true }, { rules_enabled: true });
    expect(extra.changes).toBe(false);
  });
});

describe('singleton settings', () => {
  it('create adopts the live instance settings and sends only what differs', async () => {
    const from = emulator.requests.length;
    const result = await provider.create('InstanceSettings', { allowed_origins: ['https://app.example.com'], test_mode: false, hibp: false });
    expect(result.id).toBe('instance');
    expect(result.outs).toEqual({ allowed_origins: ['https://app.example.com'], test_mode: false, hibp: false });
    const writes = writesSince(emulator, from);
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({ method: 'PATCH', path: '/v1/instance', status: 204 });
    // hibp is already false live: only origins and test mode are sent.
    expect(Object.keys(writes[0]!.body as object).sort()).toEqual(['allowed_origins', 'test_mode']);
    expect(emulator.state.allowed_origins).toEqual(['https://app.example.com']);
    expect(emulator.state.test_mode).toBe(false);
  });

  it('read returns live properties and inputs, so a dashboard edit shows as drift', async () => {
    emulator.applySettings({ communication: { blocked_country_codes: ['KP', 'IR', 'CU'] } });
    const result = await provider.read('SmsCountryBlocklist', 'communication', { blocked_country_codes: ['IR', 'KP'], __provider: 'x' });
    expect(result.id).toBe('communication');
    expect(result.props).toEqual({ blocked_country_codes: ['CU', 'IR', 'KP'] });
    expect(result.inputs).toEqual({ blocked_country_codes: ['CU', 'IR', 'KP'] });
    const drift = await provider.diff('SmsCountryBlocklist', 'communication', result.props!, { blocked_country_codes: ['KP', 'IR'] });
    expect(drift.changes).toBe(true);
  });

  it('read projects live values onto the managed keys only', async () => {
    const result = await provider.read('Protect', 'protect', { rules_enabled: true });
    expect(result.props).toEqual({ rules_enabled: false });
  });

  it('update sends only the changed keys', async () => {
    const from = emulator.requests.length;
    await provider.update('Restrictions', 'restrictions', { blocklist: false, block_email_subaddresses: false }, { blocklist: true, block_email_subaddresses: false });
    const writes = writesSince(emulator, from);
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({ method: 'PATCH', path: '/v1/instance/restrictions' });
    expect(writes[0]!.body).toEqual({ blocklist: true });
    expect(emulator.state.restrictions.blocklist).toBe(true);
  });

  it('organization settings map role keys to ids', async () => {
    await provider.create('OrganizationSettings', { enabled: true, creator_role: 'org:member' });
    const member = emulator.state.roles.find((role) => role.key === 'org:member')!;
    expect(emulator.state.organization_settings.creator_role_id).toBe(member.id);
    const read = await provider.read('OrganizationSettings', 'organization_settings', { enabled: true, creator_role: 'org:member' });
    expect(read.props).toEqual({ enabled: true, creator_role: 'org:member' });
  });

  it('delete forgets a singleton, says so, and leaves the instance as it is', async () => {
    const before = structuredClone(emulator.state.protect);
    const from = emulator.requests.length;
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await provider.remove('Protect', 'protect', { rules_enabled: true });
    expect(writesSince(emulator, from)).toEqual([]);
    expect(emulator.state.protect).toEqual(before);
    expect(logged.mock.calls.flat().join(' ')).toMatch(/removed from the stack only.*never reset to defaults/);
  });
});

describe('collections', () => {
  it('permissions and roles: create, read, update, delete', async () => {
    const permission = await provider.create('OrganizationPermission', { key: 'org:billing:manage', name: 'Manage billing' });
    expect(emulator.state.permissions.find((item) => item.key === 'org:billing:manage')?.id).toBe(permission.id);
    const role = await provider.create('OrganizationRole', { key: 'org:billing', name: 'Billing', permissions: ['org:billing:manage'] });
    expect(emulator.state.roles.find((item) => item.key === 'org:billing')?.id).toBe(role.id);

    const read = await provider.read('OrganizationRole', role.id, { key: 'org:billing', name: 'Billing', permissions: [] });
    expect(read.props).toEqual({ key: 'org:billing', name: 'Billing', permissions: ['org:billing:manage'] });

    const from = emulator.requests.length;
    await provider.update('OrganizationRole', role.id, read.props!, { key: 'org:billing', name: 'Billing manager', permissions: ['org:billing:manage'] });
    const writes = writesSince(emulator, from);
    expect(writes).toHaveLength(1);
    expect(writes[0]!.body).toEqual({ name: 'Billing manager' });

    await provider.remove('OrganizationRole', role.id, { key: 'org:billing' });
    await provider.remove('OrganizationPermission', permission.id, { key: 'org:billing:manage' });
    expect(emulator.state.roles.some((item) => item.key === 'org:billing')).toBe(false);
    expect(emulator.state.permissions.some((item) => item.key === 'org:billing:manage')).toBe(false);
    expect(await provider.read('OrganizationRole', role.id, { key: 'org:billing' })).toEqual({});
  });

  it('a JWT template that already exists by name is adopted and patched, and the signing key never comes back', async () => {
    const existing = emulator.state.jwt_templates.find((template) => template.name === 'supabase')!;
    const signingKey = 'hs256-signing-secret-SENTINEL-value';
    const inputs = { name: 'supabase', claims: { aud: 'authenticated', role: 'authenticated' }, lifetime: 60, signing_algorithm: 'HS256', custom_signing_key: true, signing_key: signingKey };
    const created = await provider.create('JwtTemplate', inputs);
    expect(created.id).toBe(existing.id);
    const template = emulator.state.jwt_templates.find((item) => item.id === existing.id)!;
    expect(template).toMatchObject({ lifetime: 60, signing_algorithm: 'HS256', custom_signing_key: true, signing_key: signingKey });
    expect(template.claims).toEqual({ aud: 'authenticated', role: 'authenticated' });
    expect(Object.keys(process.env).some((name) => name.startsWith('CLERKGUARD_PROVIDER_SIGNING_KEY'))).toBe(false);

    const read = await provider.read('JwtTemplate', created.id, created.outs);
    expect(read.props).toEqual(inputs);
    const served = emulator.requests.filter((request) => request.path.startsWith('/v1/jwt_templates')).map((request) => JSON.stringify(request.response ?? ''));
    expect(served.join('\n')).not.toContain(signingKey);

    const from = emulator.requests.length;
    await provider.update('JwtTemplate', created.id, read.props!, { ...inputs, lifetime: 45 });
    const writes = writesSince(emulator, from);
    expect(writes).toHaveLength(1);
    // Clerk requires name and claims on every PATCH; the key is not re-sent when unchanged.
    expect(Object.keys(writes[0]!.body as object).sort()).toEqual(['claims', 'lifetime', 'name']);

    await provider.remove('JwtTemplate', created.id, read.props!);
    expect(emulator.state.jwt_templates.some((item) => item.id === created.id)).toBe(false);
  });
});

describe('collections made by hand before the stack existed', () => {
  it('are adopted on create (same ids, only differing keys patched), and the log says so', async () => {
    const api = (method: string, route: string, body: unknown) =>
      fetch(`${emulator.bapi_url}/v1${route}`, { method, headers: { Authorization: `Bearer ${emulator.secret_key}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).then(
        async (response) => (await response.json()) as { id: string },
      );
    const permission = await api('POST', '/organization_permissions', { key: 'org:reports:read', name: 'Read reports' });
    const role = await api('POST', '/organization_roles', { key: 'org:auditor', name: 'Auditor (by hand)', permissions: [] });
    const logged: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => void logged.push(String(line)));

    const from = emulator.requests.length;
    const adoptedPermission = await provider.create('OrganizationPermission', { key: 'org:reports:read', name: 'Read reports' });
    const adoptedRole = await provider.create('OrganizationRole', { key: 'org:auditor', name: 'Auditor', permissions: ['org:reports:read'] });
    expect(adoptedPermission.id).toBe(permission.id);
    expect(adoptedRole.id).toBe(role.id);
    const writes = writesSince(emulator, from);
    expect(writes.map((write) => `${write.method} ${write.path} ${write.status}`)).toEqual([`PATCH /v1/organization_roles/${role.id} 200`]);
    expect(writes[0]!.body).toEqual({ name: 'Auditor', permissions: [permission.id] }); // Clerk takes permission ids
    expect(logged).toEqual([
      `clerkguard: adopted the existing organization permission "org:reports:read" (${permission.id}) into the stack: already matched the baseline. pulumi destroy deletes it like one the stack created.`,
      `clerkguard: adopted the existing organization role "org:auditor" (${role.id}) into the stack: updated name, permissions to the baseline. pulumi destroy deletes it like one the stack created.`,
    ]);
    await provider.remove('OrganizationRole', role.id, { key: 'org:auditor' });
    await provider.remove('OrganizationPermission', permission.id, { key: 'org:reports:read' });
  });
});

describe('objects already deleted in the dashboard', () => {
  it('delete of a template, role or permission that is gone succeeds and says so', async () => {
    const permission = await provider.create('OrganizationPermission', { key: 'org:gone:perm', name: 'Gone' });
    const role = await provider.create('OrganizationRole', { key: 'org:gone', name: 'Gone', permissions: [] });
    const template = await provider.create('JwtTemplate', { name: 'gone-template', claims: { aud: 'x' }, lifetime: 60 });
    // Someone removes all three in the dashboard; then the baseline drops them (or destroy runs).
    emulator.state.jwt_templates = emulator.state.jwt_templates.filter((item) => item.id !== template.id);
    emulator.state.roles = emulator.state.roles.filter((item) => item.id !== role.id);
    emulator.state.permissions = emulator.state.permissions.filter((item) => item.id !== permission.id);
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const from = emulator.requests.length;
    await provider.remove('JwtTemplate', template.id, template.outs);
    await provider.remove('OrganizationRole', role.id, role.outs);
    await provider.remove('OrganizationPermission', permission.id, permission.outs);
    expect(writesSince(emulator, from)).toEqual([]);
    expect(logged.mock.calls.map((call) => String(call[0]))).toEqual([
      'clerkguard: JWT template "gone-template" no longer exists in Clerk; removed from the stack.',
      'clerkguard: organization role "org:gone" no longer exists in Clerk; removed from the stack.',
      'clerkguard: organization permission "org:gone:perm" no longer exists in Clerk; removed from the stack.',
    ]);
  });
});

describe('built-in roles and permissions', () => {
  it('forgets a managed default role or system permission on delete instead of deleting it', async () => {
    const admin = emulator.state.roles.find((role) => role.key === 'org:admin');
    expect(admin).toBeDefined();
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const from = emulator.requests.length;
    await provider.remove('OrganizationRole', admin!.id, { key: 'org:admin', name: 'Admin', permissions: [] });
    await provider.remove('OrganizationPermission', 'perm_sys', { key: 'org:sys_memberships:manage', name: 'Manage members' });
    expect(writesSince(emulator, from)).toEqual([]);
    expect(emulator.state.roles.some((role) => role.key === 'org:admin')).toBe(true);
    expect(logged.mock.calls.map((call) => String(call[0]))).toEqual([
      'clerkguard: default role "org:admin" is built into every Clerk instance: removed from the stack only; Clerk keeps it.',
      'clerkguard: system permission "org:sys_memberships:manage" is built into every Clerk instance: removed from the stack only; Clerk keeps it.',
    ]);
    logged.mockRestore();
  });
});

describe('values the configured APIs cannot show', () => {
  it('read keeps them but warns that drift in them is not detected', async () => {
    // No Frontend API host: test mode, HIBP and restrictions cannot be read.
    provider.configure(emulatorConfig(emulator, { 'clerkguard:frontendApiUrl': '' }));
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const restrictions = await provider.read('Restrictions', 'restrictions', { allowlist: false, blocklist: true });
    expect(restrictions.props).toEqual({ allowlist: false, blocklist: true });
    const instance = await provider.read('InstanceSettings', 'instance', { allowed_origins: ['https://app.example.com'], hibp: true });
    expect(instance.props).toMatchObject({ hibp: true });
    const lines = logged.mock.calls.map((call) => String(call[0]));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^clerkguard: sign-up restrictions: allowlist, blocklist could not be read: .*clerkguard:publishableKey.*drift in them is not detected\.$/);
    expect(lines[1]).toMatch(/^clerkguard: instance settings .*: hibp could not be read: .*Frontend API/);
  });

  it('read stays quiet when every managed value was read', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await provider.read('Restrictions', 'restrictions', { allowlist: false });
    await provider.read('InstanceSettings', 'instance', { allowed_origins: ['https://app.example.com'], hibp: true });
    expect(logged).not.toHaveBeenCalled();
  });
});

describe('JWT templates with a custom signing key', () => {
  it('a new template that needs a key and has none fails before any request, naming the stack config', async () => {
    const from = emulator.requests.length;
    const failure = await provider.create('JwtTemplate', { name: 'keyless', claims: { aud: 'x' }, lifetime: 60, signing_algorithm: 'HS256', custom_signing_key: true }).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(failure?.message).toBe(
      'clerkguard: creating JwtTemplate: JWT template "keyless" sets custom_signing_key, but no signing key is configured for it (hint: pulumi config set --secret --path \'clerkguard:jwtSigningKeys.keyless\' <signing key>)',
    );
    expect(writesSince(emulator, from)).toEqual([]);
  });

  it('a signing key echoed in an error is scrubbed from it', async () => {
    const signingKey = 'plain-hs256-signing-key-SENTINEL-echoed';
    vi.spyOn(OPERATIONS.JwtTemplate, 'create').mockRejectedValue(new Error(`Clerk rejected POST /v1/jwt_templates (422): invalid signing key ${signingKey}`));
    const failure = await provider.create('JwtTemplate', { name: 'echo', claims: { aud: 'x' }, lifetime: 60, signing_algorithm: 'HS256', custom_signing_key: true, signing_key: signingKey }).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(failure?.message).toMatch(/^clerkguard: creating JwtTemplate: Clerk rejected .*invalid signing key/);
    expect(failure?.message).not.toContain(signingKey);
  });
});

describe('Platform config', () => {
  it('patches session.lifetime (seconds) with If-Match, never PUTs, keeps confirmed values, and a concurrent dashboard edit fails the update', async () => {
    const from = emulator.requests.length;
    const created = await provider.create('PlatformConfig', { session: { maximum_lifetime_minutes: 720 } });
    const version = created.outs.config_version as string;
    expect(version).toMatch(/^\d+$/);
    expect(created.outs).toMatchObject({ session: { maximum_lifetime_minutes: 720 } });
    expect(emulator.state.platform.config.session).toMatchObject({ lifetime: 43200 });
    const patch = writesSince(emulator, from);
    expect(patch).toHaveLength(1);
    expect(patch[0]).toMatchObject({ method: 'PATCH' });
    expect(patch[0]!.headers['if-match']).toBeDefined();
    expect(patch[0]!.body).toEqual({ session: { lifetime: 43200 } });

    // Someone changes the session in the dashboard after clerkguard's last read.
    emulator.applySettings({ session: { maximum_lifetime_minutes: 20160 } });
    const olds = created.outs;
    await expect(provider.update('PlatformConfig', created.id, olds, { session: { maximum_lifetime_minutes: 600 } })).rejects.toThrow(/Platform config changed since clerkguard last read it.*pulumi up --refresh/s);
    expect(emulator.state.platform.config.session).toMatchObject({ lifetime: 1209600 });

    // After a refresh (read), the same update goes through and sends only the changed field.
    const refreshed = await provider.read('PlatformConfig', created.id, olds);
    expect(refreshed.props).toMatchObject({ session: { maximum_lifetime_minutes: 20160 } });
    expect(refreshed.inputs).toEqual({ session: { maximum_lifetime_minutes: 20160 } });
    const before = emulator.requests.length;
    const updated = await provider.update('PlatformConfig', created.id, refreshed.props!, { session: { maximum_lifetime_minutes: 600 } });
    expect(writesSince(emulator, before).map((write) => write.body)).toEqual([{ session: { lifetime: 36000 } }]);
    expect(updated.outs.config_version).not.toBe(refreshed.props!.config_version);
    expect(emulator.requests.some((request) => request.method === 'PUT')).toBe(false);
  });

  it('manages a raw platform_config key: previewed with dry_run (a value the instance refuses fails the diff, naming it), written with If-Match, read back', async () => {
    const created = await provider.create('PlatformConfig', { platform_config: { captcha: { widget_type: 'invisible' } } });
    expect(created.outs).toMatchObject({ platform_config: { captcha: { widget_type: 'invisible' } } });
    expect(emulator.state.platform.config.captcha).toMatchObject({ widget_type: 'invisible', provider: 'turnstile' });
    const version = emulator.state.platform.version;
    const before = emulator.requests.length;
    const preview = await provider.diff('PlatformConfig', created.id, created.outs, { platform_config: { captcha: { widget_type: 'smart' } } });
    expect(preview.changes).toBe(true);
    expect(emulator.requests.slice(before).some((request) => request.method === 'PATCH' && request.query.dry_run === 'true')).toBe(true);
    expect(emulator.state.platform.version).toBe(version);
    const refused = await provider.diff('PlatformConfig', created.id, created.outs, { platform_config: { captcha: { widget_type: 'loud' } } }).catch((error: Error) => error);
    expect(String(refused)).toMatch(/previewing PlatformConfig: the Platform config write for environment production does not fit the instance's config schema: captcha\.widget_type: must be equal to one of the allowed values/);
    const unknown = await provider.create('PlatformConfig', { platform_config: { sesion: { lifetime: 60 } } }).catch((error: Error) => error);
    expect(String(unknown)).toMatch(/sesion: is not a key of this instance's Platform config \(did you mean "session"\?\)/);
    const read = await provider.read('PlatformConfig', created.id, created.outs);
    expect(read.inputs).toEqual({ platform_config: { captcha: { widget_type: 'invisible' } } });
  });
});

describe('Platform config read', () => {
  it('keeps the last applied lifetime (with a warning) when session.lifetime cannot be read, instead of planning a rewrite', async () => {
    const created = await provider.create('PlatformConfig', { session: { maximum_lifetime_minutes: 720 } });
    emulator.state.platform.config.session!.lifetime = null;
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const read = await provider.read('PlatformConfig', created.id, created.outs);
    expect(read.inputs).toEqual({ session: { maximum_lifetime_minutes: 720 } });
    expect(errors.mock.calls.flat().join('\n')).toMatch(/session\.lifetime could not be read as a maximum lifetime/);
    errors.mockRestore();
  });
});

describe('confirmed writes', () => {
  it('a write Clerk drops fails naming the field; outputs hold what Clerk confirmed', async () => {
    // The spec: codes Clerk does not know as SMS-tier countries are dropped silently (AQ here).
    const dropped = await provider.create('SmsCountryBlocklist', { blocked_country_codes: ['KP', 'AQ'] }).catch((error: Error) => error);
    expect(String(dropped)).toMatch(/^Error: clerkguard: creating SmsCountryBlocklist: Clerk did not confirm the write to PATCH \/v1\/instance\/communication for environment production: its answer does not reflect blocked_country_codes/);
    const confirmed = await provider.create('Protect', { rules_enabled: true, specter_enabled: true });
    expect(confirmed.outs).toEqual({ rules_enabled: true, specter_enabled: true });
    const oauth = await provider.create('OAuthApplicationSettings', { dynamic_oauth_client_registration: false });
    expect(oauth.outs).toEqual({ dynamic_oauth_client_registration: false });
  });
});

describe('credentials and errors', () => {
  it('uses only configured credentials and scrubs them from every error', async () => {
    provider.configure(emulatorConfig(emulator, { 'clerkguard:secretKey': 'sk_live_WRONG0key0SENTINEL' }));
    const failure = await provider.create('Protect', { rules_enabled: true }).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(failure?.message).toMatch(/^clerkguard: creating Protect:/);
    expect(failure?.message).not.toContain('WRONG0key0SENTINEL');
    expect(failure?.message).not.toContain(SENTINEL_SECRET_KEY);
    expect(failure?.stack).not.toMatch(/at .*implementation/);
  });

  it('asks for the key by its config name when none is configured', async () => {
    provider.configure({ get: () => undefined });
    const saved = process.env.CLERK_SECRET_KEY;
    delete process.env.CLERK_SECRET_KEY;
    try {
      const failure = await provider.read('Protect', 'protect', { rules_enabled: true }).then(
        () => undefined,
        (error: Error) => error,
      );
      expect(failure?.message).toMatch(/neither stack config clerkguard:secretKey nor CLERK_SECRET_KEY is set \(hint: pulumi config set --secret clerkguard:secretKey sk_live_/);
      expect(failure?.stack).not.toMatch(/\n\s+at /);
      // The plugin logs a failed read as `${error}: ${error.stack}`: the message once.
      expect(`${failure}: ${failure?.stack}`).toBe(`Error: ${failure?.message}: `);
    } finally {
      if (saved !== undefined) process.env.CLERK_SECRET_KEY = saved;
    }
  });

  it('never puts the Platform key in an error', async () => {
    emulator.faults.add({ kind: 'status', path: '/v1/platform/*', status: 401 });
    const failure = await provider.read('PlatformConfig', 'platform_config', { session: { maximum_lifetime_minutes: 30 } }).catch((error: Error) => error);
    emulator.faults.clear();
    expect(failure).toBeInstanceOf(Error);
    expect(String(failure)).toMatch(/reading PlatformConfig/);
    expect(String(failure)).not.toContain(SENTINEL_PLATFORM_KEY);
  });
});
