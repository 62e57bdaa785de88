import { describe, expect, it } from 'vitest';
import { parseBaseline } from '../../src/baseline/load';
import { checkBaseline } from '../../src/checklist/evaluate-baseline';
import { EXPIRED_EXCEPTION_RULE, RULES, RULE_IDS, evaluateSettings, sourceFor, summarize, type Finding } from '../../src/checklist/index';
import { piiClaims } from '../../src/checklist/rules/jwt';
import type { Settings } from '../../src/settings/model';
import { baselineWith, productionBaseline } from '../helpers/baselines';
import { PINNED_TODAY } from '../helpers/cli';

type Mutable = ReturnType<typeof productionBaseline>;
type SettingsDraft = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function evaluate(mutate: (baseline: Mutable) => void = () => {}): Finding[] {
  const baseline = baselineWith(mutate);
  const loaded = parseBaseline(JSON.stringify(baseline), 'baselines/production.json');
  return checkBaseline(loaded, PINNED_TODAY);
}

function forRule(findings: Finding[], rule: string): Finding[] {
  return findings.filter((finding) => finding.rule === rule);
}

const settings = (baseline: Mutable) => baseline.settings as SettingsDraft;

interface RuleCase {
  rule: string;
  /** Makes the rule fail; `failPath` is where the failing finding points. */
  fail: (baseline: Mutable) => void;
  failPath: string;
  failMessage: RegExp;
  /** Removes the evidence, so the rule cannot be verified. */
  unverified: (baseline: Mutable) => void;
}

const attestation = { attested_by: 'qa', attested_at: '2024-01-01', evidence: 'old test' };

