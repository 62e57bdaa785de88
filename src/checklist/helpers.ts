/** Shared building blocks for rules: attestation freshness, date arithmetic, wording. */
import type { Attestation } from '../settings/model';
import type { JsonPath } from '../settings/paths';
import { ATTESTATION_DEFAULT_DAYS } from './thresholds';
import type { RuleContext, RuleResult } from './types';

export function addDays(date: string, days: number): string {
  const value = new Date(`${date}T00:00:00Z`);
  value.setUTCDate(value.getUTCDate() + days);
  return value.toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export function todayIso(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** Words for an absent value: in a baseline it is unmanaged, live it could not be read. */
export function notDeclared(context: RuleContext, path: JsonPath, howToVerify: string): RuleResult {
  const where = path.join('.');
  const source = context.mode === 'live' ? context.coverage?.[where] : undefined;
  if (source !== undefined && source !== 'unverified' && source !== 'attested') {
    // The source was read and holds no value: the setting is switched off, which is a finding.
    return { status: 'fail', message: `settings.${where} is not set on the instance (read from ${source}): the protection is off`, path };
  }
  const message =
    context.mode === 'baseline'
      ? `settings.${where} is not declared in the baseline, so this item is unverified. ${howToVerify}`
      : `settings.${where} could not be read from any source. ${howToVerify}`;
  return { status: 'not_verifiable', message, path };
}

/**
 * An attestation passes while it is fresh. An expired one fails: the practice may have rotted
 * since someone last checked it. A missing one is not verifiable, never a pass. An explicit
 * `expires` may shorten the rule's maximum age, never lengthen it: a later date is capped at
 * `attested_at` + `maxAgeDays`, and the message says so.
 */
export function checkAttestation(
  attestation: Attestation | undefined,
  path: JsonPath,
  context: RuleContext,
  what: string,
  howToVerify: string,
  maxAgeDays = ATTESTATION_DEFAULT_DAYS,
): RuleResult {
  if (!attestation) {
    return {
      status: 'not_verifiable',
      message: `${what} cannot be proven by configuration and no attestation is recorded at settings.${path.join('.')}. ${howToVerify}`,
      path,
    };
  }
  const validity = attestationExpiry(attestation, maxAgeDays);
  if (attestation.attested_at > context.today) {
    return { status: 'fail', message: `attestation for ${what} is dated in the future (${attestation.attested_at})`, path: [...path, 'attested_at'] };
  }
  if (validity.expires < context.today) {
    return {
      status: 'fail',
      message: `attestation for ${what} by ${attestation.attested_by} expired on ${validity.expires}${validity.note}; re-verify it and update attested_at`,
      path,
    };
  }
  const until = validity.note ? ` (valid until ${validity.expires}${validity.note.replace(/^ \(/, ': ')}` : '';
  return { status: 'pass', message: `${what}: attested by ${attestation.attested_by} on ${attestation.attested_at} (${attestation.evidence})${until}`, path };
}

/**
 * When an attestation stops counting: its own `expires` or `attested_at` + the rule's maximum
 * age, whichever comes first. `note` explains a cap for the finding message.
 */
export function attestationExpiry(attestation: Pick<Attestation, 'attested_at' | 'expires'>, maxAgeDays = ATTESTATION_DEFAULT_DAYS): { expires: string; note: string } {
  const limit = addDays(attestation.attested_at, maxAgeDays);
  if (attestation.expires === undefined || attestation.expires <= limit) return { expires: attestation.expires ?? limit, note: '' };
  return { expires: limit, note: ` (its expires ${attestation.expires} is capped at ${maxAgeDays} days after attested_at)` };
}

export function pass(message: string, path?: JsonPath): RuleResult {
  return path ? { status: 'pass', message, path } : { status: 'pass', message };
}

export function fail(message: string, path?: JsonPath): RuleResult {
  return path ? { status: 'fail', message, path } : { status: 'fail', message };
}

export function minutes(value: number): string {
  if (value % 1440 === 0) return `${value / 1440} day${value === 1440 ? '' : 's'}`;
  if (value % 60 === 0) return `${value / 60} hour${value === 60 ? '' : 's'}`;
  return `${value} minute${value === 1 ? '' : 's'}`;
}
