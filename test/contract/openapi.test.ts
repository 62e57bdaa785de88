/**
 * Contract with the real Clerk: every request src/clerk sends and every response the emulator
 * gives (for every operation it implements, success and error) validates against Clerk's
 * official OpenAPI specs, using openapi-backend (ajv) rather than hand-written checks.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadBaselineFile } from '../../src/baseline/load';
import { createClerkApi, type ClerkApi } from '../../src/clerk/api';
import { connectionFromEnv, workspaceConnectionFromEnv } from '../../src/clerk/connection';
import {
  writeCommunication,
  writeInstance,
  writeJwtTemplate,
  writeOrganizationSettings,
  writeProtect,
  writeRestrictions,
  writeSession,
} from '../../src/clerk/settings-io';
import { BAPI_ROUTES, FAPI_ROUTES, platformRoutes } from '../../src/emulator/routes';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import { exportLive } from '../../src/export/export';
import { answerRows, checkAnswerRow, productFields, type SpecDocument } from './answers-contract';
import { findSpecsDir, loadValidators, type Validators } from './specs';

const specsDir = findSpecsDir();
if (!specsDir) console.warn('contract tests SKIPPED: shared/clerk-openapi not found beside the repository (set CLERK_OPENAPI_DIR)');
const contract = specsDir ? describe : describe.skip;

// CI sets CLERKGUARD_REQUIRE_SPECS=1: there the contract must run, never skip.
describe.runIf(!specsDir && process.env.CLERKGUARD_REQUIRE_SPECS === '1')('contract prerequisites', () => {
  it('finds the Clerk OpenAPI specs', () => {
    expect(specsDir, 'shared/clerk-openapi must be beside the repository in CI').toBeDefined();
  });
});

const NEGATIVE = 'x-clerkguard-negative';
/** Two Platform config keys the emulator serves, read together to see how the list is sent. */
const TWO_KEYS = ['session', 'captcha'] as const;
const UNCOMPILABLE_RESPONSES = ['ListRoleSets'];
const BASELINE = path.resolve(__dirname, '..', '..', 'baselines', 'production.json');

