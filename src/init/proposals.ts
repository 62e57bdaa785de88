/**
 * Proposed hardened values: for each setting that fails the chosen profile's checklist, the
 * value that makes its rule pass, and where that value is applied. Table-driven: one row per
 * (rule, failing path); a failing finding without a row gets the rule's remediation as advice
 * and no value, because only a person knows it (an audience, a webhook endpoint).
 *
 * Hardening runs to a fixpoint: turning user lockout on can reveal a max_attempts above the
 * profile's limit, which the next round proposes too. A test holds every proposed value to
 * actually passing its rule.
 */
import { evaluateSettings } from '../checklist/index';
import { originProblem } from '../checklist/rules/keys';
import { JWT_MAX_LIFETIME_SECONDS, PII_CLAIM_NAMES, PII_SHORTCODES, PROFILE_THRESHOLDS } from '../checklist/thresholds';
import type { RuleContext, Severity } from '../checklist/types';
import type { Settings } from '../settings/model';
import { formatPath, getAt, matchesPattern, parsePath, type JsonPath, type PathSegment } from '../settings/paths';
import { nullRecord, setOwn } from '../util/records';
import { cloneJson, isPlainObject } from './record';

/** Where a proposed value takes effect. */
export type ApplyWith = 'pulumi' | 'dashboard' | 'keys';

export const APPLY_WORDS: Record<ApplyWith, string> = {
  pulumi: '`pulumi up` applies it',
  dashboard: 'change it in the Clerk dashboard: no typed Clerk write exists, so clerkguard checks it and Pulumi does not apply it',
  keys: 'read the instance with its live keys (pk_live_/sk_live_)',
};

export interface Proposal {
  rule: string;
  checklist_item: number | null;
  severity: Severity;
  /** The failing finding's message. */
  message: string;
  /** The setting the proposal is about, inside `settings`. */
  path: JsonPath;
  /** Today's value (undefined when the setting is not declared). */
  current: unknown;
  /** The hardened value; absent when no value can be proposed. */
  proposed?: unknown;
  /** In words: "set to false", "remove the claims email". */
  change?: string;
  apply?: ApplyWith;
  /** What to do when no value is proposed. */
  advice?: string;
}

type Propose = (settings: Settings, path: JsonPath, context: RuleContext) => Pick<Proposal, 'path' | 'proposed' | 'change' | 'apply' | 'advice'> | undefined;

const set = (value: unknown, apply: ApplyWith): Propose => (_settings, path) => ({ path, proposed: value, change: `set to ${JSON.stringify(value)}`, apply });
const limit = (pick: (context: RuleContext) => number, apply: ApplyWith): Propose => (_settings, path, context) => set(pick(context), apply)(_settings, path, context);

