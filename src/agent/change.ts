// What changed to make the check fail, the model's starting point. On a pull request the checkout is a merge commit,
// so the last commit is the wrong context: the pull request's diff against its merge-base is. On a push, the pushed
// range. Otherwise (or when the history is too shallow to have them) the last commit.
import type { ChangeRange } from '../config.js';
import { gitOrEmpty, type Repo } from './git.js';
import { bound, PROMPT_LIMITS } from './prompt-limits.js';

export interface ChangeSummary {
  /** What this is, for the model: "The pull request's changes against main's merge-base 1a2b3c4". */
  heading: string;
  /** Commit subjects (one a line) or the last commit's message. */
  message: string;
  stat: string;
  diff: string;
}

const ZERO = /^0+$/;

async function commitExists(repo: Repo, rev: string): Promise<boolean> {
  if (!rev || ZERO.test(rev) || rev.startsWith('-')) return false;
  return (await gitOrEmpty(repo, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`])).trim() !== '';
}

async function rangeSummary(repo: Repo, from: string, to: string, heading: string): Promise<ChangeSummary> {
  const log = (await gitOrEmpty(repo, ['log', '--format=%h %s', `${from}..${to}`])).trim();
  const stat = (await gitOrEmpty(repo, ['diff', '--stat', from, to])).trim();
  const diff = (await gitOrEmpty(repo, ['diff', '--no-color', from, to])).trim();
  return { heading, message: log, stat, diff };
}

/** The range to diff, or null for "the last commit". */
async function resolveRange(
  repo: Repo,
  range: ChangeRange | undefined,
): Promise<{ from: string; to: string; heading: string } | null> {
  if (range?.event === 'pull_request') {
    const mergeBase = (await commitExists(repo, range.base))
      ? (await gitOrEmpty(repo, ['merge-base', range.base, 'HEAD'])).trim()
      : '';
    if (mergeBase) {
      return {
        from: mergeBase,
        to: 'HEAD',
        heading: `The pull request's changes (its diff against the merge-base ${mergeBase.slice(0, 12)} with its base branch)`,
      };
    }
    // A shallow checkout of the merge commit: its first parent is the base branch.
    if (await commitExists(repo, 'HEAD^2')) {
      return { from: 'HEAD^1', to: 'HEAD', heading: "The pull request's changes (the merge commit against its base)" };
    }
  }
  if (range?.event === 'push' && (await commitExists(repo, range.before)) && (await commitExists(repo, range.after))) {
    return {
      from: range.before,
      to: range.after,
      heading: `The pushed commits (${range.before.slice(0, 12)}..${range.after.slice(0, 12)})`,
    };
  }
  return null;
}

/** The change to start from, bounded (empty repository: null). */
export async function changeSummary(repo: Repo, range?: ChangeRange): Promise<ChangeSummary | null> {
  const resolved = await resolveRange(repo, range);
  let summary: ChangeSummary;
  if (resolved) summary = await rangeSummary(repo, resolved.from, resolved.to, resolved.heading);
  else {
    const message = (await gitOrEmpty(repo, ['log', '-1', '--format=%h %s%n%n%b'])).trim();
    if (!message) return null;
    const stat = (await gitOrEmpty(repo, ['show', '--stat', '--format=', 'HEAD'])).trim();
    const diff = (await gitOrEmpty(repo, ['show', '--format=', '--no-color', 'HEAD'])).trim();
    summary = { heading: 'The last commit (the usual cause of a red build)', message, stat, diff };
  }
  return {
    heading: summary.heading,
    message: bound(summary.message, PROMPT_LIMITS.commitMessage, 'commit messages'),
    stat: bound(summary.stat, PROMPT_LIMITS.stat, 'stat'),
    diff: bound(summary.diff, PROMPT_LIMITS.diff, 'diff'),
  };
}