contract('emulator and client against Clerk OpenAPI specs', () => {
  let validators: Validators;
  let emulator: RunningEmulator;
  let api: ClerkApi;

  beforeAll(async () => {
    validators = await loadValidators(specsDir!);
    const loaded = loadBaselineFile(BASELINE);
    // A workspace of three applications for PlatformListApplications (discovery, docs/fleet.md).
    emulator = await startEmulator({
      seed: loaded,
      applicationName: 'Shop',
      workspace: [
        { application_id: 'app_billing', name: 'Billing', instances: [{ instance_id: 'ins_billing_dev', environment_type: 'development', publishable_key: 'pk_test_YmlsbGluZy5leGFtcGxlLmNvbSQ', secret_key: 'sk_test_billingKEY' }, { instance_id: 'ins_billing_prod', environment_type: 'production' }] },
        { application_id: 'app_empty', name: 'No instances yet', instances: [] },
      ],
    });
    const env = emulator.env();
    api = createClerkApi(connectionFromEnv(loaded.baseline.target, env, { environment: 'production' }));
    await exercise(api, emulator, loaded);
  }, 60_000);

  afterAll(async () => {
    await emulator?.close();
  });

  const served = () => emulator.requests.filter((request) => request.api === 'bapi' || request.api === 'fapi' || request.api === 'platform');

  // The response boundary (src/clerk/answers.ts): every `spec` claim matches the spec's
  // required list, type and nullability; `product` fields are the few clerkguard needs beyond it.
  it.each(answerRows().map((row) => [row.label, row] as const))('answer schema %s matches the spec', (_label, row) => {
    checkAnswerRow(validators[row.spec].document as SpecDocument, row);
  });

  it('answer fields beyond the spec are these, each explained in src/clerk/answers.ts', () => {
    expect(productFields().sort()).toEqual(
      [
        'GetInstance.environment_type (enum)',
        'PlatformGetConfig.session',
        'PlatformGetConfig.session.lifetime',
        'UpdateInstanceRestrictions.allowlist_blocklist_disabled_on_sign_in',
        'getEnvironment.display_config',
        'getEnvironment.user_settings.sign_in.second_factor.required',
      ].sort(),
    );
  });

  it('the validators reject a response that breaks the spec (they are not no-ops)', () => {
    expect(validators.bapi.validateResponse({ object: 'instance', id: 'ins_1' }, 'GetInstance', 200).valid).toBe(false);
    expect(validators.bapi.validateResponse({ object: 'instance', id: 'ins_1', environment_type: 'production', allowed_origins: [], workspace_id: null }, 'GetInstance', 200).valid).toBe(true);
    expect(validators.bapi.validateRequest({ method: 'PATCH', path: '/v1/instance', headers: {}, body: { allowed_origin: ['x'] } }, 'UpdateInstance').valid).toBe(false);
  });

  it('exercised every operation the emulator implements', () => {
    const implemented = [...BAPI_ROUTES, ...FAPI_ROUTES, ...platformRoutes('app')].map((route) => route.operationId).sort();
    const succeeded = new Set(served().filter((request) => request.status < 300).map((request) => request.operation_id));
    expect(implemented.filter((operation) => !succeeded.has(operation))).toEqual([]);
  });

  it('every request src/clerk sent validates against the request schema', () => {
    const sent = served().filter((request) => request.headers[NEGATIVE] === undefined);
    expect(sent.length).toBeGreaterThan(25);
    const failures: string[] = [];
    for (const request of sent) {
      const result = validators[request.api as keyof Validators].validateRequest(
        { method: request.method, path: request.path, query: request.query, headers: request.headers, ...(request.body === undefined ? {} : { body: request.body }) },
        request.operation_id,
      );
      if (!result.valid) failures.push(`${request.method} ${request.path}: ${JSON.stringify(result.errors)}`);
    }
    expect(failures).toEqual([]);
  });

  // openapi-backend accepts `keys=a,b` as the one-item array ["a,b"], so request validation alone
  // cannot tell a joined list from repeated parameters: check the wire form against style/explode.
  it.each(['PlatformGetConfig', 'PlatformGetConfigSchema'])('%s: the keys array goes on the wire as the spec\'s style and explode say', (operationId) => {
    const operation = validators.platform.getOperation(operationId) as { parameters?: { name: string; in: string; style?: string; explode?: boolean; schema?: { type?: string } }[] } | undefined;
    const parameter = operation?.parameters?.find((candidate) => candidate.name === 'keys' && candidate.in === 'query');
    expect(parameter?.schema?.type).toBe('array');
    const style = parameter?.style ?? 'form';
    const explode = parameter?.explode ?? style === 'form';
    expect(style).toBe('form');
    const expected = explode ? [...TWO_KEYS] : TWO_KEYS.join(',');
    const sent = served().filter((request) => request.operation_id === operationId && request.headers[NEGATIVE] === undefined && JSON.stringify(request.query.keys ?? '').includes(TWO_KEYS[1]));
    expect(sent.length).toBeGreaterThan(0);
    for (const request of sent) expect(request.query.keys).toEqual(expected);
  });

  it('every emulator response validates against the response schema of its status', () => {
    const failures: string[] = [];
    const statuses = new Set<number>();
    for (const request of served()) {
      statuses.add(request.status);
      const validator = validators[request.api as keyof Validators];
      const operation = validator.getOperation(request.operation_id!);
      const declared = operation?.responses?.[String(request.status)];
      if (!declared) {
        failures.push(`${request.operation_id} answered ${request.status}, which the spec does not declare`);
        continue;
      }
      if (request.response === undefined) continue;
      let result: ReturnType<typeof validator.validateResponse>;
      // The one known spec gap: ListJWTTemplates declares a bare array, but with paginated=true
      // (what @clerk/backend's JwtTemplatesApi.list sends) Clerk answers {data, total_count}:
      // the envelope is checked here and its items against the spec's array.
      let body = request.response;
      if (request.operation_id === 'ListJWTTemplates' && request.query.paginated === 'true') {
        const envelope = body as { data?: unknown; total_count?: unknown };
        if (!Array.isArray(envelope.data) || typeof envelope.total_count !== 'number') failures.push('ListJWTTemplates?paginated=true: expected {data, total_count}');
        body = envelope.data as typeof body;
      }
      try {
        result = validator.validateResponse(body, request.operation_id!, request.status);
      } catch (error) {
        // The spec puts `nullable: true` beside `allOf` without a `type` (RoleSet.default_role,
        // creator_role), which ajv refuses to compile; those answers are held to src/clerk's
        // answer schema (ANSWERS.roleSet, contract-checked above) instead.
        if (UNCOMPILABLE_RESPONSES.includes(request.operation_id!) && /nullable/.test(String(error))) continue;
        throw error;
      }
      if (!result.valid) failures.push(`${request.operation_id} ${request.status}: ${JSON.stringify(result.errors)}`);
    }
    expect(failures).toEqual([]);
    // Error shapes were exercised too, not only the happy path.
    for (const status of [200, 204, 400, 401, 404, 409, 422]) expect(statuses).toContain(status);
  });
});

