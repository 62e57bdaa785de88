/**
 * Drift: classified differences between two values of the settings model.
 *
 * Public API (others depend on these names and shapes):
 *
 * - `diffBaseline(loaded, live, { strict?, today? })` compares a loaded baseline with a live
 *   export and returns one `EnvironmentDrift`: changes on managed settings (classified,
 *   suppressed by exceptions/ignore where the baseline says so), live settings the baseline
 *   does not manage (`unmanaged`; drift only with `strict`), the coverage of every managed
 *   setting, and the managed settings no source could verify (`unverified`, never "in sync").
 * - `diffSettings(before, after, { coverage? })` is the generic two-sided diff (snapshot vs
 *   snapshot): every difference is a change, `source` comes from `coverage` (of `after`).
 * - `diffExports(before, after, { production? })` compares two live exports (snapshots): like
 *   `diffSettings`, but settings either side could not verify are listed, not diffed.
 *
 * Pipeline: normalize (sets sorted, id-keyed arrays as records, server fields dropped; the live
 * side shares the baseline's entries it equals) →
 * json-diff on escaped keys (tree-diff.ts) → classify (classify.ts) → suppress (suppress.ts).
 * Changes come back weakening first, then by severity, then by path.
 */
import type { LoadedBaseline } from '../baseline/load';
import { todayIso } from '../checklist/helpers';
import { severityRank } from '../checklist/types';
import type { EvidenceSource, Settings } from '../settings/model';
import { formatPath, type JsonPath } from '../settings/paths';
import type { LiveExport } from '../export/types';
import { classifyChange, type ClassifyContext } from './classify';
import type { EarlyMatches } from './early';
import { assessCoverage, coverageLookup, type SourceLookup } from './coverage';
import { canonicalize, canonicalizeInSlices, compareStrings, compileNormalizeOptions, isPlainObject, type CanonicalObject, type CompiledNormalizeOptions, type NormalizeOptions } from './normalize';
import { compileAll, matchesAny } from './patterns';
import { suppressionFor } from './suppress';
import { canonicalizeSharing, diffCanonical, forEachChange, withoutPaths, type RawChange, type SharingCounts } from './tree-diff';
import type { DriftChange, EnvironmentDrift } from './types';

export * from './types';
export { classifyChange } from './classify';
export type { NormalizeOptions } from './normalize';

export interface DiffSettingsOptions extends NormalizeOptions {
  /** Coverage of the `after` side: the source of each changed value. */
  coverage?: Record<string, EvidenceSource>;
  /** Classification context (production makes test mode critical). */
  production?: boolean;
}

export interface DiffBaselineOptions {
  /** Report live settings the baseline does not manage as drift. */
  strict?: boolean;
  /** Today as YYYY-MM-DD, for exception expiry (default: the real date). */
  today?: string;
  /** The baseline's canonical tree, built ahead by prepareBaseline (used when it is of this baseline's settings). */
  prepared?: PreparedBaseline;
  /**
   * Called between building the live side's tree and walking the diff, with the number of group
   * entries (JWT templates, roles…) that differ from the baseline's and will be walked: the drift
   * job collects garbage first when that walk will be large.
   */
  beforeWalk?: (changedEntries: number) => void;
  /** JWT templates matched against the prepared tree while the export read them (early.ts). */
  early?: EarlyMatches;
}

/** The baseline's side of diffBaseline, which needs nothing from Clerk. */
export interface PreparedBaseline {
  settings: Settings;
  declared: CanonicalObject;
}

/**
 * Builds the baseline's canonical tree in slices that leave the event loop free (see
 * canonicalizeInSlices): started beside the export, it is done while Clerk's answers are on
 * their way instead of after the last one.
 */
export async function prepareBaseline(loaded: LoadedBaseline): Promise<PreparedBaseline> {
  const settings = loaded.baseline.settings;
  return { settings, declared: await canonicalizeInSlices(settings, compileNormalizeOptions()) };
}

/** Containers whose entries the baseline manages as a whole: a new entry live is drift. */
const MANAGED_CONTAINERS = compileAll(['jwt_templates', 'jwt_templates.*.claims', 'jwt_templates.*.claims.**', 'organizations.roles', 'organizations.permissions', 'webhooks.endpoints']);

