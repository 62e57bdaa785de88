import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatPath, getAt, isUnder, matchesPattern, parsePath } from '../../src/settings/paths';
import { containsSecret, scrubSecrets } from '../../src/settings/redact';

describe('JSON paths', () => {
  it.each([
    [['settings', 'session', 'inactivity_timeout_minutes'], 'settings.session.inactivity_timeout_minutes'],
    [['settings', 'instance', 'allowed_origins', 2], 'settings.instance.allowed_origins[2]'],
    [['settings', 'jwt_templates', 'my.template', 'claims'], 'settings.jwt_templates["my.template"].claims'],
    [['settings', 'organizations', 'roles', 'org:billing'], 'settings.organizations.roles["org:billing"]'],
    [['webhooks', 'endpoints', 'https://a.example/x'], 'webhooks.endpoints["https://a.example/x"]'],
  ])('renders %j as %s and parses it back', (segments, text) => {
    expect(formatPath(segments)).toBe(text);
    expect(parsePath(text)).toEqual(segments);
  });

  it('round-trips any path', () => {
    const segment = fc.oneof(fc.string({ minLength: 1 }), fc.nat({ max: 1000 }));
    fc.assert(fc.property(fc.array(segment, { minLength: 1, maxLength: 6 }), (segments) => {
      expect(parsePath(formatPath(segments))).toEqual(segments);
    }));
  });

  it('matches patterns and prefixes segment by segment', () => {
    expect(matchesPattern(['organizations', 'roles', 'org:x', 'permissions'], 'organizations.roles.*.permissions')).toBe(true);
    expect(matchesPattern(['organizations', 'roles', 'org:x'], 'organizations.roles.*.permissions')).toBe(false);
    expect(isUnder(['jwt_templates', 'a.b', 'lifetime'], 'jwt_templates["a.b"]')).toBe(true);
    expect(isUnder(['jwt_templates', 'a', 'lifetime'], 'jwt_templates["a.b"]')).toBe(false);
    expect(getAt({ a: { constructor: 1 } }, ['a', 'constructor'])).toBe(1);
    expect(getAt({ a: {} }, ['a', 'constructor'])).toBeUndefined();
  });
});

describe('secret scrubbing', () => {
  it.each([
    ['key sk_live_AbC123xyz789 leaked', 'key sk_live_[REDACTED] leaked'],
    ['sk_test_abcdefghijkl', 'sk_test_[REDACTED]'],
    ['Authorization: Bearer sk_live_AbC123xyz789', 'Authorization: Bearer [REDACTED]'],
    ['platform ak_0123456789abcdef', 'platform ak_[REDACTED]'],
    ['slack xoxb-1234-5678-abcdef', 'slack xox?-[REDACTED]'],
    ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'whsec_[REDACTED]'],
    ['-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----', '[REDACTED PRIVATE KEY]'],
    ['pk_live_Y2xlcmsuZXhhbXBsZS5jb20k is public', 'pk_live_Y2xlcmsuZXhhbXBsZS5jb20k is public'],
  ])('scrubs %j', (input, expected) => {
    expect(scrubSecrets(input)).toBe(expected);
    expect(containsSecret(expected)).toBe(false);
  });

  it('scrubs extra known secret values wherever they appear', () => {
    expect(scrubSecrets('token=s3cr3t-value&x=1', ['s3cr3t-value'])).toBe('token=[REDACTED]&x=1');
  });
});
