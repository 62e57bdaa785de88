/**
 * exportLive: the live settings of one environment as a LiveExport, with per-path coverage.
 *
 * Sources, in order of precedence:
 *   1. Clerk's APIs (BAPI, FAPI /v1/environment, Platform config) → bapi | fapi | platform
 *   2. a dashboard export file, for the paths no API exposes
 *      (the allow-list in sources.ts), while it is fresh          → export-file
 *   3. the baseline's attestations (practices, webhook handling,
 *      key rotation dates, monitoring)                            → attested
 * Paths the baseline manages that no source could fill are marked `unverified`.
 * Everything readable is exported, managed or not: drift decides what is unmanaged.
 */
import type { LoadedBaseline } from '../baseline/load';
import { sourceFor } from '../checklist/index';
import { daysBetween } from '../checklist/helpers';
import { coverageLookup } from '../evidence/index';
import { createClerkApi, type ClerkApi } from '../clerk/api';
import { connectionFromEnv, type RetryPolicy } from '../clerk/connection';
import { declaredSecret } from '../clerk/platform-secrets';
import { platformConfigProblems, readSettings, type LiveRead } from '../clerk/settings-io';
import { evidenceSourceSchema, type EvidenceSource, type JwtTemplate, type Settings } from '../settings/model';
import { formatIssue, validateWithSchema } from '../baseline/validate';
import { ClerkguardError } from '../util/errors';
import { stableStringify } from '../util/json';
import { getOwn, hasOwn, toNullRecord } from '../util/records';
import type { AnswerGap } from '../clerk/answers';
import { formatPath, getAt, parsePath } from '../settings/paths';
import { checkedSensitive, checkedTemplates } from './bulk-check';
import { readDashboardExportFile } from './files';
import { DASHBOARD_EXPORT_PATHS, DECLARED_PATHS, liveSourceOf } from './sources';
import { DASHBOARD_EXPORT_MAX_AGE_DAYS, exportedDay, LIVE_EXPORT_SCHEMA_VERSION, liveExportSchema, type DashboardExport, type LiveExport } from './types';

const EVIDENCE_SOURCES: ReadonlySet<string> = new Set(evidenceSourceSchema.options);

export interface ExportOptions {
  env?: NodeJS.ProcessEnv;
  /** A parsed dashboard export, or the path of one. */
  dashboardExport?: DashboardExport | string;
  now?: Date;
  /** Overrides of the HTTP retry policy (tests shorten waits). */
  policy?: Partial<RetryPolicy>;
  /** Receives the API client before the reads start (for request accounting). */
  onApi?: (api: ClerkApi) => void;
  /** Receives notes: features the instance does not offer, dashboard-export values not used. */
  onWarning?: (message: string) => void;
  /**
   * Days a dashboard export counts after its `exported_at` (default
   * CLERKGUARD_DASHBOARD_EXPORT_MAX_AGE_DAYS, else DASHBOARD_EXPORT_MAX_AGE_DAYS).
   */
  dashboardMaxAgeDays?: number;
  /** Gets each JWT template (in export shape) as it is taken from its page, in list order (a drift matches it during the waiting: drift/early.ts). */
  onJwtTemplate?: (name: string, template: JwtTemplate) => void;
}

