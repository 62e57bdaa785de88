/**
 * The one PII-claim detector (src/checklist/pii.ts) and its two users: checklist item 16
 * (`jwt-claims-minimal`) and drift's classification of an added claim. Audit finding 8: an
 * email or phone shortcode inside an array passed item 16 while drift called it PII.
 */
import { describe, expect, it } from 'vitest';
import { evaluateSettings } from '../../src/checklist/index';
import { piiClaimPaths } from '../../src/checklist/pii';
import { diffSettings } from '../../src/drift/index';
import type { Settings } from '../../src/settings/model';
import { PINNED_TODAY } from '../helpers/cli';

const EMAIL = '{{user.primary_email_address}}';
const PHONE = '{{user.primary_phone_number}}';

const CASES: [name: string, claim: unknown, paths: string[]][] = [
  ['email shortcode in a string', EMAIL, ['contact']],
  ['shortcode inside a longer string', `mailto:${EMAIL}`, ['contact']],
  ['shortcodes inside an array', [EMAIL, PHONE], ['contact[0]', 'contact[1]']],
  ['shortcode inside an array after a safe value', ['{{user.id}}', PHONE], ['contact[1]']],
  ['shortcode in an object inside an array', [{ kind: 'mail', value: EMAIL }], ['contact[0].value']],
  ['PII claim name inside an array of objects', [{ email: 'literal' }], ['contact[0].email']],
  ['array nested in an array', [[['{{user.email_addresses}}']]], ['contact[0][0][0]']],
  ['nested object', { primary: { phone_number: 'x' } }, ['contact.primary.phone_number']],
  ['unsafe metadata anywhere', { deep: [{ deeper: '{{user.unsafe_metadata}}' }] }, ['contact.deep[0].deeper']],
  ['no PII: ids and org data', ['{{user.id}}', { org: '{{org.slug}}' }], []],
  ['no PII: numbers, booleans, null', [1, true, null, { n: 2 }], []],
  ['no PII: empty array', [], []],
];

describe('PII claims (one detector for the checklist and drift)', () => {
  it.each(CASES)('%s', (_name, claim, paths) => {
    expect(piiClaimPaths({ aud: 'api', contact: claim })).toEqual(paths);
  });

  it('finds a PII claim by name, in any case, and does not look inside it', () => {
    expect(piiClaimPaths({ Email: EMAIL, phone_numbers: [PHONE], sub: '{{user.id}}' })).toEqual(['Email', 'phone_numbers']);
  });

  it('quotes claim names that are not plain keys', () => {
    expect(piiClaimPaths({ 'https://example.com/contact': [EMAIL] })).toEqual(['["https://example.com/contact"][0]']);
  });

  const settingsWith = (claim: unknown): Settings => ({ jwt_templates: { api: { claims: { aud: 'api', contact: claim }, lifetime: 60 } } }) as Settings;

  it.each(CASES)('checklist item 16 and drift agree: %s', (_name, claim, paths) => {
    const findings = evaluateSettings(settingsWith(claim), { environment: 'production', environmentType: 'production', profile: 'saas', mode: 'baseline', today: PINNED_TODAY }, { only: ['jwt-claims-minimal'] });
    const template = findings.find((finding) => finding.path === 'settings.jwt_templates.api.claims')!;
    const change = diffSettings(settingsWith('{{user.id}}'), settingsWith(claim), { production: true }).find((entry) => entry.path.startsWith('settings.jwt_templates.api.claims.contact'));
    if (paths.length > 0) {
      expect(template).toMatchObject({ status: 'fail', message: `JWT template "api" puts PII in claims: ${paths.join(', ')}` });
      expect(change).toMatchObject({ direction: 'weakening', severity: 'high' });
    } else {
      expect(template.status).toBe('pass');
      if (change) expect(change.severity).not.toBe('high');
    }
  });
});
