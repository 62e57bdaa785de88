/**
 * Item 7 from the wire: each declared protected path, requested without a session (no cookie,
 * no Authorization header), must refuse: 401/403/404 or a redirect to sign-in pass; a 2xx with
 * content fails; anything else cannot decide.
 */
import type { ProbeClient, ProbeResponse } from './http';
import { bodyStart, observe, type ProbeObservation } from './observe';
import { SIGN_IN_PATTERN } from './plan';

const MAX_BYTES = 256 * 1024;

export async function probeProtected(client: ProbeClient, url: string, signInPaths: readonly string[]): Promise<{ observation: ProbeObservation; response?: ProbeResponse }> {
  const outcome = await client.send({ method: 'GET', url, maxBytes: MAX_BYTES, purpose: 'unauthenticated access', headers: { accept: 'text/html,application/json;q=0.9,*/*;q=0.8' } });
  const say = (status: ProbeObservation['status'], message: string, snippet?: string) =>
    observe('session-server-side-verification', 'unauthenticated-access', status, 'high', message, url, snippet);
  if (!outcome.ok) return { observation: say('not_verifiable', `the protected path could not be requested: ${outcome.reason}`) };
  const response = outcome.response;
  const { status } = response;
  if (status === 401 || status === 403 || status === 404) return { observation: say('pass', `answered HTTP ${status} without a session`), response };
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
