import { describe, expect, test } from 'vitest';
import { diffSettings } from '../../src/drift/index';
import type { Direction } from '../../src/drift/types';
import type { Severity } from '../../src/checklist/types';
import type { Settings } from '../../src/settings/model';

interface Row {
  name: string;
  before: Settings;
  after: Settings;
  path: string;
  direction: Direction;
  severity: Severity;
  items: number[];
}

const template = (claims: Record<string, unknown>, lifetime = 60, extra: Record<string, unknown> = {}) => ({ jwt_templates: { supabase: { claims, lifetime, ...extra } } }) as Settings;

const ROWS: Row[] = [
  { name: 'longer inactivity timeout', before: { session: { inactivity_timeout_minutes: 30 } }, after: { session: { inactivity_timeout_minutes: 10080 } }, path: 'settings.session.inactivity_timeout_minutes', direction: 'weakening', severity: 'high', items: [5] },
  { name: 'shorter inactivity timeout', before: { session: { inactivity_timeout_minutes: 30 } }, after: { session: { inactivity_timeout_minutes: 10 } }, path: 'settings.session.inactivity_timeout_minutes', direction: 'strengthening', severity: 'low', items: [5] },
  { name: 'longer maximum lifetime', before: { session: { maximum_lifetime_minutes: 720 } }, after: { session: { maximum_lifetime_minutes: 43200 } }, path: 'settings.session.maximum_lifetime_minutes', direction: 'weakening', severity: 'high', items: [5] },
  { name: 'extra origin', before: { instance: { allowed_origins: ['https://a.example.com'] } }, after: { instance: { allowed_origins: ['https://a.example.com', 'https://b.example.com'] } }, path: 'settings.instance.allowed_origins["https://b.example.com"]', direction: 'weakening', severity: 'high', items: [3] },
  { name: 'wildcard origin', before: { instance: { allowed_origins: ['https://a.example.com'] } }, after: { instance: { allowed_origins: ['https://a.example.com', 'https://*.example.com'] } }, path: 'settings.instance.allowed_origins["https://*.example.com"]', direction: 'weakening', severity: 'critical', items: [3] },
  { name: 'origin removed', before: { instance: { allowed_origins: ['https://a.example.com', 'https://b.example.com'] } }, after: { instance: { allowed_origins: ['https://a.example.com'] } }, path: 'settings.instance.allowed_origins["https://b.example.com"]', direction: 'strengthening', severity: 'low', items: [3] },
  { name: 'test mode on in production', before: { instance: { test_mode: false } }, after: { instance: { test_mode: true } }, path: 'settings.instance.test_mode', direction: 'weakening', severity: 'critical', items: [2] },
  { name: 'test mode off', before: { instance: { test_mode: true } }, after: { instance: { test_mode: false } }, path: 'settings.instance.test_mode', direction: 'strengthening', severity: 'low', items: [2] },
  { name: 'HIBP off', before: { instance: { hibp: true } }, after: { instance: { hibp: false } }, path: 'settings.instance.hibp', direction: 'weakening', severity: 'medium', items: [2] },
  { name: 'environment type flipped to development', before: { instance: { environment_type: 'production' } }, after: { instance: { environment_type: 'development' } }, path: 'settings.instance.environment_type', direction: 'weakening', severity: 'critical', items: [2] },
  { name: 'revoke-on event removed', before: { session: { revoke_on: ['password_change', 'email_change'] } }, after: { session: { revoke_on: ['password_change'] } }, path: 'settings.session.revoke_on["email_change"]', direction: 'weakening', severity: 'high', items: [6] },
  { name: 'revoke-on event added', before: { session: { revoke_on: ['password_change'] } }, after: { session: { revoke_on: ['password_change', 'mfa_removal'] } }, path: 'settings.session.revoke_on["mfa_removal"]', direction: 'strengthening', severity: 'low', items: [6] },
  { name: 'cookie SameSite none', before: { session: { cookie_same_site: 'lax' } }, after: { session: { cookie_same_site: 'none' } }, path: 'settings.session.cookie_same_site', direction: 'weakening', severity: 'high', items: [8] },
  { name: 'cookie SameSite strict', before: { session: { cookie_same_site: 'lax' } }, after: { session: { cookie_same_site: 'strict' } }, path: 'settings.session.cookie_same_site', direction: 'strengthening', severity: 'low', items: [8] },
  { name: 'lockout off', before: { attack_protection: { user_lockout: { enabled: true } } }, after: { attack_protection: { user_lockout: { enabled: false } } }, path: 'settings.attack_protection.user_lockout.enabled', direction: 'weakening', severity: 'high', items: [19] },
  { name: 'more lockout attempts', before: { attack_protection: { user_lockout: { enabled: true, max_attempts: 5 } } }, after: { attack_protection: { user_lockout: { enabled: true, max_attempts: 50 } } }, path: 'settings.attack_protection.user_lockout.max_attempts', direction: 'weakening', severity: 'medium', items: [19] },
  { name: 'shorter lockout', before: { attack_protection: { user_lockout: { enabled: true, duration_in_minutes: 60 } } }, after: { attack_protection: { user_lockout: { enabled: true, duration_in_minutes: 5 } } }, path: 'settings.attack_protection.user_lockout.duration_in_minutes', direction: 'weakening', severity: 'medium', items: [19] },
  { name: 'lockout block removed', before: { attack_protection: { user_lockout: { enabled: true } } }, after: { attack_protection: {} }, path: 'settings.attack_protection.user_lockout', direction: 'weakening', severity: 'high', items: [19] },
  { name: 'enumeration protection off', before: { attack_protection: { enumeration_protection: { enabled: true } } }, after: { attack_protection: { enumeration_protection: { enabled: false } } }, path: 'settings.attack_protection.enumeration_protection.enabled', direction: 'weakening', severity: 'medium', items: [] },
  { name: 'dynamic OAuth client registration on', before: { oauth_application_settings: { dynamic_oauth_client_registration: false } }, after: { oauth_application_settings: { dynamic_oauth_client_registration: true } }, path: 'settings.oauth_application_settings.dynamic_oauth_client_registration', direction: 'weakening', severity: 'high', items: [3] },
  { name: 'a satellite domain added', before: { instance: { domains: { 'example.com': { is_satellite: false } } } }, after: { instance: { domains: { 'example.com': { is_satellite: false }, 'eu.example.com': { is_satellite: true } } } }, path: 'settings.instance.domains["eu.example.com"]', direction: 'neutral', severity: 'low', items: [3] },
  { name: 'email verification at sign-up off', before: { sign_up: { email_verification_required: true } }, after: { sign_up: { email_verification_required: false } }, path: 'settings.sign_up.email_verification_required', direction: 'weakening', severity: 'high', items: [2] },
  { name: 'an OAuth provider skips the sign-up CAPTCHA', before: { sign_up: { captcha_oauth_bypass: [] } }, after: { sign_up: { captcha_oauth_bypass: ['oauth_google'] } }, path: 'settings.sign_up.captcha_oauth_bypass["oauth_google"]', direction: 'weakening', severity: 'medium', items: [19] },
  { name: 'partitioned cookies on', before: { session: { partitioned_cookies: false } }, after: { session: { partitioned_cookies: true } }, path: 'settings.session.partitioned_cookies', direction: 'weakening', severity: 'medium', items: [8] },
  { name: 'a role set now defaults to admin', before: { organizations: { role_sets: { 'role_set:default': { name: 'Default', roles: ['org:admin', 'org:member'], default_role: 'org:member' } } } }, after: { organizations: { role_sets: { 'role_set:default': { name: 'Default', roles: ['org:admin', 'org:member'], default_role: 'org:admin' } } } }, path: 'settings.organizations.role_sets["role_set:default"].default_role', direction: 'weakening', severity: 'high', items: [14] },
  { name: 'a raw Platform config field without a known meaning', before: { platform_config: { captcha: { widget_type: 'smart' } } }, after: { platform_config: { captcha: { widget_type: 'invisible' } } }, path: 'settings.platform_config.captcha.widget_type', direction: 'neutral', severity: 'low', items: [] },
  { name: 'a longer raw session.lifetime', before: { platform_config: { session: { lifetime: 3600 } } }, after: { platform_config: { session: { lifetime: 604800 } } }, path: 'settings.platform_config.session.lifetime', direction: 'weakening', severity: 'high', items: [5] },
  { name: 'MFA off', before: { sign_in: { second_factor: { required: true } } }, after: { sign_in: { second_factor: { required: false } } }, path: 'settings.sign_in.second_factor.required', direction: 'weakening', severity: 'high', items: [] },
  { name: 'MFA on', before: { sign_in: { second_factor: { required: false } } }, after: { sign_in: { second_factor: { required: true } } }, path: 'settings.sign_in.second_factor.required', direction: 'strengthening', severity: 'low', items: [] },
  { name: 'CAPTCHA off', before: { sign_up: { captcha_enabled: true } }, after: { sign_up: { captcha_enabled: false } }, path: 'settings.sign_up.captcha_enabled', direction: 'weakening', severity: 'medium', items: [19] },
  { name: 'sign-up opened to the public', before: { sign_up: { mode: 'restricted' } }, after: { sign_up: { mode: 'public' } }, path: 'settings.sign_up.mode', direction: 'weakening', severity: 'medium', items: [] },
  { name: 'shorter minimum password', before: { password_settings: { min_length: 12 } }, after: { password_settings: { min_length: 8 } }, path: 'settings.password_settings.min_length', direction: 'weakening', severity: 'medium', items: [] },
  { name: 'password max length (cosmetic)', before: { password_settings: { max_length: 72 } }, after: { password_settings: { max_length: 100 } }, path: 'settings.password_settings.max_length', direction: 'neutral', severity: 'low', items: [] },
  { name: 'special characters no longer required', before: { password_settings: { require_special_char: true } }, after: { password_settings: { require_special_char: false } }, path: 'settings.password_settings.require_special_char', direction: 'weakening', severity: 'low', items: [] },
  { name: 'blocked country removed', before: { communication: { blocked_country_codes: ['KP', 'IR'] } }, after: { communication: { blocked_country_codes: ['KP'] } }, path: 'settings.communication.blocked_country_codes["IR"]', direction: 'weakening', severity: 'medium', items: [] },
  { name: 'disposable email domains allowed', before: { restrictions: { block_disposable_email_domains: true } }, after: { restrictions: { block_disposable_email_domains: false } }, path: 'settings.restrictions.block_disposable_email_domains', direction: 'weakening', severity: 'medium', items: [] },
  { name: 'bot rules off', before: { protect: { rules_enabled: true } }, after: { protect: { rules_enabled: false } }, path: 'settings.protect.rules_enabled', direction: 'weakening', severity: 'medium', items: [19] },
  { name: 'PII claim added', before: template({ aud: 'x' }), after: template({ aud: 'x', email: '{{user.primary_email_address}}' }), path: 'settings.jwt_templates.supabase.claims.email', direction: 'weakening', severity: 'high', items: [16] },
  { name: 'PII shortcode under an innocent name', before: template({ aud: 'x' }), after: template({ aud: 'x', contact: '{{user.primary_phone_number}}' }), path: 'settings.jwt_templates.supabase.claims.contact', direction: 'weakening', severity: 'high', items: [16] },
  { name: 'PII claim removed', before: template({ aud: 'x', phone: '{{user.primary_phone_number}}' }), after: template({ aud: 'x' }), path: 'settings.jwt_templates.supabase.claims.phone', direction: 'strengthening', severity: 'low', items: [16] },
  // Receivers trust every claim: an unreviewed one is weakening (medium), not neutral.
  { name: 'unknown claim added', before: template({ aud: 'x' }), after: template({ aud: 'x', org_slug: '{{org.slug}}' }), path: 'settings.jwt_templates.supabase.claims.org_slug', direction: 'weakening', severity: 'medium', items: [16] },
  { name: 'static privilege claim added', before: template({ aud: 'x' }), after: template({ aud: 'x', role: 'admin' }), path: 'settings.jwt_templates.supabase.claims.role', direction: 'weakening', severity: 'medium', items: [16] },
  { name: 'claim value changed', before: template({ aud: 'x', role: '{{org.role}}' }), after: template({ aud: 'x', role: 'admin' }), path: 'settings.jwt_templates.supabase.claims.role', direction: 'weakening', severity: 'medium', items: [16] },
  { name: 'non-PII claim removed', before: template({ aud: 'x', org_slug: '{{org.slug}}' }), after: template({ aud: 'x' }), path: 'settings.jwt_templates.supabase.claims.org_slug', direction: 'neutral', severity: 'low', items: [16] },
  { name: 'audience claim removed', before: template({ aud: 'x', sub: '{{user.id}}' }), after: template({ sub: '{{user.id}}' }), path: 'settings.jwt_templates.supabase.claims.aud', direction: 'weakening', severity: 'high', items: [18] },
  { name: 'audience changed', before: template({ aud: 'x' }), after: template({ aud: 'y' }), path: 'settings.jwt_templates.supabase.claims.aud', direction: 'weakening', severity: 'medium', items: [18] },
  { name: 'longer JWT lifetime', before: template({ aud: 'x' }, 60), after: template({ aud: 'x' }, 3600), path: 'settings.jwt_templates.supabase.lifetime', direction: 'weakening', severity: 'high', items: [17] },
  { name: 'shorter JWT lifetime', before: template({ aud: 'x' }, 3600), after: template({ aud: 'x' }, 60), path: 'settings.jwt_templates.supabase.lifetime', direction: 'strengthening', severity: 'low', items: [17] },
  { name: 'more clock skew', before: template({ aud: 'x' }, 60, { allowed_clock_skew: 5 }), after: template({ aud: 'x' }, 60, { allowed_clock_skew: 120 }), path: 'settings.jwt_templates.supabase.allowed_clock_skew', direction: 'weakening', severity: 'low', items: [17] },
  { name: 'signing algorithm (no direction)', before: template({ aud: 'x' }, 60, { signing_algorithm: 'RS256' }), after: template({ aud: 'x' }, 60, { signing_algorithm: 'ES256' }), path: 'settings.jwt_templates.supabase.signing_algorithm', direction: 'neutral', severity: 'low', items: [16] },
  { name: 'risky template added', before: { jwt_templates: {} }, after: template({ email: '{{user.primary_email_address}}' }, 3600), path: 'settings.jwt_templates.supabase', direction: 'weakening', severity: 'high', items: [16, 17, 18] },
  { name: 'tight template added (a new token type: still weakening)', before: { jwt_templates: {} }, after: template({ aud: 'svc' }, 60), path: 'settings.jwt_templates.supabase', direction: 'weakening', severity: 'medium', items: [16, 17, 18] },
  { name: 'user.deleted unsubscribed', before: { webhooks: { endpoints: { 'https://h.example.com/w': { events: ['user.created', 'user.deleted'] } } } }, after: { webhooks: { endpoints: { 'https://h.example.com/w': { events: ['user.created'] } } } }, path: 'settings.webhooks.endpoints["https://h.example.com/w"].events["user.deleted"]', direction: 'weakening', severity: 'high', items: [12] },
  { name: 'other event added', before: { webhooks: { endpoints: { 'https://h.example.com/w': { events: ['user.created'] } } } }, after: { webhooks: { endpoints: { 'https://h.example.com/w': { events: ['user.created', 'session.ended'] } } } }, path: 'settings.webhooks.endpoints["https://h.example.com/w"].events["session.ended"]', direction: 'neutral', severity: 'low', items: [12] },
  { name: 'new webhook endpoint', before: { webhooks: { endpoints: {} } }, after: { webhooks: { endpoints: { 'https://x.example.net/hook': { events: ['user.created'] } } } }, path: 'settings.webhooks.endpoints["https://x.example.net/hook"]', direction: 'weakening', severity: 'medium', items: [9, 12] },
  { name: 'permission granted to a role', before: { organizations: { roles: { 'org:billing': { name: 'B', permissions: [] } } } }, after: { organizations: { roles: { 'org:billing': { name: 'B', permissions: ['org:sys_memberships:manage'] } } } }, path: 'settings.organizations.roles["org:billing"].permissions["org:sys_memberships:manage"]', direction: 'weakening', severity: 'medium', items: [14] },
  { name: 'admin as domain default role', before: { organizations: { settings: { domains_default_role: 'org:member' } } }, after: { organizations: { settings: { domains_default_role: 'org:admin' } } }, path: 'settings.organizations.settings.domains_default_role', direction: 'weakening', severity: 'high', items: [14] },
  { name: 'automatic domain invitations', before: { organizations: { settings: { domains_enrollment_modes: ['manual_invitation'] } } }, after: { organizations: { settings: { domains_enrollment_modes: ['manual_invitation', 'automatic_invitation'] } } }, path: 'settings.organizations.settings.domains_enrollment_modes["automatic_invitation"]', direction: 'weakening', severity: 'medium', items: [13] },
  { name: 'membership cap (cosmetic)', before: { organizations: { settings: { max_allowed_memberships: 5 } } }, after: { organizations: { settings: { max_allowed_memberships: 10 } } }, path: 'settings.organizations.settings.max_allowed_memberships', direction: 'neutral', severity: 'low', items: [13] },
  { name: 'role description (cosmetic)', before: { organizations: { roles: { 'org:b': { name: 'B', description: 'one', permissions: [] } } } }, after: { organizations: { roles: { 'org:b': { name: 'B', description: 'two', permissions: [] } } } }, path: 'settings.organizations.roles["org:b"].description', direction: 'neutral', severity: 'low', items: [14] },
  { name: 'test keys expected', before: { keys: { expected_environment: 'live' } }, after: { keys: { expected_environment: 'test' } }, path: 'settings.keys.expected_environment', direction: 'weakening', severity: 'critical', items: [2] },
  { name: 'attestation removed', before: { practices: { jwt_claims_reviewed: { attested_by: 'a', attested_at: '2026-01-01', evidence: 'e' } } }, after: { practices: {} }, path: 'settings.practices.jwt_claims_reviewed', direction: 'weakening', severity: 'medium', items: [16] },
  { name: 'attestation renewed', before: { practices: { jwt_claims_reviewed: { attested_by: 'a', attested_at: '2026-01-01', evidence: 'e' } } }, after: { practices: { jwt_claims_reviewed: { attested_by: 'a', attested_at: '2026-11-01', evidence: 'e' } } }, path: 'settings.practices.jwt_claims_reviewed.attested_at', direction: 'strengthening', severity: 'low', items: [16] },
  { name: 'alert threshold raised', before: { monitoring: { failed_login_alerts: { destination: 'siem', threshold_multiplier: 10 } } }, after: { monitoring: { failed_login_alerts: { destination: 'siem', threshold_multiplier: 100 } } }, path: 'settings.monitoring.failed_login_alerts.threshold_multiplier', direction: 'weakening', severity: 'medium', items: [19] },
  { name: 'review cadence relaxed', before: { monitoring: { settings_review: { cadence: 'monthly' } } }, after: { monitoring: { settings_review: { cadence: 'quarterly' } } }, path: 'settings.monitoring.settings_review.cadence', direction: 'weakening', severity: 'medium', items: [20] },
];

describe('direction and severity per setting', () => {
  test.each(ROWS)('$name', (row) => {
    const changes = diffSettings(row.before, row.after, { production: true });
    expect(changes).toHaveLength(1);
    const [change] = changes;
    expect({ path: change?.path, direction: change?.direction, severity: change?.severity, items: change?.checklist_items }).toEqual({ path: row.path, direction: row.direction, severity: row.severity, items: row.items });
  });

  test('test mode on outside production is high, not critical', () => {
    const [change] = diffSettings({ instance: { test_mode: false } }, { instance: { test_mode: true } }, { production: false });
    expect(change?.severity).toBe('high');
  });
});
