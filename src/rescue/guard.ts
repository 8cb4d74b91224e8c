// When a hosted rescue shell must not be launched, whatever the inputs say.

/**
 * A pull request from a fork runs code its author controls: a live shell on that runner is never offered. Returns the
 * reason to refuse, or null. `event` is the parsed GITHUB_EVENT_PATH payload (the entry reads it).
 */
export function forkPullRequestRefusal(eventName: string | undefined, event: unknown): string | null {
  if (!eventName || !/^pull_request(_target|_review|_review_comment)?$/.test(eventName)) return null;
  const pr = (
    event as {
      pull_request?: { head?: { repo?: { full_name?: unknown } | null }; base?: { repo?: { full_name?: unknown } } };
    } | null
  )?.pull_request;
  const head = pr?.head?.repo;
  const base = pr?.base?.repo;
  // Compare names, not `head.repo.fork` (true for any branch of a repository that is itself a fork). A deleted head
  // repository (null) is treated as a fork: we cannot tell, so we refuse.
  const fromFork = !head || typeof head.full_name !== 'string' || head.full_name !== base?.full_name;
  return fromFork
    ? `the rescue shell is not launched for a pull request from a fork (${eventName}): its code is not trusted with a live shell`
    : null;
}
