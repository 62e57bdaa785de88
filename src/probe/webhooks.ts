/**
 * Item 9 from the wire: does a webhook endpoint accept a delivery Clerk did not sign?
 *
 * Clerk delivers through Svix: headers `svix-id`, `svix-timestamp` (Unix seconds) and
 * `svix-signature` (`v1,<base64>`: HMAC-SHA256 over `id.timestamp.body` keyed with the
 * base64-decoded part of the `whsec_` secret); verifiers reject timestamps more than five
 * minutes away (standardwebhooks, which @clerk/backend's verifyWebhook uses).
 *
 * Every delivery is harmless by construction: an event type Clerk never sends and no handler
 * acts on (`clerkguard.probe`), no user data, and an id that says what it is. Never an event
 * type that writes data.
 *
 *   forged: well-formed headers, a signature made with a random key → 2xx fails, 400/401/403 pass.
 *   with the signing secret (env var): a correctly signed delivery dated outside the tolerance
 *   must be refused; a fresh signed delivery and its replay (same svix-id) show what the
 *   endpoint does with an accepted delivery and a repeat.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { ProbeClient, ProbeOutcome } from './http';
import { bodyStart, observe, type ProbeObservation } from './observe';

export const PROBE_EVENT_TYPE = 'clerkguard.probe';
/** Outside the five-minute tolerance of Svix and standardwebhooks, with margin for clock skew. */
export const STALE_SECONDS = 15 * 60;
const MAX_BYTES = 64 * 1024;

export interface Delivery {
  id: string;
  timestamp: number;
  body: string;
  headers: Record<string, string>;
}

export function probeBody(id: string, timestampSeconds: number, purpose: string): string {
  return JSON.stringify({
    object: 'event',
    type: PROBE_EVENT_TYPE,
    instance_id: 'ins_clerkguard_probe',
    timestamp: timestampSeconds * 1000,
    data: { clerkguard_probe: true, purpose, note: 'sent by clerkguard probe to test signature verification; not from Clerk; safe to ignore' },
  });
}

export function newDeliveryId(): string {
  return `msg_clerkguard_probe_${randomBytes(9).toString('hex')}`;
}

