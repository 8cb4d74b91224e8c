// checkout's persisted credentials: removed for the loop, restored exactly after, however the loop ends.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  authConfigEnv,
  authHeaderFor,
  authSecretsFor,
  removeCheckoutCredentials,
  withoutCheckoutCredentials,
} from '../../src/github/credentials.js';
import { GIT_ENV, git, makeRepo, makeTempDir, removeTempDirs } from '../helpers/repo.js';

const TOKEN = 'ghs_checkoutPersistedToken0123456789abcd';

afterAll(removeTempDirs);

/** What `git config --get` sees for the header, includes resolved (exit 1 → undefined). */
function effectiveHeader(dir: string, key = 'http.https://github.com/.extraheader'): string | undefined {
  try {
    return execFileSync('git', ['config', '--get-all', key], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, ...GIT_ENV },
    }).trim();
  } catch {
    return undefined;
  }
}

/** A repository as checkout v4 leaves it: the header in .git/config. */
function checkoutV4Repo(): { dir: string; config: string } {
  const { dir } = makeRepo({ 'a.txt': 'a\n' });
  git(dir, 'config', '--local', 'user.name', 'Someone');
  git(dir, 'config', '--local', 'http.https://github.com/.extraheader', authHeaderFor(TOKEN));
  git(dir, 'config', '--local', 'http.https://ghes.example.com/.extraheader', authHeaderFor(TOKEN));
  return { dir, config: join(dir, '.git', 'config') };
}

/** A repository as newer checkout versions leave it: includeIf entries pointing at a credentials file in RUNNER_TEMP. */
function checkoutV6Repo(): { dir: string; config: string; credentialsFile: string } {
  const { dir } = makeRepo({ 'a.txt': 'a\n' });
  const runnerTemp = makeTempDir('ci-medic-runner-temp-');
  const credentialsFile = join(runnerTemp, 'git-credentials-0f3c1a9e-1b2c-4d5e-8f90-123456789abc.config');
  writeFileSync(credentialsFile, `[http "https://github.com/"]\n\textraheader = ${authHeaderFor(TOKEN)}\n`);
  const gitDir = join(dir, '.git');
  git(dir, 'config', '--local', `includeIf.gitdir:${gitDir}.path`, credentialsFile);
  git(dir, 'config', '--local', `includeIf.gitdir:${gitDir}/worktrees/*.path`, credentialsFile);
  git(
    dir,
    'config',
    '--local',
    'includeIf.gitdir:/github/workspace/.git.path',
    '/github/runner_temp/git-credentials-0f3c1a9e.config',
  );
  // An include that is not a credential stays.
  const other = join(runnerTemp, 'team.config');
  writeFileSync(other, '[core]\n\tautocrlf = false\n');
  git(dir, 'config', '--local', 'include.path', other);
  return { dir, config: join(gitDir, 'config'), credentialsFile };
}

