/** Checklist items 13-15: organizations as the tenant boundary. */
import type { Settings } from '../../settings/model';
import { checkAttestation, fail, pass } from '../helpers';
import { CROSS_ORG_TEST_MAX_AGE_DAYS } from '../thresholds';
import type { Rule, RuleResult } from '../types';

const ADMIN_ROLE_KEYS = new Set(['org:admin', 'admin']);

function organizationsDisabled(settings: Settings): boolean {
  return settings.organizations?.settings?.enabled === false;
}

const notApplicable = (): RuleResult[] => [pass('not applicable: organizations are disabled', ['organizations', 'settings', 'enabled'])];

export const orgScopedQueries: Rule = {
  id: 'org-scoped-queries',
  checklist_item: 13,
  title: 'Every query filters by both userId and orgId from auth()',
  severity: 'critical',
  rationale: 'The org boundary is tenant isolation; an org_id from the request body lets one tenant read another\'s data.',
  remediation: 'Read userId and orgId from auth() on every route and filter with WHERE org_id = $orgId AND user_id = $userId; never trust a client-sent org_id.',
  verification: ['code', 'attestation'],
  how_to_verify: 'Review data-access code for org_id taken from the request, then record practices.org_scoped_queries.',
  evaluate(settings, context) {
    if (organizationsDisabled(settings)) return notApplicable();
    return [checkAttestation(settings.practices?.org_scoped_queries, ['practices', 'org_scoped_queries'], context, 'org-scoped queries', this.how_to_verify)];
  },
};

export const orgRoleChecks: Rule = {
  id: 'org-role-checks',
  checklist_item: 14,
  title: 'Privileged operations check Clerk roles from the verified JWT',
  severity: 'high',
  rationale: 'A boolean on a stale client-side user object can be spoofed; a role claim in a verified JWT cannot. Automatic domain enrollment into an admin role hands out admin.',
  remediation: 'Use has({ role }) / has({ permission }) server-side; give domain enrollment a non-admin default role; give every custom role only the permissions it needs.',
  verification: ['config', 'code', 'attestation'],
  how_to_verify: 'Review privileged routes for has({ role }) or has({ permission }) checks, then record practices.role_based_authorization.',
  evaluate(settings, context) {
    if (organizationsDisabled(settings)) return notApplicable();
    const results: RuleResult[] = [];
    const orgSettings = settings.organizations?.settings;
    const roles = settings.organizations?.roles;
    const automatic = (orgSettings?.domains_enrollment_modes ?? []).some((mode) => mode !== 'manual_invitation');
    if (orgSettings?.domains_enabled && automatic && orgSettings.domains_default_role && ADMIN_ROLE_KEYS.has(orgSettings.domains_default_role)) {
      results.push(fail(`verified-domain enrollment gives new members the admin role "${orgSettings.domains_default_role}"`, ['organizations', 'settings', 'domains_default_role']));
    }
    for (const field of ['creator_role', 'domains_default_role'] as const) {
      const key = orgSettings?.[field];
      if (key && roles && !roles[key] && !key.startsWith('org:')) {
        results.push(fail(`organizations.settings.${field} names role "${key}", which is not defined under organizations.roles`, ['organizations', 'settings', field]));
      }
    }
    for (const [key, set] of Object.entries(settings.organizations?.role_sets ?? {})) {
      if (set.default_role && ADMIN_ROLE_KEYS.has(set.default_role)) {
        results.push(fail(`role set "${key}" gives new members the admin role "${set.default_role}" by default`, ['organizations', 'role_sets', key, 'default_role']));
      }
    }
    results.push(checkAttestation(settings.practices?.role_based_authorization, ['practices', 'role_based_authorization'], context, 'role checks from the verified JWT', this.how_to_verify));
    return results;
  },
};

export const crossOrgIsolationTest: Rule = {
  id: 'org-cross-isolation-test',
  checklist_item: 15,
  title: 'Cross-org isolation is tested with two real org accounts',
  severity: 'high',
  rationale: 'Only a test from a second tenant proves that Org B cannot read Org A\'s data.',
  remediation: 'Create Org A with data, sign in to Org B, request Org A\'s resources through the API and expect 403/404; automate it in CI.',
  verification: ['code', 'attestation'],
  how_to_verify: `Run the cross-org test (at least every ${CROSS_ORG_TEST_MAX_AGE_DAYS} days) and record practices.cross_org_isolation_test.`,
  evaluate(settings, context) {
    if (organizationsDisabled(settings)) return notApplicable();
    return [
      checkAttestation(settings.practices?.cross_org_isolation_test, ['practices', 'cross_org_isolation_test'], context, 'cross-org isolation test', this.how_to_verify, CROSS_ORG_TEST_MAX_AGE_DAYS),
    ];
  },
};