/** Generic two-sided diff of two settings values (e.g. snapshot vs snapshot). */
export function diffSettings(before: Settings, after: Settings, options: DiffSettingsOptions = {}): DriftChange[] {
  const compiled = compileNormalizeOptions(options);
  const raw = diffCanonical(canonicalize(before, compiled), canonicalize(after, compiled), compiled);
  const context: ClassifyContext = { production: options.production ?? false };
  const sourceOf = coverageLookup(options.coverage);
  return sortChanges(raw.map((change) => toDriftChange(change, context, sourceOf)));
}

export interface ExportDiff {
  changes: DriftChange[];
  /** Settings either side could not verify: neither a change nor in sync (values from `before`, else `after`). */
  unverified: { path: string; baseline: unknown }[];
}

/**
 * Two live exports (snapshot vs snapshot). A setting whose source is `unverified` on either
 * side is taken out of the diff and listed: "no source this quarter" is not "removed", and
 * "no source last quarter" is not "added".
 */
export function diffExports(
  before: { settings: Settings; coverage: Record<string, EvidenceSource> },
  after: { settings: Settings; coverage: Record<string, EvidenceSource> },
  options: { production?: boolean } = {},
): ExportDiff {
  const compiled = compileNormalizeOptions();
  const older = canonicalize(before.settings, compiled);
  const newer = canonicalize(after.settings, compiled);
  const found: { segments: JsonPath; baseline: unknown }[] = [];
  for (const [tree, coverage] of [[older, before.coverage], [older, after.coverage], [newer, before.coverage], [newer, after.coverage]] as const) {
    for (const entry of assessCoverage(tree, coverage).unverified) found.push(entry);
  }
  const key = (segments: JsonPath) => segments.map(String);
  const isUnder = (inner: JsonPath, outer: JsonPath) => outer.length <= inner.length && key(outer).every((segment, index) => segment === String(inner[index]));
  // Keep the outermost path of overlapping ones, once.
  const unverified = found.filter((entry, index) => !found.some((other, otherIndex) => isUnder(entry.segments, other.segments) && (other.segments.length < entry.segments.length || otherIndex < index)));
  const paths = unverified.map((entry) => entry.segments);
  const raw = diffCanonical(withoutPaths(older, paths), withoutPaths(newer, paths), compiled);
  const context: ClassifyContext = { production: options.production ?? false };
  const afterSource = coverageLookup(after.coverage);
  return {
    changes: sortChanges(raw.map((change) => toDriftChange(change, context, afterSource))),
    unverified: unverified
      .map((entry) => ({ path: formatPath(['settings', ...entry.segments]), baseline: valueAt(older, entry.segments) ?? valueAt(newer, entry.segments) ?? null }))
      .sort((a, b) => compareStrings(a.path, b.path)),
  };
}

function valueAt(tree: unknown, segments: JsonPath): unknown {
  let node = tree;
  for (const segment of segments) {
    if (!isPlainObject(node) || !Object.prototype.hasOwnProperty.call(node, segment)) return undefined;
    node = node[segment as string];
  }
  return node;
}

