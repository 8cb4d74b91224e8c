// commitAndPush with real git: a bare origin, a shallow clone on a detached HEAD, a re-run, a token, a planted secret.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commitAndPush, PushError, SecretInDiffError } from '../../src/github/branch.js';
import { authHeaderFor, authSecretsFor } from '../../src/github/credentials.js';
import { Redactor } from '../../src/redact.js';
import { GIT_ENV, git, makeRepo, makeTempDir, removeTempDirs, writeFiles } from '../helpers/repo.js';

afterAll(removeTempDirs);

const BOT = { name: 'github-actions[bot]', email: '41898282+github-actions[bot]@users.noreply.github.com' };
const TOKEN = 'ghs_pushTokenForTheTest0123456789abcdef';

/** A shallow clone of a fresh origin, on a detached HEAD, with a pre-existing untracked file and a pre-existing edit. */
function shallowDetachedClone(): { dir: string; origin: string; base: string } {
  const repo = makeRepo({
    'src/sum.js': 'export const sum = (a, b) => a - b;\n',
    'README.md': '# demo\n',
    'old.txt': 'to be deleted\n',
    '.gitignore': 'build/\n',
  });
  git(repo.dir, 'commit', '-q', '--allow-empty', '-m', 'second');
  git(repo.dir, 'push', '-q', 'origin', 'main');
  const dir = join(makeTempDir(), 'clone');
  execFileSync('git', ['clone', '-q', '--depth', '1', `file://${repo.origin}`, dir], {
    env: { ...process.env, ...GIT_ENV },
  });
  git(dir, 'checkout', '-q', '--detach');
  writeFiles(dir, { 'notes.txt': 'mine, untracked before the loop\n', 'README.md': '# demo, edited by me\n' });
  return { dir, origin: repo.origin, base: git(dir, 'rev-parse', 'HEAD') };
}

/** What the loop did: fix one file, add one, delete one. */
function loopChanges(dir: string, variant = ''): string[] {
  writeFiles(dir, { 'src/sum.js': `export const sum = (a, b) => a + b;${variant}\n`, 'src/sum.test.js': 'test\n' });
  rmSync(join(dir, 'old.txt'), { force: true });
  return ['src/sum.js', 'src/sum.test.js', 'old.txt'];
}

function options(dir: string, base: string, files: string[], extra: Partial<Parameters<typeof commitAndPush>[0]> = {}) {
  return {
    workdir: dir,
    env: process.env,
    baseCommit: base,
    files,
    branch: 'ci-medic/0123abcd4567',
    message: 'ci-medic: fix npm test\n\nsum subtracted.',
    author: BOT,
    redactor: new Redactor([TOKEN]),
    ...extra,
  };
}

