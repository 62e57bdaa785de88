import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileTransaction } from '../../src/snapshot/file-transaction';

function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'clerkguard-tx-'));
}

/** Every file under dir, relative, with its content: the whole observable state. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        out[`${path.relative(dir, full)}/`] = '';
        walk(full);
      } else out[path.relative(dir, full)] = readFileSync(full, 'utf8');
    }
  };
  walk(dir);
  return out;
}

describe('FileTransaction', () => {
  it('writes nothing visible until apply, then every file at once', () => {
    const dir = tempDir();
    const tx = new FileTransaction();
    expect(tx.stage(path.join(dir, 'a', 'one.json'), '1\n')).toBe(true);
    expect(tx.stage(path.join(dir, 'b', 'two.md'), '2\n')).toBe(true);
    expect(existsSync(path.join(dir, 'a', 'one.json'))).toBe(false);
    tx.apply();
    tx.commit();
    expect(tree(dir)).toEqual({ 'a/': '', 'a/one.json': '1\n', 'b/': '', 'b/two.md': '2\n' });
  });

  it('skips files whose content is already identical', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'same.json'), 'x\n');
    const tx = new FileTransaction();
    expect(tx.stage(path.join(dir, 'same.json'), 'x\n')).toBe(false);
    expect(tx.stagedTargets).toEqual([]);
  });

  it('rollback after apply restores replaced files and removes new files and folders', () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'kept'));
    writeFileSync(path.join(dir, 'kept', 'old.json'), 'old\n');
    const before = tree(dir);
    const tx = new FileTransaction();
    tx.stage(path.join(dir, 'kept', 'old.json'), 'new\n');
    tx.stage(path.join(dir, 'fresh', 'deep', 'new.md'), 'n\n');
    tx.apply();
    expect(readFileSync(path.join(dir, 'kept', 'old.json'), 'utf8')).toBe('new\n');
    tx.rollback();
    expect(tree(dir)).toEqual(before);
  });

  it('a failure while staging leaves no temp file and no new folder behind', () => {
    const dir = tempDir();
    // A file where a folder must go: the kind of error a full or broken disk produces mid-way.
    writeFileSync(path.join(dir, 'blocked'), 'not a folder');
    const before = tree(dir);
    const tx = new FileTransaction();
    tx.stage(path.join(dir, 'ok', 'first.json'), '1\n');
    expect(() => tx.stage(path.join(dir, 'blocked', 'second.json'), '2\n')).toThrow();
    tx.rollback();
    expect(tree(dir)).toEqual(before);
  });

  it('refuses to replace a folder that sits where a file belongs', () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, '2026-Q4.md'));
    expect(() => new FileTransaction().stage(path.join(dir, '2026-Q4.md'), 'x')).toThrow(/not a regular file/);
  });
});
