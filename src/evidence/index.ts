/**
 * Evidence plumbing: the one place that says where a checklist finding's proof came from.
 *
 * Every source feeds it the same way:
 *   - instance sources (`bapi`, `fapi`, `platform`, `export-file`, `attested`) through a coverage
 *     map keyed by settings path (`sourceFor` picks the most specific entry);
 *   - application sources (`code` from `clerkguard scan`, `probe` from the deployed app) through
 *     `ApplicationEvidence`: observations about checklist rules, each with a location, a
 *     confidence and a one-line reason.
 *
 * `withEvidence` is what `evaluateSettings` calls for each rule: it tags a rule's results with
 * their source and lets application evidence stand in for the attestations a person would
 * otherwise type (a failing observation beats a passing attestation; a passing one needs none).
 */
import { formatPath, isUnder, parsePath, type JsonPath, type PathSegment } from '../settings/paths';
import type { EvidenceSource } from '../settings/model';
import type { RuleId } from '../checklist/ids';

export type { EvidenceSource };

/**
 * Where a finding's evidence came from: the baseline file (declared intent), a source, or
 * `snapshot`: a signed-off review report of an earlier `clerkguard snapshot`, committed to git
 * (item 20, src/snapshot/review-evidence.ts). Never a coverage source: no setting is read from it.
 */
export type Evidence = 'baseline' | 'snapshot' | EvidenceSource;

/**
 * Strongest first: what Clerk or the application itself shows beats a file a person exported,
 * which beats a reviewer's committed sign-off on a report clerkguard wrote, which beats a
 * person's word in the baseline, which beats intent. Reports list sources in this order.
 */
export const EVIDENCE_STRENGTH: readonly Evidence[] = ['bapi', 'fapi', 'platform', 'code', 'probe', 'export-file', 'snapshot', 'attested', 'baseline', 'unverified'];

/** Sources that read the application rather than the Clerk instance. */
export const APPLICATION_SOURCES = ['code', 'probe'] as const;
export type ApplicationSource = (typeof APPLICATION_SOURCES)[number];

export type Confidence = 'high' | 'medium' | 'low';
export const CONFIDENCES: readonly Confidence[] = ['high', 'medium', 'low'];

/** Where in the application an observation was made: a file position, or a URL for probes. */
export interface EvidenceLocation {
  /** Path relative to the scanned root (forward slashes), or the root itself as `.`. */
  file?: string;
  line?: number;
  column?: number;
  end_line?: number;
  end_column?: number;
  url?: string;
}

/** One thing an application source saw that bears on a checklist rule. */
export interface Observation {
  source: ApplicationSource;
  rule: RuleId;
  /** What exactly was checked, e.g. `webhook-unverified`; stable, usable in suppressions. */
  check: string;
  status: 'pass' | 'fail' | 'not_verifiable';
  confidence: Confidence;
  /** One line: why. Never holds a secret value. */
  message: string;
  location: EvidenceLocation;
  /** The code (or response) excerpt that decided it, secrets redacted, at most one line. */
  snippet?: string;
  /** Set when an inline comment or a baseline exception waives a failing observation. */
  suppressed?: Suppression;
}

export interface Suppression {
  by: 'inline' | 'exception';
  reason: string;
  owner?: string;
  expires?: string;
  /** Where the suppression is written: `file:line` of the comment, or `exceptions[i]`. */
  at: string;
}

/** What one application source delivers to the checklist. */
export interface ApplicationEvidence {
  source: ApplicationSource;
  /** What was examined: application directories, build directories, URLs. */
  subjects: string[];
  /** Rules the source judged. A rule it did not judge keeps its attestation. */
  examined: readonly RuleId[];
  observations: Observation[];
}

/**
 * Settings paths (without `settings.`) whose value is a person's word about the application.
 * An application source that judged the rule stands in for results at these paths.
 */
