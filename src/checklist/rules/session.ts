/** Checklist items 5-8: session configuration. */
import type { RevokeOnEvent } from '../../settings/model';
import { checkAttestation, fail, minutes, notDeclared, pass } from '../helpers';
import { PROFILE_THRESHOLDS } from '../thresholds';
import type { Rule, RuleResult } from '../types';

export const inactivityTimeout: Rule = {
  id: 'session-inactivity-timeout',
  checklist_item: 5,
  title: 'Session inactivity timeout and maximum lifetime fit the profile',
  severity: 'high',
  rationale: 'Idle timeouts decide whether a stolen session is a 10-minute incident or a 30-day one. Clerk defaults to 7 days.',
  remediation:
    'Dashboard → Sessions: set the inactivity timeout (banking ≤10 min, sensitive SaaS ≤30 min, consumer ≤7 days) and a maximum lifetime. Clerk does not allow both to be off at once; a change applies to sessions created after it (revoke older ones to end them sooner); native apps may have their own maximum lifetime (Sessions → Native sessions).',
  verification: ['config', 'live'],
  how_to_verify:
    'The maximum lifetime is read from the Platform config (session.lifetime, seconds); Clerk documents no API field for the inactivity timeout: copy it from Dashboard → Sessions into the dashboard export (--dashboard-export).',
  evaluate(settings, context) {
    const limits = PROFILE_THRESHOLDS[context.profile];
    const results: RuleResult[] = [];
    const inactivity = settings.session?.inactivity_timeout_minutes;
    const inactivityPath = ['session', 'inactivity_timeout_minutes'];
    if (inactivity === undefined) results.push(notDeclared(context, inactivityPath, this.how_to_verify));
    else if (inactivity > limits.inactivity_timeout_minutes) {
      results.push(fail(`inactivity timeout is ${minutes(inactivity)}; the ${context.profile} profile allows at most ${minutes(limits.inactivity_timeout_minutes)}`, inactivityPath));
    } else results.push(pass(`inactivity timeout ${minutes(inactivity)} (limit ${minutes(limits.inactivity_timeout_minutes)})`, inactivityPath));

    const lifetime = settings.session?.maximum_lifetime_minutes;
    const lifetimePath = ['session', 'maximum_lifetime_minutes'];
    if (lifetime === undefined) results.push(notDeclared(context, lifetimePath, this.how_to_verify));
    else if (lifetime > limits.maximum_lifetime_minutes) {
      results.push(fail(`maximum session lifetime is ${minutes(lifetime)}; the ${context.profile} profile allows at most ${minutes(limits.maximum_lifetime_minutes)}`, lifetimePath));
    } else results.push(pass(`maximum lifetime ${minutes(lifetime)} (limit ${minutes(limits.maximum_lifetime_minutes)})`, lifetimePath));
    return results;
  },
};

const REQUIRED_REVOKE_EVENTS: readonly RevokeOnEvent[] = ['password_change', 'email_change', 'mfa_enrollment'];

export const revokeOnSecurityEvents: Rule = {
  id: 'session-revoke-on-security-events',
  checklist_item: 6,
  title: 'Sessions are revoked on password change, email change and MFA enrollment',
  severity: 'high',
  rationale: 'These are user-initiated security events; sessions on other devices (possibly an attacker\'s) must end.',
  remediation: 'Clerk revokes per request: pass signOutOfOtherSessions: true on every password update or removal, and revoke the user\'s other sessions (sessions.revokeSession) from a verified user.updated webhook for email changes and MFA enrollment; declare the policy in session.revoke_on.',
  verification: ['config', 'code', 'attestation'],
  how_to_verify: 'Clerk revokes per request, not by an instance setting: run `clerkguard scan` (password changes must pass signOutOfOtherSessions: true; a user.updated handler must revoke other sessions), or record practices.session_revocation_configured.',
  evaluate(settings, context) {
    // session.revoke_on is the desired policy, never an instance setting: it says which events
    // the application must act on; whether it does comes from its code or an attestation.
    const revokeOn = settings.session?.revoke_on;
    const results: RuleResult[] = [];
    if (revokeOn !== undefined) {
      const missing = REQUIRED_REVOKE_EVENTS.filter((event) => !revokeOn.includes(event));
      if (missing.length > 0) results.push(fail(`the revocation policy (session.revoke_on) leaves out ${missing.join(', ')}`, ['session', 'revoke_on']));
    }
    const events = (revokeOn ?? REQUIRED_REVOKE_EVENTS).join(', ');
    results.push(
      checkAttestation(settings.practices?.session_revocation_configured, ['practices', 'session_revocation_configured'], context, `the application revokes other sessions on ${events}`, this.how_to_verify),
    );
    return results;
  },
};

export const serverSideVerification: Rule = {
  id: 'session-server-side-verification',
  checklist_item: 7,
  title: 'Sessions are verified server-side on every protected route',
  severity: 'critical',
  rationale: 'A cookie-only or client-side check is trivially forged; only a verified JWT proves the user.',
  remediation: 'Call auth() (or verifyToken) in every server component and API route that needs a user, and reject when userId is null.',
  verification: ['code', 'probe', 'attestation'],
  how_to_verify: 'Run `clerkguard scan` (middleware and route handlers) and `clerkguard probe` (an unauthenticated request to each of application.protected_paths), or review them and record practices.server_side_session_verification.',
  evaluate(settings, context) {
    return [
      checkAttestation(settings.practices?.server_side_session_verification, ['practices', 'server_side_session_verification'], context, 'server-side session verification', this.how_to_verify),
    ];
  },
};

export const cookieSameSite: Rule = {
  id: 'session-cookie-samesite',
  checklist_item: 8,
  title: 'Session cookie is SameSite=Lax or Strict',
  severity: 'medium',
  rationale: 'SameSite=None lets other sites send the session cookie with forged requests (CSRF).',
  remediation: 'Keep clerk-js defaults (Lax); never override the __session cookie to SameSite=None without a deliberate cross-domain setup (a cross-origin iframe, partitioned cookies).',
  verification: ['probe', 'config', 'live', 'attestation'],
  how_to_verify:
    'Not an instance setting and no API reports it: `clerkguard probe` reads the Set-Cookie headers of the live app and its Frontend API; clerk-js sets __session in the browser, so also check DevTools → Application → Cookies after signing in, then declare session.cookie_same_site. The Frontend API shows partitioned_cookies (then clerk-js sets SameSite=None; Partitioned).',
  evaluate(settings, context) {
    const results: RuleResult[] = [];
    if (settings.session?.partitioned_cookies === true) {
      results.push(fail('the instance uses partitioned cookies (FAPI partitioned_cookies): clerk-js sets its cookies SameSite=None; Partitioned, meant for apps embedded cross-site', ['session', 'partitioned_cookies']));
    }
    const sameSite = settings.session?.cookie_same_site;
    const path = ['session', 'cookie_same_site'];
    if (sameSite === undefined) results.push(notDeclared(context, path, this.how_to_verify));
    else if (sameSite === 'none') results.push(fail('the session cookie is SameSite=None, a CSRF vector', path));
    else results.push(pass(`the session cookie is SameSite=${sameSite === 'lax' ? 'Lax' : 'Strict'}`, path));
    return results;
  },
};