/** Drift of one environment: its baseline against a live export of it. */
export function diffBaseline(loaded: LoadedBaseline, live: LiveExport, options: DiffBaselineOptions = {}): EnvironmentDrift {
  const { baseline } = loaded;
  const today = options.today ?? todayIso();
  // The early matches' options are compileNormalizeOptions()'s, as here: the same object, so their answers count.
  const compiled = options.early?.options ?? compileNormalizeOptions();
  const declared = options.prepared?.settings === baseline.settings ? options.prepared.declared : canonicalize(baseline.settings, compiled);
  // Live entries equal to the baseline's are the baseline's own (canonicalizeSharing): compared once, never copied.
  const counts: SharingCounts = { copied: 0 };
  const observed = canonicalizeSharing(live.settings, compiled, declared, counts, options.early?.decided);
  options.early?.forget();
  options.beforeWalk?.(counts.copied);
  const sourceOf = coverageLookup(live.coverage);
  const assessment = assessCoverage(declared, live.coverage, sourceOf);
  const unverifiedPaths = assessment.unverified.map((entry) => entry.segments);
  const managedBefore = withoutPaths(declared, unverifiedPaths);
  const comparableLive = withoutPaths(observed, unverifiedPaths);
  const context: ClassifyContext = { production: baseline.target.environment_type === 'production' };

  const changes: DriftChange[] = [];
  const unmanaged: EnvironmentDrift['unmanaged'] = [];
  // Each change is classified as it is found: 150,000 unmanaged fields are never held twice.
  forEachChange(managedBefore, comparableLive, compiled, (raw) => {
    const source = sourceOf(raw.path);
    if (raw.kind === 'added' && !isManaged(raw, managedBefore, compiled)) {
      if (!options.strict) {
        unmanaged.push({ path: formatPath(['settings', ...raw.path]), live: raw.after, source });
        return;
      }
    }
    const change = toDriftChange(raw, context, sourceOf);
    const suppressed = suppressionFor(change, raw.path, baseline.exceptions, baseline.ignore, today);
    if (suppressed) change.suppressed = suppressed;
    changes.push(change);
  });

  const sorted = sortChanges(changes);
  return {
    environment: baseline.environment,
    baseline_version: baseline.version,
    baseline_file: loaded.file,
    status: sorted.some((change) => !change.suppressed) ? 'drift' : 'clean',
    changes: sorted,
    unmanaged: unmanaged.sort((a, b) => a.path.localeCompare(b.path)),
    unverified: assessment.unverified.map((entry) => ({ path: formatPath(['settings', ...entry.segments]), baseline: entry.baseline })),
    errors: [],
    coverage: assessment.coverage,
    captured_at: live.captured_at,
  };
}

/**
 * An added live value is managed when the baseline declares its container as a whole: a new
 * JWT template, claim, role, endpoint or set element. A new field in a fixed-shape group the
 * baseline leaves out (or a group it omits) is unmanaged.
 */
function isManaged(raw: RawChange, before: unknown, options: CompiledNormalizeOptions): boolean {
  if (raw.setElement) return true;
  const parent = raw.path.slice(0, -1);
  if (parent.length === 0) return false;
  if (!matchesAny(parent, MANAGED_CONTAINERS) && !matchesAny(parent, options.setLike)) return false;
  return valueAt(before, parent) !== undefined;
}

function toDriftChange(raw: RawChange, context: ClassifyContext, sourceOf: SourceLookup): DriftChange {
  const classification = classifyChange({ path: raw.path, kind: raw.kind, baseline: raw.before, live: raw.after, setElement: raw.setElement }, context);
  const sourcePath: JsonPath = raw.setElement ? raw.path.slice(0, -1) : raw.path;
  return {
    path: renderChangePath(raw),
    kind: raw.kind,
    baseline: raw.before ?? null,
    live: raw.after ?? null,
    direction: classification.direction,
    severity: classification.severity,
    checklist_items: classification.checklist_items,
    source: sourceOf(sourcePath),
  };
}

/** Set elements always render bracketed (`…revoke_on["email_change"]`): an element, not a field. */
function renderChangePath(raw: RawChange): string {
  if (!raw.setElement) return formatPath(['settings', ...raw.path]);
  const element = raw.path[raw.path.length - 1];
  return `${formatPath(['settings', ...raw.path.slice(0, -1)])}[${JSON.stringify(String(element))}]`;
}

const DIRECTION_ORDER = { weakening: 0, neutral: 1, strengthening: 2 } as const;

/** Weakening first, then by severity, then by path; suppressed changes after live ones. */
export function sortChanges(changes: DriftChange[]): DriftChange[] {
  return [...changes].sort(
    (a, b) =>
      Number(Boolean(a.suppressed)) - Number(Boolean(b.suppressed)) ||
      DIRECTION_ORDER[a.direction] - DIRECTION_ORDER[b.direction] ||
      severityRank(b.severity) - severityRank(a.severity) ||
      compareStrings(a.path, b.path),
  );
}
