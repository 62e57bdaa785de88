/** How probe checks report: one observation per verdict, located at the URL that decided it. */
import type { RuleId } from '../checklist/ids';
import type { Confidence, Observation } from '../evidence/index';
import { redact } from '../scan/keys';

export type ProbeObservation = Observation & { source: 'probe' };

export function observe(rule: RuleId, check: string, status: Observation['status'], confidence: Confidence, message: string, url: string, snippet?: string): ProbeObservation {
  return { source: 'probe', rule, check, status, confidence, message, location: { url }, ...(snippet ? { snippet: oneLine(snippet) } : {}) };
}

const EXCERPT_CHARS = 60;

/** A one-line excerpt around a match, every key-shaped string redacted. */
export function excerpt(text: string, index: number, length: number): string {
  const start = Math.max(0, index - EXCERPT_CHARS);
  const end = Math.min(text.length, index + length + EXCERPT_CHARS);
  return `${start > 0 ? '…' : ''}${oneLine(text.slice(start, end))}${end < text.length ? '…' : ''}`;
}

/** The start of a body, for "what did it answer": whitespace collapsed, keys redacted. */
export function bodyStart(body: string, max = 100): string {
  const line = oneLine(body);
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

function oneLine(text: string): string {
  return redact(text.replace(/\s+/g, ' ').trim()).slice(0, 240);
}
