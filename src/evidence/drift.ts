/**
 * Application evidence in a drift report. The baseline states how the application behaves
 * (attestations, the declared cookie SameSite, live keys); when the code or the running app
 * shows otherwise, that is drift like a changed setting:
 *
 *   - each failing observation becomes a weakening change at the rule's evidence path plus one
 *     segment naming the source and location (`settings.webhooks.signature_verification["probe
 *     https://app.example.com/api/webhooks"]`), with the rule's severity and item, source
 *     `code`/`probe`, waived by inline suppressions, exceptions (`code:`/`url:` scopes too) and
 *     ignore entries like any change;
 *   - a rule the evidence decided marks its declared path's coverage with that source;
 *   - what it could not decide (not analysed files, probes that could not run) is listed under
 *     `application.gaps`: neither in sync nor drift.
 *
 * Change text carries no sizes, ids or times, so the same finding keeps the same fingerprint
 * night after night and Slack does not re-alert.
 */
import type { LoadedBaseline } from '../baseline/load';
import { checkBaseline } from '../checklist/evaluate-baseline';
import { RULE_IDS } from '../checklist/ids';
import type { Finding } from '../checklist/types';
import type { DriftChange, EnvironmentDrift } from '../drift/types';
import { sortChanges } from '../drift/index';
import { suppressionFor } from '../drift/suppress';
import { formatPath, getAt, parsePath, type JsonPath } from '../settings/paths';
import { APPLICATION_SOURCES, EVIDENCE_STRENGTH, evidencePathFor, formatLocation, type ApplicationEvidence, type ApplicationSource, type Confidence, type EvidenceLocation } from './index';

export interface ChangeEvidence {
  rule: string;
  check?: string;
  location?: EvidenceLocation;
  confidence?: Confidence;
  snippet?: string;
}

export interface ApplicationGap {
  source: ApplicationSource;
  rule: string;
  check?: string;
  location?: EvidenceLocation;
  message: string;
}

export interface ApplicationDrift {
  sources: { source: ApplicationSource; subjects: string[]; examined: string[] }[];
  /** What the application sources could not decide: not in sync, not drift. */
  gaps: ApplicationGap[];
}

/** What a run gathered from the application for one baseline, ready to merge. */
export interface CollectedEvidence {
  evidence: ApplicationEvidence[];
  /** Findings about gathering itself: files not analysed, suppressions that do not apply. */
  gaps: Finding[];
}

export function withApplicationDrift(drift: EnvironmentDrift, loaded: LoadedBaseline, collected: CollectedEvidence, today: string): EnvironmentDrift {
  if (collected.evidence.length === 0 && collected.gaps.length === 0) return drift;
  const { baseline } = loaded;
  const findings = checkBaseline(loaded, today, collected.evidence).filter((finding) => isApplicationSource(finding.evidence));
  const changes: DriftChange[] = [];
  const gaps: ApplicationGap[] = [];
  const decided = new Map<string, ApplicationSource>();
  for (const finding of findings) {
    const source = finding.evidence as ApplicationSource;
    const base = evidencePathFor(finding.rule) ?? [];
    // Undecided observations are listed from the evidence itself below (some only annotate an attestation).
    if (finding.status === 'not_verifiable') continue;
    const key = formatPath(['settings', ...base]);
    const previous = decided.get(key);
    if (base.length > 0 && (!previous || EVIDENCE_STRENGTH.indexOf(source) < EVIDENCE_STRENGTH.indexOf(previous))) decided.set(key, source);
    if (finding.status === 'pass') continue;
    changes.push(toChange(finding, source, base, baseline.settings, baseline.ignore, today));
  }
  for (const evidence of collected.evidence) {
    for (const observation of evidence.observations) {
      if (observation.status !== 'not_verifiable') continue;
      gaps.push({ source: observation.source, rule: observation.rule, check: observation.check, location: observation.location, message: observation.message });
    }
  }
  for (const finding of collected.gaps) gaps.push(gap(finding.evidence === 'probe' ? 'probe' : 'code', finding));

  const coverage = { ...drift.coverage };
  const declaredPaths = [...decided.keys()].filter((key) => getAt({ settings: baseline.settings }, parsePath(key)) !== undefined);
  for (const key of declaredPaths) coverage[key] = decided.get(key) as ApplicationSource;
  const unverified = (drift.unverified ?? []).filter((entry) => !declaredPaths.includes(entry.path));
  const all = sortChanges([...drift.changes, ...changes]);
  return {
    ...drift,
    status: drift.status === 'error' ? 'error' : all.some((change) => !change.suppressed) ? 'drift' : 'clean',
    changes: all,
    ...(drift.unverified ? { unverified } : {}),
    coverage,
    application: {
      sources: collected.evidence.map((evidence) => ({ source: evidence.source, subjects: evidence.subjects, examined: [...evidence.examined] })),
      gaps,
    },
  };
}

