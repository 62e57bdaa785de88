/** One drift report that exercises every part of every renderer. */
import { diffBaseline } from '../../src/drift/index';
import { errorDrift } from '../../src/drift/run';
import type { DriftReport } from '../../src/drift/types';
import { FULL_COVERAGE, liveLike, productionBaseline } from '../drift/fixtures';

export const SENTINEL_SECRET = 'sk_live_SENTINELsecretDoNotLeak0123456789';

export function sampleReport(): DriftReport {
  const production = productionBaseline((raw) => {
    raw.exceptions = [{ rule: 'jwt-short-lifetime', path: 'settings.jwt_templates.legacy', reason: 'legacy batch job, retired in Q1', owner: 'data-team', expires: '2027-03-31' }];
    const settings = raw.settings as { jwt_templates: Record<string, unknown> };
    settings.jwt_templates.legacy = { claims: { aud: 'batch' }, lifetime: 60 };
  });
  const coverage = { ...FULL_COVERAGE };
  delete (coverage as Record<string, string>).webhooks;
  const live = liveLike(
    production,
    (settings) => {
      settings.session!.inactivity_timeout_minutes = 10080;
      settings.jwt_templates!.supabase!.claims.email = '{{user.primary_email_address}}';
      settings.jwt_templates!.supabase!.lifetime = 3600;
      settings.jwt_templates!.legacy!.lifetime = 900;
      settings.instance!.allowed_origins!.push('https://preview.example.dev');
      settings.password_settings!.min_length = 14;
      settings.organizations!.settings!.max_allowed_memberships = 100;
      settings.attack_protection!.pii = { enabled: true };
      // A hostile claim whose value smuggles a secret: reports must scrub it.
      (settings.jwt_templates!.supabase!.claims as Record<string, unknown>)['x__deleted|<!here>'] = `Bearer ${SENTINEL_SECRET}`;
    },
    coverage,
  );
  const productionDrift = diffBaseline(production, live, { today: '2026-11-26' });
  const staging = productionBaseline((raw) => {
    raw.environment = 'staging';
    raw.version = '0.9.0';
  });
  const stagingDrift = errorDrift(
    { ...staging, file: 'baselines/staging.json' },
    { message: `Clerk failed on GET /v1/instance for environment staging (503) after 3 attempts; key ${SENTINEL_SECRET}`, endpoint: 'GET /v1/instance', status: 503 },
  );
  return { status: 'error', generated_at: '2026-11-26T03:00:00.000Z', environments: [productionDrift, stagingDrift] };
}
