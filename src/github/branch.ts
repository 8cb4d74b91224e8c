// Commit the verified fix to the repair branch and push it, as one readable algorithm:
//
//  1. build the new tree in a temporary index: the base commit's tree plus the current content of the loop's files
//     only (files untracked before the loop stay out; no `git add -A`), so the user's index, HEAD and branch are untouched;
//  2. scan what the commit adds for secrets and refuse, naming the file;
//  3. commit-tree with the base commit as parent (works on a detached HEAD and in a shallow clone) and point
//     refs/heads/<branch> at it;
//  4. read the remote branch: when it already holds this very change, there is nothing to push; otherwise push with
//     --force-with-lease against the value just read (or "must not exist"), so a concurrent update is never overwritten.
//
// The token reaches git only through the environment of the network calls (authConfigEnv), scoped to the server's
// origin; hooks are off for every call here, so nothing the repair session planted in .git/hooks runs beside the token.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, normalize } from 'node:path';
import type { Redactor } from '../redact.js';
import { authConfigEnv, configEnv } from './credentials.js';
import { createGit, type Git } from '../git/index.js';
import { head } from '../markdown.js';
import { FIX_TRAILER, pushFix } from './push.js';

export { PushError } from './push.js';

export interface CommitAndPushOptions {
  workdir: string;
  /** The commit the loop started from: the parent of the new commit. */
  baseCommit: string;
  /** Only the files the loop changed, relative to workdir (deleted files included). */
  files: string[];
  branch: string;
  message: string;
  author: { name: string; email: string };
  /** Defaults to the author. */
  committer?: { name: string; email: string };
  /** Remote name (or URL) to read the branch from and push to. Default `origin`. */
  remote?: string;
  /** Push (and read the branch from) this URL instead of the remote's configured URL. */
  pushUrl?: string;
  /** Sent as `AUTHORIZATION: basic …` to serverUrl's origin (or pushUrl's, when that is http(s)). */
  token?: string;
  /** Default https://github.com. */
  serverUrl?: string;
  /** Checks what the commit adds; a finding refuses the commit. */
  redactor: Pick<Redactor, 'findSecrets'>;
  /** false: commit and update the local branch only. Default true. */
  push?: boolean;
  /** Deadline for each git call. */
  timeoutMs?: number;
}

export interface CommitAndPushResult {
  /** The branch that holds the fix: the one asked for, or another name when that held other people's commits. */
  branch: string;
  commit: string;
  /** false when the remote branch already held this change (or push: false). */
  pushed: boolean;
  /** What the push did beyond the plain case (another job's same fix, a diverted branch, a replaced fix). */
  notes: string[];
  /** Requested files left out because git ignores them and they were never tracked. */
  skipped: string[];
}

export class SecretInDiffError extends Error {
  readonly file: string;
  readonly findings: string[];
  constructor(file: string, findings: string[]) {
    super(
      `Refusing to commit the fix: ${file} would add a secret (${findings.join(', ')}). ` +
        'Nothing was committed or pushed; remove the value from the file, or keep the file out of the fix.',
    );
    this.name = 'SecretInDiffError';
    this.file = file;
    this.findings = findings;
  }
}

/** Hooks off: nothing in .git/hooks (which the session could write) runs in these git processes. */
const NO_HOOKS: Array<[string, string]> = [['core.hooksPath', '/dev/null']];

/**
 * Command-line settings (they win over the repository's config, which the session could write) for the calls that
 * carry the token: no credential helper or askpass program is asked (they would run with the token in their
 * environment), no fsmonitor, no automatic gc or maintenance.
 */
const TOKEN_GUARDS: Array<[string, string]> = [
  ['credential.helper', ''],
  ['core.askPass', ''],
  ['core.fsmonitor', 'false'],
  ['gc.auto', '0'],
  ['maintenance.auto', 'false'],
];

/**
 * The environment of the network calls. The token goes only to an http(s) remote (as git resolves it, insteadOf
 * included): any other transport runs programs the config names (upload-pack, ssh, a remote helper) and needs no
 * header anyway. With the token, git may speak http(s) only, whatever the config says later.
 */