describe('commitAndPush', () => {
  it('commits only the loop files onto the base commit from a shallow, detached clone and pushes them', async () => {
    const { dir, origin, base } = shallowDetachedClone();
    expect(git(dir, 'rev-parse', '--is-shallow-repository')).toBe('true');
    const files = loopChanges(dir);
    const statusBefore = git(dir, 'status', '--porcelain');

    const result = await commitAndPush(options(dir, base, files));

    expect(result).toMatchObject({ branch: 'ci-medic/0123abcd4567', pushed: true, skipped: [] });
    expect(git(origin, 'rev-parse', 'refs/heads/ci-medic/0123abcd4567')).toBe(result.commit);
    expect(git(dir, 'rev-parse', `${result.commit}^`)).toBe(base);
    expect(git(dir, 'log', '-1', '--format=%an <%ae>|%s', result.commit)).toBe(
      `${BOT.name} <${BOT.email}>|ci-medic: fix npm test`,
    );
    const tree = git(dir, 'ls-tree', '-r', '--name-only', result.commit).split('\n');
    expect(tree.sort()).toEqual(['.gitignore', 'README.md', 'src/sum.js', 'src/sum.test.js']);
    expect(git(dir, 'show', `${result.commit}:README.md`)).toBe('# demo'); // my own edit stays out
    // The user's HEAD, index and work tree are as they were.
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(base);
    expect(git(dir, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('HEAD'); // still detached
    expect(git(dir, 'status', '--porcelain')).toBe(statusBefore);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toContain('mine');

    // The pushed branch, cloned fresh, holds the fix.
    const fresh = join(makeTempDir(), 'fresh');
    execFileSync('git', ['clone', '-q', '-b', 'ci-medic/0123abcd4567', `file://${origin}`, fresh], {
      env: { ...process.env, ...GIT_ENV },
    });
    expect(readFileSync(join(fresh, 'src/sum.js'), 'utf8')).toContain('a + b');
    expect(existsSync(join(fresh, 'old.txt'))).toBe(false);
    expect(existsSync(join(fresh, 'notes.txt'))).toBe(false);
  });

  it('updates the branch on a re-run with --force-with-lease, and does not push the same change twice', async () => {
    const { dir, origin, base } = shallowDetachedClone();
    const first = await commitAndPush(options(dir, base, loopChanges(dir)));
    // A re-run of the job: a different fix for the same failure replaces the branch (not a fast-forward).
    const second = await commitAndPush(options(dir, base, loopChanges(dir, ' // v2')));
    expect(second.pushed).toBe(true);
    expect(second.commit).not.toBe(first.commit);
    expect(git(origin, 'rev-parse', 'refs/heads/ci-medic/0123abcd4567')).toBe(second.commit);
    expect(git(origin, 'rev-parse', `${second.commit}^`)).toBe(base);
    // The same change again: the remote already has it.
    const third = await commitAndPush(options(dir, base, loopChanges(dir, ' // v2')));
    expect(third).toMatchObject({ pushed: false, commit: second.commit });
    expect(git(dir, 'for-each-ref', 'refs/ci-medic/')).toBe('');
  });

  it("never overwrites a branch that moved to someone else's commit after it was read: pushes to a new name and says so", async () => {
    const { dir, origin, base } = shallowDetachedClone();
    await commitAndPush(options(dir, base, loopChanges(dir)));
    // Someone else moves the branch right after each read: upload-pack serves the read, then the branch moves.
    const wrapper = join(makeTempDir(), 'upload-pack');
    writeFileSync(
      wrapper,
      `#!/bin/sh\ngit-upload-pack "$@"\ngit --git-dir='${origin}' update-ref refs/heads/ci-medic/0123abcd4567 refs/heads/main\n`,
    );
    chmodSync(wrapper, 0o755);
    git(dir, 'config', 'remote.origin.uploadpack', wrapper);
    const result = await commitAndPush(options(dir, base, loopChanges(dir, ' // v2')));
    expect(result.branch).toBe('ci-medic/0123abcd4567-2');
    expect(result.notes.join('\n')).toContain('ci-medic/0123abcd4567 holds commits ci-medic did not make');
    expect(result.notes.join('\n')).toContain('pushed the fix to ci-medic/0123abcd4567-2 instead');
    expect(git(origin, 'rev-parse', 'refs/heads/ci-medic/0123abcd4567')).toBe(
      git(origin, 'rev-parse', 'refs/heads/main'),
    );
    expect(git(origin, 'rev-parse', 'refs/heads/ci-medic/0123abcd4567-2')).toBe(result.commit);
  });

  it('pushes with a token without writing it to .git/config, and runs no hooks the session planted', async () => {
    const { dir, origin, base } = shallowDetachedClone();
    const config = readFileSync(join(dir, '.git', 'config'), 'utf8');
    const marker = join(makeTempDir(), 'hook-ran');
    for (const hook of ['pre-push', 'reference-transaction', 'post-commit']) {
      writeFileSync(join(dir, '.git', 'hooks', hook), `#!/bin/sh\nenv > ${marker}\n`);
      chmodSync(join(dir, '.git', 'hooks', hook), 0o755);
    }
    const result = await commitAndPush(options(dir, base, loopChanges(dir), { token: TOKEN }));
    expect(result.pushed).toBe(true);
    expect(git(origin, 'rev-parse', 'refs/heads/ci-medic/0123abcd4567')).toBe(result.commit);
    const after = readFileSync(join(dir, '.git', 'config'), 'utf8');
    expect(after).toBe(config);
    for (const secret of authSecretsFor(TOKEN)) expect(after).not.toContain(secret);
    expect(existsSync(marker)).toBe(false);
  });

  it('sends exactly one authorization header, its own, over HTTP (a configured one is cleared), and explains a 403', async () => {
    const { dir, base } = shallowDetachedClone();
    const seen: string[][] = [];
    const server = createServer((request, response) => {
      const raw = request.rawHeaders;
      seen.push(raw.filter((_, i) => i % 2 === 1 && raw[i - 1].toLowerCase() === 'authorization'));
      response.writeHead(403, { 'content-type': 'text/plain' });
      response.end('Permission to o/r.git denied to github-actions[bot].\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // What checkout would have left (restored after the loop): a header for the same origin with another token.
    git(
      dir,
      'config',
      '--local',
      `http.${origin}/.extraheader`,
      authHeaderFor('ghs_staleCheckoutToken000000000000000'),
    );
    const config = readFileSync(join(dir, '.git', 'config'), 'utf8');
    try {
      const error = await commitAndPush(
        options(dir, base, loopChanges(dir), { token: TOKEN, pushUrl: `${origin}/o/r.git` }),
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PushError);
      expect((error as PushError).message).toContain('permissions:\n    contents: write');
      expect((error as PushError).message).not.toContain(TOKEN);
      expect(seen.length).toBeGreaterThan(0);
      for (const headers of seen) expect(headers.map((h) => `AUTHORIZATION: ${h}`)).toEqual([authHeaderFor(TOKEN)]);
      expect(readFileSync(join(dir, '.git', 'config'), 'utf8')).toBe(config);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses to commit a planted secret, naming the file, and pushes nothing', async () => {
    const { dir, origin, base } = shallowDetachedClone();
    const files = loopChanges(dir);
    writeFiles(dir, { 'src/config.js': `export const token = '${TOKEN}';\n` });
    const error = await commitAndPush(options(dir, base, [...files, 'src/config.js'])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretInDiffError);
    expect((error as SecretInDiffError).file).toBe('src/config.js');
    expect((error as Error).message).toContain('src/config.js');
    expect((error as Error).message).not.toContain(TOKEN);
    expect(git(origin, 'branch', '--list', 'ci-medic/*')).toBe('');
    expect(git(dir, 'branch', '--list', 'ci-medic/*')).toBe('');
    const inMessage = await commitAndPush(options(dir, base, files, { message: `fix\n\nused ${TOKEN}` })).catch(
      (e: unknown) => e,
    );
    expect((inMessage as SecretInDiffError).file).toBe('the commit message');
  });

  it('works from a subdirectory of the repository, with paths relative to it', async () => {
    const { dir, origin } = makeRepo({ 'pkg/sum.js': 'a - b\n', 'pkg/README.md': 'r\n', 'root.txt': 'root\n' });
    const base = git(dir, 'rev-parse', 'HEAD');
    writeFiles(dir, { 'pkg/sum.js': 'a + b\n', 'root.txt': 'changed, not by the loop\n' });
    const result = await commitAndPush(options(join(dir, 'pkg'), base, ['sum.js']));
    expect(result.pushed).toBe(true);
    expect(git(origin, 'show', `${result.commit}:pkg/sum.js`)).toBe('a + b');
    expect(git(origin, 'show', `${result.commit}:root.txt`)).toBe('root');
    expect(git(dir, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(base);
  });

  it('leaves out ignored files, and refuses bad input with the input named', async () => {
    const { dir, base } = shallowDetachedClone();
    const files = loopChanges(dir);
    writeFiles(dir, { 'build/out.js': 'generated\n' });
    const result = await commitAndPush(options(dir, base, [...files, 'build/out.js'], { push: false }));
    expect(result).toMatchObject({ pushed: false, skipped: ['build/out.js'] });
    expect(git(dir, 'ls-tree', '-r', '--name-only', result.commit)).not.toContain('build/');
    await expect(commitAndPush(options(dir, base, ['../outside.txt']))).rejects.toThrow(/files: "\.\.\/outside\.txt"/);
    await expect(commitAndPush(options(dir, base, files, { branch: 'bad..name' }))).rejects.toThrow(
      /branch: "bad\.\.name"/,
    );
    await expect(commitAndPush(options(dir, 'f'.repeat(40), files))).rejects.toThrow(/baseCommit: f+ is not a commit/);
    await expect(commitAndPush(options(dir, base, ['README.md'].slice(0, 0)))).rejects.toThrow(
      /files: the fix changes no files/,
    );
  });
});
