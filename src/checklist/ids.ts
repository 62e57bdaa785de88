/**
 * Stable rule ids, one per checklist item in the seed's order. Kept apart from the rules so
 * that the baseline loader can validate exception names without loading rule logic.
 */
export const RULE_IDS = [
  'keys-secret-server-only',
  'keys-production-live',
  'origins-exact-allowlist',
  'keys-rotation',
  'session-inactivity-timeout',
  'session-revoke-on-security-events',
  'session-server-side-verification',
  'session-cookie-samesite',
  'webhook-signature-verification',
  'webhook-secret-in-env',
  'webhook-idempotency',
  'webhook-user-deleted-pii',
  'org-scoped-queries',
  'org-role-checks',
  'org-cross-isolation-test',
  'jwt-claims-minimal',
  'jwt-short-lifetime',
  'jwt-audience-claim',
  'monitoring-failed-login-alerts',
  'monitoring-settings-review',
] as const;

export type RuleId = (typeof RULE_IDS)[number];

/** Findings about the baseline itself rather than about a checklist item. */
export const EXPIRED_EXCEPTION_RULE = 'baseline-exception-expired';
export const EXPIRED_IGNORE_RULE = 'baseline-ignore-expired';
