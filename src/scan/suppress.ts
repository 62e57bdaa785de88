/**
 * Inline suppressions: `// clerkguard-ignore RULE: reason (owner: NAME, expires: YYYY-MM-DD)`
 * (or `#` in env files). It waives a failing observation of RULE (a checklist rule id or a scan
 * check id) on its own line or the next one. Every suppression is listed; like a baseline
 * exception it needs a reason, an owner and an expiry: one missing any, naming an unknown rule,
 * or past its expiry waives nothing.
 */
import { RULE_IDS } from '../checklist/ids';
import type { Observation } from '../evidence/index';

export interface InlineSuppression {
  file: string;
  line: number;
  rule: string;
  reason: string;
  owner?: string;
  expires?: string;
  status: 'applied' | 'unused' | 'expired' | 'invalid';
  /** Why an invalid suppression does not apply. */
  problem?: string;
}

const MARKER = /(?:\/\/|\/\*|#|\{\/\*)\s*clerkguard-ignore\b(.*)$/;

export function findSuppressions(relative: string, text: string): InlineSuppression[] {
  if (!text.includes('clerkguard-ignore')) return [];
  const out: InlineSuppression[] = [];
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    const match = MARKER.exec(line);
    if (!match) return;
    const rest = (match[1] as string).replace(/\*\/\s*\}?\s*$/, '').trim();
    const parsed = /^([A-Za-z0-9_-]+)\s*:\s*(.*)$/.exec(rest);
    const base = { file: relative, line: index + 1 };
    if (!parsed) {
      out.push({ ...base, rule: rest.split(/\s/)[0] ?? '', reason: '', status: 'invalid', problem: 'expected "clerkguard-ignore RULE: reason"' });
      return;
    }
    let reason = (parsed[2] as string).trim();
    const meta = /\(([^)]*)\)\s*$/.exec(reason);
    let owner: string | undefined;
    let expires: string | undefined;
    if (meta && /owner|expires/.test(meta[1] as string)) {
      reason = reason.slice(0, meta.index).trim();
      owner = /owner\s*:\s*([^,]+)/.exec(meta[1] as string)?.[1]?.trim();
      expires = /expires\s*:\s*(\d{4}-\d{2}-\d{2})/.exec(meta[1] as string)?.[1];
    }
    const suppression: InlineSuppression = { ...base, rule: parsed[1] as string, reason, status: 'unused', ...(owner ? { owner } : {}), ...(expires ? { expires } : {}) };
    if (reason === '') {
      suppression.status = 'invalid';
      suppression.problem = 'a suppression needs a reason after the colon';
    } else if (!owner || !expires) {
      // Held to the standard of baseline exceptions: someone answers for it, and it runs out.
      suppression.status = 'invalid';
      suppression.problem = `a suppression needs an owner and an expiry like a baseline exception: add (owner: NAME, expires: YYYY-MM-DD)${!owner && expires ? '; the owner is missing' : owner && !expires ? '; the expiry is missing' : ''}`;
    }
    out.push(suppression);
  });
  return out;
}

/**
 * Marks the observations each suppression waives (failing ones on the suppression's line or the
 * next) and records which suppressions applied. `checks` are the known check ids.
 */
export function applySuppressions(observations: Observation[], suppressions: InlineSuppression[], checks: ReadonlySet<string>, today: string): void {
  for (const suppression of suppressions) {
    if (suppression.status === 'invalid') continue;
    const knownRule = (RULE_IDS as readonly string[]).includes(suppression.rule);
    if (!knownRule && !checks.has(suppression.rule)) {
      suppression.status = 'invalid';
      suppression.problem = `"${suppression.rule}" is neither a checklist rule id nor a scan check id`;
      continue;
    }
    if (suppression.expires !== undefined && suppression.expires < today) {
      suppression.status = 'expired';
      continue;
    }
    for (const observation of observations) {
      if (observation.status !== 'fail' || observation.suppressed) continue;
      if (observation.rule !== suppression.rule && observation.check !== suppression.rule) continue;
      const location = observation.location;
      if (location.file !== suppression.file || location.line === undefined) continue;
      if (location.line !== suppression.line && location.line !== suppression.line + 1) continue;
      observation.suppressed = {
        by: 'inline',
        reason: suppression.reason,
        at: `${suppression.file}:${suppression.line}`,
        ...(suppression.owner ? { owner: suppression.owner } : {}),
        ...(suppression.expires ? { expires: suppression.expires } : {}),
      };
      suppression.status = 'applied';
    }
  }
}