export const ATTESTATION_PATHS: Partial<Record<RuleId, readonly JsonPath[]>> = {
  'keys-secret-server-only': [['practices', 'secret_key_server_only']],
  'session-revoke-on-security-events': [['practices', 'session_revocation_configured']],
  'session-server-side-verification': [['practices', 'server_side_session_verification']],
  // Declared by a person ("as the live app sets it"); a probe reads the real Set-Cookie.
  'session-cookie-samesite': [['session', 'cookie_same_site']],
  'webhook-signature-verification': [['webhooks', 'signature_verification']],
  'webhook-secret-in-env': [['webhooks', 'secret_storage']],
  'webhook-idempotency': [['webhooks', 'idempotency']],
  'webhook-user-deleted-pii': [['webhooks', 'user_deleted_handling']],
  'org-scoped-queries': [['practices', 'org_scoped_queries']],
  'org-role-checks': [['practices', 'role_based_authorization']],
};

/**
 * Where application evidence about a rule is shown against the baseline (drift paths, SARIF
 * positions): its attestation path, else the setting the evidence bears on.
 */
export function evidencePathFor(rule: string): JsonPath | undefined {
  return ATTESTATION_PATHS[rule as RuleId]?.[0] ?? EXTRA_EVIDENCE_PATHS[rule];
}

const EXTRA_EVIDENCE_PATHS: Record<string, JsonPath> = {
  'keys-production-live': ['keys', 'expected_environment'],
};

/** The live source of the value at `path`: the most specific coverage entry that covers it. */
export function sourceFor(coverage: Record<string, EvidenceSource> | undefined, path: JsonPath | undefined): EvidenceSource {
  if (!coverage || !path) return 'unverified';
  let best: { length: number; source: EvidenceSource } | undefined;
  for (const [key, source] of Object.entries(coverage)) {
    if (isUnder(path, key)) {
      const length = key.split('.').length;
      if (!best || length > best.length) best = { length, source };
    }
  }
  return best?.source ?? 'unverified';
}

/** The live source of the value at a path (see `coverageLookup`). */
export type SourceLookup = (path: JsonPath | undefined) => EvidenceSource;

/**
 * `sourceFor` with the coverage keys parsed once instead of on every call:
 * the same answer (the most specific covering key wins, counted in dotted parts; the first of
 * equals), for a drift with many changes and a large coverage map.
 */
export function coverageLookup(coverage: Record<string, EvidenceSource> | undefined): SourceLookup {
  let keys: { segments: PathSegment[]; length: number; source: EvidenceSource }[] | undefined;
  return (path) => {
    if (!coverage || !path) return 'unverified';
    // Parsed on first use, so a key that does not parse fails where sourceFor would.
    keys ??= Object.entries(coverage).map(([key, source]) => ({ segments: parsePath(key), length: key.split('.').length, source }));
    let best: { length: number; source: EvidenceSource } | undefined;
    for (const key of keys) {
      if (key.segments.length > path.length) continue;
      let under = true;
      for (let index = 0; index < key.segments.length; index++) {
        const segment = key.segments[index];
        if (segment !== '*' && String(segment) !== String(path[index])) {
          under = false;
          break;
        }
      }
      if (under && (!best || key.length > best.length)) best = { length: key.length, source: key.source };
    }
    return best?.source ?? 'unverified';
  };
}

/** The shape a rule reports in (kept structural so this module does not import rule code). */
export interface PlainResult {
  status: 'pass' | 'fail' | 'not_verifiable';
  message: string;
  path?: JsonPath;
  /** Set by a rule that judged evidence handed to it rather than a settings value (item 20: `snapshot`). */
  evidence?: 'snapshot';
}

export interface EvidencedResult extends Omit<PlainResult, 'evidence'> {
  evidence: Evidence;
  location?: EvidenceLocation;
  confidence?: Confidence;
  check?: string;
  snippet?: string;
  suppressed?: Suppression;
}

export interface EvidenceContext {
  mode: 'baseline' | 'live';
  coverage?: Record<string, EvidenceSource>;
  application?: readonly ApplicationEvidence[];
}

