// Pushing the fix commit to its repair branch when other jobs and people may be pushing too, as one algorithm:
//
//  1. read the remote branch. Absent: push with a lease that says "must not exist".
//  2. It holds this very change (same tree on the same parent): nothing to push — another job (or an earlier run)
//     pushed the same fix, which is success.
//  3. It holds a commit ci-medic made (its trailer, its committer): replace it, with --force-with-lease against the
//     value just read.
//  4. It holds commits ci-medic did not make (a person pushed there): never overwrite; take the next free name
//     (<branch>-2, -3, …) and say so.
//  5. A lease that lost a race (another job pushed between our read and our push) is retried once from step 1 against
//     the new tip; a second loss, or a server that refuses non-fast-forward pushes, ends with a message saying what to
//     change.
import { explainGitHubError, refusesForcePush } from './errors.js';
import { GitError, type Git } from '../git/index.js';

/** The trailer every fix commit carries, so a later run knows the branch's tip is its own. */
export const FIX_TRAILER = 'Repaired-by: ci-medic';
/** How many alternative names (<branch>-2 …) to try when branches hold other people's commits. */
const MAX_ALTERNATIVE_BRANCHES = 5;

export class PushError extends Error {
  readonly explanation: string;
  /** git's own output (stderr, then stdout: `push --porcelain` reports rejected refs there). */
  readonly output: string;
  constructor(explanation: string, output: string) {
    super(explanation);
    this.name = 'PushError';
    this.explanation = explanation;
    this.output = output;
  }
}

export interface PushFixInput {
  /** Local git (no network) and the git that talks to the remote (token, guards). */
  git: Git;
  network: Git;
  remote: string;
  branch: string;
  commit: string;
  tree: string;
  base: string;
  /** Our committer's e-mail: with the trailer, what marks a commit as ci-medic's. */
  committerEmail: string;
}

export interface PushFixResult {
  /** The branch that holds the fix now (differs from the one asked for when that held other people's commits). */
  branch: string;
  commit: string;
  pushed: boolean;
  /** What happened, for the log: "another job pushed the same fix", "pushed to X instead", … */
  notes: string[];
}

type Attempt = { kind: 'done'; commit: string; pushed: boolean; note?: string } | { kind: 'foreign'; tip: string };

export async function pushFix(input: PushFixInput): Promise<PushFixResult> {
  try {
    return await pushToFreeName(input);
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
    throw new PushError(explainGitHubError(error, 'push'), `${error.stderr}${error.stdout}`);
  }
}

async function pushToFreeName(input: PushFixInput): Promise<PushFixResult> {
  const notes: string[] = [];
  for (let n = 1; n <= MAX_ALTERNATIVE_BRANCHES; n++) {
    const name = n === 1 ? input.branch : `${input.branch}-${n}`;
    const attempt = await pushTo(input, name);
    if (attempt.kind === 'foreign') {
      notes.push(
        `${name} holds commits ci-medic did not make (tip ${attempt.tip.slice(0, 12)}); ci-medic never overwrites them`,
      );
      continue;
    }
    if (n > 1) {
      notes.push(`pushed the fix to ${name} instead of ${input.branch}`);
      await input.git.updateRef(`refs/heads/${name}`, attempt.commit);
      await input.git.exec(['update-ref', '-d', `refs/heads/${input.branch}`]).catch(() => undefined);
    } else if (attempt.commit !== input.commit) {
      await input.git.updateRef(`refs/heads/${name}`, attempt.commit);
    }
    if (attempt.note) notes.push(attempt.note);
    return { branch: name, commit: attempt.commit, pushed: attempt.pushed, notes };
  }
  throw new PushError(
    `Pushing the fix failed: ${input.branch} and ${MAX_ALTERNATIVE_BRANCHES - 1} alternative names all hold commits ` +
      'ci-medic did not make. Delete or merge those branches, or set another `branch-prefix`.',
    notes.join('\n'),
  );
}

