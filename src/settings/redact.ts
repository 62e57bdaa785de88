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
];

export function scrubSecrets(text: string, extraSecrets: readonly string[] = []): string {
  let out = text;
  for (const secret of extraSecrets) {
    if (secret.length >= 6) out = out.split(secret).join('[REDACTED]');
  }
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

export function containsSecret(text: string): boolean {
  return SECRET_PATTERNS.some(([pattern]) => new RegExp(pattern.source, pattern.flags).test(text));
}
