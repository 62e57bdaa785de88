/**
 * Coverage of a baseline by a live export: for each managed setting, where its live value
 * came from. A managed setting whose source is `unverified` is taken out of the diff and
 * listed as unverified: it is never reported as in sync, and never as drift either.
 */
import type { EvidenceSource } from '../settings/model';
import { formatPath, type PathSegment } from '../settings/paths';
import { coverageLookup, type SourceLookup } from '../evidence/index';
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

export { coverageLookup, type SourceLookup } from '../evidence/index';
