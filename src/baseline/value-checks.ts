/**
 * The checks of a baseline that a type cannot say (a real calendar date, a known rule id, an
 * exact origin, settings that agree with each other), without zod. The zod schemas
 * (src/settings/model.ts, src/baseline/schema.ts) refine with these functions, and the
 * validator generated from those schemas (scripts/gen-baseline-validator.mjs →
 * valid-baseline.generated.ts) calls the same functions by name, so the two cannot disagree.
 * A `superRefine` is matched to its name through `nameLastCheck`; a `refine` by its function.
 */
import { parsePath } from '../settings/paths';
import { RULE_IDS } from '../checklist/ids';

/** A problem a whole-object check found, in the shape zod's `addIssue` takes (`code: 'custom'` added there). */
export interface ValueProblem {
  path: (string | number)[];
  input?: unknown;
  message: string;
  params?: { hint: string };
}

/** YYYY-MM-DD that names a day of the calendar (the format itself is the schema's regex). */
export function isCalendarDate(value: string): boolean {
  return !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
}

export function isRuleId(value: string): boolean {
  return (RULE_IDS as readonly string[]).includes(value);
}

/** An exact http(s) origin, as the probe compares origins (scheme, host, port) and nothing else. */
export function isExactOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value && !value.includes('*');
  } catch {
    return false;
  }
}

/**
 * Why an ignore path spans every group (the settings root, or `*` as the group), or undefined.
 * Such an entry would silence every change, critical ones included: refused outright.
 */
export function ignoreSpansEveryGroup(path: string): string | undefined {
  if (path.startsWith('code:')) return undefined;
  const scope = path.replace(/^settings(\.|$)/, '');
  if (scope === '') return 'it is the settings root, so it would silence every change';
  const group = parsePath(scope)[0];
  if (group === '*' || group === '') return 'its group is "*", which matches every group, so it would silence changes in all of them';
  return undefined;
}

interface SettingsDates {
  keys?: { last_rotated_at?: string; last_rotation?: { attested_at: string } };
  monitoring?: { settings_review?: { last_reviewed_at?: string; last_review?: { attested_at: string } } };
  session?: { maximum_lifetime_minutes?: number };
  platform_config?: Record<string, Record<string, unknown>>;
}

/** Settings that contradict each other: a date declared twice with two values, one Clerk field with two owners. */
export function settingsConflicts(settings: SettingsDates): ValueProblem[] {
  const problems: ValueProblem[] = [];
  // A date declared twice must say one thing: which of two rotation (or review) dates counts would be a guess.
  const twice = [
    { date: settings.keys?.last_rotated_at, attestation: settings.keys?.last_rotation, at: ['keys', 'last_rotation', 'attested_at'], other: 'keys.last_rotated_at' },
    { date: settings.monitoring?.settings_review?.last_reviewed_at, attestation: settings.monitoring?.settings_review?.last_review, at: ['monitoring', 'settings_review', 'last_review', 'attested_at'], other: 'monitoring.settings_review.last_reviewed_at' },
  ];
  for (const { date, attestation, at, other } of twice) {
    if (date === undefined || attestation === undefined || date === attestation.attested_at) continue;
    problems.push({ path: at, input: attestation.attested_at, message: `expected the same date as ${other} (${date}): remove ${other} (this attestation's attested_at is the date) or make them equal` });
  }
  // One owner per Clerk field: the typed setting and the raw Platform key would fight.
  const session = settings.platform_config?.session;
  if (settings.session?.maximum_lifetime_minutes !== undefined && session && Object.prototype.hasOwnProperty.call(session, 'lifetime')) {
    problems.push({
      path: ['platform_config', 'session', 'lifetime'],
      message: 'session.lifetime is managed by session.maximum_lifetime_minutes already; set it in one place (session.maximum_lifetime_minutes holds minutes, platform_config.session.lifetime seconds)',
    });
  }
  return problems;
}

/** Ignore entries that cover the whole of a group the baseline manages. */
export function ignoreConflicts(baseline: { ignore: readonly { path: string }[]; settings: Record<string, unknown> }): ValueProblem[] {
  const problems: ValueProblem[] = [];
  baseline.ignore.forEach((entry, index) => {
    const group = wholeManagedGroup(entry.path, baseline.settings);
    if (group === undefined) return;
    const example = Object.keys((baseline.settings[group] as Record<string, unknown> | undefined) ?? {})[0];
    problems.push({
      path: ['ignore', index, 'path'],
      input: entry.path,
      message: `expected a path below settings.${group} (the baseline manages that group: ignoring all of it would silence every change to what it declares there, including changes to settings nobody thought of when writing the entry)`,
      params: {
        hint: `ignore the settings that change${example ? `, e.g. "settings.${group}.${example}"` : ''}, or stop managing settings.${group} by removing it from the baseline (an unmanaged group is listed by drift, never counted)`,
      },
    });
  });
  return problems;
}

/**
 * The group an ignore path covers whole (`settings.session`, `settings.jwt_templates.*`: the
 * group and then only `*`) when the baseline declares that group, or undefined.
 */
function wholeManagedGroup(path: string, settings: Record<string, unknown>): string | undefined {
  if (path.startsWith('code:') || ignoreSpansEveryGroup(path)) return undefined;
  const [group, ...rest] = parsePath(path.replace(/^settings(\.|$)/, ''));
  if (typeof group !== 'string' || !rest.every((segment) => segment === '*')) return undefined;
  return Object.prototype.hasOwnProperty.call(settings, group) && settings[group] !== undefined ? group : undefined;
}

/**
 * Every check by the name the generated validator calls it by; each answers true when the value
 * passes (the whole-object ones: when they find no problem).
 */
export const VALUE_CHECKS = {
  isCalendarDate,
  isRuleId,
  isExactOrigin,
  isIgnorePathInOneGroup: (path: string): boolean => ignoreSpansEveryGroup(path) === undefined,
  settingsAgree: (settings: SettingsDates): boolean => settingsConflicts(settings).length === 0,
  ignoreLeavesManagedGroupsAlone: (baseline: Parameters<typeof ignoreConflicts>[0]): boolean => ignoreConflicts(baseline).length === 0,
} as const;
export type ValueCheckName = keyof typeof VALUE_CHECKS;

const checkNames = new WeakMap<object, ValueCheckName>();

/**
 * Names the check a `superRefine` just added (the last of the schema's checks) for the
 * generator, which cannot see inside zod's wrapper of the function. Returns the schema.
 */
export function nameLastCheck<S extends { _zod: { def: { checks?: readonly object[] } } }>(schema: S, name: ValueCheckName): S {
  const checks = schema._zod.def.checks ?? [];
  const last = checks[checks.length - 1];
  if (!last) throw new Error(`nameLastCheck(${name}): the schema has no check`);
  checkNames.set(last, name);
  return schema;
}

/** The name of a zod check (a refine by its function, a superRefine through nameLastCheck), or undefined. */
export function valueCheckName(check: object, fn?: unknown): ValueCheckName | undefined {
  const named = checkNames.get(check);
  if (named) return named;
  for (const [name, candidate] of Object.entries(VALUE_CHECKS)) if (candidate === fn) return name as ValueCheckName;
  return undefined;
}