const CASES: RuleCase[] = [
  {
    rule: 'keys-secret-server-only',
    fail: (b) => void (b.target.secret_key_env = 'NEXT_PUBLIC_CLERK_SECRET_KEY'),
    failPath: '',
    failMessage: /NEXT_PUBLIC_ prefix makes bundlers inline it/,
    unverified: (b) => delete settings(b).practices.secret_key_server_only,
  },
  {
    rule: 'keys-production-live',
    fail: (b) => void (settings(b).instance.test_mode = true),
    failPath: 'settings.instance.test_mode',
    failMessage: /test mode is on in production/,
    unverified: (b) => delete settings(b).instance.test_mode,
  },
  {
    rule: 'origins-exact-allowlist',
    fail: (b) => void settings(b).instance.allowed_origins.push('https://*.example.com'),
    failPath: 'settings.instance.allowed_origins[2]',
    failMessage: /is a wildcard/,
    unverified: (b) => delete settings(b).instance.allowed_origins,
  },
  {
    rule: 'keys-rotation',
    fail: (b) => void (settings(b).keys.last_rotation.attested_at = '2025-01-01'),
    failPath: 'settings.keys.last_rotation',
    failMessage: /last rotated 694 days ago \(2025-01-01, by platform-team: CHG-2291/,
    unverified: (b) => delete settings(b).keys.last_rotation,
  },
  {
    rule: 'session-inactivity-timeout',
    fail: (b) => void (settings(b).session.inactivity_timeout_minutes = 10080),
    failPath: 'settings.session.inactivity_timeout_minutes',
    failMessage: /inactivity timeout is 7 days; the saas profile allows at most 30 minutes/,
    unverified: (b) => delete settings(b).session.inactivity_timeout_minutes,
  },
  {
    rule: 'session-revoke-on-security-events',
    fail: (b) => void (settings(b).session.revoke_on = ['password_change']),
    failPath: 'settings.session.revoke_on',
    failMessage: /the revocation policy \(session\.revoke_on\) leaves out email_change, mfa_enrollment/,
    unverified: (b) => delete settings(b).practices.session_revocation_configured,
  },
  {
    rule: 'session-server-side-verification',
    fail: (b) => void (settings(b).practices.server_side_session_verification = attestation),
    failPath: 'settings.practices.server_side_session_verification',
    failMessage: /expired on 2024-12-31/,
    unverified: (b) => delete settings(b).practices.server_side_session_verification,
  },
  {
    rule: 'session-cookie-samesite',
    fail: (b) => void (settings(b).session.cookie_same_site = 'none'),
    failPath: 'settings.session.cookie_same_site',
    failMessage: /SameSite=None, a CSRF vector/,
    unverified: (b) => delete settings(b).session.cookie_same_site,
  },
  {
    rule: 'webhook-signature-verification',
    fail: (b) => void (settings(b).webhooks.signature_verification = attestation),
    failPath: 'settings.webhooks.signature_verification',
    failMessage: /expired/,
    unverified: (b) => delete settings(b).webhooks.signature_verification,
  },
  {
    rule: 'webhook-secret-in-env',
    fail: (b) => void (settings(b).webhooks.secret_storage = attestation),
    failPath: 'settings.webhooks.secret_storage',
    failMessage: /expired/,
    unverified: (b) => delete settings(b).webhooks.secret_storage,
  },
  {
    rule: 'webhook-idempotency',
    fail: (b) => void (settings(b).webhooks.idempotency = attestation),
    failPath: 'settings.webhooks.idempotency',
    failMessage: /expired/,
    unverified: (b) => delete settings(b).webhooks.idempotency,
  },
  {
    rule: 'webhook-user-deleted-pii',
    fail: (b) => void (settings(b).webhooks.endpoints['https://api.example.com/webhooks/clerk'].events = ['user.created']),
    failPath: 'settings.webhooks.endpoints',
    failMessage: /no webhook endpoint subscribes to user.deleted/,
    unverified: (b) => delete settings(b).webhooks.user_deleted_handling,
  },
  {
    rule: 'org-scoped-queries',
    fail: (b) => void (settings(b).practices.org_scoped_queries = attestation),
    failPath: 'settings.practices.org_scoped_queries',
    failMessage: /expired/,
    unverified: (b) => delete settings(b).practices.org_scoped_queries,
  },
  {
    rule: 'org-role-checks',
    fail: (b) => void (settings(b).organizations.settings.domains_default_role = 'org:admin'),
    failPath: 'settings.organizations.settings.domains_default_role',
    failMessage: /gives new members the admin role "org:admin"/,
    unverified: (b) => delete settings(b).practices.role_based_authorization,
  },
  {
    rule: 'org-cross-isolation-test',
    fail: (b) => void (settings(b).practices.cross_org_isolation_test = { ...attestation, attested_at: '2026-04-01' }),
    failPath: 'settings.practices.cross_org_isolation_test',
    failMessage: /expired on 2026-09-28/,
    unverified: (b) => delete settings(b).practices.cross_org_isolation_test,
  },
  {
    rule: 'jwt-claims-minimal',
    fail: (b) => void (settings(b).jwt_templates.supabase.claims.email = '{{user.primary_email_address}}'),
    failPath: 'settings.jwt_templates.supabase.claims',
    failMessage: /puts PII in claims: email/,
    unverified: (b) => delete settings(b).jwt_templates,
  },
  {
    rule: 'jwt-short-lifetime',
    fail: (b) => void (settings(b).jwt_templates.supabase.lifetime = 3600),
    failPath: 'settings.jwt_templates.supabase.lifetime',
    failMessage: /lives 3600 s; downstream tokens should live at most 60 s/,
    unverified: (b) => delete settings(b).jwt_templates,
  },
  {
    rule: 'jwt-audience-claim',
    fail: (b) => delete settings(b).jwt_templates.supabase.claims.aud,
    failPath: 'settings.jwt_templates.supabase.claims',
    failMessage: /has no "aud" claim/,
    unverified: (b) => delete settings(b).jwt_templates,
  },
  {
    rule: 'monitoring-failed-login-alerts',
    fail: (b) => void (settings(b).attack_protection.user_lockout.enabled = false),
    failPath: 'settings.attack_protection.user_lockout.enabled',
    failMessage: /user lockout is off/,
    unverified: (b) => delete settings(b).monitoring.failed_login_alerts,
  },
  {
    rule: 'monitoring-settings-review',
    fail: (b) => void (settings(b).monitoring.settings_review.last_review.attested_at = '2026-01-01'),
    failPath: 'settings.monitoring.settings_review.last_review',
    failMessage: /attestation for the quarterly settings review by security-team expired on 2026-04-11/,
    unverified: (b) => delete settings(b).monitoring.settings_review,
  },
];

describe('the checklist', () => {
  it('has one rule per checklist item, in the seed order, with complete metadata', () => {
    expect(RULES.map((rule) => rule.checklist_item)).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
    expect(RULES.map((rule) => rule.id)).toEqual([...RULE_IDS]);
    for (const rule of RULES) {
      expect(rule.title.length).toBeGreaterThan(10);
      expect(rule.rationale.length).toBeGreaterThan(20);
      expect(rule.remediation.length).toBeGreaterThan(20);
      expect(rule.how_to_verify.length).toBeGreaterThan(10);
      expect(rule.verification.length).toBeGreaterThan(0);
    }
  });

  it('covers every rule in this table', () => {
    expect(CASES.map((entry) => entry.rule).sort()).toEqual([...RULE_IDS].sort());
  });

  it('passes every rule on the shipped production baseline', () => {
    const findings = evaluate();
    expect(findings.filter((finding) => finding.status !== 'pass')).toEqual([]);
    expect(summarize(findings, 'high').checklist_items).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
  });
});

describe.each(CASES)('rule $rule', (entry) => {
  it('passes on the hardened baseline', () => {
    const findings = forRule(evaluate(), entry.rule);
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((finding) => finding.status === 'pass' && finding.evidence === 'baseline')).toBe(true);
  });

  it('fails with a precise message and path', () => {
    const failing = forRule(evaluate(entry.fail), entry.rule).filter((finding) => finding.status === 'fail');
    expect(failing).toHaveLength(1);
    expect(failing[0]!.message).toMatch(entry.failMessage);
    expect(failing[0]!.path).toBe(entry.failPath);
    expect(failing[0]!.remediation.length).toBeGreaterThan(0);
  });

  it('is excepted by a current exception and names it', () => {
    const findings = forRule(
      evaluate((b) => {
        entry.fail(b);
        b.exceptions = [{ rule: entry.rule, reason: 'accepted for the migration', owner: 'sec-team', expires: '2027-01-31' }];
      }),
      entry.rule,
    );
    const excepted = findings.filter((finding) => finding.status === 'excepted');
    expect(excepted).toHaveLength(1);
    expect(excepted[0]!.exception).toEqual({ reason: 'accepted for the migration', owner: 'sec-team', expires: '2027-01-31' });
    expect(findings.some((finding) => finding.status === 'fail')).toBe(false);
  });

  it('ignores an expired exception and reports it', () => {
    const findings = evaluate((b) => {
      entry.fail(b);
      b.exceptions = [{ rule: entry.rule, reason: 'old', owner: 'sec-team', expires: '2026-11-25' }];
    });
    expect(forRule(findings, entry.rule).some((finding) => finding.status === 'fail')).toBe(true);
    const expired = forRule(findings, EXPIRED_EXCEPTION_RULE);
    expect(expired).toHaveLength(1);
    expect(expired[0]!.message).toContain(`the exception for ${entry.rule} (owner sec-team) expired on 2026-11-25`);
    expect(expired[0]!.path).toBe('exceptions[0]');
  });

  it('is not verifiable without evidence, and says how to verify', () => {
    const findings = forRule(evaluate(entry.unverified), entry.rule);
    const unverified = findings.filter((finding) => finding.status === 'not_verifiable');
    expect(unverified.length).toBeGreaterThan(0);
    expect(unverified[0]!.how_to_verify).toBeTruthy();
    expect(findings.some((finding) => finding.status === 'fail')).toBe(false);
  });
});

