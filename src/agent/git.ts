// The few git queries the loop needs, through the one git command manager (scrubbed environment, deadlines).
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGit } from '../git/index.js';

/** A working tree and the environment git starts from there (the entry's, scrubbed by the command manager). */
export interface Repo {
  readonly dir: string;
  readonly env: Record<string, string | undefined>;
}

/** The same environment, another working tree of the repository (the clean-worktree verification's). */
export function repoAt(repo: Repo, dir: string): Repo {
  return { dir, env: repo.env };
}

export interface GitOptions {
  /** Extra variables for this call (a temporary GIT_INDEX_FILE). */
  env?: Record<string, string>;
}

export async function git(repo: Repo, args: string[], options: GitOptions = {}): Promise<string> {
  return (await createGit(repo.dir, { baseEnv: repo.env }).exec(args, { env: options.env })).stdout;
}

/** git, but an empty string when it fails (not a repository, no commits yet). */
export async function gitOrEmpty(repo: Repo, args: string[]): Promise<string> {
  try {
    return await git(repo, args);
  } catch {
    return '';
  }
}

/** Untracked, not-ignored files (relative paths). */
export async function untrackedFiles(repo: Repo): Promise<string[]> {
  return (await gitOrEmpty(repo, ['ls-files', '--others', '--exclude-standard', '-z'])).split('\0').filter(Boolean);
}

/**
 * Files the loop changed since `base` (a commit, or the snapshot tree of a dirty start): tracked changes plus files
 * that became untracked during the loop (files already untracked before it began are not ours and are left out).
 */
export async function changedFiles(repo: Repo, base: string, untrackedBefore: ReadonlySet<string>): Promise<string[]> {
  const tracked = (await gitOrEmpty(repo, ['diff', '--name-only', '-z', base])).split('\0').filter(Boolean);
  const created = (await untrackedFiles(repo)).filter((f) => !untrackedBefore.has(f));
  return [...new Set([...tracked, ...created])].sort();
}

/** `git diff --stat` of tracked changes, plus a line per new file. */
export async function diffStat(repo: Repo, base: string, newFiles: string[]): Promise<string> {
  const stat = (await gitOrEmpty(repo, ['diff', '--stat', base])).trimEnd();
  const added = newFiles.map((f) => ` ${f} (new file)`).join('\n');
  return [stat, added].filter(Boolean).join('\n');
}

/** The diff the result carries for the job summary: bounded, since a run may rewrite a generated file. */
export const MAX_DIFF_CHARS = 60_000;
/** A new file larger than this is named, not shown (git would read it whole). */
const MAX_NEW_FILE_BYTES = 256 * 1024;

/** The change as a unified diff (tracked changes, then each new file), cut at `maxChars` with a note. */
export async function boundedDiff(
  repo: Repo,
  base: string,
  newFiles: string[],
  maxChars = MAX_DIFF_CHARS,
): Promise<string> {
  const manager = createGit(repo.dir, { baseEnv: repo.env });
  const flags = ['--no-color', '--no-ext-diff'];
  const parts = [(await gitOrEmpty(repo, ['diff', ...flags, base])).trimEnd()];
  for (const file of newFiles) {
    if (parts.join('\n').length >= maxChars) break;
    const size = (await stat(join(repo.dir, file)).catch(() => undefined))?.size ?? 0;
    if (size > MAX_NEW_FILE_BYTES) {
      parts.push(`new file ${file}: ${size} bytes, not shown`);
      continue;
    }
    const { stdout } = await manager
      .exec(['diff', ...flags, '--no-index', '--', '/dev/null', file], { okExitCodes: [1] })
      .catch(() => ({ stdout: '' }));
    parts.push(stdout.trimEnd());
  }
  const diff = parts.filter(Boolean).join('\n');
  if (diff.length <= maxChars) return diff;
  const cut = diff.slice(0, maxChars);
  const lastNewline = cut.lastIndexOf('\n');
  return `${lastNewline > 0 ? cut.slice(0, lastNewline) : cut}\n… (diff cut at ${maxChars} characters)`;
}

/** Tracked files that differ from HEAD (changes present before the loop began). */
export async function dirtyTrackedFiles(repo: Repo): Promise<string[]> {
  return (await gitOrEmpty(repo, ['diff', '--name-only', '-z', 'HEAD'])).split('\0').filter(Boolean);
}

/**
 * A tree object of the working tree's tracked files as they are now, written through a temporary index (the user's
 * index is untouched, no identity needed): later diffs against it show only what changed since.
 */
export async function snapshotTrackedTree(repo: Repo): Promise<string> {
  const scratch = await mkdtemp(join(tmpdir(), 'ci-medic-snapshot-'));
  const env = { GIT_INDEX_FILE: join(scratch, 'index') };
  try {
    await git(repo, ['read-tree', 'HEAD'], { env });
    await git(repo, ['add', '--update', '--', '.'], { env });
    return (await git(repo, ['write-tree'], { env })).trim();
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
