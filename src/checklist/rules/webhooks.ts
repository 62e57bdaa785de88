/** Checklist items 9-12: webhook verification and handling. */
import type { Attestation, Settings } from '../../settings/model';
import { checkAttestation, fail, pass } from '../helpers';
import type { Rule, RuleContext, RuleResult } from '../types';

type WebhookPractice = 'signature_verification' | 'secret_storage' | 'idempotency' | 'user_deleted_handling';

/** A declared, empty endpoint list is evidence that there is nothing to verify. */
function noEndpoints(settings: Settings): boolean {
  const endpoints = settings.webhooks?.endpoints;
  return endpoints !== undefined && Object.keys(endpoints).length === 0;
}

function webhookPractice(settings: Settings, context: RuleContext, practice: WebhookPractice, what: string, howToVerify: string): RuleResult[] {
  if (noEndpoints(settings)) return [pass('not applicable: the baseline declares no webhook endpoints', ['webhooks', 'endpoints'])];
  const attestation: Attestation | undefined = settings.webhooks?.[practice];
  return [checkAttestation(attestation, ['webhooks', practice], context, what, howToVerify)];
}

export const signatureVerification: Rule = {
  id: 'webhook-signature-verification',
  checklist_item: 9,
  title: 'Every webhook verifies the Svix signature',
  severity: 'critical',
  rationale: 'A forged webhook is a database-write primitive: anyone who finds the URL can create, update or delete users in your database.',
  remediation: 'Verify svix-id, svix-timestamp and svix-signature with the endpoint secret (Webhook(secret).verify or verifyWebhook) before parsing; reject with 401.',
  verification: ['code', 'probe', 'attestation'],
  how_to_verify: 'Run `clerkguard probe` (a forged delivery to each endpoint must be refused with 400/401/403; with the signing secret also a stale signed one) or `clerkguard scan`, or send an unsigned request yourself and record webhooks.signature_verification.',
  evaluate(settings, context) {
    return webhookPractice(settings, context, 'signature_verification', 'webhook signature verification', this.how_to_verify);
  },
};

export const secretInEnvironment: Rule = {
  id: 'webhook-secret-in-env',
  checklist_item: 10,
  title: 'The webhook signing secret lives in an environment variable',
  severity: 'high',
  rationale: 'The secret rotates on each dashboard regeneration; one in code leaks with the repository and cannot rotate.',
  remediation: 'Read the whsec_ secret from an env var (e.g. CLERK_WEBHOOK_SIGNING_SECRET) in the handler; remove any literal from code and history.',
  verification: ['code', 'attestation'],
  how_to_verify: 'Search the code for "whsec_", then record webhooks.secret_storage.',
  evaluate(settings, context) {
    return webhookPractice(settings, context, 'secret_storage', 'webhook secret stored in the environment', this.how_to_verify);
  },
};

export const idempotentHandlers: Rule = {
  id: 'webhook-idempotency',
  checklist_item: 11,
  title: 'Webhook handlers are idempotent',
  severity: 'medium',
  rationale: 'Deliveries repeat; a non-idempotent handler double-applies state changes.',
  remediation: 'Insert svix-id into a webhook_events table with a unique key in the same transaction as the state change.',
  verification: ['code', 'attestation'],
  how_to_verify: 'Replay one delivery twice from the Svix portal and check state changed once, then record webhooks.idempotency.',
  evaluate(settings, context) {
    return webhookPractice(settings, context, 'idempotency', 'idempotent webhook handling', this.how_to_verify);
  },
};

export const userDeletedHandling: Rule = {
  id: 'webhook-user-deleted-pii',
  checklist_item: 12,
  title: 'user.deleted removes or anonymizes PII within 24 hours',
  severity: 'high',
  rationale: 'GDPR and CCPA require erasure; a missed user.deleted leaves PII in your tables indefinitely.',
  remediation: 'Subscribe an endpoint to user.deleted and hard-delete or anonymize the user\'s rows (ON DELETE CASCADE where possible).',
  verification: ['config', 'code', 'attestation'],
  how_to_verify: 'Delete a test user and check every table that held their data, then record webhooks.user_deleted_handling.',
  evaluate(settings, context) {
    if (noEndpoints(settings)) return [pass('not applicable: the baseline declares no webhook endpoints', ['webhooks', 'endpoints'])];
    const results: RuleResult[] = [];
    const endpoints = settings.webhooks?.endpoints;
    if (endpoints !== undefined) {
      const subscribed = Object.entries(endpoints).some(([, endpoint]) => endpoint.events.includes('user.deleted') || endpoint.events.includes('*'));
      if (!subscribed) results.push(fail('no webhook endpoint subscribes to user.deleted, so deletions never reach your database', ['webhooks', 'endpoints']));
    }
    results.push(checkAttestation(settings.webhooks?.user_deleted_handling, ['webhooks', 'user_deleted_handling'], context, 'user.deleted PII erasure', this.how_to_verify));
    return results;
  },
};
