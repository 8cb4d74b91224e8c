// A verified fix delivered: commit and push to the fix branch, CI on it, then the pull request opened or updated.
import * as core from '@actions/core';
import type { RepairResult } from '../agent/index.js';
import { pushFixBranch, type FixBranch } from '../github/fix-branch.js';
import { renderPullRequestBody } from '../github/pr-body.js';
import { explainGitHubError, openOrUpdatePullRequest } from '../github/pull-request.js';
import { type EventDecision } from './event.js';
import { reproduceCommand } from '../github/reproduce.js';
import { ciOnFix } from './ci-on-fix.js';
import { setResult, type Run } from './run-state.js';

export async function deliverFix(
  state: Run,
  decision: Extract<EventDecision, { action: 'run' }>,
  result: RepairResult,
): Promise<void> {
  const { config, settings } = state.inputs;
  const { env, redactor } = state;
  const redact = (text: string): string => redactor.redact(text);
  const [owner = '', repo = ''] = (env.GITHUB_REPOSITORY ?? '').split('/');

  let pushed: FixBranch;
  try {
    pushed = await pushFixBranch({
      result,
      check: config.check,
      workdir: config.workdir,
      env,
      workflow: env.GITHUB_WORKFLOW ?? '',
      job: env.GITHUB_JOB ?? '',
      baseBranch: decision.base,
      branchPrefix: settings.branchPrefix,
      author: settings.commitAuthor,
      remote: 'origin',
      token: settings.githubToken || undefined,
      serverUrl: env.GITHUB_SERVER_URL || 'https://github.com',
      redactor,
    });
  } catch (error) {
    setResult(state, 'error', `the fix was verified but not pushed: ${explainGitHubError(error, 'push')}`);
    state.failure = explainGitHubError(error, 'push');
    return;
  }
  // Another job's same fix, a branch that held someone's commits (diverted), a replaced fix: said, never silent.
  for (const note of pushed.notes) core.info(redact(`ci-medic: ${note}.`));
  if (pushed.branch !== pushed.requestedBranch) {
    core.warning(redact(pushed.notes.join('; ')), { title: 'ci-medic used another branch' });
  }
  const { branch, fingerprint, title, commit: sha } = pushed;
  state.outputs.branch = branch;
  state.summary.branch = branch;
  state.summary.ciRunUrl = await ciOnFix({
    settings,
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
    serverUrl: env.GITHUB_SERVER_URL || 'https://github.com',
    owner,
    repo,
    branch,
    sha,
    pushed: pushed.pushed,
    verification: result.verification,
    // Until the loop reports it, the clean-worktree verification runs when a setup command is given.
    cleanWorktree: Boolean(config.setup),
    runUrl: state.summary.runUrl,
    redact,
  });

  if (settings.pullRequest === 'none') {
    core.notice(`ci-medic pushed the verified fix to ${branch} (pull-request: none).`, {
      title: 'ci-medic fixed the failure',
    });
    return;
  }
  let step: 'create-pr' | 'update-pr' = 'create-pr';
  try {
    const body = renderPullRequestBody({
      result,
      check: config.check,
      runUrl: state.summary.runUrl,
      artifactUrl: state.summary.artifactUrl,
      reproduceCommand: reproduceCommand(config),
      baseBranch: decision.base,
      model: config.model,
      fingerprint,
      redactor,
    });
    const pr = await openOrUpdatePullRequest({
      token: settings.githubToken,
      apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
      owner,
      repo,
      head: branch,
      base: decision.base,
      title,
      body,
      labels: settings.labels,
      draft: settings.pullRequest === 'draft',
      client: { log: (message) => core.info(message) },
    });
    step = pr.action === 'updated' ? 'update-pr' : 'create-pr';
    if (pr.labelsError) core.warning(redact(pr.labelsError));
    state.outputs['pr-url'] = pr.url;
    state.outputs['pr-number'] = String(pr.number);
    state.summary.pullRequest = { url: pr.url, number: pr.number, action: pr.action };
    core.notice(`ci-medic ${pr.action} pull request #${pr.number}: ${pr.url}`, { title: 'ci-medic fixed the failure' });
  } catch (error) {
    const why = explainGitHubError(error, step);
    setResult(state, 'error', `the fix was pushed to ${branch} but the pull request failed: ${why}`);
    state.failure = why;
  }
}
