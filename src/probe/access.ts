/**
 * Item 7 from the wire: each declared protected path, requested without a session (no cookie,
 * no Authorization header), must refuse: 401/403 or a redirect to sign-in pass; a 2xx with
 * content fails; anything else cannot decide.
 *
 * A 404 is Clerk's refusal of API requests (`auth.protect()`), but also what a path that does
 * not exist answers (a typo in `protected_paths`, a route that moved). So a 404 is compared with
 * what a path next to it that cannot exist answers: the same status decides nothing; a different
 * one makes the 404 this route's own refusal.
 */
import { randomBytes } from 'node:crypto';
import type { ProbeClient, ProbeOutcome, ProbeResponse } from './http';
import { bodyStart, observe, type ProbeObservation } from './observe';
import { SIGN_IN_PATTERN } from './plan';

const MAX_BYTES = 256 * 1024;
const ACCEPT = 'text/html,application/json;q=0.9,*/*;q=0.8';
export const MISSING_PATH_PURPOSE = 'a path that cannot exist, to tell a 404 refusal from a missing route';

/** What a path that cannot exist answers, next to a protected URL (sent at most once per folder). */
export type MissingPathProbe = (url: string) => Promise<ProbeOutcome>;

/** `https://app.example.com/api/` for `…/api/projects`: where the path that cannot exist goes. */
export function missingPathFolder(url: string): string {
  const target = new URL(url);
  return `${target.origin}${target.pathname.replace(/[^/]*$/, '')}`;
}

export function missingPathProber(client: ProbeClient): MissingPathProbe {
  const sent = new Map<string, Promise<ProbeOutcome>>();
  return (url) => {
    const folder = missingPathFolder(url);
    let answer = sent.get(folder);
    if (!answer) {
      // Random, so no real route (and no cache) can answer it; named so the site's logs say what it is.
      answer = client.send({ method: 'GET', url: `${folder}clerkguard-probe-${randomBytes(6).toString('hex')}-missing`, maxBytes: MAX_BYTES, purpose: MISSING_PATH_PURPOSE, headers: { accept: ACCEPT } });
      sent.set(folder, answer);
    }
    return answer;
  };
}

export async function probeProtected(client: ProbeClient, url: string, signInPaths: readonly string[], missingPath: MissingPathProbe = missingPathProber(client)): Promise<{ observation: ProbeObservation; response?: ProbeResponse }> {
  const outcome = await client.send({ method: 'GET', url, maxBytes: MAX_BYTES, purpose: 'unauthenticated access', headers: { accept: ACCEPT } });
  const say = (status: ProbeObservation['status'], message: string, snippet?: string, confidence: ProbeObservation['confidence'] = 'high') =>
    observe('session-server-side-verification', 'unauthenticated-access', status, confidence, message, url, snippet);
  if (!outcome.ok) return { observation: say('not_verifiable', `the protected path could not be requested: ${outcome.reason}`) };
  const response = outcome.response;
  const { status } = response;
  if (status === 401 || status === 403) return { observation: say('pass', `answered HTTP ${status} without a session`), response };
  if (status === 404) return { observation: await judgeNotFound(url, missingPath, say), response };
  if (status >= 300 && status < 400) {
    const location = String(response.headers.location ?? '');
    const target = safeUrl(location, url);
    if (target && isSignIn(target, signInPaths)) return { observation: say('pass', `redirects to sign-in without a session (HTTP ${status})`, `Location: ${target.origin}${target.pathname}`), response };
    return {
      observation: say('not_verifiable', `redirects (HTTP ${status}) to ${target ? `${target.origin}${target.pathname}` : 'an unparseable Location'}, not a sign-in page: check where it leads, or list the sign-in path in application.sign_in_paths`),
      response,
    };
  }
  if (status >= 200 && status < 300) {
    if (response.body.trim() === '') return { observation: say('not_verifiable', `answered HTTP ${status} with an empty body without a session; nothing shows whether it is protected`), response };
    return {
      observation: say('fail', `answered HTTP ${status} with content without a session: the route is not verified server-side`, bodyStart(response.body)),
      response,
    };
  }
  return { observation: say('not_verifiable', `answered HTTP ${status}; neither a refusal (401/403/404, redirect to sign-in) nor content`), response };
}

type Say = (status: ProbeObservation['status'], message: string, snippet?: string, confidence?: ProbeObservation['confidence']) => ProbeObservation;

/** Messages name no random path: the same finding keeps the same text night after night. */
async function judgeNotFound(url: string, missingPath: MissingPathProbe, say: Say): Promise<ProbeObservation> {
  const missing = await missingPath(url);
  if (!missing.ok) return say('not_verifiable', `answered HTTP 404 without a session; whether a path that cannot exist answers the same could not be checked (${missing.reason})`);
  const other = missing.response.status;
  if (other === 404) {
    return say(
      'not_verifiable',
      "answered HTTP 404 without a session, as does a path next to it that cannot exist: a refusal (Clerk's auth.protect() answers API requests with 404) cannot be told from a route that is not there; check the path in application.protected_paths, or check the route signed in",
      `a path that cannot exist: HTTP ${other}`,
    );
  }
  return say('pass', `answered HTTP 404 without a session while a path next to it that cannot exist answers HTTP ${other}: the 404 is this route's refusal`, `a path that cannot exist: HTTP ${other}`, 'medium');
}

function isSignIn(target: URL, signInPaths: readonly string[]): boolean {
  if (signInPaths.length > 0) return signInPaths.some((path) => target.pathname === path || target.pathname.startsWith(`${path.replace(/\/$/, '')}/`));
  return SIGN_IN_PATTERN.test(target.pathname);
}

function safeUrl(location: string, base: string): URL | undefined {
  try {
    return new URL(location, base);
  } catch {
    return undefined;
  }
}
