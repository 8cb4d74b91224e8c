// Turns GitHub's refusals into a message that names exactly what to change: the job's `permissions:` block, the
// repository setting, the token, or — for a rate limit — nothing but time. Used for the push (git's stderr) and for
// the REST calls (octokit's RequestError). Each call is named for what it was.

export type GitHubStep =
  'push' | 'list-prs' | 'create-pr' | 'update-pr' | 'labels' | 'commit-status' | 'dispatch-workflow';

/** What the call was, in the words of a message: "Listing the open pull requests failed …". */
const STEP_WORDS: Record<Exclude<GitHubStep, 'push'>, string> = {
  'list-prs': 'Listing the open pull requests',
  'create-pr': 'Creating the pull request',
  'update-pr': 'Updating the pull request',
  labels: 'Adding labels to the pull request',
  'commit-status': 'Setting the ci-medic/verify commit status',
  'dispatch-workflow': 'Dispatching the trigger-ci workflow',
};

/** Where the call went, so a 404 can name what to check. */
export interface GitHubCallContext {
  /** `owner/repo`. */
  repository?: string;
  apiUrl?: string;
  /** The rate-limit waits the client made before it gave up (see createOctokit). */
  rateLimit?: RateLimitRecord;
}

export interface RateLimitRecord {
  kind: 'primary' | 'secondary';
  /** Retries made after rate-limit answers. */
  retries: number;
  /** Seconds GitHub asked to wait on its last answer. */
  lastRetryAfterSeconds: number;
  /** Why the client stopped waiting. */
  gaveUp?: 'budget' | 'retries';
}

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
    response?: { data?: { message?: unknown; errors?: unknown } };
  };
  const status = typeof e.status === 'number' ? e.status : undefined;
  // stderr first: its first line is the one worth quoting; stdout holds `push --porcelain`'s per-ref verdicts.
  const parts = [e.response?.data?.message, e.stderr, e.stdout, e.message].filter(
    (p): p is string => typeof p === 'string' && p.trim() !== '',
  );
  return { status, message: parts.join('\n') };
}

/** GitHub's own `errors[].message` (and the field each names) of a 422, joined; '' when there are none. */
export function validationMessages(error: unknown): string {
  const errors = (error as { response?: { data?: { errors?: unknown } } } | null)?.response?.data?.errors;
  if (!Array.isArray(errors)) return '';
  return errors
    .map((e: unknown) => {
      if (typeof e === 'string') return e;
      const x = e as { message?: unknown; field?: unknown; code?: unknown };
      if (typeof x.message === 'string' && x.message) return x.message;
      return [x.field, x.code].filter((p) => typeof p === 'string').join(' ');
    })
    .filter(Boolean)
    .join('; ');
}

/** True when GitHub's answer is a rate limit (primary: remaining 0; secondary: its message), not a permission refusal. */
export function isRateLimited(error: unknown): 'primary' | 'secondary' | undefined {
  const e = error as {
    status?: unknown;
    message?: unknown;
    response?: { headers?: Record<string, unknown>; data?: { message?: unknown } };
  } | null;
  if (!e || (e.status !== 403 && e.status !== 429)) return undefined;
  const text = `${String(e.response?.data?.message ?? '')} ${String(e.message ?? '')}`;
  if (/secondary rate limit/i.test(text)) return 'secondary';
  if (String(e.response?.headers?.['x-ratelimit-remaining'] ?? '') === '0' || /rate limit exceeded/i.test(text)) {
    return 'primary';
  }
  return e.status === 429 ? 'secondary' : undefined;
}

function rateLimitMessage(error: unknown, step: GitHubStep, context: GitHubCallContext): string {
  const kind = isRateLimited(error) ?? 'primary';
  const record = context.rateLimit;
  const headers = (error as { response?: { headers?: Record<string, unknown> } }).response?.headers ?? {};
  const reset = Number(headers['x-ratelimit-reset']);
  const when =
    kind === 'primary' && Number.isFinite(reset) && reset > 0
      ? ` The limit resets at ${new Date(reset * 1000).toISOString().replace(/\.\d+Z$/, 'Z')}.`
      : record?.lastRetryAfterSeconds
        ? ` GitHub asked to wait ${record.lastRetryAfterSeconds} s.`
        : '';
  const waited = record?.retries
    ? ` ci-medic waited and retried ${record.retries} time${record.retries === 1 ? '' : 's'}${
        record.gaveUp === 'budget' ? ' until the next wait would not fit in the time left' : ''
      }.`
    : record?.gaveUp === 'budget'
      ? ' The wait GitHub asked for does not fit in the time left, so ci-medic did not wait.'
      : '';
  const what = step === 'push' ? 'Pushing the fix' : STEP_WORDS[step];
  const limit =
    kind === 'secondary'
      ? "GitHub's secondary rate limit (too many requests in a short time, often from parallel jobs)"
      : "GitHub's API rate limit for this token";
  return (
    `${what} failed: ${limit} was reached.${waited}${when} ` +
    'This is not a permission problem: re-run the job once the limit has reset, or spread parallel jobs out.'
  );
}

