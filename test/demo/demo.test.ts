import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { runCliAsync } from '../drift/cli';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('clerkguard demo runs from any directory, shows the three changes as weakening drift, writes the report and Slack preview', async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-demo-'));
  // No CLERK_* or SLACK_* variables and a cwd without baselines/: the demo needs neither.
  const result = await runCliAsync(['demo'], { cwd: dir });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(result.stdout).toContain('1. Drift before any change: clean');
  expect(result.stdout).toContain('DRIFT — 4 weakening');
  for (const path_ of ['settings.session.maximum_lifetime_minutes', 'settings.jwt_templates.supabase.claims.email', 'settings.jwt_templates.supabase.lifetime', 'settings.instance.allowed_origins["https://preview.example.dev"]']) {
    expect(result.stdout).toContain(path_);
  }
  const out = path.join(dir, 'clerkguard-demo');
  expect(readFileSync(path.join(out, 'report.md'), 'utf8')).toContain('| weakening | high | `settings.session.maximum_lifetime_minutes` | `10080 → 43200` | 5 | platform |');
  const preview = JSON.parse(readFileSync(path.join(out, 'slack-preview.json'), 'utf8')) as { messages: { text: string; blocks: unknown[] }[] };
  expect(preview.messages[0]?.text).toBe('Clerk settings drift in production: 4 weakening');
  expect(preview.messages[0]?.blocks.length).toBeLessThanOrEqual(50);
  expect(existsSync(path.join(out, 'report.sarif'))).toBe(true);
  expect(result.stdout).not.toMatch(/sk_(live|test)_[A-Za-z0-9]/);
});
