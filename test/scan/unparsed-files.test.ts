/**
 * A source file the parser rejects is not analysed, but it is still read: it is searched for key
 * shapes like any committed text, and no item its analysis would have decided passes with
 * evidence `code` on the strength of the rest of the scan. Run through the CLI as users run it:
 * `clerkguard scan` and `clerkguard check --scan`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_REVOKE_EVENTS, scanApplication } from '../../src/scan/index';
import { REPO_ROOT, fixtureDir, runCli } from '../helpers/cli';

// Real-looking (not placeholder) values: the scan skips `sk_live_xxx…` and the like.
const SK_LIVE = 'sk_live_Y2xlcmtndWFyZC1maXh0dXJlLWxpdmUtc2VjcmV0LWtleS0wMQ';
const WHSEC = 'whsec_Y2xlcmtndWFyZC11bnBhcnNlZC1zaWduaW5nLXNlY3JldA';
const TODAY = '2026-11-26';
const POLICY = { revokeOn: ALL_REVOKE_EVENTS };
const BASELINE = readFileSync(path.join(REPO_ROOT, 'baselines', 'production.json'), 'utf8');

interface Finding {
  rule: string;
  checklist_item: number | null;
  status: string;
  evidence: string;
  check?: string;
  message: string;
  snippet?: string;
  location?: { file?: string; line?: number; column?: number };
}

/** A missing `)` on line 3: TypeScript rejects the file (it reports it on line 4). Line 1 holds `value` at column 24. */
const broken = (value: string) => `export const config = '${value}';\n\nexport function handler( {\n  return config;\n}\n`;

interface Row {
  name: string;
  files: Record<string, string>;
  /** The failing check each item must show (evidence code, at file:line:col), or none. */
  failing: { item: number; rule: string; check: string; line: number; column: number }[];
  scanExit: number;
  /** Whether the broken file keeps the rules of items 1 and 10 from passing with evidence code. */
  withheld: boolean;
}

const ROWS: Row[] = [
  {
    name: 'a syntax-error file holding an sk_live_ key fails item 1',
    files: { 'lib/clerk.ts': broken(SK_LIVE) },
    failing: [{ item: 1, rule: 'keys-secret-server-only', check: 'secret-key-literal', line: 1, column: 24 }],
    scanExit: 2,
    withheld: true,
  },
  {
    name: 'a syntax-error file holding a whsec_ signing secret fails item 10',
    files: { 'app/api/webhooks/route.js': broken(WHSEC) },
    failing: [{ item: 10, rule: 'webhook-secret-in-env', check: 'signing-secret-literal', line: 1, column: 24 }],
    // Item 10 is high; the scans run with --fail-on critical so item 6's missing revocation (high) does not decide the exit.
    scanExit: 0,
    withheld: true,
  },
  {
    name: 'a clean syntax-error file keeps item 1 from passing',
    files: { 'components/widget.tsx': broken('hello') },
    failing: [],
    scanExit: 0,
    withheld: true,
  },
  {
    // Control: the same clean file, parseable, lets item 1 pass on code (what the rows above must not do).
    name: 'control: the same file without the syntax error passes item 1 on code',
    files: { 'components/widget.tsx': "export const config = 'hello';\nexport function handler() {\n  return config;\n}\n" },
    failing: [],
    scanExit: 0,
    withheld: false,
  },
];

