/**
 * Item 7 from the code: what counts as a server-side session check. A guard protects a handler
 * only when every signed-out request meets it before any data call: a statement of the handler's
 * own body (not a callback), unconditional, on a value that is empty when signed out (`userId`,
 * `isAuthenticated`, `currentUser()`, `sessionClaims`), never the Auth object itself (Clerk's
 * `auth()` always returns one). The middleware counts for the routes beside it only (Next.js:
 * `src/app` pairs with `src/middleware.ts`), with Clerk's documented
 * `if (!userId && isProtectedRoute(req)) return redirectToSignIn()` protecting the matched routes.
 * Vulnerable variants must fail or stay undecided, never pass; correct variants must pass.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Observation } from '../../src/evidence/index';
import { scanApplication, ALL_REVOKE_EVENTS } from '../../src/scan/index';
import { fixtureDir } from '../helpers/cli';

const TODAY = '2026-11-26';
const DB = { 'lib/db.ts': "import { PrismaClient } from '@prisma/client';\nexport const db = new PrismaClient();\n" };

/** The item-7 observations about one route file. */
function routeVerdicts(files: Record<string, string>, routeFile: string): Observation[] {
  const dir = fixtureDir({ ...DB, ...files });
  const result = scanApplication({ roots: ['.'], cwd: dir }, { revokeOn: ALL_REVOKE_EVENTS }, TODAY);
  expect(result.notAnalysed).toEqual([]);
  return result.evidence.observations.filter((observation) => observation.rule === 'session-server-side-verification' && observation.location.file === routeFile);
}

const route = (body: string, signature = 'export async function GET(req: Request)') => `import { auth, currentUser } from '@clerk/nextjs/server';
import { redirect } from 'next/navigation';
import { verifyToken } from '@clerk/backend';
import { db } from '@/lib/db';

${signature} {
${body}
}
`;

interface Case {
  name: string;
  body: string;
  /** Expected status, and the check id when it is not a pass. */
  expected: ['pass'] | ['fail' | 'not_verifiable', string];
}

