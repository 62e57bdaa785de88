/**
 * Baseline exceptions and ignore entries. A suppressed change stays in the report (with the
 * reason) but no longer counts as drift: people see what is accepted and until when.
 */
import { ignoreSpansEveryGroup, type BaselineException, type IgnoreEntry } from '../baseline/schema';
import { ruleById } from '../checklist/index';
import { isUnder, parsePath, type JsonPath } from '../settings/paths';
import type { DriftChange } from './types';

/** Strips an optional leading `settings` segment so both spellings of a path work. */
export function settingsScope(path: string): string {
  return path.replace(/^settings(\.|$)/, '');
}

function covers(scope: string, path: JsonPath): boolean {
  const relative = settingsScope(scope);
  return relative === '' || isUnder(path, relative);
}

export function suppressionFor(
  change: Pick<DriftChange, 'checklist_items'>,
  path: JsonPath,
  exceptions: readonly BaselineException[],
  ignore: readonly IgnoreEntry[],
  today: string,
): DriftChange['suppressed'] {
  // `code:` entries leave files out of a scan; they never suppress a settings change. Expired entries no longer apply.
  // An entry spanning every group is refused when the baseline loads; one that got here anyway suppresses nothing.
  const ignored = ignore.find((entry) => !entry.path.startsWith('code:') && entry.expires >= today && !ignoreSpansEveryGroup(entry.path) && covers(entry.path, path));
  if (ignored) return { by: 'ignore', reason: ignored.reason, owner: ignored.owner, expires: ignored.expires, scope: ignored.path };
  const exception = exceptions.find((candidate) => {
    if (candidate.expires < today) return false;
    const item = ruleById(candidate.rule)?.checklist_item;
    if (item === undefined || !change.checklist_items.includes(item)) return false;
    return candidate.path === undefined || covers(candidate.path, path);
  });
  if (exception) return { by: 'exception', reason: exception.reason, rule: exception.rule, expires: exception.expires };
  return undefined;
}

/** Parses a rendered change path back to segments inside the settings. */
export function settingsSegments(renderedPath: string): JsonPath {
  const segments = parsePath(renderedPath);
  return segments[0] === 'settings' ? segments.slice(1) : segments;
}
