/**
 * `clerkguard probe`: evidence `probe` from the deployed application's URLs.
 *
 *   planProbe (baseline → URLs, allowed origins) → ProbeClient (the one network gate) →
 *   checks: webhooks (item 9, 11 note), protected paths (7), pages and scripts (1, 2, 10),
 *   cookies of every response (8) → ApplicationEvidence (src/evidence) → check, drift, snapshots
 *
 * A probe that could not run (DNS, TLS, timeout, budget) is `not_verifiable` with the reason,
 * never a pass. `dryRun` plans the same requests and sends none.
 */
import type { LoadedBaseline } from '../baseline/load';
import type { RuleId } from '../checklist/ids';
import type { ApplicationEvidence } from '../evidence/index';
import { scanPolicy } from '../scan/policy';
import { judgeCookies } from './cookies';
import { MISSING_PATH_PURPOSE, missingPathFolder, missingPathProber, probeProtected } from './access';
import { ProbeClient, type ProbeResponse, type RequestRecord } from './http';
import { observe, type ProbeObservation } from './observe';
import { MAX_SCRIPTS_PER_PAGE, probePage } from './pages';
import { planProbe, type ProbePlan } from './plan';
import { PROBE_EVENT_TYPE, STALE_SECONDS, probeWebhook, signingKey } from './webhooks';

export { planProbe, type ProbePlan } from './plan';
export type { RequestRecord } from './http';

import { DEFAULT_MAX_REQUESTS, DEFAULT_TIMEOUT_MS } from './defaults';

export { DEFAULT_MAX_REQUESTS, DEFAULT_TIMEOUT_MS };

export interface ProbeOptions {
  /** `--url`: only these (each on an origin the baseline names). */
  urls?: readonly string[];
  env: NodeJS.ProcessEnv;
  now: Date;
  dryRun?: boolean;
  maxRequests?: number;
  timeoutMs?: number;
  /** Extra CA certificates (PEM text). */
  ca?: string;
  userAgent: string;
}

export interface PlannedRequest {
  method: 'GET' | 'POST';
  url: string;
  purpose: string;
  /** Headers as they would be sent, signatures described rather than computed. */
  headers?: Record<string, string>;
}

export interface ProbeResult {
  environment: string;
  dryRun: boolean;
  plan: ProbePlan;
  /** Dry run: every request the run would make (scripts are found only by fetching pages). */
  planned: PlannedRequest[];
  requests: RequestRecord[];
  budget: { max: number; used: number };
  evidence: ApplicationEvidence;
  /** Some request got an HTTP answer (false: nothing could be reached). */
  reached: boolean;
}

export async function runProbe(loaded: LoadedBaseline, options: ProbeOptions): Promise<ProbeResult> {
  const plan = planProbe(loaded, options.urls ?? []);
  const secretValue = options.env[plan.secretEnv];
  const key = secretValue ? signingKey(secretValue) : undefined;
  const keyProblem = !secretValue ? `${plan.secretEnv} is not set` : key ? undefined : `${plan.secretEnv} does not hold a whsec_ secret`;
  const max = options.maxRequests ?? DEFAULT_MAX_REQUESTS;
  const planned = plannedRequests(plan, key !== undefined);
  const examined = examinedRules(plan, key !== undefined);
  const subjects = [...plan.pages, ...plan.protectedUrls, ...plan.webhookUrls, ...(plan.frontendApiUrl ? [plan.frontendApiUrl] : [])];
  if (options.dryRun) {
    return { environment: plan.environment, dryRun: true, plan, planned, requests: [], budget: { max, used: 0 }, evidence: { source: 'probe', subjects, examined, observations: [] }, reached: false };
  }

  const client = new ProbeClient({
    allowedOrigins: plan.allowedOrigins,
    maxRequests: max,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    userAgent: options.userAgent,
    ...(options.ca ? { ca: options.ca } : {}),
  });
  const observations: ProbeObservation[] = [];
  const responses: ProbeResponse[] = [];
  const nowSeconds = Math.floor(options.now.getTime() / 1000);

  for (const url of plan.webhookUrls) observations.push(...(await probeWebhook(client, url, { nowSeconds, ...(key ? { key } : {}), ...(keyProblem ? { keyProblem } : {}) })));
  const missingPath = missingPathProber(client);
  for (const url of plan.protectedUrls) {
    const result = await probeProtected(client, url, plan.signInPaths, missingPath);
    observations.push(result.observation);
    if (result.response) responses.push(result.response);
  }
  const policy = scanPolicy(loaded.baseline, options.env);
  for (const url of plan.pages) {
    const result = await probePage(client, url, { production: plan.production, ...(policy.productionHost ? { productionHost: policy.productionHost } : {}) });
    observations.push(...result.observations);
    responses.push(...result.responses);
  }
  if (plan.frontendApiUrl) {
    const outcome = await client.send({ method: 'GET', url: plan.frontendApiUrl, maxBytes: 512 * 1024, purpose: 'Frontend API cookies', headers: { accept: 'application/json' } });
    if (outcome.ok) responses.push(outcome.response);
    else observations.push(observe('session-cookie-samesite', 'cookie-not-observed', 'not_verifiable', 'high', `the Frontend API could not be read: ${outcome.reason}`, plan.frontendApiUrl));
  }
  const appUrls = [...plan.pages, ...plan.protectedUrls, ...(plan.frontendApiUrl ? [plan.frontendApiUrl] : [])];
  if (appUrls.length > 0) observations.push(...judgeCookies(responses, { crossOriginIframe: plan.crossOriginIframe }, appUrls));

  return {
    environment: plan.environment,
    dryRun: false,
    plan,
    planned,
    requests: client.log,
    budget: { max, used: client.used },
    evidence: { source: 'probe', subjects, examined, observations },
    reached: client.log.some((record) => record.status !== undefined),
  };
}