const HANDLER_CASES: Case[] = [
  // Vulnerable: the audit's patterns.
  { name: 'the whole Auth object tested (`if (!session)`): auth() always returns one', body: "  const session = await auth();\n  if (!session) return new Response('no', { status: 401 });\n  return Response.json(await db.note.findMany());", expected: ['fail', 'session-not-enforced'] },
  { name: 'a write before the check', body: "  const { userId } = await auth();\n  await db.note.deleteMany({ where: { ownerId: userId ?? undefined } });\n  if (!userId) return new Response('no', { status: 401 });\n  return new Response('ok');", expected: ['fail', 'data-before-session-check'] },
  { name: 'a read started alongside auth.protect()', body: "  const [, notes] = await Promise.all([auth.protect(), db.note.findMany()]);\n  return Response.json(notes);", expected: ['fail', 'data-before-session-check'] },
  { name: 'the check inside a .filter() callback', body: "  const { userId } = await auth();\n  const notes = await db.note.findMany();\n  return Response.json(notes.filter((note) => {\n    if (!userId) return true;\n    return note.ownerId === userId;\n  }));", expected: ['fail', 'session-not-enforced'] },
  { name: 'auth.protect() only when a request header says so', body: "  if (req.headers.get('x-internal') !== 'yes') await auth.protect();\n  return Response.json(await db.note.findMany());", expected: ['not_verifiable', 'session-check-conditional'] },
  { name: 'a guard nested under a request condition', body: "  const { userId } = await auth();\n  if (req.method === 'GET') {\n    if (!userId) return new Response('no', { status: 401 });\n  }\n  return Response.json(await db.note.findMany());", expected: ['not_verifiable', 'session-check-conditional'] },
  { name: '`userId === undefined` (signed out, userId is null)', body: "  const { userId } = await auth();\n  if (userId === undefined) return new Response('no', { status: 401 });\n  return Response.json(await db.note.findMany());", expected: ['fail', 'session-not-enforced'] },
  { name: '`!userId && <request condition>`', body: "  const { userId } = await auth();\n  if (!userId && req.headers.get('x-debug') === null) return new Response('no', { status: 401 });\n  return Response.json(await db.note.findMany());", expected: ['fail', 'session-not-enforced'] },
  { name: 'auth.protect() whose failure a catch swallows', body: "  try {\n    await auth.protect();\n  } catch {\n    console.log('anonymous');\n  }\n  return Response.json(await db.note.findMany());", expected: ['fail', 'session-not-enforced'] },
  { name: 'a guard that does not always leave', body: "  const { userId } = await auth();\n  if (!userId) {\n    if (req.headers.get('accept') === 'json') return new Response('no', { status: 401 });\n  }\n  return Response.json(await db.note.findMany());", expected: ['fail', 'session-not-enforced'] },
  // Correct: Clerk's documented checks.
  { name: '`if (!userId) return 401` before the query', body: "  const { userId } = await auth();\n  if (!userId) return new Response('no', { status: 401 });\n  return Response.json(await db.note.findMany({ where: { ownerId: userId } }));", expected: ['pass'] },
  { name: 'await auth.protect()', body: "  const { userId } = await auth.protect();\n  return Response.json(await db.note.findMany({ where: { ownerId: userId } }));", expected: ['pass'] },
  { name: '`if (!user) redirect(...)` on currentUser()', body: "  const user = await currentUser();\n  if (!user) redirect('/sign-in');\n  return Response.json(await db.note.findMany({ where: { ownerId: user.id } }));", expected: ['pass'] },
  { name: '`!session.userId` on the Auth object', body: "  const session = await auth();\n  if (!session.userId) return new Response('no', { status: 401 });\n  return Response.json(await db.note.findMany());", expected: ['pass'] },
  { name: '`!isAuthenticated`', body: "  const { isAuthenticated } = await auth();\n  if (!isAuthenticated) return new Response('no', { status: 401 });\n  return Response.json(await db.note.findMany());", expected: ['pass'] },
  { name: 'a user id derived from sessionClaims', body: "  const { sessionClaims } = await auth();\n  const uid = sessionClaims?.sub;\n  if (!uid) return new Response('no', { status: 401 });\n  return Response.json(await db.note.findMany({ where: { ownerId: uid } }));", expected: ['pass'] },
  { name: '`!userId || !orgId`', body: "  const { userId, orgId } = await auth();\n  if (!userId || !orgId) return new Response('no', { status: 401 });\n  return Response.json(await db.note.findMany({ where: { orgId } }));", expected: ['pass'] },
  { name: '`if (userId) { … } else return 401`', body: "  const { userId } = await auth();\n  if (userId) {\n    return Response.json(await db.note.findMany({ where: { ownerId: userId } }));\n  } else {\n    return new Response('no', { status: 401 });\n  }", expected: ['pass'] },
  { name: 'auth.protect() in an if condition (it runs for every request)', body: "  if (!(await auth.protect()).orgId) return new Response('Choose an organization', { status: 400 });\n  return Response.json(await db.note.findMany());", expected: ['pass'] },
  { name: 'verifyToken in a try whose catch answers 401', body: "  try {\n    await verifyToken(req.headers.get('authorization') ?? '', { secretKey: process.env.CLERK_SECRET_KEY });\n  } catch {\n    return new Response('no', { status: 401 });\n  }\n  return Response.json(await db.note.findMany());", expected: ['pass'] },
];