function toChange(finding: Finding, source: ApplicationSource, base: JsonPath, settings: unknown, ignore: LoadedBaseline['baseline']['ignore'], today: string): DriftChange {
  const segments: JsonPath = [...base, `${source} ${formatLocation(finding.location) || finding.check || finding.rule}`];
  const declared = getAt(settings, base);
  const change: DriftChange = {
    path: formatPath(['settings', ...segments]),
    kind: 'changed',
    baseline: base.length > 0 ? describeDeclared(declared) : null,
    live: finding.message,
    direction: 'weakening',
    severity: finding.severity,
    checklist_items: finding.checklist_item === null ? [] : [finding.checklist_item],
    source,
    evidence: {
      rule: finding.rule,
      ...(finding.check ? { check: finding.check } : {}),
      ...(finding.location ? { location: finding.location } : {}),
      ...(finding.confidence ? { confidence: finding.confidence } : {}),
      ...(finding.snippet ? { snippet: finding.snippet } : {}),
    },
  };
  if (finding.status === 'excepted' && finding.exception) {
    const by = finding.exception.by === 'inline' ? 'inline' : 'exception';
    change.suppressed = { by, reason: finding.exception.reason, rule: finding.rule, ...(finding.exception.expires ? { expires: finding.exception.expires } : {}) };
  } else {
    // Exceptions were applied with the finding; ignore entries cover the evidence path like any setting.
    const ignored = suppressionFor(change, segments, [], ignore, today);
    if (ignored) change.suppressed = ignored;
  }
  return change;
}

/** An attestation as one line ("attested by platform-team on 2026-10-15"); other values as they are. */
function describeDeclared(value: unknown): unknown {
  if (value === undefined) return null;
  if (value && typeof value === 'object' && 'attested_by' in value && 'attested_at' in value) {
    const attestation = value as { attested_by: string; attested_at: string };
    return `attested by ${attestation.attested_by} on ${attestation.attested_at}`;
  }
  return value;
}

function gap(source: ApplicationSource, finding: Finding): ApplicationGap {
  return {
    source,
    rule: finding.rule,
    ...(finding.check ? { check: finding.check } : {}),
    ...(finding.location ? { location: finding.location } : {}),
    message: finding.message,
  };
}

/** Findings about gathering the evidence (not about a rule): what they name was not looked at. */
export const PROBE_NOT_RUN_RULE = 'probe-not-run';
const GATHERING_GAPS = new Set([PROBE_NOT_RUN_RULE, 'scan-file-not-analysed']);

/**
 * Alerted application-evidence paths (`…["probe URL"]`, `…["code FILE:LINE:COL"]`) this run did
 * not decide: the source did not run or did not judge the rule, or it left the rule (or the
 * location: the same URL, the same file, the whole application) undecided, or could not read the
 * file or reach the application at all. Such an alert is never "resolved": an endpoint that now
 * answers 404, or a file that no longer parses, says nothing about whether the finding is fixed.
 */
export function undecidedApplicationPaths(alerted: readonly string[], environment: EnvironmentDrift): string[] {
  return alerted.filter((path) => {
    const parsed = parseApplicationPath(path);
    if (!parsed) return false;
    const source = environment.application?.sources.find((entry) => entry.source === parsed.source);
    if (!source) return true;
    if (parsed.rule && !source.examined.includes(parsed.rule)) return true;
    return (environment.application?.gaps ?? []).some((gap) => {
      if (gap.source !== parsed.source) return false;
      if (!GATHERING_GAPS.has(gap.rule) && parsed.rule !== undefined && gap.rule !== parsed.rule) return false;
      return sameSubject(gap.location, parsed);
    });
  });
}

interface ApplicationPath {
  source: ApplicationSource;
  rule?: string;
  url?: string;
  file?: string;
}

/** `settings.<evidence path of a rule>["<source> <location>"]`, as `toChange` writes it. */
function parseApplicationPath(path: string): ApplicationPath | undefined {
  let segments: JsonPath;
  try {
    segments = parsePath(path);
  } catch {
    return undefined;
  }
  const last = segments[segments.length - 1];
  if (segments[0] !== 'settings' || typeof last !== 'string') return undefined;
  const match = /^(code|probe) (.+)$/.exec(last);
  if (!match) return undefined;
  const base = formatPath(segments.slice(1, -1));
  const rule = base === '' ? undefined : rulesByEvidencePath().get(base);
  // Only a rule's evidence path (or none, for rules without one) holds application evidence.
  if (base !== '' && rule === undefined) return undefined;
  const source = match[1] as ApplicationSource;
  const where = match[2] as string;
  if (source === 'probe') return { source, ...(rule ? { rule } : {}), url: where };
  return { source, ...(rule ? { rule } : {}), file: /^(.*):\d+:\d+$/.exec(where)?.[1] ?? where };
}

let evidencePathRules: Map<string, string> | undefined;
function rulesByEvidencePath(): Map<string, string> {
  if (!evidencePathRules) {
    evidencePathRules = new Map();
    for (const rule of RULE_IDS) {
      const base = evidencePathFor(rule);
      if (base) evidencePathRules.set(formatPath(base), rule);
    }
  }
  return evidencePathRules;
}

/** A gap without a location, or about the whole application, covers every location. */
function sameSubject(location: EvidenceLocation | undefined, parsed: ApplicationPath): boolean {
  if (!location || (location.url === undefined && (location.file === undefined || location.file === '.'))) return true;
  if (parsed.url !== undefined) return location.url === parsed.url;
  return location.file !== undefined && location.file === parsed.file;
}

function isApplicationSource(evidence: string): boolean {
  return (APPLICATION_SOURCES as readonly string[]).includes(evidence);
}
