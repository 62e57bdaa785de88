/**
 * The security meaning of a change. One table row per setting (first match wins) says which
 * checklist items it serves, how severe a weakening is, and which way a change points:
 * weakening (a longer session, an extra origin, a PII claim, MFA off…), strengthening (the
 * opposite) or neutral (cosmetic or without a clear security direction).
 *
 * Only weakening changes carry the setting's severity; strengthening and neutral drift is
 * still drift (the baseline is out of date) but it is `low`, so it never outranks a weakening.
 */
import { severityRank, type Severity } from '../checklist/types';
import { hasPii, isPiiClaim } from '../checklist/pii';
import type { JsonPath } from '../settings/paths';
import { isPlainObject } from './normalize';
import { compilePattern, matchesCompiled, type CompiledPattern } from './patterns';
import type { ChangeKind, Direction } from './types';

export interface ChangeFacts {
  /** Path inside the settings, without the `settings.` prefix. */
  path: JsonPath;
  kind: ChangeKind;
  baseline: unknown;
  live: unknown;
  setElement: boolean;
}

export interface ClassifyContext {
  /** The instance is production: test mode there is critical. */
  production?: boolean;
}

export interface Classification {
  direction: Direction;
  severity: Severity;
  checklist_items: number[];
}

interface Verdict {
  direction: Direction;
  /** Overrides the row's severity for this change (e.g. a wildcard origin). */
  severity?: Severity;
}

interface SettingRule {
  pattern: string;
  items: number[];
  severity: Severity;
  judge(change: ChangeFacts, context: ClassifyContext): Direction | Verdict;
}

const opposite = (direction: Direction): Direction => (direction === 'weakening' ? 'strengthening' : direction === 'strengthening' ? 'weakening' : 'neutral');

/** A number where a higher value is weaker (a longer session) or stronger (a longer password). */
function numeric(higher: Direction) {
  return (change: ChangeFacts): Direction => {
    if (change.kind === 'removed') return 'weakening';
    if (change.kind === 'added') return 'neutral';
    if (typeof change.baseline !== 'number' || typeof change.live !== 'number') return 'neutral';
    if (change.live === change.baseline) return 'neutral';
    return change.live > change.baseline ? higher : opposite(higher);
  };
}

/** A flag whose `safe` value is the hardened one. */
function flag(safe: boolean) {
  return (change: ChangeFacts): Direction => {
    if (change.kind === 'removed') return change.baseline === safe ? 'weakening' : 'neutral';
    if (change.live === safe) return 'strengthening';
    if (typeof change.live === 'boolean') return 'weakening';
    return 'neutral';
  };
}

/** A value from an ordered list, strongest first. Unknown values are neutral. */
function ordered(strongestFirst: readonly string[]) {
  return (change: ChangeFacts): Direction => {
    if (change.kind === 'removed') return 'weakening';
    const before = strongestFirst.indexOf(String(change.baseline));
    const after = strongestFirst.indexOf(String(change.live));
    if (before === -1 || after === -1 || before === after) return 'neutral';
    return after > before ? 'weakening' : 'strengthening';
  };
}

/** A member of a set-like array: what adding (or the whole set appearing) means. */
function member(onAdd: Direction | ((value: string) => Direction)) {
  return (change: ChangeFacts): Direction => {
    const value = String(change.kind === 'removed' ? change.baseline : change.live);
    const added = typeof onAdd === 'function' ? onAdd(value) : onAdd;
    if (change.kind === 'added') return added;
    if (change.kind === 'removed') return opposite(added);
    return 'neutral';
  };
}

/** A date (YYYY-MM-DD) where a later value is fresher evidence. */
function freshness(change: ChangeFacts): Direction {
  if (change.kind === 'removed') return 'weakening';
  if (typeof change.baseline !== 'string' || typeof change.live !== 'string') return 'neutral';
  return change.live > change.baseline ? 'strengthening' : change.live < change.baseline ? 'weakening' : 'neutral';
}

/** An attestation (or a whole monitoring block): losing it loses the evidence. */
function evidence(change: ChangeFacts): Direction {
  if (change.kind === 'removed') return 'weakening';
  if (change.kind === 'added') return 'strengthening';
  return 'neutral';
}

const neutral = (): Direction => 'neutral';