describe('scan item 7: session checks in a handler (no middleware)', () => {
  for (const testCase of HANDLER_CASES) {
    it(`${testCase.expected[0]}: ${testCase.name}`, () => {
      const verdicts = routeVerdicts({ 'app/api/notes/route.ts': route(testCase.body) }, 'app/api/notes/route.ts');
      expect(verdicts).toHaveLength(1);
      const [verdict] = verdicts as [Observation];
      expect([verdict.status, ...(verdict.status === 'pass' ? [] : [verdict.check])], verdict.message).toEqual(testCase.expected);
    });
  }

  it('Express: `if (!auth)` on getAuth(req) is no check; `!auth.userId` is', () => {
    const server = (condition: string) => `import express from 'express';\nimport { clerkMiddleware, getAuth } from '@clerk/express';\nimport { db } from './lib/db';\nconst app = express();\napp.use(clerkMiddleware());\napp.get('/api/notes', async (req, res) => {\n  const auth = getAuth(req);\n  if (${condition}) return res.sendStatus(401);\n  res.json(await db.note.findMany());\n});\n`;
    expect(routeVerdicts({ 'server.ts': server('!auth') }, 'server.ts').map((verdict) => [verdict.status, verdict.check])).toEqual([['fail', 'session-not-enforced']]);
    expect(routeVerdicts({ 'server.ts': server('!auth.userId') }, 'server.ts').map((verdict) => verdict.status)).toEqual(['pass']);
  });
});

const EVERYTHING_PROTECTED = "import { clerkMiddleware, createRouteMatcher } from '@clerk/nextjs/server';\nconst isPublicRoute = createRouteMatcher(['/', '/sign-in(.*)']);\nexport default clerkMiddleware(async (auth, req) => {\n  if (!isPublicRoute(req)) await auth.protect();\n});\n";
const UNCHECKED = route('  return Response.json(await db.note.findMany());');

describe('scan item 7: the middleware counts for the routes beside it (Next.js src directory)', () => {
  it('src/app with a root middleware.ts: the middleware does not run, the route fails and says why', () => {
    const verdicts = routeVerdicts({ 'middleware.ts': EVERYTHING_PROTECTED, 'src/app/api/items/route.ts': UNCHECKED, 'src/lib/db.ts': DB['lib/db.ts'] }, 'src/app/api/items/route.ts');
    expect(verdicts.map((verdict) => [verdict.status, verdict.check])).toEqual([['fail', 'unprotected-route']]);
    expect(verdicts[0]?.message).toMatch(/middleware\.ts does not run for it: with the routes in src\/app\/, Next\.js only runs src\/middleware\.ts/);
  });

  it('src/app with src/middleware.ts, and app/ with a root middleware.ts: protected', () => {
    expect(routeVerdicts({ 'src/middleware.ts': EVERYTHING_PROTECTED, 'src/app/api/items/route.ts': UNCHECKED, 'src/lib/db.ts': DB['lib/db.ts'] }, 'src/app/api/items/route.ts').map((verdict) => verdict.status)).toEqual(['pass']);
    expect(routeVerdicts({ 'middleware.ts': EVERYTHING_PROTECTED, 'app/api/items/route.ts': UNCHECKED }, 'app/api/items/route.ts').map((verdict) => verdict.status)).toEqual(['pass']);
  });

  it('app/ with only src/middleware.ts: the middleware does not run', () => {
    expect(routeVerdicts({ 'src/middleware.ts': EVERYTHING_PROTECTED, 'app/api/items/route.ts': UNCHECKED }, 'app/api/items/route.ts').map((verdict) => verdict.status)).toEqual(['fail']);
  });
});

