/**
 * What a probe run may contact and what it will try, decided from the baseline alone: the
 * application's origins, pages and protected paths (`application`), the webhook endpoint URLs
 * (`settings.webhooks.endpoints`) and the Frontend API (`target.frontend_api_url`). `--url`
 * narrows the run to some of those URLs; it can never add a host the baseline does not name.
 */
import type { LoadedBaseline } from '../baseline/load';
import { ClerkguardError } from '../util/errors';
import { originOf } from './http';

export const DEFAULT_PAGES = ['/'];
export const DEFAULT_SECRET_ENV = 'CLERK_WEBHOOK_SIGNING_SECRET';
/** Where signed-out visitors usually land, when the baseline does not list `sign_in_paths`. */
export const SIGN_IN_PATTERN = /sign-?in|sign_in|log-?in/i;

export interface ProbePlan {
  environment: string;
  production: boolean;
  /** Every origin a request may go to. */
  allowedOrigins: Set<string>;
  pages: string[];
  protectedUrls: string[];
  webhookUrls: string[];
  /** The Frontend API's `/v1/environment`, read for the cookies it sets. */
  frontendApiUrl?: string;
  signInPaths: string[];
  crossOriginIframe: boolean;
  secretEnv: string;
}

export function planProbe(loaded: LoadedBaseline, urls: readonly string[] = []): ProbePlan {
  const { baseline } = loaded;
  const application = baseline.application;
  const origins = application?.origins ?? [];
  const webhookUrls = Object.keys(baseline.settings.webhooks?.endpoints ?? {}).filter((url) => originOf(url) !== undefined);
  const frontendOrigin = baseline.target.frontend_api_url ? originOf(baseline.target.frontend_api_url) : undefined;
  const allowedOrigins = new Set<string>([...origins, ...webhookUrls.map((url) => originOf(url) as string), ...(frontendOrigin ? [frontendOrigin] : [])]);

  const pages = origins.flatMap((origin) => (application?.pages ?? DEFAULT_PAGES).map((page) => new URL(page, origin).href));
  const protectedUrls = origins.flatMap((origin) => (application?.protected_paths ?? []).map((page) => new URL(page, origin).href));
  const plan: ProbePlan = {
    environment: baseline.environment,
    production: baseline.target.environment_type === 'production',
    allowedOrigins,
    pages,
    protectedUrls,
    webhookUrls,
    ...(frontendOrigin ? { frontendApiUrl: `${frontendOrigin}/v1/environment` } : {}),
    signInPaths: application?.sign_in_paths ?? [],
    crossOriginIframe: application?.cross_origin_iframe ?? false,
    secretEnv: application?.webhook_signing_secret_env ?? DEFAULT_SECRET_ENV,
  };
  if (allowedOrigins.size === 0) {
    throw new ClerkguardError(`${loaded.file} names no URL to probe`, {
      hint: 'add "application": { "origins": ["https://app.example.com"], "protected_paths": ["/dashboard"] } to the baseline (webhook endpoints come from settings.webhooks.endpoints)',
    });
  }
  return urls.length === 0 ? plan : narrow(plan, urls, loaded.file);
}

/** `--url`: probe only these, each classified by what the baseline says it is. */
function narrow(plan: ProbePlan, urls: readonly string[], file: string): ProbePlan {
  const narrowed: ProbePlan = { ...plan, pages: [], protectedUrls: [], webhookUrls: [] };
  delete narrowed.frontendApiUrl;
  for (const given of urls) {
    const origin = originOf(given);
    if (!origin) throw new ClerkguardError(`--url ${given} is not an http(s) URL`, { hint: 'pass a full URL, e.g. --url https://app.example.com/dashboard' });
    if (!plan.allowedOrigins.has(origin)) {
      throw new ClerkguardError(`--url ${given} is on ${origin}, which ${file} does not name`, {
        hint: `the probe only contacts origins the baseline names: ${[...plan.allowedOrigins].join(', ')}; add it to application.origins first`,
      });
    }
    const url = new URL(given).href;
    if (plan.webhookUrls.some((endpoint) => new URL(endpoint).href === url)) narrowed.webhookUrls.push(url);
    else if (plan.protectedUrls.includes(url)) narrowed.protectedUrls.push(url);
    else if (plan.frontendApiUrl && origin === originOf(plan.frontendApiUrl)) narrowed.frontendApiUrl = plan.frontendApiUrl;
    else narrowed.pages.push(url);
  }
  return narrowed;
}