/**
 * A rule's results with their evidence. Without application evidence for the rule: the
 * baseline (intent) or the coverage source of the result's path, and a live `pass` whose
 * source is `unverified` becomes `not_verifiable` (nothing passes without evidence).
 *
 * With it: when the application sources judged the rule (a pass or a fail), their
 * observations replace the results at the rule's attestation paths; observations that could
 * not decide leave those results in place and add their note to the message.
 */
export function withEvidence(rule: RuleId, results: readonly PlainResult[], context: EvidenceContext): EvidencedResult[] {
  const tagged = results.map((result): EvidencedResult => {
    const evidence: Evidence = result.evidence ?? (context.mode === 'baseline' ? 'baseline' : sourceFor(context.coverage, result.path));
    const status = context.mode === 'live' && result.status === 'pass' && evidence === 'unverified' ? 'not_verifiable' : result.status;
    return { ...result, status, evidence };
  });
  const sources = (context.application ?? []).filter((evidence) => evidence.examined.includes(rule));
  if (sources.length === 0) return tagged;
  const observations = sources.flatMap((evidence) => evidence.observations.filter((observation) => observation.rule === rule));
  const decisive = observations.filter((observation) => observation.status !== 'not_verifiable');
  const attestationPaths = ATTESTATION_PATHS[rule] ?? [];
  const standsIn = (result: Pick<PlainResult, 'path'>) => result.path !== undefined && attestationPaths.some((path) => isUnder(result.path as JsonPath, formatPath(path)));

  if (decisive.length === 0) {
    const notes = observations.map((observation) => `${observation.source}: ${observation.message}`);
    if (notes.length === 0) return tagged;
    const replaced = tagged.map((result) => (standsIn(result) ? { ...result, message: `${result.message} (${notes.join('; ')})` } : result));
    // With no attestation to annotate, the notes stand on their own so the reader sees what was looked for.
    return replaced.some(standsIn) ? replaced : [...replaced, ...observations.map(fromObservation)];
  }
  return [...tagged.filter((result) => !standsIn(result)), ...observations.map(fromObservation)];
}

function fromObservation(observation: Observation): EvidencedResult {
  return {
    status: observation.status,
    message: observation.message,
    evidence: observation.source,
    location: observation.location,
    confidence: observation.confidence,
    check: observation.check,
    ...(observation.snippet === undefined ? {} : { snippet: observation.snippet }),
    ...(observation.suppressed === undefined ? {} : { suppressed: observation.suppressed }),
  };
}

/** `file:line:col` for people; the URL for probes. */
export function formatLocation(location: EvidenceLocation | undefined): string {
  if (!location) return '';
  if (location.url) return location.url;
  if (!location.file) return '';
  if (location.line === undefined) return location.file;
  return `${location.file}:${location.line}:${location.column ?? 1}`;
}

/**
 * Whether an exception's scope covers an application location. Scopes: `code:GLOB` for files
 * (`*` within a segment, `**` across segments), `url:PREFIX` for probed URLs.
 */
export function scopeCoversLocation(scope: string, location: EvidenceLocation | undefined): boolean {
  if (!location) return false;
  if (scope.startsWith('code:')) return location.file !== undefined && globMatches(scope.slice('code:'.length), location.file);
  if (scope.startsWith('url:')) return location.url !== undefined && location.url.startsWith(scope.slice('url:'.length));
  return false;
}

export function isLocationScope(scope: string): boolean {
  return scope.startsWith('code:') || scope.startsWith('url:');
}

const globCache = new Map<string, RegExp>();

export function globMatches(glob: string, file: string): boolean {
  let pattern = globCache.get(glob);
  if (!pattern) {
    let source = '';
    for (let i = 0; i < glob.length; i++) {
      const ch = glob[i] as string;
      if (ch === '*' && glob[i + 1] === '*') {
        // `**/` matches zero or more whole segments; a trailing `**` everything below.
        source += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
        i += glob[i + 2] === '/' ? 2 : 1;
      } else if (ch === '*') source += '[^/]*';
      else if (ch === '?') source += '[^/]';
      else source += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
    pattern = new RegExp(`^${source}$`);
    globCache.set(glob, pattern);
  }
  return pattern.test(file.replace(/\\/g, '/').replace(/^\.\//, ''));
}
