// The few git queries the loop needs, through the one git command manager (scrubbed environment, deadlines).
import { createGit } from '../git/index.js';

export async function git(cwd: string, args: string[]): Promise<string> {
  return (await createGit(cwd).exec(args)).stdout;
}

/** git, but an empty string when it fails (not a repository, no commits yet). */
export async function gitOrEmpty(cwd: string, args: string[]): Promise<string> {
  try {
    return await git(cwd, args);
  } catch {
    return '';
  }
}

/** Untracked, not-ignored files (relative paths). */
export async function untrackedFiles(cwd: string): Promise<string[]> {
  return (await gitOrEmpty(cwd, ['ls-files', '--others', '--exclude-standard', '-z'])).split('\0').filter(Boolean);
}

/**
 * Files the loop changed since `base`: tracked changes plus files that became untracked during the loop
 * (files already untracked before it began are not ours and are left out).
 */
export async function changedFiles(cwd: string, base: string, untrackedBefore: ReadonlySet<string>): Promise<string[]> {
  const tracked = (await gitOrEmpty(cwd, ['diff', '--name-only', '-z', base])).split('\0').filter(Boolean);
  const created = (await untrackedFiles(cwd)).filter((f) => !untrackedBefore.has(f));
  return [...new Set([...tracked, ...created])].sort();
}

/** `git diff --stat` of tracked changes, plus a line per new file. */
export async function diffStat(cwd: string, base: string, newFiles: string[]): Promise<string> {
  const stat = (await gitOrEmpty(cwd, ['diff', '--stat', base])).trimEnd();
  const added = newFiles.map((f) => ` ${f} (new file)`).join('\n');
  return [stat, added].filter(Boolean).join('\n');
}