async function pushTo(input: PushFixInput, name: string): Promise<Attempt> {
  for (let round = 1; ; round++) {
    const remoteSha = await input.network.lsRemote(input.remote, `refs/heads/${name}`);
    if (remoteSha) {
      const tip = await readRemoteTip(input, name, remoteSha);
      if (tip?.tree === input.tree && tip.parents === input.base) {
        const note =
          round > 1
            ? 'another job pushed the same fix'
            : `${name} already holds this same fix (another job or an earlier run pushed it)`;
        return { kind: 'done', commit: remoteSha, pushed: false, note };
      }
      if (tip && !isOurs(tip, input.committerEmail)) return { kind: 'foreign', tip: remoteSha };
    }
    try {
      const { stdout } = await input.network.push(input.remote, [`${input.commit}:refs/heads/${name}`], {
        forceWithLease: [`refs/heads/${name}:${remoteSha ?? ''}`],
        extraArgs: ['--no-verify'],
      });
      // `=` in porcelain output: the remote already had this very commit (a job that made the identical commit).
      if (/^=\t/m.test(stdout)) {
        return { kind: 'done', commit: input.commit, pushed: false, note: 'another job pushed the same fix' };
      }
      const note =
        round > 1 ? 'another job pushed a different fix first; ci-medic replaced it with this one' : undefined;
      return { kind: 'done', commit: input.commit, pushed: true, note };
    } catch (error) {
      if (!(error instanceof GitError)) throw error;
      const output = `${error.stderr}${error.stdout}`;
      if (!lostRace(output)) throw new PushError(explainGitHubError(error, 'push'), output);
      if (round === 1) continue;
      // Lost twice: jobs are replacing each other's fixes. One of them is on the branch, verified like ours: keep it.
      const settled = await settledFix(input, name);
      if (settled) return settled;
      throw new PushError(explainGitHubError(error, 'push'), output);
    }
  }
}

/** After a second lost race: the branch's tip, when it is ci-medic's own fix of the same base. */
async function settledFix(input: PushFixInput, name: string): Promise<Attempt | undefined> {
  const sha = await input.network.lsRemote(input.remote, `refs/heads/${name}`);
  const tip = sha ? await readRemoteTip(input, name, sha) : undefined;
  if (!sha || !tip || !isOurs(tip, input.committerEmail)) return undefined;
  const note =
    tip.tree === input.tree
      ? 'another job pushed the same fix'
      : 'other jobs pushed their own verified fixes for this failure at the same time; the branch keeps theirs';
  return { kind: 'done', commit: sha, pushed: false, note };
}

interface RemoteTip {
  tree: string;
  /** Space-separated parent object names. */
  parents: string;
  committerEmail: string;
  message: string;
}

/** The remote tip's tree, parents, committer and message, fetched into a private ref; undefined when unreadable. */
async function readRemoteTip(input: PushFixInput, name: string, sha: string): Promise<RemoteTip | undefined> {
  const lease = `refs/ci-medic/lease/${name}`;
  try {
    await input.network.fetch(input.remote, [`+refs/heads/${name}:${lease}`]);
    const { stdout } = await input.network.exec(['show', '-s', '--format=%T%x00%P%x00%ce%x00%B', sha]);
    const [tree, parents, committerEmail, message] = stdout.split('\0');
    return { tree, parents, committerEmail, message: message ?? '' };
  } catch {
    return undefined; // cannot read it: push with the lease anyway, which fails safe if it moved
  } finally {
    await input.network.exec(['update-ref', '-d', lease]).catch(() => undefined);
  }
}

function isOurs(tip: RemoteTip, committerEmail: string): boolean {
  const trailer = tip.message.split('\n').some((line) => line.trim() === FIX_TRAILER);
  return trailer && tip.committerEmail.toLowerCase() === committerEmail.toLowerCase();
}

/** git's words for a push that lost a race: the lease went stale, or the ref was locked by a concurrent update. */
function lostRace(output: string): boolean {
  if (refusesForcePush(output)) return false;
  return /stale info|\(fetch first\)|cannot lock ref|failed to lock|failed to update ref|incorrect old value/i.test(
    output,
  );
}
