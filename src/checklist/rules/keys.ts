/** Checklist items 1-4: environment keys and the origin allowlist. */
import type { Attestation } from '../../settings/model';
import type { JsonPath } from '../../settings/paths';
import { addDays, attestationExpiry, checkAttestation, daysBetween, fail, notDeclared, pass } from '../helpers';
import { DEFAULT_ROTATION_MAX_AGE_DAYS, PROFILE_THRESHOLDS, PUBLIC_ENV_PREFIXES } from '../thresholds';
import type { Rule, RuleResult } from '../types';

export const secretKeyServerOnly: Rule = {
  id: 'keys-secret-server-only',
  checklist_item: 1,
  title: 'Publishable key in the browser, secret key on the server only',
  severity: 'critical',
  rationale: 'A secret key in a client bundle gives anyone full Backend API access: read every user, mint sessions, change settings.',
  remediation: 'Keep the secret key in a server-only env var (no NEXT_PUBLIC_/VITE_ prefix), never import it in a client component, and rotate it if it ever shipped.',
  verification: ['config', 'code', 'probe', 'attestation'],
  how_to_verify: 'Run `clerkguard scan APP_DIR --build DIR` (env files, client modules, the built bundle) or `clerkguard probe` (the deployed pages and their scripts), or search the bundle for "sk_live_"/"sk_test_" and record practices.secret_key_server_only.',
  evaluate(settings, context) {
    const results: RuleResult[] = [];
    const envName = context.target?.secret_key_env;
    const publicPrefix = envName ? PUBLIC_ENV_PREFIXES.find((prefix) => envName.startsWith(prefix)) : undefined;
    if (publicPrefix) {
      results.push(fail(`the secret key is read from ${envName}, whose ${publicPrefix} prefix makes bundlers inline it into browser code`));
    }
    results.push(
      checkAttestation(settings.practices?.secret_key_server_only, ['practices', 'secret_key_server_only'], context, 'secret key kept server-side', this.how_to_verify),
    );
    return results;
  },
};

export const productionUsesLiveKeys: Rule = {
  id: 'keys-production-live',
  checklist_item: 2,
  title: 'Production uses live keys, test mode off',
  severity: 'critical',
  rationale: 'Test instances accept unverified emails and test codes and allow MFA off; shipping test mode to production is an auth bypass.',
  remediation: 'Use pk_live_/sk_live_ keys of the production instance, turn test mode off (PATCH /instance test_mode=false), and require MFA where the profile demands it.',
  verification: ['config', 'live', 'code', 'probe'],
  how_to_verify: 'Check the deployed app uses pk_live_ and sk_live_ keys (`clerkguard scan --build DIR --baseline FILE` reads env files and the build; `clerkguard probe` reads the key the deployed pages ship) and that the instance reports environment_type "production".',
  evaluate(settings, context) {
    if (context.environmentType !== 'production') {
      return [pass(`not applicable: ${context.environment} targets a ${context.environmentType} instance`)];
    }
    const results: RuleResult[] = [];
    const keys = settings.keys?.expected_environment;
    if (keys === undefined) results.push(notDeclared(context, ['keys', 'expected_environment'], this.how_to_verify));
    else if (keys !== 'live') results.push(fail(`production expects ${keys} keys; it must use live keys (pk_live_/sk_live_)`, ['keys', 'expected_environment']));
    else results.push(pass('live keys expected', ['keys', 'expected_environment']));

    const environmentType = settings.instance?.environment_type;
    if (environmentType !== undefined && environmentType !== 'production') {
      results.push(fail(`the instance is a ${environmentType} instance, not production`, ['instance', 'environment_type']));
    }

    const testMode = settings.instance?.test_mode;
    if (testMode === undefined) results.push(notDeclared(context, ['instance', 'test_mode'], 'Set instance.test_mode to false.'));
    else if (testMode) results.push(fail('test mode is on in production: test emails, phone numbers and codes are accepted', ['instance', 'test_mode']));
    else results.push(pass('test mode is off', ['instance', 'test_mode']));

    if (PROFILE_THRESHOLDS[context.profile].mfa_required) {
      const required = settings.sign_in?.second_factor?.required;
      const passkeys = settings.passkey_settings?.satisfies_second_factor === true ? ' (a passkey sign-in satisfies it: passkey_settings.satisfies_second_factor)' : '';
      if (required === undefined) results.push(notDeclared(context, ['sign_in', 'second_factor', 'required'], `The ${context.profile} profile requires MFA.`));
      else if (!required) results.push(fail(`MFA is not required, but the ${context.profile} profile requires it in production`, ['sign_in', 'second_factor', 'required']));
      else results.push(pass(`MFA is required${passkeys}`, ['sign_in', 'second_factor', 'required']));
    }
    // Unverified email at sign-up is what test mode is feared for: accounts claim addresses they do not own.
    if (settings.sign_up?.email_verification_required === false) {
      results.push(fail('email addresses are not verified at sign-up: an account can claim an address it does not own', ['sign_up', 'email_verification_required']));
    }
    return results;
  },
};