async function networkEnv(
  git: Git,
  remote: string,
  token: string | undefined,
  authUrl: string,
): Promise<Record<string, string>> {
  if (!token) return configEnv(NO_HOOKS);
  const named = await git.exec(['remote', 'get-url', '--push', remote], { okExitCodes: [2, 128] });
  const url = named.exitCode === 0 ? named.stdout.trim() : remote;
  if (!/^https?:\/\//i.test(url)) return configEnv(NO_HOOKS);
  return {
    ...authConfigEnv(token, authUrl, [...NO_HOOKS, ...TOKEN_GUARDS]),
    GIT_ALLOW_PROTOCOL: 'http:https',
    // Set but empty: git then asks neither core.askPass nor SSH_ASKPASS.
    GIT_ASKPASS: '',
  };
}

export async function commitAndPush(options: CommitAndPushOptions): Promise<CommitAndPushResult> {
  const remote = options.pushUrl ?? options.remote ?? 'origin';
  const git = createGit(options.workdir, { env: configEnv(NO_HOOKS), timeoutMs: options.timeoutMs });
  const authUrl =
    options.pushUrl && /^https?:/i.test(options.pushUrl)
      ? options.pushUrl
      : (options.serverUrl ?? 'https://github.com');
  const network = createGit(options.workdir, {
    env: await networkEnv(git, remote, options.token, authUrl),
    timeoutMs: options.timeoutMs,
  });

  const branch = await checkBranch(git, options.branch);
  const files = checkFiles(options.files);
  const base = await git.revParse(`${options.baseCommit}^{commit}`).catch(() => {
    throw new Error(`baseCommit: ${options.baseCommit} is not a commit in ${options.workdir}.`);
  });

  const inMessage = options.redactor.findSecrets(options.message);
  if (inMessage.length > 0) throw new SecretInDiffError('the commit message', inMessage);
  const { tree, skipped } = await buildTree(git, base, files, options.redactor);
  const commit = await git.commitTree(tree, base, withTrailer(options.message), identityEnv(options));
  await git.updateRef(`refs/heads/${branch}`, commit);
  if (options.push === false) return { branch, commit, pushed: false, skipped, notes: [] };

  const committerEmail = (options.committer ?? options.author).email;
  const pushed = await pushFix({ git, network, remote, branch, commit, tree, base, committerEmail });
  return { ...pushed, skipped };
}

/** The model writes most of a commit message: bounded like everything it writes that people are shown. */
const MAX_COMMIT_MESSAGE_CHARS = 20_000;

/** The message (bounded) with ci-medic's trailer, which marks the commit as one a later run may replace. */
function withTrailer(message: string): string {
  const text = head(message.trimEnd(), MAX_COMMIT_MESSAGE_CHARS, 'see the pull request');
  if (text.split('\n').some((line) => line.trim() === FIX_TRAILER)) return `${text}\n`;
  return `${text}\n\n${FIX_TRAILER}\n`;
}

async function checkBranch(git: Git, branch: string): Promise<string> {
  const valid = await git.exec(['check-ref-format', `refs/heads/${branch}`], { okExitCodes: [1] });
  if (valid.exitCode !== 0 || branch.startsWith('-')) {
    throw new Error(`branch: "${branch}" is not a valid git branch name.`);
  }
  const current = await git.exec(['symbolic-ref', '--quiet', 'HEAD'], { okExitCodes: [1] });
  if (current.stdout.trim() === `refs/heads/${branch}`) {
    throw new Error(
      `branch: "${branch}" is the branch checked out in this work tree; ci-medic will not move it. ` +
        'Run from the base branch (or a detached HEAD), or choose another branch-prefix.',
    );
  }
  return branch;
}

function checkFiles(files: string[]): string[] {
  if (files.length === 0) throw new Error('files: the fix changes no files; there is nothing to commit.');
  for (const file of files) {
    const clean = normalize(file);
    if (
      file === '' ||
      isAbsolute(file) ||
      clean === '..' ||
      clean.startsWith('../') ||
      clean === '.git' ||
      clean.startsWith('.git/')
    ) {
      throw new Error(`files: "${file}" is not a path inside the work tree; give paths relative to workdir.`);
    }
  }
  return [...new Set(files)];
}

/** The tree of base + the given files' current content, built in a temporary index; scanned for secrets. */
async function buildTree(
  git: Git,
  base: string,
  files: string[],
  redactor: Pick<Redactor, 'findSecrets'>,
): Promise<{ tree: string; skipped: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'ci-medic-index-'));
  // Literal pathspecs: a file named `*.ts` means that file, not a glob.
  const env = { GIT_INDEX_FILE: join(dir, 'index'), GIT_LITERAL_PATHSPECS: '1' };
  try {
    await git.exec(['read-tree', base], { env });
    const ignored = await ignoredUntracked(git, files, env);
    const wanted = files.filter((f) => !ignored.includes(f));
    // A path that is neither in the work tree nor in the base tree is nothing to add (created and deleted again).
    const present = await existing(git, wanted, env);
    await git.add(present, { env });
    const tree = (await git.exec(['write-tree'], { env })).stdout.trim();
    const baseTree = await git.revParse(`${base}^{tree}`);
    if (tree === baseTree)
      throw new Error('files: the listed files do not differ from the base commit; there is nothing to commit.');
    await scanForSecrets(git, base, env, redactor);
    return { tree, skipped: ignored };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function ignoredUntracked(git: Git, files: string[], env: Record<string, string>): Promise<string[]> {
  // check-ignore consults the index: files tracked in the base commit are never reported. It takes no pathspec magic.
  const result = await git.exec(['check-ignore', '-z', '--stdin'], {
    env: { GIT_INDEX_FILE: env.GIT_INDEX_FILE },
    input: files.join('\0'),
    okExitCodes: [1],
  });
  return result.stdout.split('\0').filter(Boolean);
}

/** The files that are in the base tree (a change or a deletion) or on disk (a new file), as git spells them. */
async function existing(git: Git, files: string[], env: Record<string, string>): Promise<string[]> {
  if (files.length === 0) return [];
  const listed = async (args: string[]): Promise<string[]> =>
    (await git.exec(['ls-files', '-z', ...args, '--', ...files], { env })).stdout.split('\0').filter(Boolean);
  const known = new Set([...(await listed([])), ...(await listed(['--others']))]);
  return files.filter((f) => known.has(normalize(f)));
}

/** Refuses the commit when a line it adds (or a file name) holds a secret. */
async function scanForSecrets(
  git: Git,
  base: string,
  env: Record<string, string>,
  redactor: Pick<Redactor, 'findSecrets'>,
): Promise<void> {
  const diff = await git.diff(['--cached', '--no-color', '--no-ext-diff', '--no-renames', '--text', '-U0', base], {
    env,
  });
  let file = '(unknown file)';
  const findings = new Map<string, Set<string>>();
  for (const line of diff.split('\n')) {
    const header = /^diff --git a\/(.*) b\/(.*)$/.exec(line);
    if (header) file = header[2];
    const text = header ? line : line.startsWith('+') && !line.startsWith('+++') ? line.slice(1) : undefined;
    if (text === undefined) continue;
    const found = redactor.findSecrets(text);
    if (found.length === 0) continue;
    const set = findings.get(file) ?? new Set<string>();
    found.forEach((f) => set.add(f));
    findings.set(file, set);
  }
  const first = [...findings][0];
  if (first) throw new SecretInDiffError(first[0], [...first[1]]);
}

function identityEnv(options: CommitAndPushOptions): Record<string, string> {
  const committer = options.committer ?? options.author;
  return {
    GIT_AUTHOR_NAME: options.author.name,
    GIT_AUTHOR_EMAIL: options.author.email,
    GIT_COMMITTER_NAME: committer.name,
    GIT_COMMITTER_EMAIL: committer.email,
  };
}
