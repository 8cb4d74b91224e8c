// CI on the repair pull request, against the GitHub stand-in over real HTTP: the ci-medic/verify commit status on
// the fix commit, and the dispatch of the project's CI workflow on the fix branch with a link to its run.
import { afterAll, describe, expect, it } from 'vitest';
import {
  dispatchWorkflow,
  setVerifyStatus,
  VERIFY_STATUS_CONTEXT,
  verifyStatusDescription,
} from '../../src/github/checks.js';
import { readInputs } from '../../src/action/inputs.js';
import { GitHubApiError } from '../../src/github/pull-request.js';
import { FAKE_GITHUB_TOKEN, startFakeGitHub, type FakeGitHub } from '../fakes/github.js';
import { git, makeRepo, removeTempDirs } from '../helpers/repo.js';

const servers: FakeGitHub[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  removeTempDirs();
});

async function setUp(): Promise<{ fake: FakeGitHub; sha: string; target: Parameters<typeof setVerifyStatus>[0] }> {
  const repo = makeRepo({ 'a.txt': 'a\n' });
  git(repo.dir, 'push', '-q', 'origin', 'HEAD:refs/heads/ci-medic/abc123');
  const fake = await startFakeGitHub({ gitDir: repo.origin, workflows: ['ci.yml'] });
  servers.push(fake);
  const sha = git(repo.dir, 'rev-parse', 'HEAD');
  const target = {
    token: FAKE_GITHUB_TOKEN,
    apiUrl: fake.url,
    owner: 'acme',
    repo: 'shop',
    sha,
    command: 'npm test',
    exitCode: 0,
    cleanWorktree: true,
    runUrl: 'https://github.com/acme/shop/actions/runs/4242',
    client: { retryAfterBaseValue: 10 },
  };
  return { fake, sha, target };
}

describe('the ci-medic/verify commit status', () => {
  it('is set on the fix commit: the command, its exit code, clean worktree or not, and a link to the run', async () => {
    const { fake, sha, target } = await setUp();
    await setVerifyStatus(target);
    expect(fake.statuses).toEqual([
      {
        repository: 'acme/shop',
        sha,
        state: 'success',
        context: VERIFY_STATUS_CONTEXT,
        description: 'npm test exited 0 in the workspace and a clean worktree, re-run by ci-medic',
        target_url: 'https://github.com/acme/shop/actions/runs/4242',
      },
    ]);
  });

  it('keeps the description within 140 characters for any command, and says failure when it failed', () => {
    const long = verifyStatusDescription({
      command: `npm test -- ${'x'.repeat(500)}`,
      exitCode: 1,
      cleanWorktree: false,
    });
    expect(long.state).toBe('failure');
    expect(long.description.length).toBeLessThanOrEqual(140);
    expect(long.description).toContain('exited 1 in the workspace (no clean worktree)');
  });

  it('a refusal names the statuses: write permission', async () => {
    const { fake, target } = await setUp();
    fake.setFailure('create-status', 403);
    const error = await setVerifyStatus(target).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect((error as Error).message).toMatch(/^Setting the ci-medic\/verify commit status was refused \(403/);
    expect((error as Error).message).toContain('statuses: write');
  });
});

describe('trigger-ci: dispatching the workflow on the fix branch', () => {
  it('dispatches the workflow on the branch and links the run', async () => {
    const { fake, target } = await setUp();
    const result = await dispatchWorkflow({
      ...target,
      workflow: 'ci.yml',
      ref: 'ci-medic/abc123',
      serverUrl: 'https://github.com',
    });
    const dispatch = fake.requests.find((r) => r.route === 'dispatch-workflow');
    expect(dispatch?.path).toBe('/repos/acme/shop/actions/workflows/ci.yml/dispatches');
    expect(dispatch?.body).toEqual({ ref: 'ci-medic/abc123' });
    expect(result).toEqual({ url: fake.runs[0].html_url, found: true });
    expect(fake.runs[0]).toMatchObject({ head_branch: 'ci-medic/abc123', workflow: 'ci.yml' });
  });

  it('a workflow that does not exist: a 404 that names the trigger-ci input', async () => {
    const { target } = await setUp();
    const error = await dispatchWorkflow({
      ...target,
      workflow: 'missing.yml',
      ref: 'ci-medic/abc123',
      serverUrl: 'https://github.com',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect((error as Error).message).toMatch(/^Dispatching the trigger-ci workflow failed \(404/);
    expect((error as Error).message).toContain('`trigger-ci`');
    expect((error as Error).message).toContain('workflow_dispatch');
  });

  it('a refused dispatch names actions: write', async () => {
    const { fake, target } = await setUp();
    fake.setFailure('dispatch-workflow', 403);
    const error = await dispatchWorkflow({
      ...target,
      workflow: 'ci.yml',
      ref: 'ci-medic/abc123',
      serverUrl: 'https://github.com',
    }).catch((e: unknown) => e);
    expect((error as Error).message).toContain('actions: write');
  });
});

describe('the inputs', () => {
  const paths = { workspace: '/work/space', runnerTemp: '/runner/temp' };
  const read = (values: Record<string, string>) =>
    readInputs((name) => ({ check: 'npm test', 'anthropic-api-key': 'k', ...values })[name] ?? '', paths);

  it('commit-status defaults to true; trigger-ci takes a workflow file (a .github/workflows/ path is reduced)', () => {
    expect(read({}).settings).toMatchObject({ commitStatus: true, triggerCi: '' });
    expect(read({ 'commit-status': 'false' }).settings.commitStatus).toBe(false);
    expect(read({ 'trigger-ci': '.github/workflows/ci.yml' }).settings.triggerCi).toBe('ci.yml');
    expect(read({ 'trigger-ci': '12345' }).settings.triggerCi).toBe('12345');
  });

  it('a trigger-ci that is not a workflow file is an error naming the input', () => {
    expect(() => read({ 'trigger-ci': 'npm test; curl evil' })).toThrow(
      /^trigger-ci: "npm test; curl evil" is not a workflow file/,
    );
  });
});
