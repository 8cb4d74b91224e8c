// The first step of delivering a verified fix, the same for the Action and the demo: the failure's fingerprint names
// the repair branch (a re-run of the same failure reaches the same branch), the pull request's title heads the commit
// message, and the fix is committed onto its base commit and pushed.
import type { RepairResult } from '../agent/index.js';
import type { Redactor } from '../redact.js';
import { commitAndPush, type CommitAndPushOptions, type CommitAndPushResult } from './branch.js';
import { failureFingerprint, repairBranchName } from './fingerprint.js';
import { pullRequestTitle } from './pr-body.js';

export interface FixBranchOptions extends Pick<
  CommitAndPushOptions,
  'author' | 'remote' | 'token' | 'serverUrl' | 'env'
> {
  /** The loop's result for `check` in `workdir`: verified, with the files it changed. */
  result: RepairResult;
  check: string;
  workdir: string;
  /** Where the failure happened, for its fingerprint: the workflow, the job and the branch the fix is for. */
  workflow: string;
  job: string;
  baseBranch: string;
  /** Prefix of the repair branch, like `ci-medic/`. */
  branchPrefix: string;
  redactor: Redactor;
}

export interface FixBranch extends CommitAndPushResult {
  fingerprint: string;
  /** The fingerprint's branch; `branch` differs when that one held other people's commits. */
  requestedBranch: string;
  /** The pull request's title, also the commit's subject. */
  title: string;
}

/** Commit the fix to its fingerprint's branch and push it; throws what commitAndPush throws (PushError, …). */
export async function pushFixBranch(options: FixBranchOptions): Promise<FixBranch> {
  const { result, check, redactor } = options;
  const fingerprint = failureFingerprint({
    workflow: options.workflow,
    job: options.job,
    baseBranch: options.baseBranch,
    check,
    failureText: result.initialFailure.excerpt,
  });
  const title = pullRequestTitle({ check, result, redactor });
  const requestedBranch = repairBranchName(options.branchPrefix, fingerprint);
  const pushed = await commitAndPush({
    workdir: options.workdir,
    env: options.env,
    baseCommit: result.baseCommit,
    files: result.changedFiles,
    branch: requestedBranch,
    message: redactor.redact(`${title}\n\n${result.explanation}`.trim()),
    author: options.author,
    remote: options.remote,
    token: options.token,
    serverUrl: options.serverUrl,
    redactor,
  });
  return { ...pushed, fingerprint, requestedBranch, title };
}
