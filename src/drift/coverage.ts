/**
 * Coverage of a baseline by a live export: for each managed setting, where its live value
 * came from. A managed setting whose source is `unverified` is taken out of the diff and
 * listed as unverified: it is never reported as in sync, and never as drift either.
 */
import type { EvidenceSource } from '../settings/model';
import { formatPath, parsePath, type JsonPath, type PathSegment } from '../settings/paths';
import { isPlainObject, type CanonicalObject, type CanonicalValue } from './normalize';

export interface CoverageAssessment {
  /** Rendered path (`settings.…`) of each managed setting → its live source. */
  coverage: Record<string, EvidenceSource>;
  /** Managed subtrees no source could show. */
  unverified: { segments: PathSegment[]; baseline: CanonicalValue }[];
}

/**
 * Walks the baseline down to the granularity of the export's coverage keys: a subtree that no
 * finer key splits is judged as a whole, so the coverage map stays as short as the export's.
 */
export function assessCoverage(baseline: CanonicalObject, liveCoverage: Record<string, EvidenceSource>, sourceOf: SourceLookup = coverageLookup(liveCoverage)): CoverageAssessment {
  const keys = Object.keys(liveCoverage).map((key) => key.replace(/^settings\./, '').split('.'));
  const result: CoverageAssessment = { coverage: {}, unverified: [] };
  visit(baseline, [], keys, sourceOf, result);
  return result;
}

function visit(node: CanonicalValue, path: PathSegment[], keys: string[][], sourceOf: SourceLookup, out: CoverageAssessment): void {
  const finer = path.length === 0 || keys.some((key) => key.length > path.length && path.every((segment, index) => key[index] === '*' || key[index] === String(segment)));
  if (finer && isPlainObject(node)) {
    for (const key of Object.keys(node)) visit(node[key] as CanonicalValue, [...path, key], keys, sourceOf, out);
    return;
  }
  const source = sourceOf(path);
  out.coverage[formatPath(['settings', ...path])] = source;
  if (source === 'unverified') out.unverified.push({ segments: path, baseline: node });
}

/** The live source of the value at a path (see `coverageLookup`). */
export type SourceLookup = (path: JsonPath | undefined) => EvidenceSource;

/**
 * `sourceFor` (src/evidence) with the coverage keys parsed once instead of on every call:
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
