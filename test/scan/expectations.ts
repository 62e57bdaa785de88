/**
 * Expected findings of a fixture application, written in the fixture itself:
 *   `// expect: check-a, check-b` (or `# expect:` in env files) names failing checks reported
 *   on the next line that is not itself a marker; `expect(baseline):` only when the fixture's
 *   baseline is given. `.clerkguard-expect` lists, one per line, failing checks about the
 *   application as a whole (no line decides them).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface Expected {
  check: string;
  file: string;
  line?: number;
}

const MARKER = /(?:\/\/|#)\s*expect(\(baseline\))?:\s*(.+?)\s*$/;

export function readExpectations(root: string, withBaseline: boolean): Expected[] {
  const out: Expected[] = [];
  for (const file of listFiles(root)) {
    const relative = path.relative(root, file).split(path.sep).join('/');
    if (relative === '.clerkguard-expect') {
      for (const check of readFileSync(file, 'utf8').split('\n').map((line) => line.trim()).filter(Boolean)) out.push({ check, file: '.' });
      continue;
    }
    const lines = readFileSync(file, 'utf8').split('\n');
    let pending: string[] = [];
    lines.forEach((line, index) => {
      const match = MARKER.exec(line);
      if (match) {
        if (!match[1] || withBaseline) pending.push(...(match[2] as string).split(',').map((check) => check.trim()));
        return;
      }
      for (const check of pending) out.push({ check, file: relative, line: index + 1 });
      pending = [];
    });
  }
  return out;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listFiles(full));
    else out.push(full);
  }
  return out;
}

export interface Score {
  truePositives: number;
  falsePositives: Expected[];
  falseNegatives: Expected[];
}

/** Matches actual failing findings to expected ones by check, file and line (root ones by count). */
export function score(expected: readonly Expected[], actual: readonly Expected[]): Score {
  const remaining = [...expected];
  const falsePositives: Expected[] = [];
  let truePositives = 0;
  for (const finding of actual) {
    const index = remaining.findIndex((item) => item.check === finding.check && item.file === finding.file && (item.line === undefined || item.line === finding.line));
    if (index === -1) falsePositives.push(finding);
    else {
      truePositives++;
      remaining.splice(index, 1);
    }
  }
  return { truePositives, falsePositives, falseNegatives: remaining };
}

export function fixtureApps(fixtures: string): { app: string; variant: 'vulnerable' | 'fixed'; dir: string; build?: string; baseline?: string }[] {
  const out: { app: string; variant: 'vulnerable' | 'fixed'; dir: string; build?: string; baseline?: string }[] = [];
  for (const app of readdirSync(fixtures).sort()) {
    for (const variant of ['vulnerable', 'fixed'] as const) {
      const dir = path.join(fixtures, app, variant);
      if (!existsSync(dir)) continue;
      const build = path.join(dir, '.next', 'static');
      const baseline = path.join(fixtures, app, 'production.json');
      out.push({ app, variant, dir, ...(existsSync(build) ? { build: '.next/static' } : {}), ...(existsSync(baseline) ? { baseline } : {}) });
    }
  }
  return out;
}
