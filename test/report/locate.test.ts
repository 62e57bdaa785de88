import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseBaseline } from '../../src/baseline/load';
import { locatePath } from '../../src/baseline/validate';
import { checkBaseline } from '../../src/checklist/evaluate-baseline';
import { diffBaseline } from '../../src/drift/index';
import type { DriftReport } from '../../src/drift/types';
import { renderDrift } from '../../src/report/drift';
import { renderFindings } from '../../src/report/findings';
import { locateInFiles, locatePaths } from '../../src/report/locate';
import type { JsonPath } from '../../src/settings/paths';
import { clone, liveLike, productionBaseline } from '../drift/fixtures';

/** Every path into a value, plus a missing child under each object and array. */
function pathsOf(value: unknown, prefix: JsonPath = []): JsonPath[] {
  const paths: JsonPath[] = [prefix];
  if (Array.isArray(value)) {
    value.forEach((item, index) => paths.push(...pathsOf(item, [...prefix, index])));
    paths.push([...prefix, value.length], [...prefix, 'missing']);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) paths.push(...pathsOf(child, [...prefix, key]));
    paths.push([...prefix, 'missing', 'deeper'], [...prefix, 0]);
  }
  return paths;
}

describe('locatePaths', () => {
  test('answers exactly as locatePath for every path of arbitrary JSON, formatted any way', () => {
    const key = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('__proto__', 'constructor', 'a\nb', 'toString', '0', '#0', '.a'));
    const json = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.integer(), fc.string({ maxLength: 8 }), fc.boolean(), fc.constant(null), tie('object'), tie('array')),
      object: fc.dictionary(key, tie('value'), { maxKeys: 5 }),
      array: fc.array(tie('value'), { maxLength: 4 }),
    })).value;
    fc.assert(
      fc.property(json, fc.constantFrom(0, 1, 2, '\t', 'flush', 'crlf'), fc.boolean(), (value, indent, pointAtKey) => {
        // 'flush': one token per line from column 1, so offsets fall on line starts too.
        const text =
          indent === 'flush' ? JSON.stringify(value, null, 1).replace(/\n +/g, '\n') : indent === 'crlf' ? JSON.stringify(value, null, 2).replace(/\n/g, '\r\n') : JSON.stringify(value, null, indent);
        const paths = pathsOf(value);
        const positions = locatePaths(text, paths.map((path) => ({ path, pointAtKey })));
        paths.forEach((path, index) => expect(positions[index]).toEqual(locatePath(text, path, pointAtKey)));
      }),
      { numRuns: 300 },
    );
  });

  test('text the parser reads but strict JSON does not (comments, other white space, escaped keys) answers as locatePath', () => {
    const texts = [
      '{\n  // a comment\n  "a": {"b": [1, 2]}\n}',
      '{"a": /* c */ {"b": [1, 2]}}',
      '{\f"a":\u00a0{"b": [1,\v2]}}',
      '\ufeff{"a": {"b": [1, 2]}}',
      '{"\\u0061": {"b": [1, 2]}, "a": 3}',
      '{"a\\nb": 1, "a": {"b": [-0.5e+3, 1E2, 0]}}',
      '{"a": {"b": [01, 2]}}',
      '{"a": {"b": [1, 2,]}}',
      '{"a": {"b": [1, 2]}} ',
      '[{"a": 1}, {"a": {"b": [true, false, null]}}]',
      '{"a": "tab\there", "b": {"c": 1}}',
      '{"a": "\\ud800", "b": {"c": 1}}',
      '{"a": 1e, "b": {"c": 1}}',
      '{"a": truex, "b": {"c": 1}}',
      '"just a string"',
      '42',
    ];
    const paths: JsonPath[] = [[], ['a'], ['a', 'b'], ['a', 'b', 1], ['b', 'c'], [1, 'a'], [1, 'a', 'b', 2], ['a\nb']];
    for (const text of texts) {
      for (const pointAtKey of [true, false]) {
        const positions = locatePaths(text, paths.map((path) => ({ path, pointAtKey })));
        paths.forEach((path, index) => expect(positions[index], `${JSON.stringify(text)} ${JSON.stringify(path)}`).toEqual(locatePath(text, path, pointAtKey)));
      }
    }
  });

  test('answers as locatePath when white space of any kind, comments or stray characters sit between tokens', () => {
    const json = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.integer(), fc.string({ maxLength: 4 }), fc.constant(null), tie('object'), tie('array')),
      object: fc.dictionary(fc.constantFrom('a', 'b', 'a\u0000', '"'), tie('value'), { maxKeys: 3 }),
      array: fc.array(tie('value'), { maxLength: 3 }),
    })).value;
    const filler = fc.constantFrom(' ', '\n', '\r\n', '\t', '\f', '\v', '\u00a0', '\u2028', '/* c */', '// c\n', ',', '');
    fc.assert(
      fc.property(json, fc.array(fc.tuple(fc.nat(), filler), { maxLength: 3 }), (value, inserts) => {
        let text = JSON.stringify(value, null, 2);
        for (const [offset, insert] of inserts) {
          const at = offset % (text.length + 1);
          text = text.slice(0, at) + insert + text.slice(at);
        }
        const paths = pathsOf(value);
        const positions = locatePaths(text, paths.map((path) => ({ path, pointAtKey: true })));
        paths.forEach((path, index) => expect(positions[index]).toEqual(locatePath(text, path, true)));
      }),
      { numRuns: 500 },
    );
  });

  test('duplicate keys resolve to the first, as the parser does, and are never followed into', () => {
    const text = '{\n  "a": 1,\n  "a": {\n    "b": 2\n  },\n  "c": [\n    {"d": 1},\n    {"d": 2, "d": 3}\n  ]\n}';
    const paths: JsonPath[] = [['a'], ['a', 'b'], ['c', 1, 'd'], ['c', 2], ['c', 'x'], ['c', 1, 'd', 0]];
    for (const pointAtKey of [true, false]) {
      const positions = locatePaths(text, paths.map((path) => ({ path, pointAtKey })));
      paths.forEach((path, index) => expect(positions[index]).toEqual(locatePath(text, path, pointAtKey)));
    }
    expect(locatePaths(text, [{ path: ['a'], pointAtKey: true }])).toEqual([{ line: 2, column: 3 }]);
  });

  test('text with syntax errors answers as locatePath does', () => {
    for (const text of ['', '{', '{"a": 1,, "b": {"c": 2}}', '// note\n{"a": {"b": [1, 2]}}', '{"a": 1} trailing', '[1, {"a": }]']) {
      const paths: JsonPath[] = [[], ['a'], ['a', 'b'], ['a', 'b', 1], ['b', 'c'], [1, 'a']];
      const positions = locatePaths(text, paths.map((path) => ({ path, pointAtKey: true })));
      paths.forEach((path, index) => expect(positions[index]).toEqual(locatePath(text, path, true)));
    }
  });

  test('an unknown file, an empty text or an item without a path locates nothing', () => {
    const texts = { 'a.json': '{"x": 1}', 'empty.json': '' };
    const items = [
      { file: 'b.json', path: ['x'] },
      { file: 'constructor', path: ['x'] },
      { file: 'empty.json', path: ['x'] },
      { file: 'a.json', path: undefined },
      { file: undefined, path: ['x'] },
      { file: 'a.json', path: ['x'] },
    ];
    expect(locateInFiles(texts, items, (item) => item)).toEqual([undefined, undefined, undefined, undefined, undefined, { line: 1, column: 2 }]);
  });
});

