// The git command manager: argument arrays, errors with stderr, deadlines, porcelain parsing.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createGit, GitError, parseStatusZ } from '../../src/git/index.js';
import { git, makeRepo, makeTempDir, removeTempDirs, writeFiles } from '../helpers/repo.js';

afterAll(removeTempDirs);

describe('createGit', () => {
  it('runs git with argument arrays and reads status, untracked files and refs', async () => {
    const { dir } = makeRepo({ 'a.txt': 'a\n', 'b.txt': 'b\n' });
    git(dir, 'mv', 'b.txt', 'c d.txt');
    writeFiles(dir, { 'a.txt': 'changed\n', 'new; rm -rf x.txt': 'n\n' });
    const g = createGit(dir, { baseEnv: process.env });
    expect(await g.revParse('HEAD')).toBe(git(dir, 'rev-parse', 'HEAD'));
    expect(await g.tryRevParse('refs/heads/nope')).toBeUndefined();
    expect(await g.untrackedFiles()).toEqual(['new; rm -rf x.txt']);
    expect((await g.status()).sort((x, y) => x.path.localeCompare(y.path))).toEqual([
      { code: ' M', path: 'a.txt' },
      { code: 'R ', path: 'c d.txt', from: 'b.txt' },
      { code: '??', path: 'new; rm -rf x.txt' },
    ]);
    expect(await g.isShallow()).toBe(false);
    expect(await g.gitDir()).toBe(`${dir}/.git`);
  });

  it('throws a GitError carrying the exit code and stderr, and hides -c values', async () => {
    const { dir } = makeRepo({ 'a.txt': 'a\n' });
    const g = createGit(dir, { baseEnv: process.env });
    const error = await g
      .exec(['-c', 'http.extraheader=AUTHORIZATION: basic c2VjcmV0', 'checkout', 'no-such-branch'])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitError);
    expect((error as GitError).exitCode).toBe(1);
    expect((error as GitError).stderr).toContain('no-such-branch');
    expect((error as Error).message).toContain(
      'git -c http.extraheader=*** checkout no-such-branch failed (exit code 1)',
    );
    expect((error as Error).message).not.toContain('c2VjcmV0');
  });

  it('stops a call at its deadline', async () => {
    const { dir } = makeRepo({ 'a.txt': 'a\n' });
    // An alias that sleeps stands in for any git call that hangs (a helper, a hook, a network wait).
    const g = createGit(dir, { baseEnv: process.env, timeoutMs: 300 });
    const started = Date.now();
    const error = await g.exec(['-c', 'alias.hang=!sleep 5', 'hang']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitError);
    expect((error as GitError).timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(4000);
  });
});

describe('the environment git runs in', () => {
  it("gives a program the repository's config names neither the base environment's secrets nor its shell hooks", async () => {
    const { dir } = makeRepo({ 'a.txt': 'a\n' });
    const marker = join(makeTempDir(), 'env');
    const spy = join(makeTempDir(), 'spy.sh');
    writeFileSync(spy, `#!/bin/sh\nenv >> '${marker}'\nexit 0\n`, { mode: 0o755 });
    git(dir, 'config', 'core.fsmonitor', spy);
    writeFiles(dir, { 'a.txt': 'b\n' });
    const baseEnv = {
      PATH: process.env.PATH,
      SERVICE_PASSWORD: 'planted-git-secret-5e1d',
      BASH_ENV: '/tmp/planted-bash-env',
      KEPT_SETTING: 'kept-9c2a',
    };
    await createGit(dir, { baseEnv, env: { EXTRA_FOR_GIT: 'extra-4f1b' } }).status();
    expect(existsSync(marker), 'the planted fsmonitor ran').toBe(true);
    const seen = readFileSync(marker, 'utf8');
    expect(seen).not.toContain('planted-git-secret-5e1d');
    expect(seen).not.toContain('planted-bash-env');
    expect(seen).toContain('KEPT_SETTING=kept-9c2a');
    expect(seen).toContain('EXTRA_FOR_GIT=extra-4f1b');
    expect(seen).toContain('GIT_TERMINAL_PROMPT=0');
  });
});

describe('parseStatusZ', () => {
  it('reads renames with their source and ignores empty records', () => {
    expect(parseStatusZ('R  new.txt\0old.txt\0?? x y\0\0')).toEqual([
      { code: 'R ', path: 'new.txt', from: 'old.txt' },
      { code: '??', path: 'x y' },
    ]);
  });
});
