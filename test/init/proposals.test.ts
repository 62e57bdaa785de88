/**
 * Proposed hardened values, table-driven: for each weak setting, the value init proposes, where
 * it is applied, and that the proposal really makes its rule pass (re-evaluated, not assumed).
 */
import { describe, expect, test } from 'vitest';
import type { Profile } from '../../src/baseline/schema';
import { evaluateSettings } from '../../src/checklist/index';
import type { RuleContext } from '../../src/checklist/types';
import { proposeHardening } from '../../src/init/proposals';
import type { Settings } from '../../src/settings/model';
import { formatPath, isUnder, parsePath } from '../../src/settings/paths';

const context = (profile: Profile = 'saas', environmentType: 'production' | 'development' = 'production'): RuleContext => ({
  environment: 'production',
  environmentType,
  profile,
  mode: 'baseline',
  today: '2026-11-26',
});

const cases: { name: string; settings: Settings; profile?: Profile; rule: string; path: string; proposed: unknown; apply: string }[] = [
  { name: 'test mode on in production', settings: { instance: { test_mode: true } }, rule: 'keys-production-live', path: 'instance.test_mode', proposed: false, apply: 'pulumi' },
  { name: 'test keys expected in production', settings: { keys: { expected_environment: 'test' } }, rule: 'keys-production-live', path: 'keys.expected_environment', proposed: 'live', apply: 'keys' },
  { name: 'MFA not required (saas)', settings: { sign_in: { second_factor: { required: false } } }, rule: 'keys-production-live', path: 'sign_in.second_factor.required', proposed: true, apply: 'dashboard' },
  { name: 'unverified email at sign-up', settings: { sign_up: { email_verification_required: false } }, rule: 'keys-production-live', path: 'sign_up.email_verification_required', proposed: true, apply: 'dashboard' },
  {
    name: 'wildcard, localhost and path origins',
    settings: { instance: { allowed_origins: ['https://*.example.com', 'http://localhost:3000', 'https://app.example.com/app', 'https://www.example.com'] } },
    rule: 'origins-exact-allowlist',
    path: 'instance.allowed_origins',
    proposed: ['https://app.example.com', 'https://www.example.com'],
    apply: 'pulumi',
  },
  { name: 'only bad origins: the list empties, which only the dashboard can do', settings: { instance: { allowed_origins: ['https://*.example.com'] } }, rule: 'origins-exact-allowlist', path: 'instance.allowed_origins', proposed: [], apply: 'dashboard' },
  { name: 'a plain-http proxy', settings: { instance: { allowed_origins: [], domains: { 'example.com': { is_satellite: false, proxy_url: 'http://proxy.example.com/__clerk' } } } }, rule: 'origins-exact-allowlist', path: 'instance.domains["example.com"].proxy_url', proposed: 'https://proxy.example.com/__clerk', apply: 'dashboard' },
  { name: 'open OAuth client registration', settings: { oauth_application_settings: { dynamic_oauth_client_registration: true } }, rule: 'origins-exact-allowlist', path: 'oauth_application_settings.dynamic_oauth_client_registration', proposed: false, apply: 'pulumi' },
  { name: 'long inactivity timeout (banking)', settings: { session: { inactivity_timeout_minutes: 60 } }, profile: 'banking', rule: 'session-inactivity-timeout', path: 'session.inactivity_timeout_minutes', proposed: 10, apply: 'dashboard' },
  { name: 'long maximum lifetime (saas)', settings: { session: { maximum_lifetime_minutes: 43200 } }, rule: 'session-inactivity-timeout', path: 'session.maximum_lifetime_minutes', proposed: 10080, apply: 'pulumi' },
  { name: 'partitioned cookies', settings: { session: { partitioned_cookies: true } }, rule: 'session-cookie-samesite', path: 'session.partitioned_cookies', proposed: false, apply: 'dashboard' },
  {
    name: 'domain enrollment into admin',
    settings: { organizations: { settings: { enabled: true, domains_enabled: true, domains_enrollment_modes: ['automatic_invitation'], domains_default_role: 'org:admin' } } },
    rule: 'org-role-checks',
    path: 'organizations.settings.domains_default_role',
    proposed: 'org:member',
    apply: 'pulumi',
  },
  {
    name: 'a role set defaulting to admin',
    settings: { organizations: { role_sets: { 'role_set:default': { name: 'Default', roles: ['org:admin', 'org:member'], default_role: 'org:admin' } } } },
    rule: 'org-role-checks',
    path: 'organizations.role_sets["role_set:default"].default_role',
    proposed: 'org:member',
    apply: 'dashboard',
  },
  {
    name: 'PII claims, nested too',
    settings: { jwt_templates: { supabase: { claims: { aud: 'authenticated', Email: '{{user.primary_email_address}}', app: { contact: '{{user.primary_phone_number}}', plan: 'pro' } }, lifetime: 60 } } },
    rule: 'jwt-claims-minimal',
    path: 'jwt_templates.supabase.claims',
    proposed: { aud: 'authenticated', app: { plan: 'pro' } },
    apply: 'pulumi',
  },
  { name: 'a long-lived JWT', settings: { jwt_templates: { api: { claims: { aud: 'api' }, lifetime: 3600 } } }, rule: 'jwt-short-lifetime', path: 'jwt_templates.api.lifetime', proposed: 60, apply: 'pulumi' },
  { name: 'lockout off', settings: { attack_protection: { user_lockout: { enabled: false } } }, rule: 'monitoring-failed-login-alerts', path: 'attack_protection.user_lockout.enabled', proposed: true, apply: 'dashboard' },
  { name: 'too many attempts (banking)', settings: { attack_protection: { user_lockout: { enabled: true, max_attempts: 10 } } }, profile: 'banking', rule: 'monitoring-failed-login-alerts', path: 'attack_protection.user_lockout.max_attempts', proposed: 5, apply: 'dashboard' },
  { name: 'enumeration protection off', settings: { attack_protection: { enumeration_protection: { enabled: false } } }, rule: 'monitoring-failed-login-alerts', path: 'attack_protection.enumeration_protection.enabled', proposed: true, apply: 'dashboard' },
  { name: 'open sign-up without CAPTCHA', settings: { sign_up: { mode: 'public', captcha_enabled: false } }, rule: 'monitoring-failed-login-alerts', path: 'sign_up.captcha_enabled', proposed: true, apply: 'dashboard' },
  { name: 'HIBP off', settings: { instance: { hibp: false } }, rule: 'monitoring-failed-login-alerts', path: 'instance.hibp', proposed: true, apply: 'pulumi' },
  { name: 'short passwords (banking)', settings: { password_settings: { min_length: 8 } }, profile: 'banking', rule: 'monitoring-failed-login-alerts', path: 'password_settings.min_length', proposed: 12, apply: 'dashboard' },
];

