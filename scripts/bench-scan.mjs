#!/usr/bin/env node
// Benchmark of `clerkguard scan` (run by `npm run bench` through scripts/bench.mjs, or alone:
// `npm run build && node scripts/bench-scan.mjs`). Generates Next.js-shaped application trees of
// 2,500, 5,000 and 10,000 source files and scans each in a fresh child process, so every size
// reports its own wall time and peak memory. Goal: 10,000 files in <= 10 s on 2 cores, linear growth.
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SIZES = (process.env.BENCH_SCAN_SIZES ?? '2500,5000,10000').split(',').map(Number);

/** One file of a realistic mix: route handlers, server pages, client components, library modules. */
function fileFor(i) {
  switch (i % 5) {
    case 0:
      return [`app/api/r${i}/route.ts`, `import { auth } from '@clerk/nextjs/server';\nimport { db } from '@/lib/db';\n\nexport async function GET(req: Request) {\n  const { userId, orgId } = await auth();\n  if (!userId) return new Response('Unauthorized', { status: 401 });\n  const url = new URL(req.url);\n  const page = Number(url.searchParams.get('page') ?? 1);\n  const rows = await db.item.findMany({ where: { orgId, ownerId: userId }, skip: (page - 1) * 20, take: 20 });\n  return Response.json({ rows, page });\n}\n\nexport async function POST(req: Request) {\n  const { userId, orgId } = await auth.protect();\n  const body = (await req.json()) as { name: string };\n  const item = await db.item.create({ data: { name: body.name, orgId, ownerId: userId } });\n  return Response.json(item, { status: 201 });\n}\n`];
    case 1:
      return [`components/c${i}.tsx`, `'use client';\nimport { useUser, useAuth } from '@clerk/nextjs';\nimport { useState, useMemo } from 'react';\n\ntype Props<T> = { items: T[]; onPick?: (item: T) => void };\n\nexport function List${i}<T extends { id: string; label: string }>({ items, onPick }: Props<T>) {\n  const { user } = useUser();\n  const { has } = useAuth();\n  const [selected, setSelected] = useState<string | null>(null);\n  const sorted = useMemo(() => [...items].sort((a, b) => a.label.localeCompare(b.label)), [items]);\n  if (!user) return null;\n  return (\n    <ul className="list" data-admin={has?.({ role: 'org:admin' }) ? 'yes' : 'no'}>\n      {sorted.map((item) => (\n        <li key={item.id} aria-selected={selected === item.id} onClick={() => { setSelected(item.id); onPick?.(item); }}>\n          {item.label}\n        </li>\n      ))}\n    </ul>\n  );\n}\n`];
    case 2:
      return [`app/p${i}/page.tsx`, `import { currentUser } from '@clerk/nextjs/server';\nimport { redirect } from 'next/navigation';\nimport { db } from '@/lib/db';\nimport { List${i - 1} } from '@/components/c${i - 1}';\n\nexport default async function Page${i}({ params }: { params: Promise<{ id: string }> }) {\n  const user = await currentUser();\n  if (!user) redirect('/sign-in');\n  const { id } = await params;\n  const items = await db.item.findMany({ where: { ownerId: user.id, groupId: id } });\n  return <main><h1>Items for {user.firstName}</h1><List${i - 1} items={items.map((item) => ({ id: item.id, label: item.name }))} /></main>;\n}\n`];
    case 3:
      return [`lib/m${i}.ts`, `export interface Money { amount: number; currency: 'EUR' | 'USD' }\n\nexport enum Kind { A = 'a', B = 'b' }\n\nexport function format${i}(value: Money, locale = 'en-US'): string {\n  return new Intl.NumberFormat(locale, { style: 'currency', currency: value.currency }).format(value.amount / 100);\n}\n\nexport const sum${i} = (values: readonly Money[]): Money =>\n  values.reduce<Money>((total, value) => ({ amount: total.amount + value.amount, currency: value.currency }), { amount: 0, currency: 'EUR' });\n\nexport class Cache${i}<K, V> {\n  #store = new Map<K, { value: V; at: number }>();\n  constructor(private readonly ttl = 60_000) {}\n  get(key: K): V | undefined {\n    const hit = this.#store.get(key);\n    return hit && Date.now() - hit.at < this.ttl ? hit.value : undefined;\n  }\n  set(key: K, value: V): void {\n    this.#store.set(key, { value, at: Date.now() });\n  }\n}\n`];
    default:
      return [`server/s${i}.js`, `import express from 'express';\nimport { requireAuth, getAuth } from '@clerk/express';\nimport { pool } from './db.js';\n\nexport const router${i} = express.Router();\n\nrouter${i}.get('/orders/${i}', requireAuth(), async (req, res) => {\n  const { userId, orgId } = getAuth(req);\n  const { rows } = await pool.query('select * from orders where org_id = $1 and owner_id = $2', [orgId, userId]);\n  res.json(rows);\n});\n`];
  }
}