describe('scan: a source file the parser rejects is searched for keys and decides no pass', () => {
  for (const row of ROWS) {
    it(`clerkguard scan: ${row.name}`, () => {
      const dir = fixtureDir(row.files);
      const json = runCli(['scan', '.', '--format', 'json', '--fail-on', 'critical'], { cwd: dir });
      expect(json.stderr).toBe('');
      expect(json.status).toBe(row.scanExit);
      expect(json.stdout).not.toContain(SK_LIVE.slice(8));
      expect(json.stdout).not.toContain(WHSEC.slice(6));
      const report = JSON.parse(json.stdout) as { findings: Finding[]; scan: { not_analysed: { file: string; reason: string; scope: string; line?: number }[] } };
      const [file] = Object.keys(row.files) as [string];
      for (const expected of row.failing) {
        const failing = report.findings.filter((finding) => finding.rule === expected.rule && finding.status === 'fail');
        expect(failing.map((finding) => [finding.checklist_item, finding.check, finding.evidence, finding.location])).toEqual([[expected.item, expected.check, 'code', { file, line: expected.line, column: expected.column }]]);
        expect(failing[0]!.snippet).toMatch(/_…$/);
      }
      const codePasses = report.findings.filter((finding) => ['keys-secret-server-only', 'webhook-secret-in-env'].includes(finding.rule) && finding.status === 'pass' && finding.evidence === 'code');
      if (row.withheld) {
        expect(codePasses).toEqual([]);
        expect(report.scan.not_analysed).toEqual([{ file, reason: expect.stringMatching(/^syntax error at 4:10: .*\(searched for key shapes only\)$/) as string, scope: 'code', line: 4, column: 10 }]);
        // Item 1 is either failing (the key) or undecided, naming the file: never a pass on an incomplete scan.
        const item1 = report.findings.filter((finding) => finding.rule === 'keys-secret-server-only');
        if (!row.failing.some((expected) => expected.item === 1)) {
          expect(item1.map((finding) => [finding.status, finding.check])).toEqual([['not_verifiable', 'scan-incomplete']]);
          expect(item1[0]!.message).toContain(`${file} (syntax error at 4:10: ':' expected.)`);
        }
      } else {
        expect(codePasses.map((finding) => finding.check)).toEqual(['secret-key-placement']);
        expect(report.scan.not_analysed).toEqual([]);
      }

      // The text summary counts checklist items and not-analysed files apart.
      const text = runCli(['scan', '.', '--fail-on', 'critical'], { cwd: dir });
      expect(text.status).toBe(row.scanExit);
      if (row.withheld) {
        expect(text.stdout).toMatch(/UNVERIFIED \d+ items without evidence yet, 1 file not analysed \(/);
        expect(text.stdout).toMatch(/\d+ unverified, \d+ pass, 1 file not analysed \(items/);
        expect(text.stdout).toContain(`${file}: syntax error at 4:10:`);
      } else {
        expect(text.stdout).not.toContain('not analysed');
      }
    });

    it(`clerkguard check --scan: ${row.name}`, () => {
      const dir = fixtureDir({ ...row.files, 'baselines/production.json': BASELINE });
      const run = runCli(['check', 'baselines/production.json', '--scan', '.', '--format', 'json'], { cwd: dir });
      expect(run.stderr).toBe('');
      expect(run.stdout).not.toContain(SK_LIVE.slice(8));
      const { findings } = JSON.parse(run.stdout) as { findings: Finding[] };
      const [file] = Object.keys(row.files) as [string];
      for (const expected of row.failing) {
        expect(findings.some((finding) => finding.rule === expected.rule && finding.status === 'fail' && finding.evidence === 'code' && finding.location?.file === file && finding.location.line === expected.line)).toBe(true);
      }
      if (row.failing.length > 0) expect(run.status).toBe(2);
      const codePasses = findings.filter((finding) => ['keys-secret-server-only', 'webhook-secret-in-env'].includes(finding.rule) && finding.status === 'pass' && finding.evidence === 'code');
      if (row.withheld) {
        expect(codePasses).toEqual([]);
        expect(findings.some((finding) => finding.rule === 'scan-file-not-analysed' && finding.location?.file === file && finding.status === 'not_verifiable')).toBe(true);
      } else {
        expect(codePasses.length).toBeGreaterThan(0);
      }
      // The production baseline's attestation of item 1 still stands where the code could not decide, with the scan's note.
      if (row.withheld && !row.failing.some((expected) => expected.item === 1)) {
        const item1 = findings.filter((finding) => finding.rule === 'keys-secret-server-only');
        expect(item1.some((finding) => finding.evidence === 'baseline' && finding.message.includes('(code: not judged as a pass: 1 file could not be analysed'))).toBe(true);
      }
    });
  }
});

describe('scan: what a file that was not analysed keeps from passing depends on its kind', () => {
  const ROUTE = "import { auth } from '@clerk/nextjs/server';\nimport { db } from '@/lib/db';\nexport async function GET() {\n  await auth.protect();\n  return Response.json(await db.item.findMany());\n}\n";
  const DB = "import { PrismaClient } from '@prisma/client';\nexport const db = new PrismaClient();\n";
  const statuses = (observations: { rule: string; status: string; check: string }[], rule: string) => observations.filter((observation) => observation.rule === rule).map((observation) => `${observation.status} ${observation.check}`);

  it('a binary source file is searched for keys; an unreadable text file withholds only the key items', () => {
    const dir = fixtureDir({ 'app/api/items/route.ts': ROUTE, 'lib/db.ts': DB, 'lib/blob.js': `\u0000\u0001const k = "${SK_LIVE}";`, 'config/settings.json': '{}' });
    const binary = scanApplication({ roots: ['.'], cwd: dir }, POLICY, TODAY);
    expect(binary.notAnalysed.map((gap) => [gap.file, gap.scope])).toEqual([['lib/blob.js', 'code']]);
    expect(statuses(binary.evidence.observations, 'keys-secret-server-only')).toEqual(['fail secret-key-literal']);
    // The route is protected, but a source file was not analysed: item 7 does not pass.
    expect(statuses(binary.evidence.observations, 'session-server-side-verification')).toEqual(['not_verifiable scan-incomplete']);

    const unreadable = scanApplication(
      {
        roots: ['.'],
        cwd: dir,
        readFile: (file) => {
          if (file.endsWith('settings.json')) throw Object.assign(new Error('permission denied'), { code: 'EACCES' });
          return file.endsWith('blob.js') ? Buffer.from('export const ok = 1;\n') : readFileSync(file);
        },
      },
      POLICY,
      TODAY,
    );
    expect(unreadable.notAnalysed.map((gap) => [gap.file, gap.scope])).toEqual([['config/settings.json', 'keys']]);
    expect(statuses(unreadable.evidence.observations, 'keys-secret-server-only')).toEqual(['not_verifiable scan-incomplete']);
    expect(statuses(unreadable.evidence.observations, 'session-server-side-verification')).toEqual(['pass route-protection']);
  });
});