export async function exportLive(loaded: LoadedBaseline, options: ExportOptions = {}): Promise<LiveExport> {
  const baseline = loaded.baseline;
  const dashboard = typeof options.dashboardExport === 'string' ? readDashboardExportFile(options.dashboardExport) : options.dashboardExport;
  if (dashboard?.environment && dashboard.environment !== baseline.environment) {
    const which = typeof options.dashboardExport === 'string' ? `${options.dashboardExport}: the dashboard export` : 'the dashboard export';
    throw new ClerkguardError(`${which} is for environment "${dashboard.environment}", not "${baseline.environment}"`, {
      hint: 'pass the dashboard export of the same environment, or remove its "environment" field',
    });
  }

  const connection = connectionFromEnv(baseline.target, options.env ?? process.env, { environment: baseline.environment, ...(options.policy ? { policy: options.policy } : {}) });
  const api = createClerkApi(connection);
  options.onApi?.(api);
  const read = await readSettings(api, {
    ...(baseline.settings.platform_config ? { platformConfig: baseline.settings.platform_config } : {}),
    ...(options.onJwtTemplate ? { onJwtTemplate: options.onJwtTemplate } : {}),
  });
  if (baseline.settings.platform_config && read.platform) {
    // A baseline is committed, diffed and printed: a secret in it would leak everywhere, and a
    // live secret is only ever exported as presence + fingerprint, so it could never match.
    for (const [key, declared] of Object.entries(baseline.settings.platform_config)) {
      const secret = declaredSecret(declared, read.platform.config[key], [key], read.platform.schema);
      if (secret) {
        const where = formatPath(['settings', 'platform_config', ...secret.path]);
        throw new ClerkguardError(`${loaded.file}: ${where} is a secret (${secret.reason}); a baseline never holds secrets`, {
          hint: `remove it from the baseline and set it in the Clerk dashboard; exports record only its presence and fingerprint (sensitive["${formatPath(['platform', ...secret.path])}"])`,
        });
      }
    }
    // Checked at run time against this instance's own schema (GET …/config/schema): a key or
    // field it does not have, or a value it does not allow, is bad input, never "in sync".
    const problem = platformConfigProblems(baseline.settings.platform_config, read.platform);
    if (problem) {
      throw new ClerkguardError(`${loaded.file}: ${problem} (checked against environment ${baseline.environment}'s Platform config schema)`, {
        hint: 'GET …/config/schema (clerk config schema --keys KEY) lists what this instance accepts',
      });
    }
  }
  for (const note of read.unavailable) options.onWarning?.(`environment ${baseline.environment}: ${note}; its settings are unverified`);
  for (const warning of gapWarnings(read.gaps, baseline.settings)) options.onWarning?.(`environment ${baseline.environment}: ${warning}`);

  const settings = read.settings as Record<string, Record<string, unknown> | undefined>;
  const coverage: Record<string, EvidenceSource> = { ...read.coverage };

  addManagedBuiltIns(settings, read.builtIn, baseline.settings);
  if (dashboard) {
    const warn = (message: string) => options.onWarning?.(`environment ${baseline.environment}: ${message}`);
    const today = (options.now ?? new Date()).toISOString().slice(0, 10);
    const maxAge = options.dashboardMaxAgeDays ?? dashboardMaxAgeFromEnv(options.env ?? process.env);
    const stale = dashboardStaleness(dashboard, today, maxAge);
    if (stale) {
      // Too old (or dated after today): none of its values counts; what the baseline manages of
      // them stays unverified, named in the warning.
      const managed = DASHBOARD_EXPORT_PATHS.filter((entry) => getAt(baseline.settings, parsePath(entry)) !== undefined).map((entry) => `settings.${entry}`);
      warn(`dashboard export (exported ${dashboard.exported_at} by ${dashboard.exported_by}) ${stale}: its values are not used${managed.length > 0 ? `; ${managed.join(', ')} ${managed.length === 1 ? 'stays' : 'stay'} unverified` : ''}. Copy them from the dashboard again and update exported_at`);
    } else {
      mergeDashboard(settings, coverage, dashboard.settings as Record<string, Record<string, unknown> | undefined>, warn);
    }
  }
  copyAttestations(settings, coverage, baseline.settings as Record<string, Record<string, unknown> | undefined>);
  markUnverified(coverage, baseline.settings as Record<string, Record<string, unknown> | undefined>);

  const candidate: LiveExport = {
    schema_version: LIVE_EXPORT_SCHEMA_VERSION,
    kind: 'clerkguard-live-export',
    captured_at: (options.now ?? new Date()).toISOString(),
    environment: baseline.environment,
    instance_id: read.instanceId,
    baseline_version: baseline.version,
    settings: settings as Settings,
    coverage,
    sensitive: read.sensitive,
  };
  // The coverage map is clerkguard's own (one entry per field read: 250,000 for 50,000 templates),
  // not Clerk's answer: its values are checked against the source names here, and zod validates
  // the rest, instead of copying the map twice (zod's output, then the rebuilt record).
  for (const path of Object.keys(coverage)) {
    if (!EVIDENCE_SOURCES.has(coverage[path]!)) throw new ClerkguardError(`internal error: the coverage of ${path} is ${JSON.stringify(coverage[path])}, not one of ${[...EVIDENCE_SOURCES].join(', ')}`);
  }
  const checked = validateExport(candidate, baseline.environment, read);
  if (!checked.value) {
    throw new ClerkguardError(
      `Clerk returned settings for environment ${baseline.environment} that do not fit the settings model:\n${checked.errors.map((issue) => `  ${formatIssue(issue)}`).join('\n')}`,
      { hint: 'this may be a newer Clerk value clerkguard does not know yet; please report it' },
    );
  }
  checked.value.coverage = coverage;
  return checked.value;
}

/**
 * The candidate export through liveExportSchema, without its coverage map (checked above). The
 * JWT templates and `sensitive` (two entries per template: 100,000 for 50,000 templates) are
 * checked by bulk-check.ts when every entry plainly fits (the templates as their pages arrived:
 * `checkedAsRead`), and zod validates the rest; when any entry does not, zod validates
 * everything, so an invalid value gets zod's own error.
 */
