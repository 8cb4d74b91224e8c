// After the push: what the Action does so the repair pull request does not sit with an empty check list (a PR opened
// with the default GITHUB_TOKEN starts no workflow). Both steps warn rather than fail: the fix is pushed either way.
import * as core from '@actions/core';
import { dispatchWorkflow, setVerifyStatus } from '../github/checks.js';
import type { ActionSettings } from './inputs.js';

export interface CiOnFixInput {
  settings: Pick<ActionSettings, 'githubToken' | 'commitStatus' | 'triggerCi'>;
  apiUrl: string;
  serverUrl: string;
  owner: string;
  repo: string;
  branch: string;
  sha: string;
  /** False when another job (or an earlier run) had pushed this very fix: that one dispatched its CI. */
  pushed: boolean;
  verification: { command: string; exitCode: number | null } | undefined;
  cleanWorktree: boolean;
  runUrl: string | undefined;
  redact: (text: string) => string;
}

/** Sets the ci-medic/verify status and dispatches `trigger-ci`; resolves to the dispatched run's link, if any. */
export async function ciOnFix(input: CiOnFixInput): Promise<string | undefined> {
  const { settings } = input;
  if (!settings.githubToken) return undefined;
  const target = {
    token: settings.githubToken,
    apiUrl: input.apiUrl,
    owner: input.owner,
    repo: input.repo,
    client: { log: (message: string) => core.info(message) },
  };
  if (settings.commitStatus && input.verification) {
    try {
      await setVerifyStatus({
        ...target,
        sha: input.sha,
        command: input.redact(input.verification.command),
        exitCode: input.verification.exitCode,
        cleanWorktree: input.cleanWorktree,
        runUrl: input.runUrl,
      });
    } catch (error) {
      core.warning(input.redact((error as Error).message), { title: 'ci-medic: no commit status' });
    }
  }
  if (!settings.triggerCi) return undefined;
  if (!input.pushed) {
    core.info(
      `ci-medic: ${input.branch} already held this fix; the job that pushed it dispatched ${settings.triggerCi}.`,
    );
    return undefined;
  }
  try {
    const run = await dispatchWorkflow({
      ...target,
      workflow: settings.triggerCi,
      ref: input.branch,
      serverUrl: input.serverUrl,
    });
    core.notice(`ci-medic dispatched ${settings.triggerCi} on ${input.branch}: ${run.url}`, {
      title: 'ci-medic triggered CI on the fix',
    });
    return run.url;
  } catch (error) {
    core.warning(input.redact((error as Error).message), { title: 'ci-medic: trigger-ci failed' });
    return undefined;
  }
}