/**
 * Claims are what every receiver of the token trusts: an added or changed claim nobody has
 * reviewed (a static `"role": "admin"`, a tenant id, a new shortcode) can grant access or leak
 * data, so it is weakening until the baseline is updated. Only PII claims are high; removing a
 * claim other than `aud` is neutral (receivers fail closed on a missing claim).
 */
function claimChange(change: ChangeFacts): Verdict {
  const name = String(change.path[change.path.length - 1]);
  const topLevel = change.path.length === 4;
  const isAudience = topLevel && name === 'aud';
  if (change.kind === 'added') {
    if (isPiiClaim(name, change.live)) return { direction: 'weakening' };
    return isAudience ? { direction: 'strengthening' } : { direction: 'weakening', severity: 'medium' };
  }
  if (change.kind === 'removed') {
    if (isAudience) return { direction: 'weakening' };
    return isPiiClaim(name, change.baseline) ? { direction: 'strengthening' } : { direction: 'neutral' };
  }
  const before = isPiiClaim(name, change.baseline);
  const after = isPiiClaim(name, change.live);
  if (after && !before) return { direction: 'weakening' };
  if (before && !after) return { direction: 'strengthening' };
  // A new audience makes the tokens valid for another service; a new value is a new promise to receivers.
  return { direction: 'weakening', severity: 'medium' };
}

/**
 * A new template is a new kind of token any signed-in user can mint: weakening until reviewed,
 * high when it carries PII, lives longer than 60 s or has no audience.
 */
function templateChange(change: ChangeFacts): Verdict {
  if (change.kind !== 'added') return { direction: 'neutral' };
  const template = change.live as { claims?: Record<string, unknown>; lifetime?: number } | undefined;
  const claims = template?.claims ?? {};
  const risky = hasPii(claims) || (template?.lifetime ?? Infinity) > 60 || !Object.prototype.hasOwnProperty.call(claims, 'aud');
  return risky ? { direction: 'weakening' } : { direction: 'weakening', severity: 'medium' };
}

function originMember(change: ChangeFacts): Verdict {
  const direction = member('weakening')(change);
  const origin = String(change.kind === 'removed' ? change.baseline : change.live);
  if (direction === 'weakening' && origin.includes('*')) return { direction, severity: 'critical' };
  return { direction };
}

function testMode(change: ChangeFacts, context: ClassifyContext): Verdict {
  const direction = flag(false)(change);
  return direction === 'weakening' && context.production ? { direction, severity: 'critical' } : { direction };
}

function endpointChange(change: ChangeFacts): Direction {
  const subscribed = (value: unknown) => Array.isArray((value as { events?: unknown })?.events) && ((value as { events: unknown[] }).events.includes('user.deleted'));
  if (change.kind === 'removed') return subscribed(change.baseline) ? 'weakening' : 'neutral';
  if (change.kind === 'added') return 'weakening';
  return 'neutral';
}

function roleKey(change: ChangeFacts): Direction {
  const isAdmin = (value: unknown) => typeof value === 'string' && /admin|owner/i.test(value);
  if (change.kind === 'removed') return 'neutral';
  if (isAdmin(change.live) && !isAdmin(change.baseline)) return 'weakening';
  if (isAdmin(change.baseline) && !isAdmin(change.live)) return 'strengthening';
  return 'neutral';
}

const ATTESTATION_ITEMS: Record<string, number> = {
  secret_key_server_only: 1,
  server_side_session_verification: 7,
  session_revocation_configured: 6,
  org_scoped_queries: 13,
  role_based_authorization: 14,
  cross_org_isolation_test: 15,
  jwt_claims_reviewed: 16,
  audience_verified_by_receivers: 18,
  signature_verification: 9,
  secret_storage: 10,
  idempotency: 11,
  user_deleted_handling: 12,
};