function notFoundMessage(step: GitHubStep, firstLine: string, context: GitHubCallContext): string {
  const what = step === 'push' ? 'Pushing the fix' : STEP_WORDS[step];
  const repository = context.repository ? `the repository ${context.repository}` : 'the repository (GITHUB_REPOSITORY)';
  const api = context.apiUrl ? `GITHUB_API_URL (${context.apiUrl})` : 'GITHUB_API_URL';
  const extra =
    step === 'dispatch-workflow'
      ? ' and that the workflow file named in `trigger-ci` exists on the default branch with a `workflow_dispatch:` trigger'
      : '';
  return (
    `${what} failed (404: ${firstLine}). Check ${repository}: that it exists${extra}; ` +
    'that the token in `github-token` can see it (a fine-grained token must have this repository selected, and GitHub ' +
    `answers 404 rather than 403 for a repository a token cannot read); and that ${api} points at the server that ` +
    'hosts it (GitHub Enterprise Server: https://HOST/api/v3).'
  );
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
export function explainGitHubError(error: unknown, step: GitHubStep, context: GitHubCallContext = {}): string {
  // Already explained (a PushError or GitHubApiError), or refused by us before git ran (a secret, bad input): as is.
  if (error instanceof Error) {
    const e = error as Error & { explanation?: unknown; status?: unknown; stderr?: unknown };
    if (typeof e.explanation === 'string') return e.explanation;
    if (e.name === 'GitHubApiError' || e.name === 'SecretInDiffError') return e.message;
  }
  const { status, message } = describe(error);
  const firstLine = (message.split('\n').find((l) => l.trim()) ?? 'unknown error').trim();
  if (step !== 'push' && isRateLimited(error)) return rateLimitMessage(error, step, context);
  if (step !== 'push' && status === 404) return notFoundMessage(step, firstLine, context);
  if (step !== 'push' && status === 422) {
    const details = validationMessages(error);
    return `${STEP_WORDS[step]} was refused (422: ${firstLine}${details ? `: ${details}` : ''}).`;
  }
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
    if (refusesForcePush(message)) {
      return (
        `Pushing the fix was refused: the server does not accept non-fast-forward (force) pushes to this branch ` +
        `(${firstLine.trim()}). ci-medic replaces its own fix commit when a later run finds a new fix, so it needs ` +
        'force pushes on its repair branches: allow them for branches matching the `branch-prefix` (branch ' +
        'protection or ruleset: "Allow force pushes", or receive.denyNonFastForwards=false on a self-hosted git ' +
        'server), or set `branch-prefix` to a namespace without that rule.'
      );
    }
    if (/stale info|rejected.*\(fetch first\)/i.test(message)) {
      return `Pushing the fix was rejected because the branch changed on the remote while ci-medic ran, twice in a row (${firstLine.trim()}). Another job is updating the same repair branch; its pull request holds a verified fix too.`;
    }
    return `Pushing the fix failed: ${firstLine.trim()}`;
  }
  if (step === 'create-pr' || step === 'update-pr' || step === 'list-prs') {
    const verb = STEP_WORDS[step].split(' ')[0];
    const object = step === 'list-prs' ? 'the open pull requests' : 'the pull request';
    if (/not permitted to create or approve pull requests/i.test(message)) {
      return `${verb} ${object} was refused: ${firstLine.trim()}\n${PULL_REQUESTS_WRITE}\n${ACTIONS_MAY_CREATE_PRS}`;
    }
    if (status === 403 || /Resource not accessible by integration/i.test(message)) {
      return `${verb} ${object} was refused (403: ${firstLine.trim()}).\n${PULL_REQUESTS_WRITE}, and if it still fails ${ACTIONS_MAY_CREATE_PRS}`;
    }
    if (status === 401) {
      return `${verb} ${object} failed to authenticate (401: ${firstLine.trim()}). Check the \`github-token\` input.`;
    }
    return `${verb} ${object} failed${status ? ` (${status})` : ''}: ${firstLine.trim()}`;
  }
  if (step === 'commit-status' || step === 'dispatch-workflow') {
    const permission = step === 'commit-status' ? 'statuses: write' : 'actions: write';
    if (status === 403 || status === 401 || /Resource not accessible by integration/i.test(message)) {
      return `${STEP_WORDS[step]} was refused (${status ?? 403}: ${firstLine}). Give the job \`permissions:\` \`${permission}\`, or pass a token that has it in \`github-token\`.`;
    }
    return `${STEP_WORDS[step]} failed${status ? ` (${status})` : ''}: ${firstLine}`;
  }
  if (status === 403 || /Resource not accessible by integration/i.test(message)) {
    return `Adding labels to the pull request was refused (403: ${firstLine.trim()}).\n${ISSUES_WRITE}`;
  }
  return `Adding labels to the pull request failed${status ? ` (${status})` : ''}: ${firstLine.trim()}`;
}

/** True when git's output says the server refuses non-fast-forward updates (not a lease that went stale). */
export function refusesForcePush(text: string): boolean {
  return (
    /denying non-fast-forward/i.test(text) ||
    /Cannot force-push to this (?:branch|protected branch)/i.test(text) ||
    /non_fast_forward|non-fast-forward.*(?:rule|protected|not allowed)/i.test(text) ||
    /force push(?:es)? (?:is |are )?not allowed/i.test(text)
  );
}