/** One row per (rule id, failing path pattern, `*` one segment). */
const PROPOSERS: readonly { rule: string; pattern: string; propose: Propose }[] = [
  { rule: 'keys-production-live', pattern: 'keys.expected_environment', propose: (_s, path) => ({ path, proposed: 'live', change: 'set to "live"', apply: 'keys' }) },
  { rule: 'keys-production-live', pattern: 'instance.test_mode', propose: set(false, 'pulumi') },
  { rule: 'keys-production-live', pattern: 'sign_in.second_factor.required', propose: set(true, 'dashboard') },
  { rule: 'keys-production-live', pattern: 'sign_up.email_verification_required', propose: set(true, 'dashboard') },
  {
    rule: 'keys-production-live',
    pattern: 'instance.environment_type',
    propose: (_s, path) => ({ path, advice: 'a production baseline governs a production instance: point the target at the production instance\'s keys, or set target.environment_type to the instance\'s type' }),
  },
  { rule: 'origins-exact-allowlist', pattern: 'instance.allowed_origins.*', propose: exactOrigins },
  { rule: 'origins-exact-allowlist', pattern: 'instance.domains.*.proxy_url', propose: (settings, path) => ({ path, proposed: String(getAt(settings, path)).replace(/^http:/, 'https:'), change: 'serve the proxy over https', apply: 'dashboard' }) },
  { rule: 'origins-exact-allowlist', pattern: 'oauth_application_settings.dynamic_oauth_client_registration', propose: set(false, 'pulumi') },
  { rule: 'session-inactivity-timeout', pattern: 'session.inactivity_timeout_minutes', propose: limit((context) => PROFILE_THRESHOLDS[context.profile].inactivity_timeout_minutes, 'dashboard') },
  { rule: 'session-inactivity-timeout', pattern: 'session.maximum_lifetime_minutes', propose: limit((context) => PROFILE_THRESHOLDS[context.profile].maximum_lifetime_minutes, 'pulumi') },
  { rule: 'session-cookie-samesite', pattern: 'session.partitioned_cookies', propose: set(false, 'dashboard') },
  { rule: 'org-role-checks', pattern: 'organizations.settings.domains_default_role', propose: set('org:member', 'pulumi') },
  {
    rule: 'org-role-checks',
    pattern: 'organizations.role_sets.*.default_role',
    propose: (settings, path) => {
      const roles = getAt(settings, [...path.slice(0, -1), 'roles']);
      return Array.isArray(roles) && roles.includes('org:member') ? { path, proposed: 'org:member', change: 'set to "org:member"', apply: 'dashboard' } : undefined;
    },
  },
  { rule: 'jwt-claims-minimal', pattern: 'jwt_templates.*.claims', propose: withoutPii },
  { rule: 'jwt-short-lifetime', pattern: 'jwt_templates.*.lifetime', propose: set(JWT_MAX_LIFETIME_SECONDS, 'pulumi') },
  {
    rule: 'jwt-audience-claim',
    pattern: 'jwt_templates.*.claims',
    propose: (_s, path) => ({ path, advice: 'add an "aud" claim naming the service that receives these tokens, and make it reject other audiences (no value is proposed: only you know the receiver)' }),
  },
  { rule: 'monitoring-failed-login-alerts', pattern: 'attack_protection.user_lockout.enabled', propose: set(true, 'dashboard') },
  { rule: 'monitoring-failed-login-alerts', pattern: 'attack_protection.user_lockout.max_attempts', propose: limit((context) => PROFILE_THRESHOLDS[context.profile].lockout_max_attempts, 'dashboard') },
  { rule: 'monitoring-failed-login-alerts', pattern: 'attack_protection.enumeration_protection.enabled', propose: set(true, 'dashboard') },
  { rule: 'monitoring-failed-login-alerts', pattern: 'sign_up.captcha_enabled', propose: set(true, 'dashboard') },
  { rule: 'monitoring-failed-login-alerts', pattern: 'instance.hibp', propose: set(true, 'pulumi') },
  { rule: 'monitoring-failed-login-alerts', pattern: 'password_settings.min_length', propose: limit((context) => PROFILE_THRESHOLDS[context.profile].password_min_length, 'dashboard') },
];

/** The origin list without wildcards, http, localhost or paths: an exact origin kept, a near one corrected. */
function exactOrigins(settings: Settings, path: JsonPath, context: RuleContext): ReturnType<Propose> {
  const listPath = path.slice(0, -1);
  const origins = (getAt(settings, listPath) as string[] | undefined) ?? [];
  const kept: string[] = [];
  const removed: string[] = [];
  const replaced: string[] = [];
  for (const origin of origins) {
    if (!originProblem(origin, context.environmentType)) {
      kept.push(origin);
      continue;
    }
    const exact = exactForm(origin);
    if (exact && !originProblem(exact, context.environmentType)) {
      kept.push(exact);
      replaced.push(`"${origin}" with "${exact}"`);
    } else removed.push(`"${origin}"`);
  }
  const proposed = [...new Set(kept)];
  const change = [removed.length > 0 ? `remove ${removed.join(', ')}` : '', replaced.length > 0 ? `replace ${replaced.join(', ')}` : ''].filter(Boolean).join('; ');
  // Clerk ignores an empty list (PATCH /instance): the last extra origins go in the dashboard.
  return { path: listPath, proposed, change, apply: proposed.length > 0 ? 'pulumi' : 'dashboard' };
}

