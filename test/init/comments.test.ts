/**
 * `$comment` notes in baselines: accepted in every object of fixed shape and removed before
 * validation, so nothing downstream sees them; data wherever keys are the user's (JWT claims,
 * platform_config); a malformed one is an error with file, line, path and hint. The published
 * JSON Schema accepts exactly the same, checked with a real validator (ajv, draft 2020-12).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { describe, expect, test } from 'vitest';
import { baselineJsonSchema } from '../../src/baseline/json-schema';
import { validateBaselineText } from '../../src/baseline/load';
import { REPO_ROOT } from '../helpers/cli';

const production = () => JSON.parse(readFileSync(path.join(REPO_ROOT, 'baselines', 'production.json'), 'utf8')) as Record<string, unknown> & { settings: Record<string, Record<string, unknown>>; exceptions: Record<string, unknown>[] };

function withNotes(): ReturnType<typeof production> {
  const baseline = production();
  baseline.$comment = ['at the top'];
  (baseline.target as Record<string, unknown>).$comment = 'one string is fine too';
  (baseline.settings as Record<string, unknown>).$comment = ['in settings'];
  baseline.settings.instance!.$comment = ['in a group'];
  (baseline.settings.attack_protection!.user_lockout as Record<string, unknown>).$comment = ['in a nested object'];
  const templates = baseline.settings.jwt_templates as Record<string, Record<string, unknown>>;
  templates.supabase!.$comment = ['in a JWT template'];
  // A claim named $comment is the user's data: it stays a claim.
  (templates.supabase!.claims as Record<string, unknown>).$comment = 'a claim';
  (baseline.settings.organizations!.roles as Record<string, Record<string, unknown>>)['org:billing']!.$comment = ['in a role'];
  baseline.exceptions = [{ $comment: ['in an exception'], rule: 'jwt-short-lifetime', path: 'settings.jwt_templates.worker', reason: 'server-side only', owner: 'ops', expires: '2099-12-31' }];
  return baseline;
}

describe('$comment in baselines', () => {
  test('accepted in fixed-shape objects and removed before validation; a claim named $comment stays', () => {
    const result = validateBaselineText(`${JSON.stringify(withNotes(), null, 2)}\n`, 'production.json');
    expect(result.errors).toEqual([]);
    const baseline = result.value!;
    expect(JSON.stringify({ ...baseline, settings: { ...baseline.settings, jwt_templates: undefined } })).not.toContain('$comment');
    expect(baseline.settings.jwt_templates?.supabase?.claims).toHaveProperty('$comment', 'a claim');
    // Equal to the baseline without notes, but for that claim.
    const plain = validateBaselineText(JSON.stringify({ ...production(), exceptions: baseline.exceptions }), 'production.json').value!;
    const claims = { ...baseline.settings.jwt_templates!.supabase!.claims };
    delete claims.$comment;
    expect({ ...baseline.settings, jwt_templates: { ...baseline.settings.jwt_templates, supabase: { ...baseline.settings.jwt_templates!.supabase!, claims } } }).toEqual(plain.settings);
  });

  test('inside platform_config a $comment is a Platform field, not a note', () => {
    const baseline = production();
    baseline.settings.platform_config = { sign_up: { $comment: 'data', mode: 'restricted' } };
    const result = validateBaselineText(JSON.stringify(baseline), 'production.json');
    expect(result.errors).toEqual([]);
    expect(result.value!.settings.platform_config?.sign_up).toEqual({ $comment: 'data', mode: 'restricted' });
  });

  test.each([
    ['a number', 3, 'expected a string or an array of strings, got number 3'],
    ['an object', { note: 'x' }, 'expected a string or an array of strings, got an object'],
    ['an array of numbers', [1, 2], 'expected a string or an array of strings, got an array holding something other than strings'],
  ])('a $comment holding %s is an error with line, path and hint', (_what, value, message) => {
    const baseline = production();
    baseline.settings.session!.$comment = value;
    const text = `${JSON.stringify(baseline, null, 2)}\n`;
    const result = validateBaselineText(text, 'production.json');
    expect(result.value).toBeUndefined();
    expect(result.errors).toHaveLength(1);
    const line = text.split('\n').findIndex((row) => row.includes('"$comment"')) + 1;
    expect(result.errors[0]).toMatchObject({ file: 'production.json', path: 'settings.session.$comment', line, message, hint: '$comment holds notes for people, e.g. "$comment": ["why this value"]' });
  });

  test('a bad $comment and another problem are reported together', () => {
    const baseline = production();
    baseline.$comment = 1;
    baseline.profile = 'bank';
    const result = validateBaselineText(JSON.stringify(baseline, null, 2), 'production.json');
    expect(result.errors.map((issue) => issue.path)).toEqual(['$comment', 'profile']);
  });

  test('the published JSON Schema accepts the same notes and refuses the same mistakes (ajv, draft 2020-12)', () => {
    const schema = baselineJsonSchema();
    const committed = JSON.parse(readFileSync(path.join(REPO_ROOT, 'baselines', 'schema.json'), 'utf8')) as Record<string, unknown>;
    expect(committed).toEqual(JSON.parse(JSON.stringify(schema)));
    const validate = new Ajv2020({ strict: false, allErrors: true, validateFormats: false }).compile(committed);
    expect(validate(withNotes()), JSON.stringify(validate.errors)).toBe(true);

    const bad = production();
    bad.settings.session!.$comment = 3;
    expect(validate(bad)).toBe(false);
    expect(validate.errors?.some((error) => error.instancePath === '/settings/session/$comment')).toBe(true);
    // Still strict elsewhere: an unknown key next to a note is refused.
    const typo = production();
    typo.settings.session!.inactivity_timeout = 30;
    expect(validate(typo)).toBe(false);
  });
});
