// GitHub's bad days, delivered by the stand-in over real HTTP to the real octokit with its retry and throttling
// plugins: rate limits wait and retry inside the budget, then fail saying it was the rate limit; a 404 names what
// to check; a 422 carries GitHub's own errors[].message; each failed call is named for what it was.
import { beforeEach, describe, expect, it } from 'vitest';
import { GitHubApiError, openOrUpdatePullRequest, type PullRequestOptions } from '../../src/github/pull-request.js';
import { FAKE_GITHUB_TOKEN, startFakeGitHub, type FakeGitHub } from '../fakes/github.js';
import { cleanUpAfterEach } from '../helpers/cleanup.js';

let fake: FakeGitHub;
const closeLater = cleanUpAfterEach();
beforeEach(async () => {
  fake = closeLater(await startFakeGitHub());
});

/** 10 ms per second of retry-after: the plugins' own knob, so the waits are real but short. */
const FAST = 10;

function options(client: PullRequestOptions['client'] = {}): PullRequestOptions {
  return {
    token: FAKE_GITHUB_TOKEN,
    apiUrl: fake.url,
    owner: 'acme',
    repo: 'shop',
    head: 'ci-medic/0123abcd4567',
    base: 'main',
    title: 'ci-medic: fix `npm test`',
    body: 'body',
    client: { retryAfterBaseValue: FAST, ...client },
  };
}

async function failure(promise: Promise<unknown>): Promise<GitHubApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GitHubApiError);
  return error as GitHubApiError;
}

const routes = (route: string): number => fake.requests.filter((r) => r.route === route).length;

describe('rate limits', () => {
  it('waits out a primary rate limit (403, x-ratelimit-remaining: 0) and goes on', async () => {
    fake.rateLimit('list-pulls', { times: 2, resetInSeconds: 2 });
    const waits: string[] = [];
    const started = Date.now();
    const result = await openOrUpdatePullRequest(options({ log: (m) => waits.push(m) }));
    expect(result.action).toBe('created');
    expect(routes('list-pulls')).toBe(3);
    expect(waits).toHaveLength(2);
    expect(waits[0]).toMatch(/rate limit on GET .*\/pulls.*waiting \d+ s/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('waits out a secondary rate limit as its retry-after says', async () => {
    fake.secondaryRateLimit('create-pull', { times: 1, retryAfterSeconds: 30 });
    const waits: string[] = [];
    const started = Date.now();
    const result = await openOrUpdatePullRequest(options({ log: (m) => waits.push(m) }));
    expect(result.action).toBe('created');
    expect(routes('create-pull')).toBe(2);
    expect(waits).toEqual([expect.stringContaining('secondary rate limit on POST')]);
    expect(waits[0]).toContain('waiting 30 s');
    // 30 "seconds" at 10 ms each: waited for real, and briefly.
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('gives up after its retries and says it was the rate limit, not permissions', async () => {
    fake.rateLimit('list-pulls');
    const started = Date.now();
    const error = await failure(openOrUpdatePullRequest(options()));
    expect(routes('list-pulls')).toBe(4); // the first try and three waits
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(error.message).toMatch(/^Listing the open pull requests failed: GitHub's API rate limit/);
    expect(error.message).toContain('waited and retried 3 times');
    expect(error.message).toContain('The limit resets at');
    expect(error.message).toContain('not a permission problem');
    expect(error.message).not.toMatch(/permissions:|pull-requests: write|Settings →/);
  });

  it('does not wait when the wait would not fit in the time budget', async () => {
    fake.secondaryRateLimit('create-pull', { retryAfterSeconds: 600 });
    const started = Date.now();
    // Production's one second per second: had it waited, this would take ten minutes.
    const error = await failure(openOrUpdatePullRequest(options({ budgetMs: 60_000, retryAfterBaseValue: 1000 })));
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(routes('create-pull')).toBe(1);
    expect(error.message).toMatch(/^Creating the pull request failed: GitHub's secondary rate limit/);
    expect(error.message).toContain('does not fit in the time left');
    expect(error.message).toContain('GitHub asked to wait 600 s');
  });

  it('retries a server error (502) with plugin-retry and goes on', async () => {
    fake.setFailure('update-pull', 502, undefined, 2);
    await openOrUpdatePullRequest(options());
    await openOrUpdatePullRequest(options());
    expect(routes('update-pull')).toBe(3);
    expect(fake.pulls[0].body).toBe('body');
  });
});

describe('refusals named for what they were', () => {
  it('a 404 names the repository, the token and GITHUB_API_URL', async () => {
    fake.setFailure('list-pulls', 404);
    const error = await failure(openOrUpdatePullRequest(options()));
    expect(routes('list-pulls')).toBe(1); // a 404 is not retried
    expect(error.message).toMatch(/^Listing the open pull requests failed \(404: Not Found\)/);
    expect(error.message).toContain('acme/shop');
    expect(error.message).toContain('github-token');
    expect(error.message).toContain(`GITHUB_API_URL (${fake.url})`);
  });

  it("a 422 carries GitHub's own errors[].message", async () => {
    fake.setFailure('create-pull', 422, {
      message: 'Validation Failed',
      errors: [{ resource: 'PullRequest', code: 'custom', message: "head sha can't be blank" }],
      documentation_url: 'https://docs.github.com/rest',
    });
    const error = await failure(openOrUpdatePullRequest(options()));
    expect(error.message).toBe(
      "Creating the pull request was refused (422: Validation Failed: head sha can't be blank).",
    );
  });

  it('a failed update is "updating", a failed list is "listing", never "creating"', async () => {
    await openOrUpdatePullRequest(options());
    fake.setFailure('update-pull', 403);
    expect((await failure(openOrUpdatePullRequest(options()))).message).toMatch(
      /^Updating the pull request was refused/,
    );
    fake.clearFailure('update-pull');
    fake.setFailure('list-pulls', 500);
    const error = await failure(openOrUpdatePullRequest(options({ retryAfterBaseValue: 1 })));
    expect(error.message).toMatch(/^Listing the open pull requests failed \(500\)/);
  });
});
