/** Checklist items 16-18: JWT templates for downstream services. */
import type { JwtTemplate, Settings } from '../../settings/model';
import { checkAttestation, fail, notDeclared, pass } from '../helpers';
import { piiClaimPaths } from '../pii';
import { JWT_MAX_LIFETIME_SECONDS } from '../thresholds';
import type { Rule, RuleContext, RuleResult } from '../types';

function templates(settings: Settings): [string, JwtTemplate][] | undefined {
  const all = settings.jwt_templates;
  return all === undefined ? undefined : Object.entries(all).sort(([a], [b]) => a.localeCompare(b));
}

function perTemplate(
  settings: Settings,
  context: RuleContext,
  howToVerify: string,
  check: (name: string, template: JwtTemplate) => RuleResult,
): RuleResult[] {
  const list = templates(settings);
  if (list === undefined) return [notDeclared(context, ['jwt_templates'], howToVerify)];
  if (list.length === 0) return [pass('no JWT templates are configured', ['jwt_templates'])];
  return list.map(([name, template]) => check(name, template));
}

/** Claim paths that carry PII, by claim name or by a Clerk shortcode in the value, at any depth. */
export function piiClaims(claims: Record<string, unknown>): string[] {
  return piiClaimPaths(claims);
}

export const minimalClaims: Rule = {
  id: 'jwt-claims-minimal',
  checklist_item: 16,
  title: 'JWT templates carry only necessary claims, no email or phone',
  severity: 'high',
  rationale: 'Tokens are readable by anyone holding them in the browser; email and phone claims expose PII to every script on the page.',
  remediation: 'Remove email/phone claims (look users up server-side by sub), or record an exception with the reason the downstream service needs them.',
  verification: ['config', 'live', 'attestation'],
  how_to_verify: 'Dashboard → JWT Templates: list every claim and confirm it is necessary, then record practices.jwt_claims_reviewed.',
  evaluate(settings, context) {
    const results = perTemplate(settings, context, this.how_to_verify, (name, template) => {
      const pii = piiClaims(template.claims);
      const path = ['jwt_templates', name, 'claims'];
      if (pii.length > 0) return fail(`JWT template "${name}" puts PII in claims: ${pii.join(', ')}`, path);
      return pass(`JWT template "${name}" has no email or phone claims`, path);
    });
    if (templates(settings)?.length) {
      results.push(checkAttestation(settings.practices?.jwt_claims_reviewed, ['practices', 'jwt_claims_reviewed'], context, 'a review of every JWT claim', this.how_to_verify));
    }
    return results;
  },
};

export const shortLifetime: Rule = {
  id: 'jwt-short-lifetime',
  checklist_item: 17,
  title: `JWT templates for downstream calls live ${JWT_MAX_LIFETIME_SECONDS} seconds or less`,
  severity: 'high',
  rationale: 'Long-lived tokens are stolen and replayed; 60 seconds is the standard for downstream API requests.',
  remediation: `Set lifetime to ${JWT_MAX_LIFETIME_SECONDS} (seconds) on templates used from the client; record an exception for server-to-server templates that need longer.`,
  verification: ['config', 'live'],
  how_to_verify: 'Dashboard → JWT Templates → Token lifetime, or GET /v1/jwt_templates.',
  evaluate(settings, context) {
    return perTemplate(settings, context, this.how_to_verify, (name, template) => {
      const path = ['jwt_templates', name, 'lifetime'];
      if (template.lifetime > JWT_MAX_LIFETIME_SECONDS) {
        return fail(`JWT template "${name}" lives ${template.lifetime} s; downstream tokens should live at most ${JWT_MAX_LIFETIME_SECONDS} s`, path);
      }
      return pass(`JWT template "${name}" lives ${template.lifetime} s`, path);
    });
  },
};

function hasAudience(claims: Record<string, unknown>): boolean {
  const aud = claims.aud;
  if (typeof aud === 'string') return aud.trim().length > 0;
  return Array.isArray(aud) && aud.length > 0 && aud.every((item) => typeof item === 'string' && item.trim().length > 0);
}

export const audienceClaim: Rule = {
  id: 'jwt-audience-claim',
  checklist_item: 18,
  title: 'Every JWT template sets an aud claim that receivers verify',
  severity: 'high',
  rationale: 'Without an audience a token issued for service A authenticates to service B.',
  remediation: 'Add an "aud" claim naming the receiving service to each template, and make each receiver reject tokens with another audience.',
  verification: ['config', 'live', 'attestation'],
  how_to_verify: 'Send a token minted for another template to each receiver and expect a rejection, then record practices.audience_verified_by_receivers.',
  evaluate(settings, context) {
    const results = perTemplate(settings, context, this.how_to_verify, (name, template) => {
      const path = ['jwt_templates', name, 'claims', 'aud'];
      if (!hasAudience(template.claims)) return fail(`JWT template "${name}" has no "aud" claim`, ['jwt_templates', name, 'claims']);
      return pass(`JWT template "${name}" sets aud ${JSON.stringify(template.claims.aud)}`, path);
    });
    if (templates(settings)?.length) {
      results.push(
        checkAttestation(settings.practices?.audience_verified_by_receivers, ['practices', 'audience_verified_by_receivers'], context, 'audience verification by receiving services', this.how_to_verify),
      );
    }
    return results;
  },
};
