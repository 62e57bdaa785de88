import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GitRepository, validateAuthor } from '../../src/snapshot/git';
import { tempRepo } from './git-fixture';

describe('GitRepository (real git)', () => {
  it('commits exactly the given paths, leaving other work-tree changes alone', async () => {
    const repo = tempRepo();
    repo.write('README.md', 'hello\n');
    repo.git('add', 'README.md');
    repo.git('commit', '-q', '-m', 'init');
    repo.write('snapshots/production/2026-Q4.json', '{}\n');
    repo.write('unrelated.txt', 'keep me out\n');
    const git = await GitRepository.open(path.join(repo.dir, 'snapshots'), repo.env);
    const paths = [git.relative(path.join(repo.dir, 'snapshots/production/2026-Q4.json'))];
    expect(paths).toEqual(['snapshots/production/2026-Q4.json']);
    await git.add(paths);
    expect(await git.hasStagedChanges(paths)).toBe(true);
    const id = await git.commit(paths, 'clerkguard: 2026-Q4 review snapshot for production', 'Ada Lovelace <ada@example.com>');
    expect(repo.git('show', '--name-only', '--format=%an <%ae>|%cn|%s', id).trim().split('\n')).toEqual([
      'Ada Lovelace <ada@example.com>|Repo Owner|clerkguard: 2026-Q4 review snapshot for production',
      '',
      'snapshots/production/2026-Q4.json',
    ]);
    expect(repo.git('status', '--porcelain')).toBe('?? unrelated.txt\n');
    expect(await git.hasStagedChanges(paths)).toBe(false);
  });

  it('lists staged paths, also on an unborn branch', async () => {
    const repo = tempRepo();
    repo.write('a.txt', 'a');
    repo.git('add', 'a.txt');
    const git = await GitRepository.open(repo.dir, repo.env);
    expect(await git.head()).toBeUndefined();
    expect(await git.stagedPaths()).toEqual(['a.txt']);
  });

  it('a savepoint undoes commits and restores the index, including the first commit of a repo', async () => {
    const repo = tempRepo();
    const git = await GitRepository.open(repo.dir, repo.env);
    const savepoint = await git.savepoint();
    repo.write('x.json', '1\n');
    await git.add(['x.json']);
    const own = await git.commit(['x.json'], 'first', undefined);
    expect(repo.log()).toHaveLength(1);
    await savepoint.restore(own);
    expect(repo.log()).toEqual([]);
    expect(await git.stagedPaths()).toEqual([]);
    expect(repo.git('status', '--porcelain')).toBe('?? x.json\n');
  });

  it('a savepoint never undoes a commit this run did not make, and cleans index backups of killed runs', async () => {
    const repo = tempRepo();
    repo.write('a.json', '1\n');
    repo.git('add', 'a.json');
    repo.git('commit', '-q', '-m', 'base');
    const indexPath = path.join(repo.dir, '.git', 'index');
    writeFileSync(`${indexPath}.clerkguard-999999999-1`, 'left by a killed run');
    const git = await GitRepository.open(repo.dir, repo.env);
    const savepoint = await git.savepoint();
    expect(readdirSync(path.join(repo.dir, '.git')).filter((name) => name.startsWith('index.clerkguard-999999999'))).toEqual([]);
    // Someone else commits after the savepoint: our failure must not roll their commit back.
    repo.write('b.json', '2\n');
    repo.git('add', 'b.json');
    repo.git('commit', '-q', '-m', 'theirs');
    await savepoint.restore(undefined);
    expect(repo.log()).toHaveLength(2);
    // Nor move a branch that moved on from the commit we made.
    const second = await git.savepoint();
    repo.write('c.json', '3\n');
    await git.add(['c.json']);
    const ours = await git.commit(['c.json'], 'ours', undefined);
    repo.write('d.json', '4\n');
    repo.git('add', 'd.json');
    repo.git('commit', '-q', '-m', 'theirs again');
    await expect(second.restore(ours)).rejects.toThrow(/update-ref/);
    expect(repo.log()).toHaveLength(4);
  });

  it('reports a failing pre-commit hook with its output, and commits nothing', async () => {
    const repo = tempRepo();
    repo.failingPreCommitHook('secret scanner says no');
    repo.write('x.json', '1\n');
    const git = await GitRepository.open(repo.dir, repo.env);
    await git.add(['x.json']);
    await expect(git.commit(['x.json'], 'msg', undefined)).rejects.toThrow(/git commit failed: secret scanner says no/);
    expect(repo.log()).toEqual([]);
  });

  it('explains a missing identity before anything is written', async () => {
    const repo = tempRepo({ identity: false });
    const git = await GitRepository.open(repo.dir, { ...repo.env, HOME: repo.dir, GIT_AUTHOR_NAME: '', EMAIL: '' });
    // Whether git can guess an identity from the host name varies; an explicit bogus config cannot be guessed around.
    repo.git('config', 'user.useConfigOnly', 'true');
    await expect(git.checkIdentity(undefined)).rejects.toThrow(/git does not know who is committing/);
  });

  it('refuses a folder outside any work tree with a hint', async () => {
    const outside = path.join(path.parse(process.cwd()).root, 'nonexistent-clerkguard-dir', 'snapshots');
    await expect(GitRepository.open(outside)).rejects.toThrow(/not inside a git work tree/);
    expect(existsSync(outside)).toBe(false);
  });

  it('validates --author', () => {
    expect(validateAuthor(' Ada Lovelace <ada@example.com> ')).toBe('Ada Lovelace <ada@example.com>');
    for (const bad of ['Ada', 'ada@example.com', '<ada@example.com>', 'Ada <not-an-email>', 'Ada <a@b.c> extra']) {
      expect(() => validateAuthor(bad)).toThrow(/not in the form "Name <email>"/);
    }
  });

  it('keeps glob characters in paths literal', async () => {
    const repo = tempRepo();
    repo.write('snap*/a.json', '1\n');
    repo.write('snapX/a.json', '2\n');
    const git = await GitRepository.open(repo.dir, repo.env);
    await git.add(['snap*/a.json']);
    expect(await git.stagedPaths()).toEqual(['snap*/a.json']);
    expect(readFileSync(path.join(repo.dir, 'snapX/a.json'), 'utf8')).toBe('2\n');
  });
});
