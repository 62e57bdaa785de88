// Generated inputs for the benchmarks: large baselines shaped like real ones (many JWT
// templates), and the live settings that drift from them. Deterministic, no randomness.
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A copy of baselines/production.json with `templates` JWT templates. `full`: each template
 * declares every field the export reads (as a baseline written from an export does); otherwise
 * only claims and lifetime, and the other three fields of every template are unmanaged live.
 */
export function largeBaseline(root, templates, { full = false } = {}) {
  const base = JSON.parse(readFileSync(path.join(root, 'baselines/production.json'), 'utf8'));
  base.settings.jwt_templates = {};
  for (let i = 0; i < templates; i++) {
    base.settings.jwt_templates[`service-${String(i).padStart(5, '0')}`] = {
      claims: { aud: `svc-${i}`, role: 'member' },
      lifetime: 60,
      ...(full ? { allowed_clock_skew: 5, signing_algorithm: 'RS256', custom_signing_key: false } : {}),
    };
  }
  return base;
}

/**
 * Live settings that differ from `baseline.settings` in `changes` places: one change per
 * template (lifetime 60 → 3600, a weakening), then a second one (an `email` claim added).
 */
export function driftedSettings(baseline, changes) {
  const settings = JSON.parse(JSON.stringify(baseline.settings));
  const names = Object.keys(settings.jwt_templates);
  if (changes > names.length * 2) throw new Error(`at most ${names.length * 2} changes on ${names.length} templates`);
  for (let i = 0; i < changes; i++) {
    const template = settings.jwt_templates[names[i % names.length]];
    if (i < names.length) template.lifetime = 3600;
    else template.claims.email = '{{user.primary_email_address}}';
  }
  return settings;
}

/** A baseline whose templates all fail the checklist's lifetime rule: `findings` failing findings. */
export function failingBaseline(root, findings) {
  const baseline = largeBaseline(root, findings);
  for (const template of Object.values(baseline.settings.jwt_templates)) template.lifetime = 3600;
  return baseline;
}

export function pretty(value) {
  return `${JSON.stringify(value, null, 2)}\n`;
}