/** `v1,<base64 HMAC-SHA256 of id.timestamp.body>` with the key inside a `whsec_` secret. */
export function svixSignature(secretKey: Buffer, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', secretKey).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** The key bytes of a `whsec_<base64>` secret, or undefined when it is not one. */
export function signingKey(secret: string): Buffer | undefined {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(secret.trim());
  if (!match) return undefined;
  const key = Buffer.from(match[1] as string, 'base64');
  return key.length >= 16 ? key : undefined;
}

export function delivery(key: Buffer, timestamp: number, purpose: string, id = newDeliveryId()): Delivery {
  const body = probeBody(id, timestamp, purpose);
  return {
    id,
    timestamp,
    body,
    headers: { 'content-type': 'application/json', 'svix-id': id, 'svix-timestamp': String(timestamp), 'svix-signature': svixSignature(key, id, timestamp, body) },
  };
}

export interface WebhookProbeOptions {
  /** The signing key from the env var, when given. */
  key?: Buffer;
  /** Why there is no key (env var unset or malformed), for the note. */
  keyProblem?: string;
  nowSeconds: number;
}

export async function probeWebhook(client: ProbeClient, url: string, options: WebhookProbeOptions): Promise<ProbeObservation[]> {
  const send = (item: Delivery, purpose: string) => client.send({ method: 'POST', url, headers: item.headers, body: item.body, maxBytes: MAX_BYTES, purpose });
  const observations: ProbeObservation[] = [];

  // A random key gives a well-formed signature that no real secret produces.
  const forged = await send(delivery(randomBytes(32), options.nowSeconds, 'forged signature'), 'forged delivery (wrong signature)');
  const forgedVerdict = judgeRefusal(forged, 'forged delivery with a wrong signature');
  let signedFresh: ProbeOutcome | undefined;
  if (options.key) {
    const fresh = delivery(options.key, options.nowSeconds, 'correctly signed delivery');
    signedFresh = await send(fresh, 'signed delivery');
    const stale = await send(delivery(options.key, options.nowSeconds - STALE_SECONDS, 'correctly signed, stale timestamp'), `signed delivery dated ${STALE_SECONDS / 60} min ago`);
    const replay = signedFresh.ok ? await send(fresh, 'replay of the signed delivery (same svix-id)') : undefined;
    observations.push(...signedVerdicts(url, forgedVerdict, signedFresh, stale, replay));
  } else {
    observations.push(forgedObservation(url, forgedVerdict, 'medium', options.keyProblem ? ` (signed checks skipped: ${options.keyProblem})` : ''));
  }
  return observations;
}

interface Refusal {
  status: 'pass' | 'fail' | 'not_verifiable';
  message: string;
  snippet?: string;
  httpStatus?: number;
}

/** 2xx accepted (fail), 400/401/403 refused (pass), anything else undecided. */
function judgeRefusal(outcome: ProbeOutcome, what: string): Refusal {
  if (!outcome.ok) return { status: 'not_verifiable', message: `the ${what} could not be sent: ${outcome.reason}` };
  const { status, body } = outcome.response;
  const snippet = `HTTP ${status}${body.trim() ? ` ${bodyStart(body, 80)}` : ''}`;
  if (status >= 200 && status < 300) return { status: 'fail', message: `accepted a ${what} (HTTP ${status}): anyone who finds the URL can forge events`, snippet, httpStatus: status };
  if (status === 400 || status === 401 || status === 403) return { status: 'pass', message: `refused a ${what} (HTTP ${status})`, snippet, httpStatus: status };
  if (status === 404 || status === 405) return { status: 'not_verifiable', message: `answered the ${what} with HTTP ${status}: is the endpoint URL right?`, snippet, httpStatus: status };
  return { status: 'not_verifiable', message: `answered the ${what} with HTTP ${status}: neither accepted (2xx) nor refused (400/401/403)`, snippet, httpStatus: status };
}

function forgedObservation(url: string, verdict: Refusal, confidence: 'high' | 'medium', note: string): ProbeObservation {
  const caveat =
    verdict.status === 'pass' && confidence === 'medium'
      ? '; without the signing secret clerkguard cannot tell a signature check from a handler that refuses unknown event types first (set the signing secret env var to confirm)'
      : '';
  return observe('webhook-signature-verification', 'webhook-forged-signature', verdict.status, confidence, `${verdict.message}${caveat}${note}`, url, verdict.snippet);
}

function signedVerdicts(url: string, forged: Refusal, fresh: ProbeOutcome, stale: ProbeOutcome, replay: ProbeOutcome | undefined): ProbeObservation[] {
  const out: ProbeObservation[] = [];
  const freshAccepted = fresh.ok && fresh.response.status >= 200 && fresh.response.status < 300;
  const freshText = fresh.ok ? `HTTP ${fresh.response.status}` : `not answered (${fresh.reason})`;
  if (forged.status === 'pass' && !freshAccepted) {
    // Refusing the correctly signed delivery too means the refusal may not be about the signature.
    out.push(observe('webhook-signature-verification', 'webhook-forged-signature', 'not_verifiable', 'high', `refused the forged delivery (HTTP ${forged.httpStatus}), but also the correctly signed one (${freshText}): is the env var the secret of this endpoint?`, url, forged.snippet));
  } else {
    out.push(forgedObservation(url, forged, 'high', ''));
  }
  const staleVerdict = judgeRefusal(stale, `correctly signed delivery dated ${STALE_SECONDS / 60} minutes ago`);
  if (staleVerdict.status === 'fail') {
    out.push(observe('webhook-signature-verification', 'webhook-stale-timestamp', 'fail', 'high', `${staleVerdict.message.replace('anyone who finds the URL can forge events', 'the timestamp is not checked, so a captured delivery can be replayed later')}`, url, staleVerdict.snippet));
  } else if (staleVerdict.status === 'pass' && freshAccepted) {
    out.push(observe('webhook-signature-verification', 'webhook-stale-timestamp', 'pass', 'high', `${staleVerdict.message}, while the fresh one was accepted (${freshText}): timestamps are checked`, url, staleVerdict.snippet));
  } else {
    out.push(observe('webhook-signature-verification', 'webhook-stale-timestamp', 'not_verifiable', 'high', `${staleVerdict.status === 'pass' ? `${staleVerdict.message}, but the fresh signed delivery was not accepted (${freshText}), so the refusal may not be about the timestamp` : staleVerdict.message}`, url, staleVerdict.snippet));
  }
  if (freshAccepted) {
    const replayText = replay === undefined ? 'not sent' : replay.ok ? `HTTP ${replay.response.status}` : `not answered (${replay.reason})`;
    out.push(
      observe(
        'webhook-idempotency',
        'webhook-replay',
        'not_verifiable',
        'medium',
        `a replay of the same svix-id answered ${replayText} (the first delivery ${freshText}); whether it was applied twice cannot be seen from outside: check that svix-id is stored once`,
        url,
        replay?.ok ? `HTTP ${replay.response.status}${replay.response.body.trim() ? ` ${bodyStart(replay.response.body, 80)}` : ''}` : undefined,
      ),
    );
  }
  return out;
}
