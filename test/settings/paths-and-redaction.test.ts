import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatPath, getAt, isUnder, matchesPattern, parsePath } from '../../src/settings/paths';
import { containsSecret, isSensitiveName, scrubSecrets } from '../../src/settings/redact';

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
    // Turnstile (audit finding 3): secret keys go, the 24-character site key is public and stays.
    ['captcha 0x4AAAAAAATurnstileSecretValue42 set', 'captcha 0x[REDACTED] set'],
    ['0x4AAAAAAABkMYinukE8nzYS2dFbmJj1WsPkQ', '0x[REDACTED]'],
    ['test secret 2x0000000000000000000000000000000AA', 'test secret 0x[REDACTED]'],
    ['site key 0x4AAAAAAADnPIDROrmt1Wwj', 'site key 0x4AAAAAAADnPIDROrmt1Wwj'],
    // Chance runs inside base64 (Pulumi ciphertexts) are not keys.
    ['v1:Zm9v+2xABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg/h=', 'v1:Zm9v+2xABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg/h='],
    ['"ciphertext":"v1:aGVsbG8/1x0000000000000000000000000000000AA+"', '"ciphertext":"v1:aGVsbG8/1x0000000000000000000000000000000AA+"'],
    // A JSON member named like a secret, whatever its value looks like.
    ['{"provider":"acme","secret_key":"plainVALUEnoPrefix1"}', '{"provider":"acme","secret_key":"[REDACTED]"}'],
    ['{"smtpPassword": "hunter2hunter2"}', '{"smtpPassword": "[REDACTED]"}'],
    ['{"api_token":"abc\\"defghij"}', '{"api_token":"[REDACTED]"}'],
    // Not secrets: ids, public keys, shortcodes, short or spaced values, lookalike names.
    ['{"client_id":"abcdefghijkl","site_key":"abcdefghijkl","public_key":"abcdefghijkl"}', '{"client_id":"abcdefghijkl","site_key":"abcdefghijkl","public_key":"abcdefghijkl"}'],
    ['{"token":"{{session.id}}","password":"short","secret":"two words here"}', '{"token":"{{session.id}}","password":"short","secret":"two words here"}'],
    ['{"token_lifetime":"12345678","key_id":"12345678","password_policy":"strongest"}', '{"token_lifetime":"12345678","key_id":"12345678","password_policy":"strongest"}'],
    ['{"key":"org:billing:manage","keys":"org:a:b"}', '{"key":"org:billing:manage","keys":"org:a:b"}'],
    ['{"webhooks.secret_storage":"attested","platform_config.api_keys":"platform","secret":"unverified"}', '{"webhooks.secret_storage":"attested","platform_config.api_keys":"platform","secret":"unverified"}'],
  ])('scrubs %j', (input, expected) => {
    expect(scrubSecrets(input)).toBe(expected);
    expect(containsSecret(expected)).toBe(false);
  });

  it.each([
    ['secret_key', true],
    ['client_secret', true],
    ['clientSecret', true],
    ['api_key', true],
    ['signing_key', true],
    ['private_key', true],
    ['smtp_password', true],
    ['access_token', true],
    ['credentials', true],
    ['secret_storage', false],
    ['key', false],
    ['clerkguard:publishableKey', false],
    ['clerkguard:secretKey', true],
    ['secret_key_server_only', false],
    ['site_key', false],
    ['public_key', false],
    ['publishable_key', false],
    ['key_id', false],
    ['client_id', false],
    ['token_lifetime', false],
    ['password_min_length', false],
    ['provider', false],
    ['widget_type', false],
  ])('field name %s is sensitive: %s', (name, sensitive) => {
    expect(isSensitiveName(name)).toBe(sensitive);
  });

  it('scrubs extra known secret values wherever they appear', () => {
    expect(scrubSecrets('token=s3cr3t-value&x=1', ['s3cr3t-value'])).toBe('token=[REDACTED]&x=1');
  });
});
