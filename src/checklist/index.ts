/**
 * The checklist: 20 rules in the seed's order, and their evaluation into findings.
 * The same evaluation serves `clerkguard check` (baselines), live exports, snapshots and the
 * CrossGuard policy pack, so a rule is written once.
 */
import type { BaselineException } from '../baseline/schema';
import { isLocationScope, scopeCoversLocation, withEvidence, type EvidencedResult } from '../evidence/index';
import type { Settings } from '../settings/model';
import { formatPath, getAt, isUnder, type JsonPath } from '../settings/paths';
import { EXPIRED_EXCEPTION_RULE, RULE_IDS } from './ids';
import { exactOriginAllowlist, productionUsesLiveKeys, secretKeyRotation, secretKeyServerOnly } from './rules/keys';
import { cookieSameSite, inactivityTimeout, revokeOnSecurityEvents, serverSideVerification } from './rules/session';
import { idempotentHandlers, secretInEnvironment, signatureVerification, userDeletedHandling } from './rules/webhooks';
import { crossOrgIsolationTest, orgRoleChecks, orgScopedQueries } from './rules/organizations';
import { audienceClaim, minimalClaims, shortLifetime } from './rules/jwt';
import { failedLoginAlerts, settingsReview } from './rules/monitoring';
import type { RuleId } from './ids';
import { atLeast, type Finding, type Rule, type RuleContext, type Severity } from './types';

export * from './types';
export { RULE_IDS, EXPIRED_EXCEPTION_RULE, EXPIRED_IGNORE_RULE } from './ids';
/** Kept here for existing importers; the lookup lives with the other evidence plumbing. */
export { sourceFor } from '../evidence/index';

export const RULES: readonly Rule[] = [
  secretKeyServerOnly,
  productionUsesLiveKeys,
  exactOriginAllowlist,
  secretKeyRotation,
  inactivityTimeout,
  revokeOnSecurityEvents,
  serverSideVerification,
  cookieSameSite,
  signatureVerification,
  secretInEnvironment,
  idempotentHandlers,
  userDeletedHandling,
  orgScopedQueries,
  orgRoleChecks,
  crossOrgIsolationTest,
  minimalClaims,
  shortLifetime,
  audienceClaim,
  failedLoginAlerts,
  settingsReview,
];

export function ruleById(id: string): Rule | undefined {
  return RULES.find((rule) => rule.id === id);
}

export interface EvaluateOptions {
  exceptions?: readonly BaselineException[];
  /** Prefix for rendered paths, `settings` for baselines and exports. */
  pathPrefix?: JsonPath;
  file?: string;
  /** Restrict to these rule ids (used by the policy pack for per-resource checks). */
  only?: readonly string[];
}

export function evaluateSettings(settings: Settings, context: RuleContext, options: EvaluateOptions = {}): Finding[] {
  const prefix = options.pathPrefix ?? ['settings'];
  const exceptions = options.exceptions ?? [];
  const findings: Finding[] = [];
  for (const rule of RULES) {
    if (options.only && !options.only.includes(rule.id)) continue;
    const results = withEvidence(rule.id as RuleId, rule.evaluate(settings, context), context).map((result) => backedDeclaration(result, settings, context));
    for (const result of results) {
      const finding = toFinding(rule, result, context, prefix, options.file);
      if (finding.status === 'fail') applyBaselineException(finding, result, exceptions, context.today);
      findings.push(finding);
    }
  }
  findings.push(...expiredExceptions(exceptions, context, options.file));
  return findings;
}

/**
 * Live, a pass that rests on the baseline's word (evidence `attested`) counts only when that word
 * is an attestation: an object with attested_by, attested_at and evidence, which the rule has
 * already checked for freshness. A bare declaration copied from the baseline (the cookie's
 * SameSite, failed-login alerts, the settings review, the key rotation date) is intent, not
 * evidence: `not_verifiable`, unless a probe or a scan decided the rule (their evidence is
 * `probe`/`code`, never `attested`) or the rule judged an attestation slot beside it
 * (`keys.last_rotation`, `…failed_login_alerts.test_alert`, `…settings_review.last_review`) or a
 * signed snapshot review (evidence `snapshot`). A failing declaration still fails: it shows a
 * problem. In baseline mode nothing changes: a baseline is intent, and its findings say so.
 */
function backedDeclaration(result: EvidencedResult, settings: Settings, context: RuleContext): EvidencedResult {
  if (context.mode !== 'live' || result.status !== 'pass' || result.evidence !== 'attested' || !result.path) return result;
  if (isAttestation(getAt(settings, result.path))) return result;
  const where = formatPath(result.path);
  const slot = DECLARATION_EVIDENCE[where];
  return {
    ...result,
    status: 'not_verifiable',
    message: `${result.message}, but only as the baseline declares it (settings.${where}): no Clerk API shows it, and no attestation (attested_by, attested_at, evidence) or probe or scan backs it${slot ? `; ${slot}` : ''}`,
  };
}