describe("scan item 7: the middleware judged for a signed-out request (Clerk's redirectToSignIn pattern)", () => {
  const middleware = (body: string) => `import { clerkMiddleware, createRouteMatcher } from '@clerk/nextjs/server';\nimport { NextResponse } from 'next/server';\nconst isProtectedRoute = createRouteMatcher(['/api/notes(.*)', '/dashboard(.*)']);\nconst isPublicRoute = createRouteMatcher(['/', '/sign-in(.*)']);\nexport default clerkMiddleware(async (auth, req) => {\n${body}\n});\n`;
  const cases: { name: string; body: string; notes: 'pass' | 'fail'; other: 'pass' | 'fail' }[] = [
    { name: '`if (!userId && isProtectedRoute(req)) return redirectToSignIn()` (Clerk docs)', body: '  const { userId, redirectToSignIn } = await auth();\n  if (!userId && isProtectedRoute(req)) return redirectToSignIn();', notes: 'pass', other: 'fail' },
    { name: 'redirectToSignIn read inside the branch', body: '  const { userId } = await auth();\n  if (!userId && isProtectedRoute(req)) {\n    const { redirectToSignIn } = await auth();\n    return redirectToSignIn();\n  }', notes: 'pass', other: 'fail' },
    { name: '`!isPublicRoute(req) && !isAuthenticated`', body: '  const { isAuthenticated, redirectToSignIn } = await auth();\n  if (!isPublicRoute(req) && !isAuthenticated) return redirectToSignIn();', notes: 'pass', other: 'pass' },
    { name: '`(await auth()).userId` inline', body: '  if (isProtectedRoute(req) && !(await auth()).userId) return (await auth()).redirectToSignIn();', notes: 'pass', other: 'fail' },
    { name: 'protect only for signed-in users (`userId && …`): signed-out requests pass through', body: '  const { userId } = await auth();\n  if (userId && isProtectedRoute(req)) await auth.protect();', notes: 'fail', other: 'fail' },
    { name: 'an early return for signed-out requests before protect', body: '  const { userId } = await auth();\n  if (!userId) return NextResponse.next();\n  if (isProtectedRoute(req)) await auth.protect();', notes: 'fail', other: 'fail' },
    { name: 'the whole Auth object tested', body: '  const session = await auth();\n  if (!session && isProtectedRoute(req)) return session.redirectToSignIn();', notes: 'fail', other: 'fail' },
  ];
  for (const testCase of cases) {
    it(`${testCase.name}: /api/notes ${testCase.notes}, /api/other ${testCase.other}`, () => {
      const files = { 'middleware.ts': middleware(testCase.body), 'app/api/notes/route.ts': UNCHECKED, 'app/api/other/route.ts': UNCHECKED };
      const notes = routeVerdicts(files, 'app/api/notes/route.ts');
      const other = routeVerdicts(files, 'app/api/other/route.ts');
      expect(notes.map((verdict) => verdict.status), notes[0]?.message).toEqual([testCase.notes]);
      expect(other.map((verdict) => verdict.status), other[0]?.message).toEqual([testCase.other]);
      if (testCase.notes === 'pass') expect(notes[0]?.message).toContain('is protected by the middleware (middleware.ts)');
    });
  }
});

describe('scan item 7: the next-src-dir fixture application', () => {
  const scanFixture = (variant: string) =>
    scanApplication({ roots: ['.'], cwd: path.join(__dirname, 'fixtures', 'next-src-dir', variant) }, { revokeOn: ALL_REVOKE_EVENTS }, TODAY).evidence.observations.filter(
      (observation) => observation.rule === 'session-server-side-verification' && observation.location.file?.startsWith('src/app/api/') && !observation.location.file.includes('webhooks'),
    );

  it('vulnerable: no route passes (a misplaced middleware, an Auth-object test, a late check, a callback check fail; a header-conditional protect is undecided)', () => {
    const verdicts = scanFixture('vulnerable').map((observation) => [observation.location.file, observation.status, observation.check]);
    expect(verdicts.filter(([file]) => file !== 'src/app/api/projects/route.ts')).toEqual([
      ['src/app/api/feed/route.ts', 'fail', 'session-not-enforced'],
      ['src/app/api/internal/route.ts', 'not_verifiable', 'session-check-conditional'],
      ['src/app/api/notes/route.ts', 'fail', 'session-not-enforced'],
      ['src/app/api/notes/route.ts', 'fail', 'data-before-session-check'],
    ]);
  });

  it('fixed: every route passes', () => {
    const verdicts = scanFixture('fixed');
    expect(verdicts.length).toBeGreaterThanOrEqual(6);
    expect(verdicts.filter((observation) => observation.status !== 'pass')).toEqual([]);
  });
});