describe('rule details', () => {
  it('scopes an exception with a path to that setting only', () => {
    const findings = evaluate((b) => {
      settings(b).jwt_templates.supabase.lifetime = 600;
      settings(b).jwt_templates.worker = { claims: { aud: 'worker' }, lifetime: 900 };
      b.exceptions = [{ rule: 'jwt-short-lifetime', path: 'settings.jwt_templates.worker', reason: 'server-side only', owner: 'ops', expires: '2027-01-01' }];
    });
    const lifetime = forRule(findings, 'jwt-short-lifetime');
    expect(lifetime.find((finding) => finding.path.includes('worker'))!.status).toBe('excepted');
    expect(lifetime.find((finding) => finding.path.includes('supabase'))!.status).toBe('fail');
  });

  it.each([
    ['https://app.example.com/', /not an exact origin \(did you mean "https:\/\/app.example.com"\?\)/],
    ['http://app.example.com', /plain http in a production instance/],
    ['http://localhost:3000', /local development origin/],
    ['not a url', /not a URL origin/],
    ['https://*', /wildcard/],
  ])('rejects the origin %s', (origin, message) => {
    const failing = forRule(evaluate((b) => void (settings(b).instance.allowed_origins = [origin])), 'origins-exact-allowlist');
    expect(failing[0]!.status).toBe('fail');
    expect(failing[0]!.message).toMatch(message);
  });

  it('an empty origin list is Clerk\'s secure default: it passes when the instance\'s domains are known, else it is not verifiable', () => {
    const unknown = forRule(evaluate((b) => void (settings(b).instance.allowed_origins = [])), 'origins-exact-allowlist');
    expect(unknown.map((finding) => finding.status)).toEqual(['not_verifiable']);
    expect(unknown[0]!.message).toMatch(/the instance's domains are not known/);
    const known = forRule(
      evaluate((b) => {
        settings(b).instance.allowed_origins = [];
        settings(b).instance.domains = { 'example.com': { is_satellite: false }, 'eu.example.com': { is_satellite: true } };
      }),
      'origins-exact-allowlist',
    );
    expect(known.map((finding) => finding.status)).toEqual(['pass']);
    expect(known[0]!.message).toBe("no extra allowed origins (Clerk's secure default): the Frontend API serves the instance's own domains example.com (primary), eu.example.com (satellite)");
  });

  it('open dynamic OAuth client registration fails item 3', () => {
    const findings = forRule(evaluate((b) => void (settings(b).oauth_application_settings = { dynamic_oauth_client_registration: true })), 'origins-exact-allowlist');
    expect(findings.find((finding) => finding.status === 'fail')!.path).toBe('settings.oauth_application_settings.dynamic_oauth_client_registration');
  });

  it('partitioned cookies fail item 8; a role set defaulting to admin fails item 14; unverified email at sign-up fails item 2', () => {
    const eight = forRule(evaluate((b) => void (settings(b).session.partitioned_cookies = true)), 'session-cookie-samesite');
    expect(eight.find((finding) => finding.status === 'fail')!.path).toBe('settings.session.partitioned_cookies');
    const fourteen = forRule(
      evaluate((b) => void (settings(b).organizations.role_sets = { 'role_set:default': { name: 'Default', roles: ['org:admin', 'org:member'], default_role: 'org:admin', creator_role: 'org:admin' } })),
      'org-role-checks',
    );
    expect(fourteen.find((finding) => finding.status === 'fail')!.message).toBe('role set "role_set:default" gives new members the admin role "org:admin" by default');
    const two = forRule(evaluate((b) => void (settings(b).sign_up.email_verification_required = false)), 'keys-production-live');
    expect(two.find((finding) => finding.status === 'fail')!.path).toBe('settings.sign_up.email_verification_required');
  });

  it.each([
    ['banking', 15, 'fail'],
    ['banking', 10, 'pass'],
    ['saas', 31, 'fail'],
    ['consumer', 10080, 'pass'],
    ['consumer', 10081, 'fail'],
  ] as const)('applies the %s inactivity threshold to %i minutes', (profile, value, status) => {
    const findings = forRule(
      evaluate((b) => {
        b.profile = profile;
        settings(b).session.inactivity_timeout_minutes = value;
        settings(b).session.maximum_lifetime_minutes = 60;
      }),
      'session-inactivity-timeout',
    );
    expect(findings.find((finding) => finding.path.endsWith('inactivity_timeout_minutes'))!.status).toBe(status);
  });

  it('finds PII shortcodes nested in claims and by claim name', () => {
    expect(piiClaims({ aud: 'x', user: { contact: '{{user.primary_phone_number}}' }, Email: 'literal' })).toEqual(['user.contact', 'Email']);
    expect(piiClaims({ aud: 'x', org: '{{org.id}}' })).toEqual([]);
  });

  it('treats MFA off in production as a critical failure for the saas profile', () => {
    const findings = forRule(evaluate((b) => void (settings(b).sign_in.second_factor.required = false)), 'keys-production-live');
    const failing = findings.filter((finding) => finding.status === 'fail');
    expect(failing.map((finding) => [finding.severity, finding.path])).toEqual([['critical', 'settings.sign_in.second_factor.required']]);
  });

  it('does not apply production key rules to a development instance', () => {
    const findings = forRule(
      evaluate((b) => {
        b.target.environment_type = 'development';
        settings(b).instance.test_mode = true;
      }),
      'keys-production-live',
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).toMatch(/not applicable/);
  });

  it('treats a declared empty webhook list as nothing to verify', () => {
    const findings = evaluate((b) => void (settings(b).webhooks = { endpoints: {} }));
    for (const rule of ['webhook-signature-verification', 'webhook-secret-in-env', 'webhook-idempotency', 'webhook-user-deleted-pii']) {
      expect(forRule(findings, rule).map((finding) => finding.status)).toEqual(['pass']);
    }
  });

  // Audit finding 12: an explicit `expires` shortens an attestation's life, never lengthens it.
  it.each([
    ['cross-org test, expires far beyond 180 days', 'org-cross-isolation-test', 'cross_org_isolation_test', { attested_at: '2020-01-01', expires: '2099-12-31' }, 'fail', /expired on 2020-06-29 \(its expires 2099-12-31 is capped at 180 days after attested_at\)/],
    ['cross-org test, recent, expires far beyond 180 days', 'org-cross-isolation-test', 'cross_org_isolation_test', { attested_at: '2026-10-01', expires: '2099-12-31' }, 'pass', /valid until 2027-03-30: its expires 2099-12-31 is capped at 180 days after attested_at\)$/],
    ['cross-org test, expires shorter than 180 days', 'org-cross-isolation-test', 'cross_org_isolation_test', { attested_at: '2026-10-01', expires: '2026-11-01' }, 'fail', /expired on 2026-11-01; re-verify/],
    ['one-year practice, expires beyond a year', 'session-server-side-verification', 'server_side_session_verification', { attested_at: '2025-01-01', expires: '2030-01-01' }, 'fail', /expired on 2026-01-01 \(its expires 2030-01-01 is capped at 365 days after attested_at\)/],
    ['one-year practice, expires within the year', 'session-server-side-verification', 'server_side_session_verification', { attested_at: '2026-06-01', expires: '2027-01-01' }, 'pass', /\(ci run 1\)$/],
    ['one-year practice, no expires', 'session-server-side-verification', 'server_side_session_verification', { attested_at: '2025-11-01' }, 'fail', /expired on 2026-11-01; re-verify/],
  ] as const)('attestation expiry: %s', (_name, rule, practice, dates, status, message) => {
    const findings = forRule(evaluate((b) => void (settings(b).practices[practice] = { attested_by: 'qa', evidence: 'ci run 1', ...dates })), rule);
    const finding = findings.find((entry) => entry.path.startsWith(`settings.practices.${practice}`))!;
    expect([finding.status, finding.message]).toEqual([status, expect.stringMatching(message)]);
  });

  it('rejects attestations dated in the future', () => {
    const findings = forRule(
      evaluate((b) => void (settings(b).practices.server_side_session_verification = { ...attestation, attested_at: '2027-01-01' })),
      'session-server-side-verification',
    );
    expect(findings[0]!.message).toMatch(/dated in the future/);
  });
});