function exactForm(origin: string): string | undefined {
  if (origin.includes('*')) return undefined;
  try {
    const url = new URL(origin);
    return url.origin === 'null' ? undefined : url.origin;
  } catch {
    return undefined;
  }
}

/** The claims without the ones the rule calls PII (by name, or by a Clerk shortcode in the value). */
function withoutPii(settings: Settings, path: JsonPath): ReturnType<Propose> {
  const claims = getAt(settings, path);
  if (!isPlainObject(claims)) return undefined;
  const removed: string[] = [];
  const strip = (value: Record<string, unknown>, at: string[]): Record<string, unknown> => {
    const out = nullRecord<unknown>();
    for (const key of Object.keys(value)) {
      const child = value[key];
      if (PII_CLAIM_NAMES.includes(key.toLowerCase()) || (typeof child === 'string' && PII_SHORTCODES.some((code) => child.includes(code)))) {
        removed.push([...at, key].join('.'));
        continue;
      }
      setOwn(out, key, isPlainObject(child) ? strip(child, [...at, key]) : cloneJson(child));
    }
    return out;
  };
  const proposed = strip(claims, []);
  return { path, proposed, change: `remove the claim${removed.length === 1 ? '' : 's'} ${removed.join(', ')}`, apply: 'pulumi' };
}

export interface Hardening {
  /** Every failing finding of today's settings (and of later rounds), with its proposal or advice. */
  proposals: Proposal[];
  /** Today's settings with every proposed value applied. */
  hardened: Settings;
}

/** Rounds of propose-and-apply; each round fixes at least one path or stops. */
const MAX_ROUNDS = 5;

export function proposeHardening(settings: Settings, context: RuleContext): Hardening {
  const proposals: Proposal[] = [];
  const seen = new Set<string>();
  let hardened = cloneJson(settings);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let changed = false;
    const next = cloneJson(hardened);
    for (const finding of evaluateSettings(hardened, context)) {
      if (finding.status !== 'fail') continue;
      const findingPath = finding.path === '' ? [] : parsePath(finding.path).slice(1);
      const row = PROPOSERS.find((entry) => entry.rule === finding.rule && matchesPattern(findingPath, entry.pattern));
      const proposed = row?.propose(hardened, findingPath, context);
      const target = proposed?.path ?? findingPath;
      const key = `${finding.rule} ${formatPath(target)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const proposal: Proposal = {
        rule: finding.rule,
        checklist_item: finding.checklist_item,
        severity: finding.severity,
        message: finding.message,
        path: target,
        current: getAt(settings, target),
        ...(proposed && 'proposed' in proposed && proposed.proposed !== undefined
          ? { proposed: proposed.proposed, change: proposed.change, apply: proposed.apply }
          : { advice: proposed?.advice ?? finding.remediation }),
      };
      proposals.push(proposal);
      if (proposal.proposed !== undefined) {
        setAt(next, target, cloneJson(proposal.proposed));
        changed = true;
      }
    }
    hardened = next;
    if (!changed) break;
  }
  return { proposals, hardened };
}

/** Sets a value at a settings path, creating fixed-shape objects on the way. */
function setAt(root: Settings, path: JsonPath, value: unknown): void {
  let node = root as Record<string, unknown>;
  path.forEach((segment: PathSegment, index) => {
    const key = String(segment);
    if (index === path.length - 1) {
      setOwn(node, key, value);
      return;
    }
    const child = Object.prototype.hasOwnProperty.call(node, key) ? node[key] : undefined;
    if (!isPlainObject(child)) setOwn(node, key, nullRecord<unknown>());
    node = node[key] as Record<string, unknown>;
  });
}
