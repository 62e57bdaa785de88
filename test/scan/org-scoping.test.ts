/**
 * Item 13 from the code: a query in a handler that reads the session's organization is scoped
 * only when the session's orgId (or userId) is a VALUE in its filter — never because the text
 * `orgId` appears (a `select` key, `projects.orgId`). An organization id taken from the request
 * — body, query, params, search params, form data, headers or cookies — is a finding unless it
 * is checked against the session. Vulnerable variants fail, correct variants pass.
 */
import { describe, expect, it } from 'vitest';
import { scanApplication, ALL_REVOKE_EVENTS } from '../../src/scan/index';
import { fixtureDir } from '../helpers/cli';

const TODAY = '2026-11-26';

function verdicts(body: string, imports = ''): [string, string][] {
  const dir = fixtureDir({
    'lib/db.ts': "import { PrismaClient } from '@prisma/client';\nexport const db = new PrismaClient();\n",
    'app/api/projects/route.ts': `import { auth } from '@clerk/nextjs/server';\nimport { db } from '@/lib/db';\nimport { eq } from 'drizzle-orm';\n${imports}\nexport async function GET(req: Request) {\n  const { userId, orgId } = await auth.protect();\n${body}\n}\n`,
  });
  const result = scanApplication({ roots: ['.'], cwd: dir }, { revokeOn: ALL_REVOKE_EVENTS }, TODAY);
  return result.evidence.observations.filter((observation) => observation.rule === 'org-scoped-queries').map((observation) => [observation.status, observation.check]);
}

const CASES: { name: string; body: string; imports?: string; expected: [string, string][] }[] = [
  // Vulnerable.
  { name: 'orgId only as a select key', body: '  return Response.json(await db.project.findMany({ select: { id: true, orgId: true, userId: true } }));', expected: [['fail', 'query-unscoped']] },
  { name: 'orgId only in orderBy', body: "  return Response.json(await db.project.findMany({ orderBy: { orgId: 'asc' } }));", expected: [['fail', 'query-unscoped']] },
  { name: 'an update filtered by id, orgId only in its data', body: "  const { id } = await req.json();\n  return Response.json(await db.project.update({ where: { id }, data: { orgId, name: 'x' } }));", expected: [['fail', 'query-unscoped']] },
  { name: 'Drizzle: the column projects.orgId named, filtered by something else', body: "  return Response.json(await db.select().from(projects).where(eq(projects.orgId, 'public')));", imports: "import { projects } from '@/lib/schema';", expected: [['fail', 'query-unscoped']] },
  { name: 'the org from a request header (where: { orgId: tenant })', body: "  const tenant = req.headers.get('x-org-id');\n  return Response.json(await db.project.findMany({ where: { orgId: tenant } }));", expected: [['fail', 'org-from-request']] },
  { name: "the org from next/headers' headers()", body: "  const tenant = (await headers()).get('x-tenant-id');\n  return Response.json(await db.project.findMany({ where: { orgId: tenant } }));", imports: "import { headers, cookies } from 'next/headers';", expected: [['fail', 'org-from-request']] },
  { name: 'the org from a cookie', body: "  const jar = await cookies();\n  const tenant = jar.get('org');\n  return Response.json(await db.project.findMany({ where: { orgId: tenant?.value } }));", imports: "import { headers, cookies } from 'next/headers';", expected: [['fail', 'org-from-request']] },
  { name: "req.headers['x-org-id']", body: "  const tenant = req.headers['x-org-id'];\n  return Response.json(await db.project.findMany({ where: { orgId: tenant } }));", expected: [['fail', 'org-from-request']] },
  // Correct.
  { name: 'Prisma where: { orgId }', body: '  return Response.json(await db.project.findMany({ where: { orgId }, select: { id: true, orgId: true } }));', expected: [['pass', 'query-scoped']] },
  { name: 'Prisma where: { orgId: orgId, ownerId: userId }', body: '  return Response.json(await db.project.findMany({ where: { orgId: orgId, ownerId: userId } }));', expected: [['pass', 'query-scoped']] },
  { name: 'a create that stores the session org', body: "  return Response.json(await db.project.create({ data: { orgId, name: 'x' } }));", expected: [['pass', 'query-scoped']] },
  { name: 'Drizzle eq(projects.orgId, orgId)', body: '  return Response.json(await db.select().from(projects).where(eq(projects.orgId, orgId)));', imports: "import { projects } from '@/lib/schema';", expected: [['pass', 'query-scoped']] },
  { name: 'SQL with the org as a parameter', body: "  return Response.json(await db.$queryRawUnsafe('select * from projects where org_id = $1', orgId));", expected: [['pass', 'query-scoped']] },
  { name: 'a header org checked against the session', body: "  const tenant = req.headers.get('x-org-id');\n  if (tenant !== orgId) return new Response('forbidden', { status: 403 });\n  return Response.json(await db.project.findMany({ where: { orgId } }));", expected: [['pass', 'org-from-request-checked'], ['pass', 'query-scoped']] },
];

describe('scan item 13: queries are scoped by the session org as a filter value', () => {
  for (const testCase of CASES) {
    it(`${testCase.expected.some(([status]) => status === 'fail') ? 'fails' : 'passes'}: ${testCase.name}`, () => {
      expect(verdicts(testCase.body, testCase.imports ?? '')).toEqual(testCase.expected);
    });
  }
});
