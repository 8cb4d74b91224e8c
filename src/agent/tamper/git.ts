// The tamper guard's git I/O, in one place: the workspace's diff against the base commit (new untracked files
// included, through a temporary index so the user's index is untouched) and package.json at the base commit.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { git as runGit, type Repo } from '../git.js';

/** Settings that would change what `git diff` prints (prefixes, quoting, external diff programs). */
const GIT_DIFF_CONFIG = [
  '-c',
  'core.quotepath=off',
  '-c',
  'diff.noprefix=false',
  '-c',
  'diff.mnemonicPrefix=false',
  '-c',
  'diff.external=',
];

const git = (repo: Repo, args: string[], env?: Record<string, string>): Promise<string> =>
  runGit(repo, [...GIT_DIFF_CONFIG, ...args], { env });

export interface WorkspaceTamperOptions {
  /**
   * Untracked files to leave out: those that were already there when the loop began (see `untrackedFiles`), which
   * are the user's, not the model's — and can be a whole unignored node_modules.
   */
  skipUntracked?: Iterable<string>;
  /** The check's failing output (the `test-only` rule looks for the failing tests' files in it). */
  failureOutput?: string;
}

/**
 * The diff of the working tree (tracked changes and new untracked, non-ignored files) against `baseCommit`, read with
 * a temporary index so the user's index is left exactly as it was.
 */
export async function workspaceDiff(
  repo: Repo,
  baseCommit: string,
  opts: WorkspaceTamperOptions = {},
): Promise<string> {
  const scratch = mkdtempSync(join(tmpdir(), 'ci-medic-tamper-'));
  try {
    const indexFile = join(scratch, 'index');
    const realIndex = (await git(repo, ['rev-parse', '--path-format=absolute', '--git-path', 'index'])).trim();
    const env = { GIT_INDEX_FILE: indexFile };
    if (existsSync(realIndex)) copyFileSync(realIndex, indexFile);
    else await git(repo, ['read-tree', baseCommit], env);
    const skip = new Set(opts.skipUntracked ?? []);
    const untracked = (await git(repo, ['ls-files', '-z', '--others', '--exclude-standard'], env))
      .split('\0')
      .filter((p) => p && !skip.has(p));
    // In batches: a fresh project can have thousands of new files, and argv has a limit.
    for (let i = 0; i < untracked.length; i += 500) {
      await git(
        repo,
        ['add', '--intent-to-add', '--', ...untracked.slice(i, i + 500).map((p) => `:(literal)${p}`)],
        env,
      );
    }
    return await git(
      repo,
      [
        'diff',
        '--no-ext-diff',
        '--no-textconv',
        '--no-color',
        '-U3',
        '--find-renames',
        '--src-prefix=a/',
        '--dst-prefix=b/',
        baseCommit,
        '--',
      ],
      env,
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** A file as it was at `commit`, or undefined when it did not exist there. */
export async function fileAtCommit(repo: Repo, commit: string, path: string): Promise<string | undefined> {
  try {
    return await git(repo, ['show', `${commit}:${path}`]);
  } catch {
    return undefined;
  }
}

/** A file of the working tree, or undefined when it is not there. */
export function fileInWorkspace(workdir: string, path: string): string | undefined {
  try {
    return readFileSync(join(workdir, path), 'utf8');
  } catch {
    return undefined;
  }
}