const RULES: readonly SettingRule[] = [
  { pattern: 'keys.expected_environment', items: [2], severity: 'critical', judge: ordered(['live', 'test']) },
  { pattern: 'keys.last_rotated_at', items: [4], severity: 'medium', judge: freshness },
  { pattern: 'keys.rotation_max_age_days', items: [4], severity: 'medium', judge: numeric('weakening') },
  { pattern: 'instance.environment_type', items: [2], severity: 'critical', judge: ordered(['production', 'staging', 'development']) },
  { pattern: 'instance.allowed_origins.*', items: [3], severity: 'high', judge: originMember },
  { pattern: 'instance.allowed_origins', items: [3], severity: 'high', judge: (c) => (c.kind === 'removed' ? 'strengthening' : 'weakening') },
  { pattern: 'instance.test_mode', items: [2], severity: 'high', judge: testMode },
  { pattern: 'instance.hibp', items: [2], severity: 'medium', judge: flag(true) },
  // The Frontend API serves these: a new or removed domain changes who talks to the instance.
  { pattern: 'instance.domains.**', items: [3], severity: 'medium', judge: neutral },
  { pattern: 'oauth_application_settings.dynamic_oauth_client_registration', items: [3], severity: 'high', judge: flag(false) },
  { pattern: 'oauth_application_settings.client_id_metadata_documents_only_allow_pre_registered_clients', items: [3], severity: 'medium', judge: flag(true) },
  { pattern: 'oauth_application_settings.client_id_metadata_documents_block_implicitly_allowed_clients', items: [3], severity: 'medium', judge: flag(true) },
  { pattern: 'oauth_application_settings.**', items: [], severity: 'low', judge: neutral },
  { pattern: 'session.inactivity_timeout_minutes', items: [5], severity: 'high', judge: numeric('weakening') },
  { pattern: 'session.maximum_lifetime_minutes', items: [5], severity: 'high', judge: numeric('weakening') },
  { pattern: 'session.revoke_on.*', items: [6], severity: 'high', judge: member('strengthening') },
  { pattern: 'session.revoke_on', items: [6], severity: 'high', judge: (c) => (c.kind === 'added' ? 'strengthening' : 'weakening') },
  { pattern: 'session.cookie_same_site', items: [8], severity: 'high', judge: ordered(['strict', 'lax', 'none']) },
  { pattern: 'session.partitioned_cookies', items: [8], severity: 'medium', judge: flag(false) },
  { pattern: 'restrictions.allowlist', items: [], severity: 'medium', judge: flag(true) },
  { pattern: 'restrictions.blocklist', items: [], severity: 'medium', judge: flag(true) },
  { pattern: 'restrictions.allowlist_blocklist_disabled_on_sign_in', items: [], severity: 'medium', judge: flag(false) },
  { pattern: 'restrictions.block_email_subaddresses', items: [], severity: 'low', judge: flag(true) },
  { pattern: 'restrictions.block_disposable_email_domains', items: [], severity: 'medium', judge: flag(true) },
  { pattern: 'protect.rules_enabled', items: [19], severity: 'medium', judge: flag(true) },
  { pattern: 'protect.specter_enabled', items: [19], severity: 'medium', judge: flag(true) },
  { pattern: 'communication.blocked_country_codes.*', items: [], severity: 'medium', judge: member('strengthening') },
  { pattern: 'attack_protection.user_lockout.enabled', items: [19], severity: 'high', judge: flag(true) },
  { pattern: 'attack_protection.user_lockout.max_attempts', items: [19], severity: 'medium', judge: numeric('weakening') },
  { pattern: 'attack_protection.user_lockout.duration_in_minutes', items: [19], severity: 'medium', judge: numeric('strengthening') },
  { pattern: 'attack_protection.enumeration_protection.enabled', items: [], severity: 'medium', judge: flag(true) },
  { pattern: 'attack_protection.pii.enabled', items: [], severity: 'medium', judge: flag(true) },
  { pattern: 'attack_protection.email_link.require_same_client', items: [], severity: 'medium', judge: flag(true) },
  { pattern: 'sign_in.second_factor.required', items: [], severity: 'high', judge: flag(true) },
  { pattern: 'sign_up.mode', items: [], severity: 'medium', judge: ordered(['waitlist', 'restricted', 'public']) },
  { pattern: 'sign_up.captcha_enabled', items: [19], severity: 'medium', judge: flag(true) },
  { pattern: 'sign_up.captcha_oauth_bypass.*', items: [19], severity: 'medium', judge: member('weakening') },
  { pattern: 'sign_up.email_verification_required', items: [2], severity: 'high', judge: flag(true) },
  // A passkey skipping the second-factor prompt trades a factor for phishing resistance: no clear direction.
  { pattern: 'passkey_settings.satisfies_second_factor', items: [2], severity: 'low', judge: neutral },
  { pattern: 'password_settings.min_length', items: [], severity: 'medium', judge: numeric('strengthening') },
  { pattern: 'password_settings.min_zxcvbn_strength', items: [], severity: 'medium', judge: numeric('strengthening') },
  { pattern: 'password_settings.max_length', items: [], severity: 'low', judge: neutral },
  { pattern: 'password_settings.enforce_hibp_on_sign_in', items: [], severity: 'medium', judge: flag(true) },
  { pattern: 'password_settings.*', items: [], severity: 'low', judge: flag(true) },
  { pattern: 'organizations.settings.admin_delete_enabled', items: [14], severity: 'medium', judge: flag(false) },
  { pattern: 'organizations.settings.domains_enabled', items: [13], severity: 'low', judge: flag(false) },
  { pattern: 'organizations.settings.domains_enrollment_modes.*', items: [13], severity: 'medium', judge: member((mode) => (mode === 'manual_invitation' ? 'neutral' : 'weakening')) },
  { pattern: 'organizations.settings.creator_role', items: [14], severity: 'medium', judge: roleKey },
  { pattern: 'organizations.settings.domains_default_role', items: [14], severity: 'high', judge: roleKey },
  { pattern: 'organizations.settings.**', items: [13], severity: 'low', judge: neutral },
  { pattern: 'organizations.roles.*.permissions.*', items: [14], severity: 'medium', judge: member('weakening') },
  { pattern: 'organizations.roles.*', items: [14], severity: 'medium', judge: (c) => (c.kind === 'added' ? 'weakening' : 'neutral') },
  { pattern: 'organizations.roles.**', items: [14], severity: 'low', judge: neutral },
  { pattern: 'organizations.permissions.**', items: [14], severity: 'low', judge: neutral },
  { pattern: 'organizations.role_sets.*.default_role', items: [14], severity: 'high', judge: roleKey },
  { pattern: 'organizations.role_sets.*.creator_role', items: [14], severity: 'medium', judge: roleKey },
  { pattern: 'organizations.role_sets.**', items: [14], severity: 'low', judge: neutral },
  { pattern: 'jwt_templates.*', items: [16, 17, 18], severity: 'high', judge: templateChange },
  { pattern: 'jwt_templates.*.claims.aud', items: [18], severity: 'high', judge: claimChange },
  { pattern: 'jwt_templates.*.claims.**', items: [16], severity: 'high', judge: claimChange },
  { pattern: 'jwt_templates.*.claims', items: [16], severity: 'high', judge: (c) => (hasPii(c.live) ? 'weakening' : 'neutral') },
  { pattern: 'jwt_templates.*.lifetime', items: [17], severity: 'high', judge: numeric('weakening') },
  { pattern: 'jwt_templates.*.allowed_clock_skew', items: [17], severity: 'low', judge: numeric('weakening') },
  { pattern: 'jwt_templates.*.**', items: [16], severity: 'low', judge: neutral },
  { pattern: 'webhooks.endpoints.*.events.*', items: [12], severity: 'high', judge: member((event) => (event === 'user.deleted' ? 'strengthening' : 'neutral')) },
  { pattern: 'webhooks.endpoints.*', items: [9, 12], severity: 'medium', judge: endpointChange },
  { pattern: 'webhooks.endpoints.**', items: [9], severity: 'low', judge: neutral },
  { pattern: 'monitoring.failed_login_alerts.threshold_multiplier', items: [19], severity: 'medium', judge: numeric('weakening') },
  { pattern: 'monitoring.failed_login_alerts.window_minutes', items: [19], severity: 'low', judge: numeric('weakening') },
  { pattern: 'monitoring.failed_login_alerts', items: [19], severity: 'medium', judge: evidence },
  { pattern: 'monitoring.failed_login_alerts.**', items: [19], severity: 'low', judge: neutral },
  { pattern: 'monitoring.settings_review.cadence', items: [20], severity: 'medium', judge: ordered(['monthly', 'quarterly']) },
  { pattern: 'monitoring.settings_review.last_reviewed_at', items: [20], severity: 'low', judge: freshness },
  { pattern: 'monitoring.settings_review', items: [20], severity: 'medium', judge: evidence },
  // Raw Platform config keys: the documented session.lifetime has a direction; anything else
  // is a setting clerkguard has no meaning for, so its drift is shown as neutral.
  { pattern: 'platform_config.session.lifetime', items: [5], severity: 'high', judge: numeric('weakening') },
  { pattern: 'platform_config.**', items: [], severity: 'low', judge: neutral },
];

