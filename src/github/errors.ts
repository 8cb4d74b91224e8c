// Turns GitHub's refusals into a message that names exactly what to change: the job's `permissions:` block or the
// repository setting. Used for the push (git's stderr) and for the REST calls (octokit's RequestError).

export type GitHubStep = 'push' | 'create-pr' | 'update-pr' | 'labels';

const CONTENTS_WRITE =
  'Give the job write access to the repository contents: add\n' +
  '  permissions:\n' +
  '    contents: write\n' +
  'to the job (or the workflow), or pass a token that can push with the `github-token` input.';

const PULL_REQUESTS_WRITE =
  'Give the job permission to open pull requests: add\n' +
  '  permissions:\n' +
  '    contents: write\n' +
  '    pull-requests: write\n' +
  'to the job (or the workflow)';

const ACTIONS_MAY_CREATE_PRS =
  'and enable the repository (or organization) setting "Settings → Actions → General → Workflow permissions → ' +
  'Allow GitHub Actions to create and approve pull requests".';

const ISSUES_WRITE =
  'Labels are added through the issues API: add\n' +
  '  permissions:\n' +
  '    issues: write\n' +
  '    pull-requests: write\n' +
  'to the job, or leave the `labels` input empty.';

/** The HTTP status and message of an octokit RequestError, a GitError or anything else thrown. */
function describe(error: unknown): { status?: number; message: string } {
  if (typeof error !== 'object' || error === null) return { message: String(error) };
  const e = error as {
    status?: unknown;
    message?: unknown;
    stderr?: unknown;
    stdout?: unknown;
    response?: { data?: { message?: unknown } };
  };
  const status = typeof e.status === 'number' ? e.status : undefined;
  // stderr first: its first line is the one worth quoting; stdout holds `push --porcelain`'s per-ref verdicts.
  const parts = [e.response?.data?.message, e.stderr, e.stdout, e.message].filter(
    (p): p is string => typeof p === 'string' && p.trim() !== '',
  );
  return { status, message: parts.join('\n') };
}

/** True when git's output says the server refused the push for lack of permission. */
export function isPushPermissionError(text: string): boolean {
  return (
    /The requested URL returned error: 403/i.test(text) ||
    /Permission to \S+ denied to/i.test(text) ||
    /Write access to repository not granted/i.test(text) ||
    /refusing to allow a GitHub App to create or update workflow/i.test(text)
  );
}

/**
 * A message for a failure at `step` that says what happened and what to change; for errors that are not about
 * permissions, the error's own message with the step named.
 */
export function explainGitHubError(error: unknown, step: GitHubStep): string {
  // Already explained (a PushError or GitHubApiError), or refused by us before git ran (a secret, bad input): as is.
  if (error instanceof Error) {
    const e = error as Error & { explanation?: unknown; status?: unknown; stderr?: unknown };
    if (typeof e.explanation === 'string') return e.explanation;
    if (e.name === 'GitHubApiError' || e.name === 'SecretInDiffError') return e.message;
  }
  const { status, message } = describe(error);
  const firstLine = message.split('\n').find((l) => l.trim()) ?? 'unknown error';
  if (step === 'push') {
    if (/refusing to allow a GitHub App to create or update workflow/i.test(message)) {
      return (
        'The push was refused because the fix changes a file under .github/workflows/, which the job token may not do. ' +
        'GITHUB_TOKEN cannot be given that right: pass a token with the `workflow` scope (or a GitHub App token with ' +
        '"Workflows: write") in the `github-token` input, or add .github/workflows to `protected-paths` so fixes leave it alone.'
      );
    }
    if (status === 403 || isPushPermissionError(message)) {
      return `Pushing the fix was refused (403: ${firstLine.trim()}).\n${CONTENTS_WRITE}`;
    }
    if (status === 401 || /Authentication failed|returned error: 401|could not read Username/i.test(message)) {
      return `Pushing the fix failed to authenticate (${firstLine.trim()}). Check the \`github-token\` input: it must be a valid token for this repository.`;
    }
    if (/stale info|rejected.*\(fetch first\)|non-fast-forward/i.test(message)) {
      return `Pushing the fix was rejected because the branch changed on the remote while ci-medic ran (${firstLine.trim()}). Re-run the job.`;
    }
    return `Pushing the fix failed: ${firstLine.trim()}`;
  }
  if (step === 'create-pr' || step === 'update-pr') {
    const verb = step === 'create-pr' ? 'Creating' : 'Updating';
    if (/not permitted to create or approve pull requests/i.test(message)) {
      return `${verb} the pull request was refused: ${firstLine.trim()}\n${PULL_REQUESTS_WRITE}\n${ACTIONS_MAY_CREATE_PRS}`;
    }
    if (status === 403 || /Resource not accessible by integration/i.test(message)) {
      return `${verb} the pull request was refused (403: ${firstLine.trim()}).\n${PULL_REQUESTS_WRITE}, and if it still fails ${ACTIONS_MAY_CREATE_PRS}`;
    }
    if (status === 401) {
      return `${verb} the pull request failed to authenticate (401: ${firstLine.trim()}). Check the \`github-token\` input.`;
    }
    return `${verb} the pull request failed${status ? ` (${status})` : ''}: ${firstLine.trim()}`;
  }
  if (status === 403 || /Resource not accessible by integration/i.test(message)) {
    return `Adding labels to the pull request was refused (403: ${firstLine.trim()}).\n${ISSUES_WRITE}`;
  }
  return `Adding labels to the pull request failed${status ? ` (${status})` : ''}: ${firstLine.trim()}`;
}