/** The rules this run can judge: a rule it has no URL for keeps its attestation. */
function examinedRules(plan: ProbePlan, signed: boolean): RuleId[] {
  const rules = new Set<RuleId>();
  if (plan.pages.length > 0) {
    rules.add('keys-secret-server-only');
    rules.add('webhook-secret-in-env');
    if (plan.production) rules.add('keys-production-live');
  }
  if (plan.pages.length + plan.protectedUrls.length > 0 || plan.frontendApiUrl) rules.add('session-cookie-samesite');
  if (plan.protectedUrls.length > 0) rules.add('session-server-side-verification');
  if (plan.webhookUrls.length > 0) {
    rules.add('webhook-signature-verification');
    if (signed) rules.add('webhook-idempotency');
  }
  return [...rules];
}

function plannedRequests(plan: ProbePlan, signed: boolean): PlannedRequest[] {
  const svix = (signature: string) => ({ 'content-type': 'application/json', 'svix-id': 'msg_clerkguard_probe_<random>', 'svix-timestamp': '<now>', 'svix-signature': signature });
  const out: PlannedRequest[] = [];
  for (const url of plan.webhookUrls) {
    out.push({ method: 'POST', url, purpose: `forged delivery (type ${PROBE_EVENT_TYPE}, signature made with a random key)`, headers: svix('v1,<HMAC with a random key>') });
    if (signed) {
      out.push({ method: 'POST', url, purpose: 'correctly signed delivery', headers: svix(`v1,<HMAC with $${plan.secretEnv}>`) });
      out.push({ method: 'POST', url, purpose: `correctly signed delivery dated ${STALE_SECONDS / 60} min ago`, headers: { ...svix(`v1,<HMAC with $${plan.secretEnv}>`), 'svix-timestamp': `<now - ${STALE_SECONDS}>` } });
      out.push({ method: 'POST', url, purpose: 'replay of the signed delivery (same svix-id), if it was accepted', headers: svix(`v1,<HMAC with $${plan.secretEnv}>`) });
    }
  }
  for (const url of plan.protectedUrls) out.push({ method: 'GET', url, purpose: 'unauthenticated access (no cookie, no Authorization header; redirects not followed)' });
  for (const folder of new Set(plan.protectedUrls.map(missingPathFolder))) {
    out.push({ method: 'GET', url: `${folder}clerkguard-probe-<random>-missing`, purpose: `only if a protected path there answers 404: ${MISSING_PATH_PURPOSE}` });
  }
  for (const url of plan.pages) out.push({ method: 'GET', url, purpose: `keys and cookies; then up to ${MAX_SCRIPTS_PER_PAGE} same-origin scripts it loads, and redirects on named origins` });
  if (plan.frontendApiUrl) out.push({ method: 'GET', url: plan.frontendApiUrl, purpose: 'Frontend API cookies' });
  return out;
}

/** Names clerkguard and what it is doing, so the site's owners can tell the probe from an attack. */
export function probeUserAgent(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { version } = require('../../package.json') as { version: string };
  return `clerkguard/${version} (probe; a security self-check run by the site's owner)`;
}