export function generate(count) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `clerkguard-bench-scan-${count}-`));
  const write = (relative, text) => {
    const file = path.join(dir, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  };
  write('package.json', JSON.stringify({ name: 'bench', dependencies: { next: '15', '@clerk/nextjs': '6' } }));
  write('tsconfig.json', JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@/*': ['./*'] } } }));
  write('lib/db.ts', "import { PrismaClient } from '@prisma/client';\nexport const db = new PrismaClient();\n");
  write('middleware.ts', "import { clerkMiddleware, createRouteMatcher } from '@clerk/nextjs/server';\nconst isPublic = createRouteMatcher(['/', '/sign-in(.*)']);\nexport default clerkMiddleware(async (auth, req) => { if (!isPublic(req)) await auth.protect(); });\n");
  let bytes = 0;
  for (let i = 0; i < count - 3; i++) {
    const [relative, text] = fileFor(i);
    bytes += text.length;
    write(relative, text);
  }
  return { dir, bytes };
}

function scanInChild(dir) {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--child', dir], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', resolve);
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`scan child exited ${code}`))));
  });
}

export async function benchScan() {
  console.log(`(d) clerkguard scan of generated Next.js-shaped trees (fresh process per size; ${os.cpus().length} cores)`);
  const rows = [];
  for (const size of SIZES) {
    const { dir, bytes } = generate(size);
    try {
      const result = await scanInChild(dir);
      rows.push({ files: size, mb: bytes / 1e6, ...result });
      console.log(`    ${String(size).padStart(6)} files (${(bytes / 1e6).toFixed(1)} MB): scan ${(result.scan_ms / 1000).toFixed(2)} s (${Math.round(size / (result.scan_ms / 1000))} files/s), parser load ${result.load_ms.toFixed(0)} ms, peak RSS ${result.max_rss_mb.toFixed(0)} MB, ${result.observations} observations, ${result.not_analysed} not analysed`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const largest = rows[rows.length - 1];
  if (largest) console.log(`    ${largest.files} files in ${(largest.scan_ms / 1000).toFixed(2)} s (goal <= 10 s: ${largest.scan_ms <= 10_000 ? 'met' : 'NOT met'})`);
  if (rows.length >= 2) {
    const per = rows.map((row) => row.scan_ms / row.files);
    console.log(`    time per file: ${per.map((ms) => `${ms.toFixed(3)} ms`).join(' → ')} (linear growth keeps it flat; ratio largest/smallest ${(per[per.length - 1] / per[0]).toFixed(2)})`);
  }
  return rows;
}

if (process.argv[2] === '--child') {
  const dir = process.argv[3];
  const loadStart = performance.now();
  require(path.join(root, 'node_modules/typescript'));
  const load_ms = performance.now() - loadStart;
  const { scanApplication, ALL_REVOKE_EVENTS } = require(path.join(root, 'dist/scan/index.js'));
  const start = performance.now();
  const result = scanApplication({ roots: ['.'], cwd: dir }, { revokeOn: ALL_REVOKE_EVENTS }, '2026-11-26');
  const scan_ms = performance.now() - start;
  process.send({ scan_ms, load_ms, max_rss_mb: process.resourceUsage().maxRSS / 1024, observations: result.evidence.observations.length, not_analysed: result.notAnalysed.length }, () => process.exit(0));
} else if (import.meta.url === `file://${process.argv[1]}`) {
  await benchScan();
}
