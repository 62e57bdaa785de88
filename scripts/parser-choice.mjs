#!/usr/bin/env node
// How the scan's parser was chosen (docs/architecture.md): parse + full AST walk of one corpus
// (this repository's .ts files, @clerk/* .js/.mjs from node_modules, generated .tsx), measured
// side by side in one process, 7 interleaved rounds after a warm-up. Not part of `npm run bench`:
// the candidates are not dependencies. Run:
//   npm i --no-save oxc-parser@0.158.0 @babel/parser@7 && node scripts/parser-choice.mjs
import { createRequire } from 'node:module';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const files = [];
function collect(dir, exts, limit) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (files.length >= limit) return;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) collect(full, exts, limit);
    else if (exts.some((ext) => entry.name.endsWith(ext)) && !entry.name.endsWith('.d.ts') && statSync(full).size < 100_000) files.push([full, readFileSync(full, 'utf8')]);
  }
}
collect(path.join(root, 'src'), ['.ts'], Infinity);
collect(path.join(root, 'test'), ['.ts'], Infinity);
collect(path.join(root, 'node_modules/@clerk'), ['.js', '.mjs'], files.length + 600);
for (let i = 0; i < 300; i++) {
  files.push([`gen${i}.tsx`, `'use client';\nimport { useUser } from '@clerk/nextjs';\ntype P<T> = { items: T[]; onPick?: (t: T) => void };\nexport default function L${i}<T extends { id: string }>({ items, onPick }: P<T>) {\n  const { user } = useUser();\n  if (user?.publicMetadata?.isAdmin) return <Admin user={user!} />;\n  return <ul>{items.map((it) => <li key={it.id} onClick={() => onPick?.(it)}>{it.id}</li>)}</ul>;\n}\n`.repeat(3)]);
}
const bytes = files.reduce((sum, [, text]) => sum + text.length, 0);
const lang = (file) => (file.endsWith('.tsx') ? 'tsx' : file.endsWith('.ts') ? 'ts' : 'jsx');
function walkEstree(node, count) {
  if (!node || typeof node !== 'object') return count;
  if (Array.isArray(node)) { for (const child of node) count = walkEstree(child, count); return count; }
  if (typeof node.type === 'string') count++;
  for (const key in node) if (key !== 'loc' && node[key] && typeof node[key] === 'object') count = walkEstree(node[key], count);
  return count;
}
const candidates = {};
try {
  const ts = require('typescript');
  const kind = (file) => (lang(file) === 'tsx' ? ts.ScriptKind.TSX : lang(file) === 'ts' ? ts.ScriptKind.TS : ts.ScriptKind.JSX);
  candidates[`typescript ${ts.version}`] = (file, text) => { let n = 0; const visit = (node) => { n++; ts.forEachChild(node, visit); }; visit(ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind(file))); return n; };
} catch { console.log('typescript not installed'); }
try {
  const oxc = require('oxc-parser');
  candidates[`oxc-parser ${require('oxc-parser/package.json').version}`] = (file, text) => walkEstree(oxc.parseSync(file, text, { lang: lang(file) }).program, 0);
} catch { console.log('oxc-parser not installed (npm i --no-save oxc-parser@0.158.0)'); }
try {
  const babel = require('@babel/parser');
  const plugins = (l) => (l === 'ts' ? ['typescript', 'decorators-legacy'] : l === 'tsx' ? ['typescript', 'jsx', 'decorators-legacy'] : ['jsx']);
  candidates[`@babel/parser ${require('@babel/parser/package.json').version}`] = (file, text) => walkEstree(babel.parse(text, { sourceType: 'unambiguous', plugins: plugins(lang(file)), errorRecovery: true }).program, 0);
} catch { console.log('@babel/parser not installed (npm i --no-save @babel/parser@7)'); }
const times = Object.fromEntries(Object.keys(candidates).map((name) => [name, []]));
for (const parse of Object.values(candidates)) for (const [file, text] of files) parse(file, text);
for (let round = 0; round < 7; round++) {
  for (const [name, parse] of Object.entries(candidates)) {
    const start = performance.now();
    for (const [file, text] of files) parse(file, text);
    times[name].push(performance.now() - start);
  }
}
console.log(`node ${process.version}: ${files.length} files, ${(bytes / 1e6).toFixed(2)} MB, parse + walk, 7 interleaved rounds`);
for (const [name, list] of Object.entries(times)) {
  list.sort((a, b) => a - b);
  console.log(`  ${name.padEnd(24)} median ${list[3].toFixed(0)} ms, min ${list[0].toFixed(0)} ms, ${(bytes / 1e6 / (list[3] / 1000)).toFixed(1)} MB/s`);
}
