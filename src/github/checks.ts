// CI on the repair pull request. A pull request opened with the default GITHUB_TOKEN starts no workflow (GitHub's rule
// against recursive runs), so with that token ci-medic does what it can itself: a commit status `ci-medic/verify` on
// the fix commit saying what it verified (the PR never shows an empty check list), and on request a
// workflow_dispatch of the project's own CI workflow on the fix branch (dispatches are exempt from that rule).
import { clip } from '../markdown.js';
import { GitHubApiError } from './pull-request.js';
import type { GitHubCallContext } from './errors.js';
import { createOctokit, type GitHubClientOptions } from './octokit.js';

export const VERIFY_STATUS_CONTEXT = 'ci-medic/verify';
/** GitHub's limit for a status description. */
const MAX_STATUS_DESCRIPTION = 140;

export interface RepositoryTarget {
  token: string;
  apiUrl: string;
  owner: string;
  repo: string;
  client?: Pick<GitHubClientOptions, 'budgetMs' | 'maxRateLimitRetries' | 'retryAfterBaseValue' | 'log'>;
}

export interface VerifyStatusOptions extends RepositoryTarget {
  /** The fix commit. */
  sha: string;
  /** The verification ci-medic ran itself. */
  command: string;
  exitCode: number | null;
  /** True when the check also passed in a clean worktree of the base commit with only the diff applied. */
  cleanWorktree: boolean;
  /** The workflow run that made the fix. */
  runUrl?: string;
}

/** The one line a reviewer sees beside the check: what ran, how it ended, and where. */
export function verifyStatusDescription(options: Pick<VerifyStatusOptions, 'command' | 'exitCode' | 'cleanWorktree'>): {
  state: 'success' | 'failure';
  description: string;
} {
  const ended = options.exitCode === null ? 'did not finish' : `exited ${options.exitCode}`;
  const where = options.cleanWorktree
    ? 'in the workspace and a clean worktree'
    : 'in the workspace (no clean worktree)';
  const fixed = `${ended} ${where}, re-run by ci-medic`;
  const command = clip(options.command.replace(/\s+/g, ' ').trim(), MAX_STATUS_DESCRIPTION - fixed.length - 3);
  return {
    state: options.exitCode === 0 ? 'success' : 'failure',
    description: clip(`${command} ${fixed}`, MAX_STATUS_DESCRIPTION),
  };
}

export async function setVerifyStatus(options: VerifyStatusOptions): Promise<void> {
  const octokit = createOctokit({ token: options.token, apiUrl: options.apiUrl, ...options.client });
  const { state, description } = verifyStatusDescription(options);
  try {
    await octokit.rest.repos.createCommitStatus({
      owner: options.owner,
      repo: options.repo,
      sha: options.sha,
      state,
      context: VERIFY_STATUS_CONTEXT,
      description,
      ...(options.runUrl ? { target_url: options.runUrl } : {}),
    });
  } catch (error) {
    throw new GitHubApiError('commit-status', error, context(options, octokit.rateLimit()));
  }
}

export interface DispatchOptions extends RepositoryTarget {
  /** The workflow file name (`ci.yml`) or id. */
  workflow: string;
  /** The fix branch. */
  ref: string;
  /** e.g. https://github.com, for the link when the run cannot be found yet. */
  serverUrl: string;
  /** How long to look for the dispatched run before linking the workflow's runs instead. Default 10 s. */
  findRunMs?: number;
}

export interface DispatchResult {
  /** The dispatched run, or the workflow's runs on the branch when the run did not show up in time. */
  url: string;
  found: boolean;
}

export async function dispatchWorkflow(options: DispatchOptions): Promise<DispatchResult> {
  const octokit = createOctokit({ token: options.token, apiUrl: options.apiUrl, ...options.client });
  const target = { owner: options.owner, repo: options.repo, workflow_id: options.workflow };
  const since = Date.now() - 5_000; // runs created from now on (with a little clock skew)
  try {
    await octokit.rest.actions.createWorkflowDispatch({ ...target, ref: options.ref });
  } catch (error) {
    throw new GitHubApiError('dispatch-workflow', error, context(options, octokit.rateLimit()));
  }
  // The dispatch answers 204 without the run; it appears in the list a moment later.
  const deadline = Date.now() + (options.findRunMs ?? 10_000);
  for (;;) {
    const runs = await octokit.rest.actions
      .listWorkflowRuns({ ...target, branch: options.ref, event: 'workflow_dispatch', per_page: 5 })
      .then((r) => r.data.workflow_runs)
      .catch(() => []);
    const run = runs.find((r) => Date.parse(r.created_at) >= since);
    if (run) return { url: run.html_url, found: true };
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  const server = options.serverUrl.replace(/\/+$/, '');
  const query = encodeURIComponent(`branch:${options.ref}`);
  return {
    url: `${server}/${options.owner}/${options.repo}/actions/workflows/${encodeURIComponent(options.workflow)}?query=${query}`,
    found: false,
  };
}

function context(options: RepositoryTarget, rateLimit: GitHubCallContext['rateLimit']): GitHubCallContext {
  return { repository: `${options.owner}/${options.repo}`, apiUrl: options.apiUrl, rateLimit };
}