/** Drives every read and write through src/clerk, plus deliberate errors through raw HTTP. */
async function exercise(api: ClerkApi, emulator: RunningEmulator, loaded: ReturnType<typeof loadBaselineFile>): Promise<void> {
  await exportLive(loaded, { env: emulator.env() });

  await writeInstance(api, { allowed_origins: ['https://app.example.com', 'https://admin.example.com'], test_mode: false, hibp: true });
  await writeRestrictions(api, { allowlist: false, blocklist: true, allowlist_blocklist_disabled_on_sign_in: true, block_email_subaddresses: true, block_disposable_email_domains: true });
  await writeProtect(api, { rules_enabled: true, specter_enabled: true });
  await writeCommunication(api, { blocked_country_codes: ['KP', 'IR', 'SY'] });

  await api.createOrganizationPermission({ key: 'org:reports:read', name: 'Read reports', description: 'See reports' });
  await api.updateOrganizationPermission('org:reports:read', { name: 'Read all reports' });
  await api.createOrganizationRole({ key: 'org:analyst', name: 'Analyst', description: 'Reads reports', permissions: ['org:reports:read'] });
  await api.updateOrganizationRole('org:analyst', { name: 'Data analyst', permissions: ['org:reports:read', 'org:billing:manage'] });
  await api.removePermissionFromRole('org:analyst', 'org:billing:manage');
  await api.assignPermissionToRole('org:analyst', 'org:billing:manage');
  await writeOrganizationSettings(api, { enabled: true, max_allowed_memberships: 25, domains_enrollment_modes: ['manual_invitation'], creator_role: 'org:admin', domains_default_role: 'org:analyst' });
  await writeOrganizationSettings(api, { domains_default_role: 'org:member' });
  await api.deleteOrganizationRole('org:analyst');
  await api.deleteOrganizationPermission('org:reports:read');

  vi.stubEnv('CONTRACT_SIGNING_KEY', 'contract-test-hs256-secret-value');
  const created = await writeJwtTemplate(api, 'convex', { claims: { aud: 'convex' }, lifetime: 60, allowed_clock_skew: 5 });
  await writeJwtTemplate(api, 'convex', { claims: { aud: 'convex', email: '{{user.primary_email_address}}' }, lifetime: 120, signing_algorithm: 'HS256', custom_signing_key: true }, { signingKeyEnv: 'CONTRACT_SIGNING_KEY' });
  await api.deleteJwtTemplate(created.id);

  await api.getPlatformConfigSchema();
  await api.getPlatformConfigSchema(['session']);
  await api.getPlatformConfigSchema([...TWO_KEYS]);
  await api.getPlatformConfig([...TWO_KEYS]);
  await writeSession(api, { maximum_lifetime_minutes: 1440 });
  const config = await api.getPlatformConfig();
  await api.patchPlatformConfig({ session: { lifetime: 86400 } }, { configVersion: config!.config_version!, dryRun: true });
  await api.listDomains();
  await api.getOAuthApplicationSettings();
  await api.updateOAuthApplicationSettings({ dynamic_oauth_client_registration: false, client_id_metadata_documents_only_allow_pre_registered_clients: true });
  await api.listRoleSets();
  // Discovery: the workspace through src/clerk (never with include_secret_keys), and with it raw.
  const workspace = await createClerkApi(workspaceConnectionFromEnv(emulator.env())).listPlatformApplications();
  expect(workspace.map((application) => application.name)).toEqual(['Shop', 'Billing', 'No instances yet']);
  expect(JSON.stringify(workspace)).not.toContain('sk_');

  // Raw calls for the operations src/clerk never sends and for error answers.
  const bapi = emulator.bapi_url;
  const auth = { Authorization: `Bearer ${emulator.secret_key}`, 'Content-Type': 'application/json' };
  const platformAuth = { Authorization: `Bearer ${emulator.platform_api_key}`, 'Content-Type': 'application/json' };
  const configUrl = `${bapi}/v1/platform/applications/${emulator.application_id}/instances/production/config`;
  const roles = (await (await fetch(`${bapi}/v1/organization_roles?limit=1&offset=1`, { headers: auth })).json()) as { data: { id: string }[] };
  const permissions = (await (await fetch(`${bapi}/v1/organization_permissions?limit=2`, { headers: auth })).json()) as { data: { id: string }[] };
  await fetch(`${bapi}/v1/organization_roles/${roles.data[0]!.id}`, { headers: auth });
  await fetch(`${bapi}/v1/organization_permissions/${permissions.data[0]!.id}`, { headers: auth });
  const templates = (await (await fetch(`${bapi}/v1/jwt_templates`, { headers: auth })).json()) as { id: string }[];
  await fetch(`${bapi}/v1/jwt_templates/${templates[0]!.id}`, { headers: auth });
  await fetch(`${bapi}/v1/jwks`, { headers: auth });
  await fetch(`${bapi}/v1/platform/applications?include_secret_keys=true`, { headers: platformAuth });
  await fetch(`${bapi}/v1/organization_roles?order_by=name&query=admin`, { headers: auth });
  const current = (await (await fetch(configUrl, { headers: platformAuth })).json()) as Record<string, unknown>;
  const { config_version: version, ...keys } = current;
  await fetch(`${configUrl}?dry_run=true`, { method: 'PUT', headers: { ...platformAuth, 'If-Match': String(version) }, body: JSON.stringify({ ...keys, session: { lifetime: 604800, inactivity_timeout: 1800 } }) });

  const negative = { [NEGATIVE]: '1' };
  await fetch(`${bapi}/v1/organization_roles`, { headers: { ...negative, Authorization: 'Bearer sk_live_wrong' } });
  await fetch(`${bapi}/v1/organization_roles/role_missing`, { headers: { ...auth, ...negative } });
  await fetch(`${bapi}/v1/jwt_templates/${templates[0]!.id}`, { method: 'PATCH', headers: { ...auth, ...negative }, body: JSON.stringify({ name: 'supabase', claims: {}, lifetime: 5 }) });
  await fetch(configUrl, { method: 'PATCH', headers: { ...platformAuth, ...negative, 'If-Match': '1' }, body: JSON.stringify({ session: { lifetime: 600 } }) });
  await fetch(configUrl, { method: 'PUT', headers: { ...platformAuth, ...negative }, body: JSON.stringify({ session: { lifetime: 600 } }) });
  await fetch(`${configUrl}?destructive=true`, { method: 'PATCH', headers: { ...platformAuth, ...negative }, body: JSON.stringify({ session: { lifetime: null, inactivity_timeout: null } }) });
  await fetch(`${bapi}/v1/organization_roles`, { method: 'POST', headers: { ...auth, ...negative }, body: JSON.stringify({ name: 'X', key: 'org:x', colour: 'red' }) });
  await fetch(`${bapi}/v1/instance/organization_settings`, { method: 'PATCH', headers: { ...auth, ...negative }, body: JSON.stringify({ creator_role_id: 'org:admin' }) });
}