/** Where the evidence for a bare declaration goes, for the not_verifiable message. */
const DECLARATION_EVIDENCE: Record<string, string> = {
  'keys.last_rotated_at': 'record the rotation at settings.keys.last_rotation',
  'monitoring.failed_login_alerts': 'record a test alert that arrived at settings.monitoring.failed_login_alerts.test_alert',
  'monitoring.settings_review': 'sign off and commit a snapshot review, or record settings.monitoring.settings_review.last_review',
  'session.cookie_same_site': 'run `clerkguard probe`, which reads the Set-Cookie of the deployed app',
};

function isAttestation(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  return [record.attested_by, record.attested_at, record.evidence].every((field) => typeof field === 'string' && field.length > 0);
}

function toFinding(rule: Rule, result: EvidencedResult, context: RuleContext, prefix: JsonPath, file: string | undefined): Finding {
  const status = result.suppressed ? 'excepted' : result.status;
  return {
    ...(file === undefined ? {} : { file }),
    environment: context.environment,
    rule: rule.id,
    checklist_item: rule.checklist_item,
    title: rule.title,
    severity: rule.severity,
    status,
    message: result.suppressed ? `${result.message} (suppressed at ${result.suppressed.at}: ${result.suppressed.reason})` : result.message,
    path: result.path ? formatPath([...prefix, ...result.path]) : '',
    evidence: result.evidence,
    ...(result.location ? { location: result.location } : {}),
    ...(result.confidence ? { confidence: result.confidence } : {}),
    ...(result.check ? { check: result.check } : {}),
    ...(result.snippet ? { snippet: result.snippet } : {}),
    remediation: rule.remediation,
    ...(status === 'not_verifiable' ? { how_to_verify: rule.how_to_verify } : {}),
    ...(result.suppressed
      ? { exception: { reason: result.suppressed.reason, by: result.suppressed.by, at: result.suppressed.at, ...(result.suppressed.owner ? { owner: result.suppressed.owner } : {}), ...(result.suppressed.expires ? { expires: result.suppressed.expires } : {}) } }
      : {}),
  };
}

/**
 * A baseline exception waives a failing finding of its rule: everywhere, under a settings path
 * (`settings.jwt_templates.worker`), or at application locations (`code:app/api/legacy/**`).
 */
export function applyBaselineException(finding: Finding, result: Pick<EvidencedResult, 'path' | 'location'>, exceptions: readonly BaselineException[], today: string): void {
  const path = result.path;
  const match = exceptions.find((exception) => {
    if (exception.rule !== finding.rule || exception.expires < today) return false;
    if (!exception.path) return true;
    if (isLocationScope(exception.path)) return scopeCoversLocation(exception.path, result.location);
    const scope = exception.path.replace(/^settings\.?/, '');
    return path !== undefined && (scope === '' || isUnder(path, scope));
  });
  if (!match) return;
  finding.status = 'excepted';
  finding.exception = { reason: match.reason, owner: match.owner, expires: match.expires };
  finding.message = `${finding.message} (excepted until ${match.expires}: ${match.reason})`;
}

function expiredExceptions(exceptions: readonly BaselineException[], context: RuleContext, file: string | undefined): Finding[] {
  return exceptions.flatMap((exception, index) =>
    exception.expires < context.today
      ? [
          {
            ...(file === undefined ? {} : { file }),
            environment: context.environment,
            rule: EXPIRED_EXCEPTION_RULE,
            checklist_item: null,
            title: 'Baseline exception has expired',
            severity: 'medium' as Severity,
            status: 'fail' as const,
            message: `the exception for ${exception.rule} (owner ${exception.owner}) expired on ${exception.expires} and no longer applies`,
            path: formatPath(['exceptions', index]),
            evidence: 'baseline' as const,
            remediation: 'Fix the underlying finding, or renew the exception with a new expires date and a fresh reason.',
          },
        ]
      : [],
  );
}

export interface FindingSummary {
  total: number;
  pass: number;
  fail: number;
  not_verifiable: number;
  excepted: number;
  failing_at_threshold: number;
  fail_on: Severity;
  checklist_items: number[];
}

export function summarize(findings: readonly Finding[], failOn: Severity): FindingSummary {
  const count = (status: Finding['status']) => findings.filter((finding) => finding.status === status).length;
  return {
    total: findings.length,
    pass: count('pass'),
    fail: count('fail'),
    not_verifiable: count('not_verifiable'),
    excepted: count('excepted'),
    failing_at_threshold: findings.filter((finding) => finding.status === 'fail' && atLeast(finding.severity, failOn)).length,
    fail_on: failOn,
    checklist_items: [...new Set(findings.map((finding) => finding.checklist_item).filter((item): item is number => item !== null))].sort((a, b) => a - b),
  };
}

// Rule ids are declared twice (ids.ts for the loader, rules for logic); keep them in lockstep.
if (RULES.map((rule) => rule.id).join() !== RULE_IDS.join()) {
  throw new Error('checklist rules and RULE_IDS are out of order');
}
