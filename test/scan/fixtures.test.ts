/**
 * The fixture applications with their expected findings: every planted issue is found at its
 * file:line (no false negative), the fixed variants fail nothing, and the precision/recall over
 * all fixtures is printed (kept in docs/benchmarks.md).
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBaselineFile } from '../../src/baseline/load';
import { scanApplication } from '../../src/scan/index';
import { scanPolicy } from '../../src/scan/policy';
import { fixtureApps, readExpectations, score, type Expected } from './expectations';

const FIXTURES = path.join(__dirname, 'fixtures');
const TODAY = '2026-11-26';
const totals = { truePositives: 0, falsePositives: 0, falseNegatives: 0, runs: 0, fixedFailures: 0 };
const rows: string[] = [];

function failing(dir: string, build: string | undefined, baselineFile: string | undefined): Expected[] {
  const baseline = baselineFile ? loadBaselineFile(baselineFile).baseline : undefined;
  const result = scanApplication({ roots: ['.'], builds: build ? [build] : [], cwd: dir }, scanPolicy(baseline, {}), TODAY);
  expect(result.notAnalysed).toEqual([]);
  return result.evidence.observations
    .filter((observation) => observation.status === 'fail' && !observation.suppressed)
    .map((observation) => ({ check: observation.check, file: observation.location.file ?? '.', ...(observation.location.line === undefined ? {} : { line: observation.location.line }) }));
}

describe('scan: fixture applications', () => {
  for (const fixture of fixtureApps(FIXTURES)) {
    for (const withBaseline of fixture.baseline ? [false, true] : [false]) {
      const name = `${fixture.app}/${fixture.variant}${withBaseline ? ' with its baseline' : ''}`;
      it(`${name}: ${fixture.variant === 'vulnerable' ? 'finds every planted issue at its line' : 'fails nothing'}`, () => {
        const expected = fixture.variant === 'vulnerable' ? readExpectations(fixture.dir, withBaseline) : [];
        const actual = failing(fixture.dir, fixture.build, withBaseline ? fixture.baseline : undefined);
        const result = score(expected, actual);
        totals.runs++;
        totals.truePositives += result.truePositives;
        totals.falsePositives += result.falsePositives.length;
        totals.falseNegatives += result.falseNegatives.length;
        if (fixture.variant === 'fixed') totals.fixedFailures += actual.length;
        rows.push(`| ${name} | ${expected.length} | ${result.truePositives} | ${result.falsePositives.length} | ${result.falseNegatives.length} |`);
        expect(result.falseNegatives, 'missed planted issues').toEqual([]);
        expect(result.falsePositives, 'findings no marker expects').toEqual([]);
        if (fixture.variant === 'vulnerable') expect(expected.length).toBeGreaterThan(0);
      });
    }
  }

  afterAll(() => {
    const found = totals.truePositives + totals.falsePositives;
    const precision = found === 0 ? 1 : totals.truePositives / found;
    const recall = totals.truePositives + totals.falseNegatives === 0 ? 1 : totals.truePositives / (totals.truePositives + totals.falseNegatives);
    console.log(
      [
        '',
        'clerkguard scan on the fixture applications',
        '| fixture | expected | found (TP) | false positives | false negatives |',
        '|---|---|---|---|---|',
        ...rows,
        `precision ${(precision * 100).toFixed(1)} % (false positives ${((1 - precision) * 100).toFixed(1)} %), recall ${(recall * 100).toFixed(1)} % over ${totals.runs} scans: ${totals.truePositives} true positives, ${totals.falsePositives} false positives, ${totals.falseNegatives} false negatives`,
        '',
      ].join('\n'),
    );
  });
});
