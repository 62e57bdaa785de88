/**
 * Items 1, 2 (and 10) from the wire: the keys a page ships. Fetches each declared page and the
 * same-origin scripts it loads (bounded count and size) and searches them for secret keys,
 * test publishable keys on a production target, publishable keys of another Frontend API host,
 * and webhook signing secrets. What could not be fetched or was cut is said, never counted clean.
 */
import { findKeys, publishableKeyHost } from '../scan/keys';
import type { ProbeClient, ProbeResponse } from './http';
import { excerpt, observe, type ProbeObservation } from './observe';

export const MAX_SCRIPTS_PER_PAGE = 25;
export const MAX_PAGE_BYTES = 2 * 1024 * 1024;
export const MAX_SCRIPT_BYTES = 5 * 1024 * 1024;
const MAX_REDIRECTS = 5;

export interface PageContext {
  production: boolean;
  /** The production instance's Frontend API host, when the baseline or env gives it. */
  productionHost?: string;
}

export interface PageResult {
  observations: ProbeObservation[];
  /** Every response, for the cookie check. */
  responses: ProbeResponse[];
}

interface Searched {
  url: string;
  text: string;
}

export async function probePage(client: ProbeClient, pageUrl: string, context: PageContext): Promise<PageResult> {
  const responses: ProbeResponse[] = [];
  const observations: ProbeObservation[] = [];
  const gaps: string[] = [];
  const fetched = await getFollowing(client, pageUrl, 'keys and cookies', MAX_PAGE_BYTES, responses);
  if (!fetched.ok) {
    observations.push(...notSearched(pageUrl, `the page could not be fetched: ${fetched.reason}`, context));
    return { observations, responses };
  }
  const page = fetched.response;
  if (page.status < 200 || page.status >= 300) {
    observations.push(...notSearched(pageUrl, `the page answered HTTP ${page.status}; there was nothing to search`, context));
    return { observations, responses };
  }
  if (page.truncated) gaps.push(`the page itself was cut at ${MAX_PAGE_BYTES / 1024 / 1024} MB`);
  const searched: Searched[] = [{ url: page.url, text: page.body }];
  const scripts = scriptUrls(page.body, page.url);
  const sameOrigin = scripts.filter((script) => new URL(script).origin === new URL(page.url).origin);
  const foreign = scripts.length - sameOrigin.length;
  for (const script of sameOrigin.slice(0, MAX_SCRIPTS_PER_PAGE)) {
    const outcome = await client.send({ method: 'GET', url: script, maxBytes: MAX_SCRIPT_BYTES, purpose: `script of ${pageUrl}` });
    if (!outcome.ok) {
      gaps.push(`${script}: ${outcome.reason}`);
      continue;
    }
    responses.push(outcome.response);
    if (outcome.response.status < 200 || outcome.response.status >= 300) {
      gaps.push(`${script}: HTTP ${outcome.response.status}`);
      continue;
    }
    if (outcome.response.truncated) gaps.push(`${script}: cut at ${MAX_SCRIPT_BYTES / 1024 / 1024} MB`);
    searched.push({ url: script, text: outcome.response.body });
  }
  if (sameOrigin.length > MAX_SCRIPTS_PER_PAGE) gaps.push(`${sameOrigin.length - MAX_SCRIPTS_PER_PAGE} more same-origin scripts beyond the limit of ${MAX_SCRIPTS_PER_PAGE}`);

  // No byte counts in messages: a page's size moves with every render, a verdict should not.
  const scope = `the page and ${searched.length - 1} same-origin script${searched.length === 2 ? '' : 's'}${foreign > 0 ? ` (${foreign} script${foreign === 1 ? '' : 's'} from other origins not fetched)` : ''}`;
  observations.push(...judgeKeys(searched, pageUrl, scope, context));
  if (gaps.length > 0) {
    const shown = gaps.slice(0, 3).join('; ') + (gaps.length > 3 ? `; and ${gaps.length - 3} more` : '');
    observations.push(...notSearched(pageUrl, `not everything the page loads was searched: ${shown}`, context));
  }
  return { observations, responses };
}

