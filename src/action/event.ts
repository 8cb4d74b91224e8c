// Which branch a fix is for, decided from the triggering event. Pure: the entry passes the event name, its payload
// (GITHUB_EVENT_PATH) and the ref; nothing here reads the environment.
import type { ChangeRange } from '../config.js';

export interface EventContext {
  eventName: string;
  /** The webhook payload (github.context.payload). */
  payload: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** GITHUB_REF, like refs/heads/main. */
  ref: string;
  /** owner/name (GITHUB_REPOSITORY). */
  repository: string;
}

export interface EventOptions {
  branchPrefix: string;
  allowPullRequestTarget: boolean;
  /** The `base` input: overrides the branch the fix targets. */
  baseOverride: string;
}

export type EventDecision =
  | {
      action: 'run';
      /** The branch the pull request targets. */
      base: string;
      /** True for pull requests from forks (only reachable through an allowed pull_request_target): never host a rescue shell. */
      fromFork: boolean;
      /** Who triggered the run (rescue access is limited to their SSH keys). */
      actor: string;
    }
  /** Nothing to do, and that is fine: the step succeeds with result `skipped`. */
  | { action: 'skip'; reason: string }
  /** Running would be unsafe: the step fails with the reason. */
  | { action: 'refuse'; reason: string };

const branchOf = (ref: string): string => ref.replace(/^refs\/heads\//, '');

function isForkPullRequest(payload: EventContext['payload'], repository: string): boolean {
  const headRepo = payload.pull_request?.head?.repo?.full_name;
  // A deleted fork has no head repository: treat it as a fork.
  return typeof headRepo !== 'string' || headRepo.toLowerCase() !== repository.toLowerCase();
}

export function decideEvent(context: EventContext, options: EventOptions): EventDecision {
  const { eventName, payload, ref, repository } = context;
  const actor = String(payload.sender?.login ?? '');
  let branch: string;
  let fromFork = false;

  switch (eventName) {
    case 'pull_request_target':
      if (!options.allowPullRequestTarget) {
        return {
          action: 'refuse',
          reason:
            "ci-medic refuses to run on pull_request_target: that event runs with the base repository's secrets and write token, so repairing the pull request would run its untrusted code with them. Use the pull_request event, or set `allow-pull-request-target: true` if every pull request here comes from trusted authors.",
        };
      }
      if (isForkPullRequest(payload, repository)) {
        return {
          action: 'skip',
          reason:
            "ci-medic skipped this pull request: it comes from a fork, and a fix cannot be pushed into a fork's branch. Repair it in the fork, or push the branch to this repository.",
        };
      }
      branch = String(payload.pull_request?.head?.ref ?? '');
      fromFork = false;
      break;
    case 'pull_request':
      if (isForkPullRequest(payload, repository)) {
        return {
          action: 'skip',
          reason:
            'ci-medic skipped this pull request: it comes from a fork, and GitHub gives workflows triggered by forks no secrets (no API key) and a read-only token. Nothing failed; repair it from a branch of this repository, or in the fork with its own key.',
        };
      }
      // Same repository: the fix is a pull request into the pull request's own branch.
      branch = String(payload.pull_request?.head?.ref ?? '');
      break;
    case 'workflow_run': {
      const run = payload.workflow_run ?? {};
      const headRepo = run.head_repository?.full_name;
      if (typeof headRepo === 'string' && headRepo.toLowerCase() !== repository.toLowerCase()) {
        return {
          action: 'skip',
          reason: `ci-medic skipped this workflow_run: the run it follows came from the fork ${headRepo}. workflow_run jobs hold this repository's secrets, so repairing a fork's code here would run it with them.`,
        };
      }
      branch = String(run.head_branch ?? '');
      break;
    }
    case 'push':
      if (ref.startsWith('refs/tags/')) {
        return {
          action: 'skip',
          reason: `ci-medic skipped ${ref}: a fix needs a branch to open a pull request into, not a tag.`,
        };
      }
      branch = branchOf(String(payload.ref ?? ref));
      break;
    default:
      // workflow_dispatch, schedule, and anything else that runs on a branch ref.
      branch = ref.startsWith('refs/heads/') ? branchOf(ref) : '';
  }

  if (branch && branch.startsWith(options.branchPrefix)) {
    return {
      action: 'skip',
      reason: `ci-medic skipped: ${branch} is itself a ci-medic branch (prefix ${options.branchPrefix}); a repair of a repair is not attempted.`,
    };
  }
  const base = options.baseOverride || branch;
  if (!base) {
    return {
      action: 'refuse',
      reason: `ci-medic could not tell which branch to open the fix against for the ${eventName} event (ref ${ref || 'empty'}); set the \`base\` input.`,
    };
  }
  return { action: 'run', base, fromFork, actor };
}

/**
 * What changed, for the model's first look: a pull request's base commit (the loop diffs against the merge-base), or
 * a push's `before..after`. Undefined for other events (the loop then shows the last commit).
 */
export function changeRangeOf(eventName: string, payload: EventContext['payload']): ChangeRange | undefined {
  const sha = (value: unknown): string => (typeof value === 'string' && /^[0-9a-f]{40,64}$/i.test(value) ? value : '');
  if (eventName === 'pull_request' || eventName === 'pull_request_target') {
    const base = sha(payload.pull_request?.base?.sha);
    return base ? { event: 'pull_request', base } : undefined;
  }
  if (eventName === 'push') {
    const before = sha(payload.before);
    const after = sha(payload.after);
    return before && after ? { event: 'push', before, after } : undefined;
  }
  return undefined;
}