export const exactOriginAllowlist: Rule = {
  id: 'origins-exact-allowlist',
  checklist_item: 3,
  title: 'Allowed origins list the production domains exactly',
  severity: 'critical',
  rationale:
    'The Frontend API serves the instance\'s own domains (primary, satellites, proxy); allowed_origins adds origins for browser-like stacks (extensions, Electron, Capacitor). A wildcard, http, localhost or path origin, or open OAuth client registration, lets rogue frontends and clients talk to your instance.',
  remediation:
    'Keep instance.allowed_origins empty (Clerk\'s default) unless a browser-like stack needs an extra origin, and then list it exactly (scheme://host[:port], no path, no wildcard); set authorizedParties in clerkMiddleware to your exact origins; turn off dynamic OAuth client registration unless you run an open OAuth ecosystem. Clerk ignores an empty list: extra origins are removed in the dashboard.',
  verification: ['config', 'live', 'code'],
  how_to_verify: 'GET /v1/instance (allowed_origins) and GET /v1/domains (the instance\'s domains), or Dashboard → Domains; `clerkguard scan` reads authorizedParties from your middleware.',
  evaluate(settings, context) {
    const origins = settings.instance?.allowed_origins;
    const domains = settings.instance?.domains;
    const path = ['instance', 'allowed_origins'];
    const results: RuleResult[] = [];
    if (origins === undefined) results.push(notDeclared(context, path, this.how_to_verify));
    else if (origins.length === 0) {
      const names = domains ? Object.keys(domains) : [];
      if (names.length > 0) {
        const shown = names.map((name) => `${name}${domains?.[name]?.is_satellite ? ' (satellite)' : ' (primary)'}`).join(', ');
        results.push(pass(`no extra allowed origins (Clerk's secure default): the Frontend API serves the instance's own domains ${shown}`, path));
      } else {
        results.push({
          status: 'not_verifiable',
          message: `no extra allowed origins (Clerk's default), but the instance's domains are ${domains ? 'empty' : 'not known'}: nothing shows which domain the Frontend API serves. ${this.how_to_verify}`,
          path: ['instance', 'domains'],
        });
      }
    } else {
      const before = results.length;
      origins.forEach((origin, index) => {
        const problem = originProblem(origin, context.environmentType);
        if (problem) results.push(fail(`origin "${origin}" ${problem}`, [...path, index]));
      });
      if (results.length === before) results.push(pass(`${origins.length} exact origin${origins.length === 1 ? '' : 's'}: ${origins.join(', ')}`, path));
    }
    for (const [name, domain] of Object.entries(domains ?? {})) {
      if (context.environmentType === 'production' && typeof domain.proxy_url === 'string' && domain.proxy_url.startsWith('http:')) {
        results.push(fail(`domain ${name} is served through a plain-http proxy (${domain.proxy_url})`, ['instance', 'domains', name, 'proxy_url']));
      }
    }
    if (settings.oauth_application_settings?.dynamic_oauth_client_registration === true) {
      results.push(
        fail('dynamic OAuth client registration is on: anyone can register an OAuth client of this instance (RFC 7591); turn it off unless you run an open OAuth ecosystem, and record an exception if you do', [
          'oauth_application_settings',
          'dynamic_oauth_client_registration',
        ]),
      );
    }
    return results;
  },
};