/** A baseline with `count` JWT templates, pretty-printed as people write them. */
function manyTemplates(count: number, lifetime: number) {
  return productionBaseline((raw) => {
    const settings = raw.settings as { jwt_templates: Record<string, unknown> };
    for (let i = 0; i < count; i++) settings.jwt_templates[`svc-${i}`] = { claims: { aud: `svc-${i}` }, lifetime };
  });
}

function pretty(loaded: ReturnType<typeof productionBaseline>) {
  const text = `${JSON.stringify(JSON.parse(loaded.text), null, 2)}\n`;
  return parseBaseline(text, loaded.file);
}

function lineOf(text: string, needle: string, after = 0): number {
  const offset = text.indexOf(needle, after);
  expect(offset).toBeGreaterThanOrEqual(0);
  return text.slice(0, offset).split('\n').length;
}

describe('SARIF results point at their own lines, however many there are', () => {
  test('drift: every change on its template key', () => {
    const baseline = pretty(manyTemplates(300, 60));
    const live = liveLike(baseline, (settings) => {
      for (let i = 0; i < 300; i++) {
        settings.jwt_templates![`svc-${i}`]!.lifetime = 3600;
        if (i % 2 === 0) settings.jwt_templates![`svc-${i}`]!.claims.email = '{{user.primary_email_address}}';
      }
    });
    const drift = diffBaseline(baseline, live, { today: '2026-11-26' });
    expect(drift.changes.length).toBe(450);
    const report: DriftReport = { status: 'drift', generated_at: '2026-11-26T03:00:00.000Z', environments: [drift] };
    const sarif = JSON.parse(renderDrift('sarif', report, { texts: { [baseline.file]: baseline.text } }));
    const results = sarif.runs[0].results as { locations: { physicalLocation: { region: { startLine: number } }; logicalLocations: { fullyQualifiedName: string }[] }[] }[];
    expect(results.length).toBe(450);
    for (const result of results) {
      const [, name, field] = /^settings\.jwt_templates\.(svc-\d+)\.(lifetime|claims\.email)$/.exec(result.locations[0]!.logicalLocations[0]!.fullyQualifiedName)!;
      const templateLine = lineOf(baseline.text, `"${name}": {`);
      // lifetime exists in the baseline: its own line; claims.email does not: its parent, "claims".
      const expected = lineOf(baseline.text, field === 'lifetime' ? '"lifetime"' : '"claims"', baseline.text.indexOf(`"${name}": {`));
      expect(expected).toBeGreaterThan(templateLine);
      expect(result.locations[0]!.physicalLocation.region.startLine).toBe(expected);
    }
  });

  test('check: every failing finding on its lifetime line', () => {
    const baseline = pretty(manyTemplates(300, 3600));
    const findings = checkBaseline(baseline, '2026-11-26');
    const sarif = JSON.parse(renderFindings('sarif', { findings, failOn: 'high', texts: { [baseline.file]: baseline.text } }));
    const lifetimes = (sarif.runs[0].results as { ruleId: string; locations: { physicalLocation: { region: { startLine: number } } }[]; logicalLocations?: unknown }[]).filter((result) => result.ruleId === 'jwt-short-lifetime');
    expect(lifetimes.length).toBe(300);
    const lines = baseline.text.split('\n');
    const seen = new Set<number>();
    for (const result of lifetimes) {
      const line = result.locations[0]!.physicalLocation.region.startLine;
      expect(lines[line - 1]).toContain('"lifetime": 3600');
      seen.add(line);
    }
    expect(seen.size).toBe(300);
  });

  test('several files: each result is located in its own file', () => {
    const production = pretty(manyTemplates(3, 3600));
    const compact = parseBaseline(JSON.stringify(clone(JSON.parse(production.text))), 'baselines/compact.json');
    const findings = [...checkBaseline(production, '2026-11-26'), ...checkBaseline(compact, '2026-11-26')];
    const sarif = JSON.parse(renderFindings('sarif', { findings, failOn: 'high', texts: { [production.file]: production.text, [compact.file]: compact.text } }));
    const byFile = (uri: string) =>
      (sarif.runs[0].results as { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[])
        .filter((result) => result.ruleId === 'jwt-short-lifetime' && result.locations[0]!.physicalLocation.artifactLocation.uri === uri)
        .map((result) => result.locations[0]!.physicalLocation.region.startLine);
    expect(byFile('baselines/compact.json')).toEqual([1, 1, 1]);
    expect(new Set(byFile('baselines/production.json')).size).toBe(3);
  });
});