describe('removeCheckoutCredentials', () => {
  it('removes the extraheaders checkout v4 persisted and restores the file byte for byte, idempotently', async () => {
    const { dir, config } = checkoutV4Repo();
    const before = readFileSync(config, 'utf8');
    expect(effectiveHeader(dir)).toBe(authHeaderFor(TOKEN));

    const { removed, restore } = await removeCheckoutCredentials(dir, process.env);
    expect(removed.map((e) => e.key).sort()).toEqual([
      'http.https://ghes.example.com/.extraheader',
      'http.https://github.com/.extraheader',
    ]);
    expect(effectiveHeader(dir)).toBeUndefined();
    const during = readFileSync(config, 'utf8');
    for (const secret of authSecretsFor(TOKEN)) expect(during).not.toContain(secret);
    expect(git(dir, 'config', '--get', 'user.name')).toBe('Someone');

    await restore();
    await restore();
    expect(readFileSync(config, 'utf8')).toBe(before);
  });

  it('removes includeIf entries that point at checkout credentials files, keeps other includes, restores them', async () => {
    const { dir, config, credentialsFile } = checkoutV6Repo();
    const before = readFileSync(config, 'utf8');
    expect(effectiveHeader(dir)).toBe(authHeaderFor(TOKEN));

    const { removed, restore } = await removeCheckoutCredentials(dir, process.env);
    expect(removed).toHaveLength(3);
    expect(removed.every((e) => e.key.startsWith('includeif.gitdir:'))).toBe(true);
    expect(effectiveHeader(dir)).toBeUndefined();
    expect(git(dir, 'config', '--get', 'core.autocrlf')).toBe('false');
    expect(readFileSync(credentialsFile, 'utf8')).toContain('extraheader'); // the file itself is checkout's to clean up

    await restore();
    expect(readFileSync(config, 'utf8')).toBe(before);
    expect(effectiveHeader(dir)).toBe(authHeaderFor(TOKEN));
  });

  it('restores when the loop throws', async () => {
    const { dir, config } = checkoutV4Repo();
    const before = readFileSync(config, 'utf8');
    await expect(
      withoutCheckoutCredentials(dir, process.env, async (removed) => {
        expect(removed).toHaveLength(2);
        expect(effectiveHeader(dir)).toBeUndefined();
        throw new Error('the loop blew up');
      }),
    ).rejects.toThrow('the loop blew up');
    expect(readFileSync(config, 'utf8')).toBe(before);
  });

  it('discards config the loop planted (a proxy that would see the push header) and puts the credentials back', async () => {
    const { dir, config } = checkoutV4Repo();
    const before = readFileSync(config, 'utf8');
    const { restore } = await removeCheckoutCredentials(dir, process.env);
    git(dir, 'config', '--local', 'http.proxy', 'http://127.0.0.1:9/');
    git(dir, 'config', '--local', 'http.sslVerify', 'false');
    expect(await restore()).toBe(true);
    expect(readFileSync(config, 'utf8')).toBe(before);
    expect(spawnSync('git', ['config', '--get', 'http.proxy'], { cwd: dir }).status).toBe(1);
    expect(effectiveHeader(dir)).toBe(authHeaderFor(TOKEN));
    expect(effectiveHeader(dir, 'http.https://ghes.example.com/.extraheader')).toBe(authHeaderFor(TOKEN));
    expect(await restore()).toBe(true); // later calls answer as the first did
  });

  it('does nothing in a repository without persisted credentials', async () => {
    const { dir } = makeRepo({ 'a.txt': 'a\n' });
    const config = readFileSync(join(dir, '.git', 'config'), 'utf8');
    const { removed, restore } = await removeCheckoutCredentials(dir, process.env);
    expect(removed).toEqual([]);
    expect(await restore()).toBe(false);
    expect(readFileSync(join(dir, '.git', 'config'), 'utf8')).toBe(config);
  });
});

describe('authHeaderFor / authConfigEnv', () => {
  it('builds the header checkout uses, scoped to the server origin, clearing any configured one first', () => {
    expect(authHeaderFor('abc')).toBe(`AUTHORIZATION: basic ${Buffer.from('x-access-token:abc').toString('base64')}`);
    const env = authConfigEnv('abc', 'https://ghes.example.com/some/path', [['core.hooksPath', '/dev/null']]);
    expect(env).toEqual({
      GIT_CONFIG_COUNT: '3',
      GIT_CONFIG_KEY_0: 'core.hooksPath',
      GIT_CONFIG_VALUE_0: '/dev/null',
      GIT_CONFIG_KEY_1: 'http.https://ghes.example.com/.extraheader',
      GIT_CONFIG_VALUE_1: '',
      GIT_CONFIG_KEY_2: 'http.https://ghes.example.com/.extraheader',
      GIT_CONFIG_VALUE_2: authHeaderFor('abc'),
    });
  });
});