/** Why an origin is not an exact production origin, or undefined (also judges `authorizedParties`). */
export function originProblem(origin: string, environmentType: 'production' | 'development'): string | undefined {
  if (origin.includes('*')) return 'is a wildcard; list each origin exactly';
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return 'is not a URL origin (expected scheme://host[:port])';
  }
  if (url.origin === 'null') {
    // Non-special schemes (chrome-extension://, capacitor://) have an opaque origin in WHATWG URL.
    return url.pathname === '' || url.pathname === '/' ? undefined : 'has a path; origins are scheme://host[:port] only';
  }
  if (url.origin !== origin) return `is not an exact origin (did you mean "${url.origin}"?)`;
  const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  if (environmentType === 'production' && local) return 'is a local development origin in a production instance';
  if (environmentType === 'production' && url.protocol === 'http:') return 'uses plain http in a production instance';
  return undefined;
}

export const secretKeyRotation: Rule = {
  id: 'keys-rotation',
  checklist_item: 4,
  title: 'Secret key rotated on departures, suspected leaks, and on a schedule',
  severity: 'medium',
  rationale: 'A secret key that never rotates outlives every person and laptop that ever held it.',
  remediation:
    'Dashboard → API Keys → Reset (or the Platform API rotate_secret_keys); redeploy servers with the new key first, then record keys.last_rotation: who rotated it, the day, and the change ticket.',
  verification: ['config', 'attestation'],
  how_to_verify:
    'Each time the secret key is rotated, record keys.last_rotation (attested_by: who rotated it, attested_at: the day, evidence: the change ticket or deploy). No Clerk API shows when a secret key was created or rotated.',
  evaluate(settings, context) {
    const keys = settings.keys;
    const maxAge = keys?.rotation_max_age_days ?? DEFAULT_ROTATION_MAX_AGE_DAYS;
    if (keys?.last_rotation) return [rotation(keys.last_rotation.attested_at, maxAge, context.today, ['keys', 'last_rotation'], keys.last_rotation)];
    if (keys?.last_rotated_at !== undefined) return [rotation(keys.last_rotated_at, maxAge, context.today, ['keys', 'last_rotated_at'])];
    return [notDeclared(context, ['keys', 'last_rotation'], this.how_to_verify)];
  },
};

/**
 * The age of the last rotation against the rule's limit. Attested, the rotation is due again at
 * its attestation's expiry: `expires` may bring that forward, never past the limit.
 */
function rotation(rotated: string, maxAge: number, today: string, path: JsonPath, attestation?: Attestation): RuleResult {
  const age = daysBetween(rotated, today);
  const where = `settings.${path.join('.')}${attestation ? '.attested_at' : ''}`;
  if (age < 0) return fail(`${where} ${rotated} is in the future`, attestation ? [...path, 'attested_at'] : path);
  const by = attestation ? `, by ${attestation.attested_by}: ${attestation.evidence}` : '';
  const due = attestation ? attestationExpiry(attestation, maxAge) : { expires: addDays(rotated, maxAge), note: '' };
  if (due.expires < today) {
    const limit = attestation?.expires !== undefined && due.note === '' && due.expires < addDays(rotated, maxAge) ? `its attestation expired on ${due.expires}` : `the limit is ${maxAge} days${due.note}`;
    return fail(`the secret key was last rotated ${age} days ago (${rotated}${by}); ${limit}`, path);
  }
  return pass(`the secret key was rotated ${age} days ago (${rotated}${by}), within ${maxAge} days`, path);
}