describe('proposed hardened values', () => {
  test.each(cases)('$name → $path = $proposed ($apply), and the rule then passes there', ({ settings, profile, rule, path, proposed, apply }) => {
    const { proposals, hardened } = proposeHardening(settings, context(profile));
    const proposal = proposals.find((entry) => entry.rule === rule && formatPath(entry.path) === path);
    expect(proposal, JSON.stringify(proposals.map((entry) => `${entry.rule} ${formatPath(entry.path)}`))).toBeDefined();
    expect(proposal!.proposed).toEqual(proposed);
    expect(proposal!.apply).toBe(apply);
    expect(proposal!.current).toEqual(settingsAt(settings, proposal!.path));
    // Re-evaluated: the rule failed at (or under) that path today, and no longer does.
    const failingAt = (value: Settings) =>
      evaluateSettings(value, context(profile)).filter((finding) => finding.status === 'fail' && finding.rule === rule && finding.path !== '' && isUnder(parsePath(finding.path).slice(1), path));
    expect(failingAt(settings).length).toBeGreaterThan(0);
    expect(failingAt(hardened)).toEqual([]);
    // Today's settings are not touched.
    expect(settingsAt(settings, proposal!.path)).not.toEqual(proposed);
  });

  test('runs to a fixpoint: lockout turned on reveals too many attempts, proposed in the same run', () => {
    const { proposals, hardened } = proposeHardening({ attack_protection: { user_lockout: { enabled: false, max_attempts: 50 } } }, context('saas'));
    expect(proposals.map((proposal) => formatPath(proposal.path))).toEqual(['attack_protection.user_lockout.enabled', 'attack_protection.user_lockout.max_attempts']);
    expect(hardened.attack_protection?.user_lockout).toEqual({ enabled: true, max_attempts: 10 });
  });

  test('what only a person knows gets advice, no value: an audience, a production instance', () => {
    const { proposals, hardened } = proposeHardening(
      { instance: { environment_type: 'development' }, jwt_templates: { worker: { claims: { org: '{{org.id}}' }, lifetime: 60 } }, webhooks: { endpoints: { 'https://app.example.com/hooks': { events: ['user.created'] } } } },
      context('saas'),
    );
    const advice = proposals.filter((proposal) => proposal.proposed === undefined).map((proposal) => [proposal.rule, formatPath(proposal.path), proposal.advice]);
    expect(advice).toEqual([
      ['keys-production-live', 'instance.environment_type', expect.stringContaining('a production baseline governs a production instance')],
      ['webhook-user-deleted-pii', 'webhooks.endpoints', expect.stringContaining('Subscribe an endpoint to user.deleted')],
      ['jwt-audience-claim', 'jwt_templates.worker.claims', expect.stringContaining('add an "aud" claim naming the service')],
    ]);
    expect(hardened.jwt_templates).toEqual({ worker: { claims: { org: '{{org.id}}' }, lifetime: 60 } });
  });

  test('profiles: consumer accepts what banking hardens', () => {
    const settings: Settings = { session: { maximum_lifetime_minutes: 1440 }, attack_protection: { user_lockout: { enabled: true, max_attempts: 8 } }, sign_in: { second_factor: { required: false } }, password_settings: { min_length: 8 } };
    expect(proposeHardening(settings, context('consumer')).proposals).toEqual([]);
    expect(proposeHardening(settings, context('banking')).proposals.map((proposal) => [proposal.rule, formatPath(proposal.path), proposal.proposed])).toEqual([
      ['keys-production-live', 'sign_in.second_factor.required', true],
      ['session-inactivity-timeout', 'session.maximum_lifetime_minutes', 720],
      ['monitoring-failed-login-alerts', 'attack_protection.user_lockout.max_attempts', 5],
      ['monitoring-failed-login-alerts', 'password_settings.min_length', 12],
    ]);
  });

  test('keys are data: a template named __proto__ is proposed for, and nothing reaches Object.prototype', () => {
    const templates = JSON.parse('{"__proto__": {"claims": {"aud": "x", "email": "{{user.primary_email_address}}"}, "lifetime": 600}}') as NonNullable<Settings['jwt_templates']>;
    const { proposals, hardened } = proposeHardening({ jwt_templates: templates }, context('saas'));
    expect(proposals.map((proposal) => formatPath(proposal.path)).sort()).toEqual(['jwt_templates.__proto__.claims', 'jwt_templates.__proto__.lifetime']);
    expect(Object.prototype.hasOwnProperty.call(hardened.jwt_templates, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).lifetime).toBeUndefined();
  });
});

function settingsAt(settings: Settings, path: readonly (string | number)[]): unknown {
  let node: unknown = settings;
  for (const segment of path) node = node !== null && typeof node === 'object' && Object.prototype.hasOwnProperty.call(node, segment) ? (node as Record<string, unknown>)[segment as string] : undefined;
  return node;
}
