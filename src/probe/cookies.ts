/**
 * Item 8 from the wire: the attributes of Clerk's cookies in the Set-Cookie headers the app and
 * its Frontend API answer with.
 *
 * Facts (docs/probe.md cites them): `__session` (the session token, on the app's domain, not
 * HttpOnly, SameSite=Lax, host-only) and `__client` (on the Frontend API domain, HttpOnly,
 * SameSite=Lax) — Clerk docs, "How Clerk works"; `__client_uat` is set with SameSite=Strict or
 * Lax and the eTLD+1 domain, clerk-js switches to SameSite=None only inside a cross-origin iframe
 * or with partitioned cookies (clerk-js `createSessionCookie`, `createClientUatCookie`); each
 * cookie also exists suffixed `_<8 characters>` derived from the publishable key
 * (`getSuffixedCookieName` in @clerk/shared keys).
 *
 * HttpOnly is graded only where the docs state it: `__client` "HttpOnly: Yes" (a `__client`
 * without it fails); `__session` is "HttpOnly: No - must be able to be accessed by client-side
 * SDKs", so its absence is by design; nothing documents `__client_uat`'s, so it is not graded.
 */
import { observe, type ProbeObservation } from './observe';

const CLERK_COOKIE = /^(__session|__client_uat|__client)(?:_([A-Za-z0-9_-]{8}))?$/;

export interface ParsedCookie {
  name: string;
  base: string;
  attributes: Map<string, string>;
  /** The header with the value replaced: safe to show. */
  display: string;
  deletion: boolean;
}

export function parseSetCookie(line: string): ParsedCookie | undefined {
  const parts = line.split(';');
  const pair = parts.shift() ?? '';
  const eq = pair.indexOf('=');
  if (eq <= 0) return undefined;
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  const match = CLERK_COOKIE.exec(name);
  if (!match) return undefined;
  const attributes = new Map<string, string>();
  for (const part of parts.slice(0, 32)) {
    const index = part.indexOf('=');
    const key = (index === -1 ? part : part.slice(0, index)).trim().toLowerCase();
    if (key) attributes.set(key, index === -1 ? '' : part.slice(index + 1).trim());
  }
  const maxAge = attributes.get('max-age');
  const expires = attributes.get('expires');
  const expired = (maxAge !== undefined && Number(maxAge) <= 0) || (expires !== undefined && Date.parse(expires) < Date.parse('2000-01-01'));
  return {
    name,
    base: match[1] as string,
    attributes,
    display: [`${name}=[REDACTED]`, ...parts.slice(0, 32).map((part) => part.trim()).filter(Boolean)].join('; '),
    deletion: value === '' || expired,
  };
}

export interface CookieContext {
  crossOriginIframe: boolean;
}

/** Verdicts for every Clerk cookie set in these responses; nothing set is a note, never a pass. */
export function judgeCookies(responses: readonly { url: string; setCookies: readonly string[] }[], context: CookieContext, probedUrls: readonly string[]): ProbeObservation[] {
  const observations: ProbeObservation[] = [];
  const seen = new Set<string>();
  for (const response of responses) {
    for (const line of response.setCookies.slice(0, 50)) {
      const cookie = parseSetCookie(line);
      if (!cookie || cookie.deletion) continue;
      const key = `${response.url}|${cookie.display}`;
      if (seen.has(key)) continue;
      seen.add(key);
      observations.push(...judgeCookie(cookie, response.url, context));
    }
  }
  if (observations.length === 0) {
    observations.push(
      observe(
        'session-cookie-samesite',
        'cookie-not-observed',
        'not_verifiable',
        'high',
        `no response set a Clerk cookie (__session, __client_uat, __client) on the ${probedUrls.length} URL${probedUrls.length === 1 ? '' : 's'} probed without a session; clerk-js sets __session in the browser, so check it in DevTools → Application → Cookies after signing in`,
        probedUrls[0] ?? '',
      ),
    );
  }
  return observations;
}

function judgeCookie(cookie: ParsedCookie, url: string, context: CookieContext): ProbeObservation[] {
  const sameSite = cookie.attributes.get('samesite')?.toLowerCase();
  const secure = cookie.attributes.has('secure');
  const partitioned = cookie.attributes.has('partitioned');
  const out: ProbeObservation[] = [];
  const say = (status: ProbeObservation['status'], confidence: 'high' | 'medium', message: string, check = 'cookie-samesite') =>
    out.push(observe('session-cookie-samesite', check, status, confidence, `${cookie.name}: ${message}`, url, cookie.display));
  if (sameSite === 'none') {
    if (!secure) say('fail', 'high', 'SameSite=None without Secure (browsers refuse it, and over http it is sent cross-site)');
    else if (partitioned) say('pass', 'medium', 'SameSite=None with Partitioned: a partitioned (CHIPS) cookie is not sent from other top-level sites');
    else if (context.crossOriginIframe) say('pass', 'medium', 'SameSite=None, and the baseline declares a cross-origin iframe setup (application.cross_origin_iframe)');
    else say('fail', 'high', 'SameSite=None outside an iframe setup: other sites can send it with forged requests (CSRF)');
  } else if (sameSite === 'lax' || sameSite === 'strict') {
    say('pass', 'high', `SameSite=${sameSite === 'lax' ? 'Lax' : 'Strict'}${secure ? ', Secure' : ''}${cookie.attributes.has('httponly') ? ', HttpOnly' : ''}`);
  } else if (sameSite === undefined) {
    say('fail', 'medium', 'no SameSite attribute: Chromium treats it as Lax, other browsers may send it cross-site; Clerk sets SameSite explicitly');
  } else {
    say('fail', 'medium', `SameSite=${cookie.attributes.get('samesite')} is not a SameSite value browsers know; they treat it as missing`);
  }
  if (cookie.base === '__client') {
    // The long-lived client token: readable by page scripts, an XSS could carry the whole session away.
    if (cookie.attributes.has('httponly')) say('pass', 'high', 'HttpOnly, as Clerk sets the client token', 'cookie-httponly');
    else say('fail', 'high', 'no HttpOnly: page scripts (an XSS) can read the long-lived client token; Clerk sets __client HttpOnly', 'cookie-httponly');
  }
  const domain = cookie.attributes.get('domain');
  if (cookie.base === '__session' && domain) {
    // Clerk scopes __session host-only so another app on a sibling subdomain cannot read it.
    say('fail', 'medium', `Domain=${domain} shares the session token with every subdomain; Clerk sets it host-only`, 'cookie-domain-scope');
  }
  return out;
}