function validateExport(candidate: LiveExport, environment: string, read: Pick<LiveRead, 'checkedJwtTemplates' | 'checkedSensitive'>): ReturnType<typeof validateWithSchema<typeof liveExportSchema>> {
  const what = `live settings of environment ${environment}`;
  const settings = candidate.settings as Record<string, unknown>;
  const hasTemplates = hasOwn(settings, 'jwt_templates') && settings.jwt_templates !== undefined;
  // Checked as their pages arrived (readSettings), when the record is still the one read: nothing
  // between the read and here changes a template (they are only ever replaced as a group).
  const templates = hasTemplates ? (read.checkedJwtTemplates !== undefined && settings.jwt_templates === read.checkedJwtTemplates ? read.checkedJwtTemplates : checkedTemplates(settings.jwt_templates)) : undefined;
  // Likewise `sensitive`, checked entry by entry as readSettings added them; nothing here adds to it.
  const sensitive = candidate.sensitive === undefined ? undefined : read.checkedSensitive !== undefined && candidate.sensitive === read.checkedSensitive ? read.checkedSensitive : checkedSensitive(candidate.sensitive);
  if ((hasTemplates && !templates) || (candidate.sensitive !== undefined && !sensitive)) return validateWithSchema(liveExportSchema, { ...candidate, coverage: {} }, what);
  const rest = {
    ...candidate,
    coverage: {},
    settings: hasTemplates ? { ...settings, jwt_templates: {} } : settings,
    ...(sensitive ? { sensitive: {} } : {}),
  };
  const checked = validateWithSchema(liveExportSchema, rest, what);
  if (!checked.value) return checked;
  if (templates) checked.value.settings.jwt_templates = templates;
  if (sensitive) checked.value.sensitive = sensitive;
  return checked;
}

/**
 * The default roles (org:admin, org:member) and system permissions are read but left out of the
 * export unless the baseline manages them: then the live value is exported, so a baseline that
 * pins org:admin's permissions is compared with the real role instead of seeing it "removed".
 */
function addManagedBuiltIns(settings: Record<string, Record<string, unknown> | undefined>, builtIn: LiveRead['builtIn'], baseline: Settings): void {
  const organizations = settings.organizations as NonNullable<Settings['organizations']> | undefined;
  if (!organizations) return;
  for (const key of Object.keys(baseline.organizations?.roles ?? {})) {
    const role = getOwn(builtIn.roles, key);
    if (role) organizations.roles = toNullRecord([...Object.entries(organizations.roles ?? {}), [key, role]]);
  }
  for (const key of Object.keys(baseline.organizations?.permissions ?? {})) {
    const permission = getOwn(builtIn.permissions, key);
    if (permission) organizations.permissions = toNullRecord([...Object.entries(organizations.permissions ?? {}), [key, permission]]);
  }
}

/**
 * Why a dashboard export no longer counts, or undefined while it does: older than `maxAgeDays`
 * (like an attestation, a hand-copied value goes stale), or dated after today.
 */
export function dashboardStaleness(dashboard: Pick<DashboardExport, 'exported_at'>, today: string, maxAgeDays: number): string | undefined {
  const day = exportedDay(dashboard.exported_at);
  if (day === undefined) return `has no real exported_at date`;
  if (day > today) return `is dated after today (${today})`;
  const age = daysBetween(day, today);
  if (age > maxAgeDays) return `is ${age} days old, more than the ${maxAgeDays} days a dashboard export counts (CLERKGUARD_DASHBOARD_EXPORT_MAX_AGE_DAYS)`;
  return undefined;
}

function dashboardMaxAgeFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env.CLERKGUARD_DASHBOARD_EXPORT_MAX_AGE_DAYS;
  if (raw === undefined || raw.trim() === '') return DASHBOARD_EXPORT_MAX_AGE_DAYS;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 3650) {
    throw new ClerkguardError(`CLERKGUARD_DASHBOARD_EXPORT_MAX_AGE_DAYS must be a whole number of days from 1 to 3650, got "${raw}"`, {
      hint: `leave it unset for the default of ${DASHBOARD_EXPORT_MAX_AGE_DAYS} days`,
    });
  }
  return value;
}

/**
 * Fills, field by field, what no API exposes (the allow-list of sources.ts) from the dashboard
 * export. Every other value in the file is not used, with a warning naming it: a setting an API
 * reads counts only when the API answered it (read now; the file was copied by hand earlier),
 * and when it did not answer this run the setting stays unverified rather than trusting the
 * file; attestations and declarations come only from the baseline.
 */
