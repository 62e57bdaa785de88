/**
 * All-or-nothing file writes across several files and folders. Every file is first written to
 * a temp file in its own folder (so the final rename never crosses file systems); only when
 * all temp files exist are they renamed into place. A failure at any step removes the temp
 * files, puts back what was there before, and removes folders this transaction created.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { tempPathFor } from '../util/fs';

interface PendingFile {
  target: string;
  temp: string;
  /** Where the previous content was moved while the new file is in place. */
  backup?: string;
  renamed: boolean;
}

export class FileTransaction {
  private readonly pending: PendingFile[] = [];
  private readonly createdDirs: string[] = [];
  private state: 'open' | 'committed' | 'rolled-back' = 'open';

  /** Stages `content` for `target`. Returns false (and stages nothing) when the file already holds exactly that. */
  stage(target: string, content: string): boolean {
    this.assertOpen();
    const absolute = path.resolve(target);
    if (existsSync(absolute)) {
      if (!statSync(absolute).isFile()) throw new Error(`${target} exists and is not a regular file`);
      if (safeRead(absolute) === content) return false;
    }
    this.ensureDir(path.dirname(absolute));
    const temp = tempPathFor(absolute);
    const entry: PendingFile = { target: absolute, temp, renamed: false };
    this.pending.push(entry);
    const fd = openSync(temp, 'wx', 0o644);
    try {
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return true;
  }

  get stagedTargets(): string[] {
    return this.pending.map((entry) => entry.target);
  }

  /** Moves every staged file into place; on failure undoes the renames already done and rethrows. */
  apply(): void {
    this.assertOpen();
    try {
      for (const entry of this.pending) {
        if (existsSync(entry.target)) {
          entry.backup = `${entry.temp}.previous`;
          renameSync(entry.target, entry.backup);
        }
        renameSync(entry.temp, entry.target);
        entry.renamed = true;
      }
    } catch (error) {
      this.rollback();
      throw error;
    }
  }

  /** Drops the backups of replaced files; after this the new files are permanent. */
  commit(): void {
    this.assertOpen();
    for (const entry of this.pending) {
      if (entry.backup) rmSync(entry.backup, { force: true });
    }
    this.state = 'committed';
  }

  /** Restores the state before the transaction, as far as the file system lets it. Never throws. */
  rollback(): void {
    if (this.state !== 'open') return;
    for (const entry of [...this.pending].reverse()) {
      ignoreErrors(() => {
        if (entry.renamed) rmSync(entry.target, { force: true, recursive: false });
        rmSync(entry.temp, { force: true });
        if (entry.backup && existsSync(entry.backup)) renameSync(entry.backup, entry.target);
      });
    }
    for (const dir of [...this.createdDirs].reverse()) ignoreErrors(() => rmdirSync(dir));
    this.state = 'rolled-back';
  }

  private ensureDir(dir: string): void {
    const missing: string[] = [];
    let probe = dir;
    while (!existsSync(probe) && path.dirname(probe) !== probe) {
      missing.unshift(probe);
      probe = path.dirname(probe);
    }
    for (const folder of missing) {
      mkdirSync(folder);
      this.createdDirs.push(folder);
    }
  }

  private assertOpen(): void {
    if (this.state !== 'open') throw new Error(`file transaction already ${this.state}`);
  }
}

function safeRead(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function ignoreErrors(action: () => void): void {
  try {
    action();
  } catch {
    // Best effort: a rollback that fails part-way must still try the remaining steps.
  }
}
