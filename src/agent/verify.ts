// ci-medic, not the model, decides success: the check re-run in a fresh shell, then (with a setup command) setup and
// check in a clean worktree of the base commit with only the loop's diff applied.
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CommandResult, RunOptions } from '../terminal/types.js';
import { git, gitOrEmpty } from './git.js';

/** The part of the terminal session the loop uses. */
export interface LoopSession {
  readonly name: string;
  readonly socketPath: string;
  run(command: string, options?: RunOptions): Promise<CommandResult>;
  restart(): Promise<unknown>;
  stop(): Promise<unknown>;
}

export const passed = (r: CommandResult): boolean => r.exitCode === 0 && !r.timedOut;

/** Re-run the check in a fresh shell (cwd and environment back to the start). */
export async function rerunCheck(session: LoopSession, check: string, options: RunOptions): Promise<CommandResult> {
  await session.restart();
  return session.run(check, options);
}

export interface WorktreeVerification {
  /** The step that failed (`setup` or `check`), or null when both passed. */
  failedStep: 'setup' | 'check' | 'apply' | null;
  result: CommandResult | null;
  message: string;
  command: string;
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Setup and check in a clean worktree of `base` with only the loop's diff applied (tracked changes plus the files
 * the loop created), through the session so that it runs in the same environment the check ran in.
 */
export async function verifyInCleanWorktree(
  session: LoopSession,
  workdir: string,
  base: string,
  newFiles: string[],
  setup: string,
  check: string,
  options: RunOptions,
): Promise<WorktreeVerification> {
  const scratch = await mkdtemp(join(tmpdir(), 'ci-medic-verify-'));
  const tree = join(scratch, 'tree');
  try {
    await git(workdir, ['worktree', 'add', '--detach', '--quiet', tree, base]);
    const patch = await git(workdir, ['diff', '--binary', base]);
    if (patch.trim()) {
      const patchFile = join(scratch, 'change.patch');
      await writeFile(patchFile, patch);
      try {
        await git(tree, ['apply', '--binary', '--whitespace=nowarn', patchFile]);
      } catch (error) {
        const message = `the diff does not apply to a clean checkout of ${base.slice(0, 12)}: ${(error as Error).message}`;
        return { failedStep: 'apply', result: null, message, command: 'git apply' };
      }
    }
    for (const file of newFiles) {
      await mkdir(dirname(join(tree, file)), { recursive: true });
      await copyFile(join(workdir, file), join(tree, file));
    }
    await session.restart();
    await session.run(`cd ${quote(tree)}`, { ...options, timeoutMs: 10_000 });
    const setupResult = await session.run(setup, options);
    if (!passed(setupResult)) {
      return {
        failedStep: 'setup',
        result: setupResult,
        message: `setup \`${setup}\` failed in the clean worktree`,
        command: setup,
      };
    }
    const checkResult = await session.run(check, options);
    if (!passed(checkResult)) {
      return {
        failedStep: 'check',
        result: checkResult,
        message: `\`${check}\` failed in the clean worktree after \`${setup}\``,
        command: check,
      };
    }
    return {
      failedStep: null,
      result: checkResult,
      message: 'setup and check passed in a clean worktree',
      command: check,
    };
  } finally {
    await session.restart().catch(() => undefined);
    await gitOrEmpty(workdir, ['worktree', 'remove', '--force', tree]);
    await rm(scratch, { recursive: true, force: true });
    await gitOrEmpty(workdir, ['worktree', 'prune']);
  }
}