function mergeDashboard(
  settings: Record<string, Record<string, unknown> | undefined>,
  coverage: Record<string, EvidenceSource>,
  file: Record<string, Record<string, unknown> | undefined>,
  warn: (message: string) => void,
): void {
  for (const [group, fields] of Object.entries(file)) {
    if (!fields) continue;
    if (liveSourceOf(group) === 'declared') {
      warn(`dashboard export: settings.${group} ignored (attestations come from the baseline)`);
      continue;
    }
    for (const [field, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      const where = formatPath(['settings', group, field]);
      const kind = liveSourceOf(group, field);
      if (kind === 'declared') {
        warn(`dashboard export: ${where} ignored (attestations come from the baseline)`);
        continue;
      }
      const source = sourceFor(coverage, [group, field]);
      if (source !== 'unverified') {
        if (!sameSetting(settings[group]?.[field], value)) warn(`dashboard export: ${where} differs from what ${source} returned; the ${source} value is used`);
        continue;
      }
      if (kind !== 'dashboard') {
        warn(`dashboard export: ${where} is read from Clerk's API, which did not answer it this run; the file's value is not used and ${where} stays unverified`);
        continue;
      }
      settings[group] = { ...settings[group], [field]: structuredClone(value) };
      coverage[`${group}.${field}`] = 'export-file';
    }
  }
}

/** Equal as settings: key order and the order of set-like lists of strings do not matter. */
function sameSetting(a: unknown, b: unknown): boolean {
  const normal = (value: unknown): unknown =>
    Array.isArray(value) && value.every((item) => typeof item === 'string') ? [...value].sort() : value;
  return stableStringify(normal(a)) === stableStringify(normal(b));
}

function copyAttestations(settings: Record<string, Record<string, unknown> | undefined>, coverage: Record<string, EvidenceSource>, baseline: Record<string, Record<string, unknown> | undefined>): void {
  for (const [group, field] of DECLARED_PATHS) {
    const source = baseline[group];
    if (!source) continue;
    if (field === undefined) {
      settings[group] = structuredClone(source);
      coverage[group] = 'attested';
    } else if (source[field] !== undefined) {
      settings[group] = { ...settings[group], [field]: structuredClone(source[field]) };
      coverage[`${group}.${field}`] = 'attested';
    }
  }
}

/** Every field the baseline manages that no source filled is explicitly unverified. */
function markUnverified(coverage: Record<string, EvidenceSource>, baseline: Record<string, Record<string, unknown> | undefined>): void {
  // Keys parsed once (a per-call sourceFor rereads every key: slow with a large coverage map).
  // Entries added below cover only their own field, so the answers for later fields stay the same.
  const sourceOf = coverageLookup({ ...coverage });
  // Every prefix some key continues with "." or "[": `covered.has(p)` ⟺ a finer key sits under p.
  const covered = new Set<string>();
  for (const key of Object.keys(coverage)) {
    for (let index = 0; index < key.length; index++) if (key[index] === '.' || key[index] === '[') covered.add(key.slice(0, index));
  }
  for (const [group, fields] of Object.entries(baseline)) {
    if (!fields) continue;
    if (sourceOf([group]) !== 'unverified') continue;
    const names = Object.keys(fields);
    if (names.length === 0) {
      coverage[group] = 'unverified';
      continue;
    }
    for (const field of names) {
      if (sourceOf([group, field]) === 'unverified' && !covered.has(`${group}.${field}`)) coverage[`${group}.${field}`] = 'unverified';
    }
  }
}

/**
 * One warning per answer field that was left out (or held a value clerkguard does not know)
 * and feeds a setting the baseline manages: that setting is unverified this run, and the
 * warning says which endpoint and field are the reason.
 */
export function gapWarnings(gaps: readonly AnswerGap[], baseline: Settings): string[] {
  const warnings: string[] = [];
  for (const gap of gaps) {
    const managed = gap.feeds.filter((feed) => getAt(baseline, parsePath(feed)) !== undefined);
    if (managed.length === 0) continue;
    const what =
      gap.reason === 'absent'
        ? `answered without ${gap.field}`
        : gap.reason === 'unmapped'
          ? `answered ${gap.field} = ${JSON.stringify(gap.value)}, ${gap.detail ?? 'which has no documented meaning'}`
          : `answered ${gap.field} = ${JSON.stringify(gap.value)}, a value clerkguard does not know`;
    const paths = managed.map((feed) => formatPath(['settings', ...parsePath(feed)]));
    warnings.push(`${gap.endpoint} ${what}; ${paths.join(', ')} ${paths.length === 1 ? 'is' : 'are'} unverified`);
  }
  return warnings;
}
