/**
 * Oracles for the streamed reports: the pieces join to exactly the whole-string text
 * (prettyJson, lines joined), and writeReportFile writes exactly scrubSecrets of it, through a
 * temp file that never stays behind.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { DriftReport } from '../../src/drift/types';
import { DRIFT_FORMATS, renderDrift, writeDriftReportFile } from '../../src/report/drift';
import { linePieces, prettyJsonPieces, writeReportFile } from '../../src/report/stream';
import { containsSecret, scrubSecrets } from '../../src/settings/redact';
import { prettyJson } from '../../src/util/json';
import { PRODUCTION_BASELINE_FILE } from '../drift/fixtures';
import { sampleReport, SENTINEL_SECRET } from './sample';

const join = (pieces: Iterable<string>) => [...pieces].join('');

describe('prettyJsonPieces', () => {
  it('joins to prettyJson for arbitrary JSON-like values, large and nested', () => {
    const key = fc.oneof(fc.string({ maxLength: 5 }), fc.constantFrom('__proto__', 'constructor', 'toJSON', 'a\nb', '"q"', ''));
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.integer(),
        fc.double(),
        fc.string({ maxLength: 6 }),
        fc.constantFrom('line\nbreak', 'tab\t', 'é\u2028', '\u0000'),
        fc.boolean(),
        fc.constant(null),
        fc.constant(undefined),
        tie('object'),
        tie('array'),
      ),
      object: fc.dictionary(key, tie('value'), { maxKeys: 24 }),
      array: fc.array(tie('value'), { maxLength: 24 }),
    })).value;
    fc.assert(
      fc.property(json, (value) => {
        expect(join(prettyJsonPieces(value))).toBe(prettyJson(value));
      }),
      { numRuns: 1500 },
    );
  });

  it('joins to prettyJson for values with toJSON, dates, functions, symbols, sparse arrays and null prototypes', () => {
    const nullProto = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1, b: [1, 2, 3] });
    const keyed = { toJSON: (key: string) => ({ key, nested: { toJSON: (inner: string) => `inner:${inner}` } }) };
    const dated = { toJSON: () => new Date(0) };
    const many = Array.from({ length: 40 }, (_, index) => ({ index, keyed, skip: undefined, fn: () => 1 }));
    // eslint-disable-next-line no-sparse-arrays
    const sparse = [1, , 3];
    const values: unknown[] = [
      { a: keyed, b: dated, c: new Date(0), d: Symbol('s'), e: () => 1, f: undefined, g: nullProto, h: new Map([[1, 2]]), i: new Number(3), j: sparse },
      { deep: { deeper: { deepest: { list: many, keyed, dated } } } },
      [keyed, dated, undefined, () => 1, Symbol('x'), many],
      { onlySkipped: { a: undefined, b: () => 1 }, empty: {}, none: [] },
      keyed,
      [],
      {},
      'text',
      42,
      null,
      undefined,
    ];
    for (const value of values) expect(join(prettyJsonPieces(value))).toBe(prettyJson(value));
  });

  it('writes a long list member by member', () => {
    const pieces = [...prettyJsonPieces({ environments: [{ unmanaged: Array.from({ length: 1000 }, (_, index) => ({ path: `p${index}` })) }] })];
    expect(pieces.length).toBeGreaterThan(1000);
  });
});

describe('linePieces', () => {
  it.each([0, 1, 2, 999, 1000, 1001, 2500])('joins %i lines as lines.join("\\n") + "\\n"', (count) => {
    const lines = Array.from({ length: count }, (_, index) => (index % 7 === 0 ? '' : `line ${index}`));
    expect(join(linePieces(lines, 1000))).toBe(`${lines.join('\n')}\n`);
    expect(join(linePieces(lines, 3))).toBe(`${lines.join('\n')}\n`);
  });
});

describe('writeReportFile', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const tempDir = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-stream-'));
    dirs.push(dir);
    return dir;
  };

  it('writes exactly scrubSecrets of the joined pieces, secrets split across pieces included', () => {
    const dir = tempDir();
    const lines: string[] = [];
    for (let index = 0; index < 20_000; index++) {
      lines.push(index % 997 === 0 ? `  "client_secret": "Sx9-${index}-AbCdEf", "auth": "Bearer sk_live_AbC123xyz${index}", "é": "${index}"` : `  "path": "settings.jwt_templates.service-${index}.lifetime",`);
    }
    const text = `${lines.join('\n')}\n`;
    // Pieces of odd sizes, so secrets fall across piece and write boundaries.
    const pieces = text.match(/[\s\S]{1,4093}/g) ?? [];
    const file = path.join(dir, 'nested', 'report.json');
    writeReportFile(file, pieces, { createDir: true });
    const written = readFileSync(file, 'utf8');
    expect(written).toBe(scrubSecrets(text));
    expect(written).not.toContain('sk_live_AbC');
    expect(written).not.toContain('Sx9-');
    expect(readdirSync(path.dirname(file))).toEqual(['report.json']);
  });

  it('leaves the previous report and no temp file when rendering fails half way', () => {
    const dir = tempDir();
    const file = path.join(dir, 'report.md');
    writeFileSync(file, 'previous complete report\n');
    function* failing(): Generator<string> {
      yield 'x'.repeat(600_000);
      throw new Error('renderer failed');
    }
    expect(() => writeReportFile(file, failing())).toThrow('renderer failed');
    expect(readFileSync(file, 'utf8')).toBe('previous complete report\n');
    expect(readdirSync(dir)).toEqual(['report.md']);
  });

  it('throws the file system error for a folder it cannot write, leaving nothing', () => {
    const dir = tempDir();
    const blocker = path.join(dir, 'not-a-folder');
    writeFileSync(blocker, '');
    expect(() => writeReportFile(path.join(blocker, 'report.md'), ['text'], { createDir: true })).toThrow(/EEXIST|ENOTDIR/);
    expect(readdirSync(dir)).toEqual(['not-a-folder']);
  });
});

describe('drift report files', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** The sample report, plus thousands of unmanaged settings whose values hold secrets of every kind, an application and a discovery section. */
  function largeReport(): DriftReport {
    const report = sampleReport();
    const production = report.environments[0]!;
    const secrets = [
      `Bearer ${SENTINEL_SECRET}`,
      'Bearer\n  AbC123.xyz-789',
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----',
      'whsec_AbC123xyz789+/=',
      'xoxb-123-456-abc',
      '0x4AAAAAAAABBBBBBBBCCCCCCCCddd',
      { client_secret: 'Sx9-AbCdEf-123', nested: { api_token: 'line\nbreak-Secret42' } },
    ];
    const unmanaged = Array.from({ length: 6000 }, (_, index) => ({
      path: `settings.jwt_templates.t-${index}.allowed_clock_skew`,
      live: index % 211 === 0 ? secrets[(index / 211) % secrets.length] : { skew: index, algorithm: 'RS256' },
      source: 'bapi' as const,
    }));
    return {
      ...report,
      environments: [
        {
          ...production,
          unmanaged: [...production.unmanaged, ...unmanaged],
          application: {
            sources: [{ source: 'code', subjects: ['src/app.ts'], examined: ['src/app.ts'] }],
            gaps: [{ source: 'code', rule: 'session-token', message: `could not decide; saw Bearer ${SENTINEL_SECRET}` }],
          },
        },
        ...report.environments.slice(1),
      ],
      discovery: {
        status: 'ok',
        applications: 2,
        instances: 3,
        unmanaged: [{ application_id: 'app_1', application_name: 'web | admin', instance_id: 'ins_1', environment_type: 'production' }],
        hint: 'clerkguard init writes a baseline for an instance from its live settings',
      },
    } as DriftReport;
  }

  it.each(DRIFT_FORMATS)('%s: the file holds exactly what renderDrift returns, secrets scrubbed', (format) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-report-file-'));
    dirs.push(dir);
    const texts = { [PRODUCTION_BASELINE_FILE]: readFileSync(PRODUCTION_BASELINE_FILE, 'utf8') };
    for (const report of [sampleReport(), largeReport()]) {
      const file = path.join(dir, 'out', `report.${format}`);
      writeDriftReportFile(file, format, report, { color: false, texts, createDir: true });
      const written = readFileSync(file, 'utf8');
      expect(written).toBe(renderDrift(format, report, { color: false, texts }));
      expect(written).not.toContain('SENTINEL');
      expect(containsSecret(written)).toBe(false);
      expect(readdirSync(path.dirname(file))).toEqual([`report.${format}`]);
    }
  });
});
