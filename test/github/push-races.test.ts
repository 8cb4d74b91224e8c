// Pushing where others push too, with real git against a bare origin: the same fix from another job is success, a
// different fix that won the race is replaced once against the new tip, a person's commits are never overwritten,
// and a server that refuses force pushes gets a message saying what to change.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commitAndPush, PushError } from '../../src/github/branch.js';
import { FIX_TRAILER } from '../../src/github/push.js';
import { Redactor } from '../../src/redact.js';
import { GIT_ENV, git, makeRepo, makeTempDir, removeTempDirs, writeFiles } from '../helpers/repo.js';

afterAll(removeTempDirs);

const BOT = { name: 'github-actions[bot]', email: '41898282+github-actions[bot]@users.noreply.github.com' };
const BRANCH = 'ci-medic/feedc0ffee12';

/** One origin, and `count` separate clones of it (the checkouts of parallel matrix jobs), each on a detached HEAD. */
function jobs(count: number): { origin: string; base: string; clones: string[] } {
  const repo = makeRepo({ 'src/sum.js': 'export const sum = (a, b) => a - b;\n' });
  const clones = Array.from({ length: count }, (_, i) => {
    const dir = join(makeTempDir(), `job-${i}`);
    execFileSync('git', ['clone', '-q', repo.origin, dir], { env: { ...process.env, ...GIT_ENV } });
    git(dir, 'checkout', '-q', '--detach');
    return dir;
  });
  return { origin: repo.origin, base: git(repo.dir, 'rev-parse', 'HEAD'), clones };
}

function fix(dir: string, base: string, variant = '') {
  writeFiles(dir, { 'src/sum.js': `export const sum = (a, b) => a + b;${variant}\n` });
  return commitAndPush({
    workdir: dir,
    env: process.env,
    baseCommit: base,
    files: ['src/sum.js'],
    branch: BRANCH,
    message: 'ci-medic: fix npm test',
    author: BOT,
    remote: 'origin',
    redactor: new Redactor([]),
  });
}

describe('pushing beside other jobs', () => {
  it('four jobs pushing the same fix at once: all succeed, one branch, one commit', async () => {
    const { origin, base, clones } = jobs(4);
    const results = await Promise.all(clones.map((dir) => fix(dir, base)));
    const tip = git(origin, 'rev-parse', `refs/heads/${BRANCH}`);
    expect(results.every((r) => r.branch === BRANCH && r.commit === tip)).toBe(true);
    expect(results.filter((r) => r.pushed)).toHaveLength(1);
    for (const r of results.filter((x) => !x.pushed)) expect(r.notes.join('\n')).toMatch(/same fix/);
    expect(git(origin, 'for-each-ref', '--format=%(refname)', 'refs/heads/ci-medic/')).toBe(`refs/heads/${BRANCH}`);
    expect(git(origin, 'log', '-1', '--format=%B', tip)).toContain(FIX_TRAILER);
  });

  it('four jobs pushing different fixes at once: all succeed (a lost race is retried once), one branch', async () => {
    const { origin, base, clones } = jobs(4);
    const results = await Promise.all(clones.map((dir, i) => fix(dir, base, ` // job ${i}`)));
    const tip = git(origin, 'rev-parse', `refs/heads/${BRANCH}`);
    expect(results.map((r) => r.branch)).toEqual([BRANCH, BRANCH, BRANCH, BRANCH]);
    expect(results.map((r) => r.commit)).toContain(tip);
    expect(git(origin, 'for-each-ref', '--format=%(refname)', 'refs/heads/ci-medic/')).toBe(`refs/heads/${BRANCH}`);
    expect(git(origin, 'rev-parse', `${tip}^`)).toBe(base);
  });

  it("a branch that holds a person's commit is never overwritten: the fix goes to <branch>-2, and says so", async () => {
    const { origin, base, clones } = jobs(2);
    await fix(clones[0], base);
    // A person adds a commit on top of ci-medic's.
    const person = clones[1];
    git(person, 'fetch', '-q', 'origin', BRANCH);
    git(person, 'checkout', '-q', 'FETCH_HEAD');
    writeFiles(person, { 'NOTES.md': 'my own work\n' });
    git(person, 'add', 'NOTES.md');
    git(person, 'commit', '-q', '-m', 'my own work');
    git(person, 'push', '-q', 'origin', `HEAD:refs/heads/${BRANCH}`);
    const theirs = git(origin, 'rev-parse', `refs/heads/${BRANCH}`);

    const result = await fix(clones[0], base, ' // again');
    expect(git(origin, 'rev-parse', `refs/heads/${BRANCH}`)).toBe(theirs);
    expect(result.branch).toBe(`${BRANCH}-2`);
    expect(git(origin, 'rev-parse', `refs/heads/${BRANCH}-2`)).toBe(result.commit);
    expect(result.notes.join('\n')).toContain(`${BRANCH} holds commits ci-medic did not make`);
    // The next run finds its own fix on -2 and updates it there, still leaving the person's branch alone.
    const next = await fix(clones[0], base, ' // third');
    expect(next.branch).toBe(`${BRANCH}-2`);
    expect(next.pushed).toBe(true);
    expect(git(origin, 'rev-parse', `refs/heads/${BRANCH}`)).toBe(theirs);
  });

  it('a server that refuses non-fast-forward pushes gets a message that says what to change', async () => {
    const { origin, base, clones } = jobs(1);
    git(origin, 'config', 'receive.denyNonFastForwards', 'true');
    await fix(clones[0], base);
    const error = await fix(clones[0], base, ' // v2').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PushError);
    const message = (error as Error).message;
    expect(message).toContain('does not accept non-fast-forward (force) pushes');
    expect(message).toContain('branch-prefix');
    expect(message).toContain('Allow force pushes');
    expect(message).not.toMatch(/re-run/i);
  });
});