interface CompiledRule extends SettingRule {
  compiled: CompiledPattern;
}

const COMPILED: readonly CompiledRule[] = RULES.map((rule) => ({ ...rule, compiled: compilePattern(rule.pattern) }));

/** Attestation slots beside a declaration (items 4, 19, 20), by their path inside the settings. */
const ATTESTATION_SLOTS: readonly { path: readonly string[]; item: number }[] = [
  { path: ['keys', 'last_rotation'], item: 4 },
  { path: ['monitoring', 'failed_login_alerts', 'test_alert'], item: 19 },
  { path: ['monitoring', 'settings_review', 'last_review'], item: 20 },
];

/**
 * Attestations live under practices.*, webhooks.<attestation> and the slots above; they share
 * one meaning: losing one loses evidence, an earlier date is staler evidence.
 */
function attestationClassification(change: ChangeFacts): Classification | undefined {
  const segments = change.path.map(String);
  const slot = ATTESTATION_SLOTS.find((candidate) => candidate.path.every((segment, index) => segments[index] === segment));
  let items: number[];
  let field: string | undefined;
  if (slot) {
    items = [slot.item];
    field = segments[slot.path.length];
  } else {
    const [group, name] = segments;
    const isAttestation = (group === 'practices' && name !== undefined) || (group === 'webhooks' && name !== undefined && name in ATTESTATION_ITEMS);
    if (!isAttestation || name === undefined) return undefined;
    items = ATTESTATION_ITEMS[name] === undefined ? [] : [ATTESTATION_ITEMS[name]];
    field = segments[2];
  }
  const direction = field === undefined ? evidence(change) : field === 'attested_at' || field === 'expires' ? freshness(change) : 'neutral';
  return { direction, severity: direction === 'weakening' ? 'medium' : 'low', checklist_items: items };
}

