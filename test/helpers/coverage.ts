/** Per-group sources of a live export that read every API and had a dashboard export file. */
import type { EvidenceSource } from '../../src/settings/model';

export const GROUP_COVERAGE: Record<string, EvidenceSource> = {
  instance: 'bapi',
  restrictions: 'fapi',
  protect: 'bapi',
  communication: 'bapi',
  attack_protection: 'fapi',
  sign_in: 'fapi',
  sign_up: 'fapi',
  password_settings: 'fapi',
  organizations: 'bapi',
  jwt_templates: 'bapi',
  session: 'export-file',
  webhooks: 'export-file',
  'webhooks.signature_verification': 'attested',
  'webhooks.secret_storage': 'attested',
  'webhooks.idempotency': 'attested',
  'webhooks.user_deleted_handling': 'attested',
  monitoring: 'attested',
  practices: 'attested',
};
