/**
 * Shapes of Clerk keys and signing secrets, and the redaction every excerpt passes through.
 * A value is reported by its kind and where it is, never by its characters.
 */
import { scrubSecrets } from '../settings/redact';

export type KeyKind = 'sk_live' | 'sk_test' | 'pk_live' | 'pk_test' | 'whsec';

/** Key-shaped tokens; the tail is the characters Clerk and Svix use (base64/base64url). */
const KEY_TOKEN = /\b(sk_live|sk_test|pk_live|pk_test|whsec)_([A-Za-z0-9+/=_-]*)/g;

export interface KeyToken {
  kind: KeyKind;
  index: number;
  length: number;
  /** The characters after the prefix (kept in memory only to decode publishable keys). */
  tail: string;
}

/** Real-looking keys only: placeholders such as `sk_live_xxx`, `sk_test_...`, `<your key>` are skipped. */
export function findKeys(text: string): KeyToken[] {
  const out: KeyToken[] = [];
  KEY_TOKEN.lastIndex = 0;
  for (let match = KEY_TOKEN.exec(text); match; match = KEY_TOKEN.exec(text)) {
    const tail = match[2] as string;
    if (isPlaceholder(tail)) continue;
    out.push({ kind: match[1] as KeyKind, index: match.index, length: match[0].length, tail });
    if (out.length >= 1000) break;
  }
  return out;
}

export function isPlaceholder(tail: string): boolean {
  if (tail.length < 16) return true;
  if (/^(.)\1+$/.test(tail)) return true;
  return /x{6,}|\.{3}|your|example|placeholder|changeme|replace|dummy|redacted|REDACTED/i.test(tail);
}

/**
 * The Frontend API host inside a publishable key: `pk_(live|test)_` + base64 of `<host>$`.
 * Undefined when the key does not decode to a host.
 */
export function publishableKeyHost(tail: string): string | undefined {
  let decoded: string;
  try {
    decoded = Buffer.from(tail.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
  } catch {
    return undefined;
  }
  if (!decoded.endsWith('$')) return undefined;
  const host = decoded.slice(0, -1);
  return /^[a-z0-9.-]+\.[a-z]{2,}(:\d+)?$/i.test(host) ? host.toLowerCase() : undefined;
}

export const PUBLIC_ENV_PREFIXES = ['NEXT_PUBLIC_', 'VITE_', 'EXPO_PUBLIC_', 'PUBLIC_', 'REACT_APP_', 'NUXT_PUBLIC_', 'GATSBY_', 'VUE_APP_'];

export function publicPrefix(name: string): string | undefined {
  return PUBLIC_ENV_PREFIXES.find((prefix) => name.startsWith(prefix));
}

/** An env var name that holds a secret: the Clerk secret key, a signing secret, any *SECRET*. */
export function isSecretName(name: string): boolean {
  const upper = name.toUpperCase();
  if (upper.includes('PUBLISHABLE')) return false;
  return /SECRET|CLERK_API_KEY|PRIVATE_KEY|SIGNING_KEY/.test(upper);
}

/** Redacts key-shaped tokens (publishable keys too: they identify an instance) and long opaque strings. */
export function redact(text: string): string {
  return scrubSecrets(text)
    .replace(/\b(pk_live|pk_test|sk_live|sk_test|whsec)_(?!\[REDACTED\])[A-Za-z0-9+/=_-]+/g, '$1_[REDACTED]')
    .replace(/(["'`])[A-Za-z0-9+/=_-]{32,}\1/g, '$1[REDACTED]$1');
}
