import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { sourceFor } from '../../src/evidence/index';
import { coverageLookup } from '../../src/drift/coverage';
import type { EvidenceSource } from '../../src/settings/model';
import { formatPath } from '../../src/settings/paths';

const segment = fc.oneof(fc.constantFrom('jwt_templates', 'claims', 'a', 'b', '*', 'x.y', 'https://app.example.com', '0'), fc.nat(3));
const source = fc.constantFrom<EvidenceSource>('bapi', 'fapi', 'platform', 'export-file', 'attested', 'unverified');
const key = fc.array(segment, { minLength: 1, maxLength: 4 }).map((segments) => formatPath(segments));
const path = fc.array(segment, { maxLength: 5 });

describe('coverageLookup', () => {
  test('answers as sourceFor for any coverage map and path', () => {
    fc.assert(
      fc.property(fc.dictionary(key, source, { maxKeys: 8 }), fc.array(path, { maxLength: 10 }), (coverage, paths) => {
        const lookup = coverageLookup(coverage);
        for (const candidate of paths) expect(lookup(candidate)).toBe(sourceFor(coverage, candidate));
      }),
      { numRuns: 1000 },
    );
  });

  test('no coverage or no path is unverified', () => {
    expect(coverageLookup(undefined)(['a'])).toBe('unverified');
    expect(coverageLookup({ a: 'bapi' })(undefined)).toBe('unverified');
    expect(coverageLookup({ a: 'bapi', 'a.b': 'fapi', 'a.*.c': 'platform' })(['a', 'b', 'c'])).toBe('platform');
  });
});
