/**
 * The job registry imports its jobs; jobs never import the registry (type imports included), so
 * no import circle runs through src/schedule. Checked on the source's import statements.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { REPO_ROOT } from '../helpers/cli';

function importGraph(): Map<string, string[]> {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (full.endsWith('.ts')) files.push(full);
    }
  };
  walk(path.join(REPO_ROOT, 'src'));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const deps: string[] = [];
    for (const match of readFileSync(file, 'utf8').matchAll(/^(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'|import\('(\.[^']+)'\)/gm)) {
      const base = path.join(path.dirname(file), (match[1] ?? match[2])!).replace(/\.js$/, '');
      const target = existsSync(`${base}.ts`) ? `${base}.ts` : existsSync(path.join(base, 'index.ts')) ? path.join(base, 'index.ts') : undefined;
      if (target) deps.push(path.relative(REPO_ROOT, target));
    }
    graph.set(path.relative(REPO_ROOT, file), deps);
  }
  return graph;
}

function cyclesThrough(graph: Map<string, string[]>, prefix: readonly string[]): string[] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') {
        const cycle = [...stack.slice(stack.indexOf(next)), next];
        if (cycle.some((file) => prefix.some((start) => file.startsWith(start)))) cycles.push(cycle.join(' → '));
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

describe('scheduled jobs and their registry', () => {
  const graph = importGraph();

  test('no import circle (type imports included) runs through src/schedule or the snapshot job', () => {
    expect(cyclesThrough(graph, ['src/schedule/', 'src/snapshot/schedule-job.ts'])).toEqual([]);
  });

  test('only the registry lists the jobs, and no job imports the registry', () => {
    const importers = [...graph].filter(([, deps]) => deps.includes('src/schedule/jobs.ts')).map(([file]) => file);
    expect(importers).toEqual(['src/cli/commands/schedule.ts']);
    expect(graph.get('src/schedule/jobs.ts')).toEqual(expect.arrayContaining(['src/schedule/drift-job.ts', 'src/snapshot/schedule-job.ts']));
  });
});