function judgeKeys(searched: readonly Searched[], pageUrl: string, scope: string, context: PageContext): ProbeObservation[] {
  const out: ProbeObservation[] = [];
  let secretFound = false;
  const publishable: { url: string; kind: 'pk_live' | 'pk_test'; host: string | undefined; snippet: string }[] = [];
  for (const item of searched) {
    for (const key of findKeys(item.text)) {
      const snippet = excerpt(item.text, key.index, key.length);
      if (key.kind === 'sk_live' || key.kind === 'sk_test') {
        secretFound = true;
        out.push(observe('keys-secret-server-only', 'page-secret-key', 'fail', 'high', `a secret key (${key.kind}_) is shipped to the browser in ${where(item.url, pageUrl)}: rotate it now`, item.url, snippet));
      } else if (key.kind === 'whsec') {
        out.push(observe('webhook-secret-in-env', 'page-signing-secret', 'fail', 'high', `a webhook signing secret (whsec_) is shipped to the browser in ${where(item.url, pageUrl)}: regenerate it`, item.url, snippet));
      } else {
        publishable.push({ url: item.url, kind: key.kind, host: publishableKeyHost(key.tail), snippet });
      }
    }
  }
  if (!secretFound) out.push(observe('keys-secret-server-only', 'page-secret-key', 'pass', 'medium', `no secret key (sk_live_/sk_test_) in ${scope}`, pageUrl));
  if (!context.production) return out;

  const unique = [...new Map(publishable.map((key) => [`${key.url}|${key.kind}|${key.host}`, key])).values()];
  if (unique.length === 0) {
    out.push(observe('keys-production-live', 'page-publishable-key', 'not_verifiable', 'medium', `no publishable key found in ${scope}; it may be loaded later, so check the key the deployed app uses`, pageUrl));
    return out;
  }
  for (const key of unique) {
    if (key.kind === 'pk_test') {
      out.push(observe('keys-production-live', 'page-test-key', 'fail', 'high', `the production app ships a test publishable key (pk_test_${key.host ? `, Frontend API ${key.host}` : ''}) in ${where(key.url, pageUrl)}: test instances accept unverified emails and test codes`, key.url, key.snippet));
    } else if (!key.host) {
      out.push(observe('keys-production-live', 'page-publishable-key-host', 'not_verifiable', 'medium', `a pk_live_ key in ${where(key.url, pageUrl)} does not decode to a Frontend API host`, key.url, key.snippet));
    } else if (!context.productionHost) {
      out.push(observe('keys-production-live', 'page-publishable-key-host', 'not_verifiable', 'medium', `the page ships a live publishable key for ${key.host}, but the production instance's host is unknown: set target.frontend_api_url (or its publishable key env var) to compare`, key.url, key.snippet));
    } else if (key.host !== context.productionHost) {
      out.push(observe('keys-production-live', 'page-publishable-key-host', 'fail', 'high', `the page ships a publishable key for ${key.host}, not the production instance's ${context.productionHost}`, key.url, key.snippet));
    } else {
      out.push(observe('keys-production-live', 'page-publishable-key-host', 'pass', 'high', `the page ships the production instance's live publishable key (${key.host})`, key.url));
    }
  }
  return out;
}

function notSearched(pageUrl: string, why: string, context: PageContext): ProbeObservation[] {
  return [
    observe('keys-secret-server-only', 'page-not-searched', 'not_verifiable', 'high', why, pageUrl),
    ...(context.production ? [observe('keys-production-live', 'page-not-searched', 'not_verifiable', 'high', why, pageUrl)] : []),
  ];
}

function where(url: string, pageUrl: string): string {
  return url === pageUrl ? 'the page' : url;
}

/** GET with redirects followed only while they stay on origins the baseline names. */
async function getFollowing(client: ProbeClient, start: string, purpose: string, maxBytes: number, responses: ProbeResponse[]) {
  let url = start;
  for (let hop = 0; ; hop++) {
    const outcome = await client.send({ method: 'GET', url, maxBytes, purpose, headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    if (!outcome.ok) return outcome;
    responses.push(outcome.response);
    const location = outcome.response.headers.location;
    if (outcome.response.status < 300 || outcome.response.status >= 400 || !location) return outcome;
    if (hop >= MAX_REDIRECTS) return { ok: false as const, reason: `more than ${MAX_REDIRECTS} redirects` };
    const next = resolve(location, url);
    if (!next || !client.allows(next)) return { ok: false as const, reason: `it redirects to ${next ?? location}, an origin the baseline does not name (not followed)` };
    url = next;
  }
}

function resolve(location: string, base: string): string | undefined {
  try {
    return new URL(location, base).href;
  } catch {
    return undefined;
  }
}

const SCRIPT_SRC = /<script\b[^>]*?\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi;
const PRELOAD = /<link\b[^>]*?\brel\s*=\s*["']?(?:modulepreload|preload)["']?[^>]*>/gi;
const HREF = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i;

/** Script URLs a page loads (script src, module preloads), resolved and de-duplicated. */
export function scriptUrls(html: string, pageUrl: string): string[] {
  const found = new Set<string>();
  const add = (raw: string | undefined) => {
    if (!raw) return;
    const url = resolve(raw.replace(/&amp;/g, '&').trim(), pageUrl);
    if (url && /^https?:/.test(url)) found.add(url.replace(/#.*$/, ''));
  };
  for (const match of html.matchAll(SCRIPT_SRC)) {
    add(match[1] ?? match[2] ?? match[3]);
    if (found.size >= 500) break;
  }
  for (const match of html.matchAll(PRELOAD)) {
    const tag = match[0];
    if (/\brel\s*=\s*["']?preload/i.test(tag) && !/\bas\s*=\s*["']?script/i.test(tag)) continue;
    const href = HREF.exec(tag);
    add(href?.[1] ?? href?.[2] ?? href?.[3]);
    if (found.size >= 500) break;
  }
  return [...found];
}
