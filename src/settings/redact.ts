/**
 * Secret scrubbing for anything that leaves the process: logs, error messages, reports and
 * snapshots. Patterns cover Clerk secret and Platform keys, Slack tokens, webhook signing
 * secrets and bearer headers; a value is replaced by its kind, never partially shown.
 */
const SECRET_PATTERNS: readonly [RegExp, string][] = [
  // Bearer first, so a bearer secret key is redacted once rather than by two patterns.
  [/(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi, '$1[REDACTED]'],
  [/\bsk_(live|test)_[A-Za-z0-9_-]+/g, 'sk_$1_[REDACTED]'],
  [/\bak_[A-Za-z0-9_-]{8,}/g, 'ak_[REDACTED]'],
  [/\bxox[abposr]-[A-Za-z0-9-]+/g, 'xox?-[REDACTED]'],
  [/\bwhsec_[A-Za-z0-9+/=_-]+/g, 'whsec_[REDACTED]'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, '[REDACTED PRIVATE KEY]'],
  // Cloudflare Turnstile secret keys (the CAPTCHA Clerk's Platform config names): real keys start
  // 0x4AAAAAAA and run longer than the 24-character site keys, which stay readable; Cloudflare's
  // documented secret keys are 35 characters (its test secrets 1x…AA, 2x…AA, 3x…AA too).
  // Standing alone only: inside base64 (a Pulumi ciphertext) such a run is chance, not a key.
  [/(?<![A-Za-z0-9+/=_-])0x4AAAAAAA[A-Za-z0-9_-]{16,}(?![A-Za-z0-9+/=])/g, '0x[REDACTED]'],
  [/(?<![A-Za-z0-9+/=_-])[0-3]x[A-Za-z0-9_-]{33}(?![A-Za-z0-9+/=_-])/g, '0x[REDACTED]'],
];

/**
 * A JSON member whose name says it holds a secret (`"secret_key": "…"`, `"api_token": "…"`),
 * for values that arrive in a free-form place no model field redacts. Only values that look like
 * key material are replaced: at least 8 characters without spaces, with a digit, mixed case or a
 * symbol. Clerk shortcodes (`{{user.id}}`) and plain words (`"platform"`, an evidence source in a
 * coverage map) are left alone: they are not secrets, and a snapshot must stay a valid export.
 */
const JSON_MEMBER = /"((?:[^"\\]|\\.){1,200})"(\s*:\s*)"((?:[^"\\]|\\.){8,})"/g;

function secretMember(name: string, value: string): boolean {
  if (!isSensitiveName(name) || value.includes('{{') || /\s/.test(value) || value === '[REDACTED]') return false;
  return /\d/.test(value) || (/[a-z]/.test(value) && /[A-Z]/.test(value)) || /[^A-Za-z0-9-]/.test(value);
}

/**
 * Whether a field name says it holds a secret: its last word is `secret`, `password`,
 * `passphrase`, `token`, `credential(s)`, `apikey`, or `key` after another word (`api_key`,
 * `signing_key`; unless `public`, `publishable` or `site` qualifies it: a Turnstile site key is
 * public; a bare `key` is an identifier, like a role's key). `client_id`, `key_id`, `token_lifetime`,
 * `password_min_length` and `secret_storage` are not secrets. Dotted names (coverage paths) are
 * judged by their last segment's words.
 */
export function isSensitiveName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const last = words[words.length - 1];
  if (last === undefined) return false;
  if (['secret', 'secrets', 'password', 'passwd', 'passphrase', 'token', 'tokens', 'credential', 'credentials', 'apikey', 'privatekey', 'pem'].includes(last)) return true;
  // A bare `key` names a thing (a role's or permission's key, `org:billing`), not a secret.
  return (last === 'key' || last === 'keys') && words.length > 1 && !words.some((word) => ['public', 'publishable', 'site'].includes(word));
}

export function scrubSecrets(text: string, extraSecrets: readonly string[] = []): string {
  let out = text;
  for (const secret of extraSecrets) {
    if (secret.length >= 6) out = out.split(secret).join('[REDACTED]');
  }
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  out = out.replace(JSON_MEMBER, (member: string, name: string, colon: string, value: string) => (secretMember(name, value) ? `"${name}"${colon}"[REDACTED]"` : member));
  return out;
}

export function containsSecret(text: string): boolean {
  if (SECRET_PATTERNS.some(([pattern]) => new RegExp(pattern.source, pattern.flags).test(text))) return true;
  for (const match of text.matchAll(JSON_MEMBER)) if (secretMember(match[1]!, match[3]!)) return true;
  return false;
}