export function classifyChange(change: ChangeFacts, context: ClassifyContext = {}): Classification {
  const attestation = attestationClassification(change);
  if (attestation) return attestation;
  const rule = COMPILED.find((candidate) => matchesCompiled(change.path, candidate.compiled));
  const whole = change.kind === 'added' ? change.live : change.kind === 'removed' ? change.baseline : undefined;
  if ((!rule || rule.compiled.deep) && isPlainObject(whole)) return classifyLeaves(change, whole, context);
  if (!rule) return { direction: 'neutral', severity: 'low', checklist_items: [] };
  const judged = rule.judge(change, context);
  const verdict: Verdict = typeof judged === 'string' ? { direction: judged } : judged;
  const severity = verdict.severity ?? (verdict.direction === 'weakening' ? rule.severity : 'low');
  return { direction: verdict.direction, severity, checklist_items: [...rule.items] };
}

/**
 * A whole group added or removed (e.g. `attack_protection.user_lockout`) means what its
 * settings mean: the worst of its leaves, judged one by one.
 */
function classifyLeaves(change: ChangeFacts, value: Record<string, unknown>, context: ClassifyContext): Classification {
  const leaves: Classification[] = [];
  const visit = (node: unknown, path: JsonPath) => {
    if (isPlainObject(node) && Object.keys(node).length > 0) {
      for (const key of Object.keys(node)) visit(node[key], [...path, key]);
      return;
    }
    const facts: ChangeFacts = { ...change, path, baseline: change.kind === 'removed' ? node : undefined, live: change.kind === 'added' ? node : undefined };
    leaves.push(classifyChange(facts, context));
  };
  for (const key of Object.keys(value)) visit(value[key], [...change.path, key]);
  const pick = (direction: Direction) => leaves.filter((leaf) => leaf.direction === direction);
  const chosen = pick('weakening').length > 0 ? pick('weakening') : pick('strengthening').length > 0 ? pick('strengthening') : leaves;
  const direction = chosen[0]?.direction ?? 'neutral';
  const severity = chosen.reduce<Severity>((worst, leaf) => (severityRank(leaf.severity) > severityRank(worst) ? leaf.severity : worst), 'low');
  const items = [...new Set(leaves.flatMap((leaf) => leaf.checklist_items))].sort((a, b) => a - b);
  return { direction, severity, checklist_items: items };
}
