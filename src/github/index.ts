// The GitHub room: git branch/commit/push, the pull request, checkout's persisted credentials, failure fingerprints.
export {
  commitAndPush,
  PushError,
  SecretInDiffError,
  type CommitAndPushOptions,
  type CommitAndPushResult,
} from './branch.js';
export {
  authConfigEnv,
  authHeaderFor,
  authSecretsFor,
  configEnv,
  removeCheckoutCredentials,
  withoutCheckoutCredentials,
  type ConfigEntry,
  type RemovedCredentials,
} from './credentials.js';
export { explainGitHubError, isPushPermissionError, type GitHubStep } from './errors.js';
export { failureFingerprint, normaliseFailureText, repairBranchName, type FailureIdentity } from './fingerprint.js';
export {
  createGit,
  GitError,
  parseStatusZ,
  type Git,
  type GitOptions,
  type GitResult,
  type StatusEntry,
} from '../git/index.js';
export { MAX_BODY_LENGTH, pullRequestTitle, renderPullRequestBody, type PullRequestBodyInput } from './pr-body.js';
export {
  GitHubApiError,
  openOrUpdatePullRequest,
  type PullRequestOptions,
  type PullRequestResult,
} from './pull-request.js';
