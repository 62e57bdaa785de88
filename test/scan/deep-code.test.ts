/**
 * Generated code is long and deep: a 3,000-term string concatenation is a 3,000-deep tree, and
 * minified or generated data nests thousands of levels. The scan must never crash on it: what it
 * can parse it analyses (the walk is iterative), what the parser cannot it lists as not analysed.
 */
import { describe, expect, it } from 'vitest';
import { runMain } from '../helpers/in-process';
import { scanApplication, ALL_REVOKE_EVENTS } from '../../src/scan/index';
import { fixtureDir } from '../helpers/cli';
import { productionBaseline } from '../drift/fixtures';

const TODAY = '2026-11-26';
const POLICY = { revokeOn: ALL_REVOKE_EVENTS };

/** A route that reads data without a session check, its response built from a 3,000-term `+` chain. */
const LONG_ROUTE = `import { db } from '@/lib/db';
export async function GET() {
  const banner = ${Array.from({ length: 3000 }, () => '"a"').join(' + ')};
  const items = await db.item.findMany();
  return Response.json({ banner, items });
}
`;
const DEEP_ARRAY = `export const nested = ${'['.repeat(20000)}1${']'.repeat(20000)};\n`;
const DEEP_CALLS = `export const wrapped = ${'f('.repeat(8000)}1${')'.repeat(8000)};\n`;

async function cli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return runMain(args, { cwd, env: { CLERKGUARD_TODAY: TODAY } });
}

describe('scan: long and deep code never crashes the scan', () => {
  it('analyses a route holding a 3,000-term binary expression (and still finds its unprotected read)', () => {
    const dir = fixtureDir({ 'app/api/items/route.ts': LONG_ROUTE, 'lib/db.ts': "import { PrismaClient } from '@prisma/client';\nexport const db = new PrismaClient();\n" });
    const result = scanApplication({ roots: ['.'], cwd: dir }, POLICY, TODAY);
    expect(result.notAnalysed).toEqual([]);
    const route = result.evidence.observations.filter((observation) => observation.rule === 'session-server-side-verification');
    expect(route.map((observation) => [observation.check, observation.status, observation.location.file])).toEqual([['unprotected-route', 'fail', 'app/api/items/route.ts']]);
  });

  it('lists code nested deeper than the parser can go as not analysed, and judges the rest', () => {
    const dir = fixtureDir({
      'lib/generated.ts': DEEP_ARRAY,
      'lib/wrapped.js': DEEP_CALLS,
      'app/api/webhooks/clerk/route.ts': "export async function POST(req: Request) {\n  const body = await req.text();\n  return new Response(body);\n}\n",
    });
    const result = scanApplication({ roots: ['.'], cwd: dir }, POLICY, TODAY);
    const reasons = Object.fromEntries(result.notAnalysed.map((gap) => [gap.file, gap.reason]));
    expect(reasons['lib/generated.ts']).toMatch(/nested too deeply to parse/);
    expect(reasons['lib/wrapped.js']).toMatch(/nested too deeply to parse/);
    // The other files are still judged: the unverified webhook fails.
    expect(result.evidence.observations.some((observation) => observation.check === 'webhook-unverified' && observation.status === 'fail')).toBe(true);
  });

  it('clerkguard scan and check --scan report instead of crashing (no "unexpected error")', async () => {
    const dir = fixtureDir({
      'app/api/items/route.ts': LONG_ROUTE,
      'lib/db.ts': "import { PrismaClient } from '@prisma/client';\nexport const db = new PrismaClient();\n",
      'lib/generated.ts': DEEP_ARRAY,
      'baselines/production.json': productionBaseline().text,
    });
    const scan = await cli(['scan', '.'], dir);
    expect(scan.stderr).not.toMatch(/unexpected error|call stack/i);
    expect(scan.code).toBe(2);
    expect(scan.stdout).toContain('lib/generated.ts');
    expect(scan.stdout).toMatch(/nested too deeply to parse/);
    const check = await cli(['check', 'baselines/production.json', '--scan', '.'], dir);
    expect(check.stderr).not.toMatch(/unexpected error|call stack/i);
    expect(check.code).toBe(2);
  });
});
