// openOrUpdatePullRequest against the GitHub stand-in (real octokit over real HTTP), and the permission messages.
import { beforeEach, describe, expect, it } from 'vitest';
import { explainGitHubError, GitHubApiError, openOrUpdatePullRequest } from '../../src/github/pull-request.js';
import { FAKE_GITHUB_TOKEN, startFakeGitHub, type FakeGitHub } from '../fakes/github.js';
import { cleanUpAfterEach } from '../helpers/cleanup.js';

let fake: FakeGitHub;
const closeLater = cleanUpAfterEach();
beforeEach(async () => {
  fake = closeLater(await startFakeGitHub());
});

function options(extra: Partial<Parameters<typeof openOrUpdatePullRequest>[0]> = {}) {
  return {
    token: FAKE_GITHUB_TOKEN,
    apiUrl: fake.url,
    owner: 'acme',
    repo: 'shop',
    head: 'ci-medic/0123abcd4567',
    base: 'main',
    title: 'ci-medic: fix `npm test`',
    body: 'first body',
    labels: ['ci-medic', 'automated'],
    ...extra,
  };
}

describe('openOrUpdatePullRequest', () => {
  it('creates the pull request, then updates the same one on a re-run (no duplicate), with labels', async () => {
    const created = await openOrUpdatePullRequest(options());
    expect(created).toEqual({ number: 1, url: 'https://github.com/acme/shop/pull/1', action: 'created' });
    const create = fake.requests.find((r) => r.route === 'create-pull');
    expect(create?.body).toEqual({
      head: 'ci-medic/0123abcd4567',
      base: 'main',
      title: 'ci-medic: fix `npm test`',
      body: 'first body',
      draft: false,
    });
    expect(fake.requests.find((r) => r.route === 'list-pulls')?.query).toMatchObject({
      head: 'acme:ci-medic/0123abcd4567',
      state: 'open',
    });

    const updated = await openOrUpdatePullRequest(options({ title: 'second title', body: 'second body' }));
    expect(updated).toEqual({ number: 1, url: 'https://github.com/acme/shop/pull/1', action: 'updated' });
    expect(fake.pulls).toHaveLength(1);
    expect(fake.pulls[0]).toMatchObject({ title: 'second title', body: 'second body', state: 'open' });
    expect(fake.pulls[0].labels.map((l) => l.name)).toEqual(['ci-medic', 'automated']);
    expect(fake.requests.filter((r) => r.route === 'create-pull')).toHaveLength(1);
    expect(fake.requests.every((r) => r.headers.authorization === `token ${FAKE_GITHUB_TOKEN}`)).toBe(true);
  });

  it('opens a draft when asked, and a new one once the old one is closed', async () => {
    await openOrUpdatePullRequest(options({ draft: true, labels: [] }));
    expect(fake.pulls[0].draft).toBe(true);
    expect(fake.requests.some((r) => r.route === 'add-labels')).toBe(false);
    fake.pulls[0].state = 'closed';
    const again = await openOrUpdatePullRequest(options());
    expect(again).toMatchObject({ number: 2, action: 'created' });
  });

  it('updates the pull request another run opened between our look and our create (422 already exists)', async () => {
    await openOrUpdatePullRequest(options());
    fake.setFailure('list-pulls', 200, [], 1); // our first look sees nothing
    const result = await openOrUpdatePullRequest(options({ body: 'raced' }));
    expect(result).toMatchObject({ number: 1, action: 'updated' });
    expect(fake.pulls).toHaveLength(1);
    expect(fake.pulls[0].body).toBe('raced');
  });

  it('explains a refused creation: the permissions block and the repository setting', async () => {
    fake.setFailure('create-pull', 403);
    const error = await openOrUpdatePullRequest(options()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    const message = (error as Error).message;
    expect(message).toContain('GitHub Actions is not permitted to create or approve pull requests.');
    expect(message).toContain('pull-requests: write');
    expect(message).toContain(
      'Settings → Actions → General → Workflow permissions → Allow GitHub Actions to create and approve pull requests',
    );
  });

  it('reports a label failure without failing the pull request', async () => {
    fake.setFailure('add-labels', 403);
    const result = await openOrUpdatePullRequest(options());
    expect(result.action).toBe('created');
    expect(result.labelsError).toContain('issues: write');
  });

  it('names the github-token input when the token is refused', async () => {
    const error = await openOrUpdatePullRequest(options({ token: 'ghs_notTheRightToken' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect((error as GitHubApiError).status).toBe(401);
    expect((error as Error).message).toContain('github-token');
  });
});

describe('explainGitHubError', () => {
  it('names contents: write for a push git refused with 403', () => {
    for (const stderr of [
      "remote: Permission to acme/shop.git denied to github-actions[bot].\nfatal: unable to access 'https://github.com/acme/shop/': The requested URL returned error: 403",
      "fatal: unable to access 'https://github.com/acme/shop/': The requested URL returned error: 403",
    ]) {
      const message = explainGitHubError({ message: 'git push failed', stderr }, 'push');
      expect(message).toContain('permissions:\n    contents: write');
    }
    expect(explainGitHubError({ status: 403, message: 'Resource not accessible by integration' }, 'push')).toContain(
      'contents: write',
    );
  });

  it('says what to do for a workflow-file push, a stale lease and a plain failure', () => {
    expect(
      explainGitHubError(
        {
          stderr:
            '! [remote rejected] x -> x (refusing to allow a GitHub App to create or update workflow `.github/workflows/ci.yml` without `workflows` permission)',
        },
        'push',
      ),
    ).toContain('protected-paths');
    expect(explainGitHubError({ stderr: ' ! [rejected] x -> x (stale info)' }, 'push')).toContain(
      'Another job is updating the same repair branch',
    );
    expect(explainGitHubError(new Error('boom'), 'labels')).toBe('Adding labels to the pull request failed: boom');
    // Explaining an explained error does not wrap it again.
    const once = explainGitHubError({ stderr: 'fatal: The requested URL returned error: 403' }, 'push');
    expect(explainGitHubError(Object.assign(new Error(once), { explanation: once }), 'push')).toBe(once);
  });
});