describe('live evaluation', () => {
  const base = productionBaseline();
  const liveSettings = base.settings as Settings;
  const context = { environment: 'production', environmentType: 'production' as const, profile: 'saas' as const, mode: 'live' as const, today: PINNED_TODAY };

  it('never passes a setting whose live source is unverified', () => {
    const findings = evaluateSettings(liveSettings, { ...context, coverage: { instance: 'bapi', session: 'unverified' } });
    const inactivity = findings.find((finding) => finding.path === 'settings.session.inactivity_timeout_minutes')!;
    expect(inactivity.status).toBe('not_verifiable');
    expect(inactivity.evidence).toBe('unverified');
    const origins = findings.find((finding) => finding.rule === 'origins-exact-allowlist')!;
    expect(origins).toMatchObject({ status: 'pass', evidence: 'bapi' });
  });

  it('picks the most specific coverage entry', () => {
    const coverage = { instance: 'bapi', 'instance.hibp': 'fapi', jwt_templates: 'bapi' } as const;
    expect(sourceFor(coverage, ['instance', 'hibp'])).toBe('fapi');
    expect(sourceFor(coverage, ['instance', 'test_mode'])).toBe('bapi');
    expect(sourceFor(coverage, ['jwt_templates', 'a.b', 'lifetime'])).toBe('bapi');
    expect(sourceFor(coverage, ['session'])).toBe('unverified');
  });
});

describe('live evaluation of switched-off settings', () => {
  it('fails a setting its source was read for but that holds no value', () => {
    const base = productionBaseline();
    const live = structuredClone(base.settings) as SettingsDraft;
    delete live.session.inactivity_timeout_minutes;
    const findings = evaluateSettings(live as Settings, {
      environment: 'production',
      environmentType: 'production',
      profile: 'saas',
      mode: 'live',
      today: PINNED_TODAY,
      coverage: { session: 'export-file', 'session.inactivity_timeout_minutes': 'platform', 'session.maximum_lifetime_minutes': 'platform' },
    });
    const inactivity = findings.find((finding) => finding.path === 'settings.session.inactivity_timeout_minutes')!;
    expect(inactivity).toMatchObject({ status: 'fail', evidence: 'platform' });
    expect(inactivity.message).toBe('settings.session.inactivity_timeout_minutes is not set on the instance (read from platform): the protection is off');
  });
});
