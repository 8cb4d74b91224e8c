// Open the pull request for a repair branch, or update the one already open for it: one pull request per branch
// (per failure fingerprint), however many times the job re-runs.
import { explainGitHubError, type GitHubCallContext, type GitHubStep } from './errors.js';
import { createOctokit, type GitHubClient, type GitHubClientOptions } from './octokit.js';

export { explainGitHubError, isPushPermissionError, type GitHubStep } from './errors.js';

export interface PullRequestOptions {
  token: string;
  /** REST base URL, e.g. https://api.github.com or a GHES/loopback URL. */
  apiUrl: string;
  owner: string;
  repo: string;
  /** The repair branch (in `owner/repo`). */
  head: string;
  base: string;
  title: string;
  body: string;
  labels?: string[];
  draft?: boolean;
  /** Time budget and wait tuning of the client (see createOctokit). */
  client?: Pick<GitHubClientOptions, 'budgetMs' | 'maxRateLimitRetries' | 'retryAfterBaseValue' | 'log'>;
}

export interface PullRequestResult {
  number: number;
  url: string;
  action: 'created' | 'updated';
  /** Set when the pull request is open but the labels could not be added (the step should warn, not fail). */
  labelsError?: string;
}

/** A refusal from GitHub, with a message that says what to change. */
export class GitHubApiError extends Error {
  readonly step: GitHubStep;
  readonly status: number | undefined;
  constructor(step: GitHubStep, cause: unknown, context: GitHubCallContext = {}) {
    super(explainGitHubError(cause, step, context));
    this.name = 'GitHubApiError';
    this.step = step;
    this.status = (cause as { status?: number }).status;
  }
}

export async function openOrUpdatePullRequest(options: PullRequestOptions): Promise<PullRequestResult> {
  const octokit = createOctokit({ token: options.token, apiUrl: options.apiUrl, ...options.client });
  const { owner, repo } = options;
  const context = (): GitHubCallContext => ({
    repository: `${owner}/${repo}`,
    apiUrl: options.apiUrl,
    rateLimit: octokit.rateLimit(),
  });

  let existing = await findOpenPull(octokit, options, context);
  let action: PullRequestResult['action'] = 'updated';
  if (!existing) {
    try {
      const { data } = await octokit.rest.pulls.create({
        owner,
        repo,
        head: options.head,
        base: options.base,
        title: options.title,
        body: options.body,
        draft: options.draft ?? false,
      });
      existing = { number: data.number, url: data.html_url };
      action = 'created';
    } catch (error) {
      // Another run opened it between our look and our create: update that one instead.
      if (!isAlreadyExists(error)) throw new GitHubApiError('create-pr', error, context());
      existing = await findOpenPull(octokit, options, context);
      if (!existing) throw new GitHubApiError('create-pr', error, context());
    }
  }
  if (action === 'updated') {
    try {
      await octokit.rest.pulls.update({
        owner,
        repo,
        pull_number: existing.number,
        title: options.title,
        body: options.body,
      });
    } catch (error) {
      throw new GitHubApiError('update-pr', error, context());
    }
  }

  const result: PullRequestResult = { number: existing.number, url: existing.url, action };
  const labels = [...new Set((options.labels ?? []).map((l) => l.trim()).filter(Boolean))];
  if (labels.length > 0) {
    try {
      await octokit.rest.issues.addLabels({ owner, repo, issue_number: existing.number, labels });
    } catch (error) {
      result.labelsError = explainGitHubError(error, 'labels', context());
    }
  }
  return result;
}

async function findOpenPull(
  octokit: GitHubClient,
  options: PullRequestOptions,
  context: () => GitHubCallContext,
): Promise<{ number: number; url: string } | undefined> {
  try {
    const { data } = await octokit.rest.pulls.list({
      owner: options.owner,
      repo: options.repo,
      head: `${options.owner}:${options.head}`,
      base: options.base,
      state: 'open',
      per_page: 10,
    });
    // The head filter is exact on GitHub; check anyway, a wrong match would overwrite someone's pull request.
    const pull = data.find((p) => p.head.ref === options.head);
    return pull ? { number: pull.number, url: pull.html_url } : undefined;
  } catch (error) {
    throw new GitHubApiError('list-prs', error, context());
  }
}

function isAlreadyExists(error: unknown): boolean {
  const e = error as {
    status?: number;
    message?: string;
    response?: { data?: { errors?: Array<{ message?: string }> } };
  };
  if (e.status !== 422) return false;
  const messages = [e.message ?? '', ...(e.response?.data?.errors ?? []).map((x) => x.message ?? '')];
  return messages.some((m) => /already exists/i.test(m));
}
