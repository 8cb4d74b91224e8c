// The clean-worktree verification: a fresh worktree of the base commit, optionally with only the loop's diff
// applied (tracked changes plus the files the loop created), where setup and check run as programs through the
// session, so in the same environment the check ran in. Files that were untracked before the loop are not there,
// so a fix that relies on one is caught.
import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CommandResult } from '../terminal/types.js';
import { passed, runProgram } from './check.js';
import { git, gitOrEmpty, repoAt, untrackedFiles, type Repo } from './git.js';
import type { LoopRun } from './run.js';

export interface WorktreeVerification {
  /** The step that failed, or null when setup (if any) and check passed. */
  failedStep: 'setup' | 'check' | 'apply' | null;
  result: CommandResult | null;
  /** The failing step's output, redacted. */
  output: string;
  message: string;
  command: string;
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Top-level entries git ignores (node_modules, .venv, target): without a setup command, those that were there before
 * the loop began are linked into the clean worktree, since the project's dependencies were installed outside the
 * repository and a CI run has them too. Entries the loop created are not: a fix must not rely on them.
 */
export async function ignoredEntries(repo: Repo): Promise<string[]> {
  return (await gitOrEmpty(repo, ['ls-files', '-z', '--others', '--ignored', '--exclude-standard', '--directory']))
    .split('\0')
    .map((p) => p.replace(/\/$/, ''))
    .filter((p) => p && !p.includes('/'));
}

/**
 * Setup (when configured) and check in a clean worktree of the base commit; with `withDiff`, the loop's diff is
 * applied first. With `setupOnly`, the check is not run (proving setup on the base commit).
 */
export async function verifyInCleanWorktree(
  run: LoopRun,
  opts: { withDiff: boolean; phase: string },
): Promise<WorktreeVerification> {
  const { config, session, baseCommit: base } = run;
  const { repo } = run;
  const workdir = repo.dir;
  const setup = config.setup?.trim() ?? '';
  // A sandboxed shell writes only its private temp dir outside the workspace: the clean worktree goes there.
  const scratch = await mkdtemp(join(run.scratchDir ?? tmpdir(), 'ci-medic-verify-'));
  const tree = join(scratch, 'tree');
  const failed = (step: 'setup' | 'check', r: CommandResult, output: string, message: string) => ({
    failedStep: step,
    result: r,
    output,
    message,
    command: step === 'setup' ? setup : config.check,
  });
  try {
    await git(repo, ['worktree', 'add', '--detach', '--quiet', tree, base]);
    if (opts.withDiff) {
      // What will be committed: the base commit plus the files the loop changed (not those changed before it began).
      const touched = (await git(repo, ['diff', '--name-only', '-z', run.startTree])).split('\0').filter(Boolean);
      const literal = touched.map((f) => `:(literal)${f}`);
      const patch = touched.length ? await git(repo, ['diff', '--binary', base, '--', ...literal]) : '';
      if (patch.trim()) {
        const patchFile = join(scratch, 'change.patch');
        await writeFile(patchFile, patch);
        try {
          await git(repoAt(repo, tree), ['apply', '--binary', '--whitespace=nowarn', patchFile]);
        } catch (error) {
          const message = `the diff does not apply to a clean checkout of ${base.slice(0, 12)}: ${(error as Error).message}`;
          return { failedStep: 'apply', result: null, output: '', message, command: 'git apply' };
        }
      }
      const created = (await untrackedFiles(repo)).filter((f) => !run.untrackedBefore.has(f));
      for (const file of created) {
        await mkdir(dirname(join(tree, file)), { recursive: true });
        await copyFile(join(workdir, file), join(tree, file));
      }
    }
    if (!setup) {
      for (const entry of run.ignoredBefore) {
        await symlink(join(workdir, entry), join(tree, entry)).catch(() => undefined);
      }
    }
    await session.restart();
    await session.run(`cd ${quote(tree)}`, { timeoutMs: 10_000 });
    if (setup) {
      const s = await runProgram(run, 'setup', opts.phase);
      if (!passed(s.result)) {
        return failed('setup', s.result, s.output, `setup \`${setup}\` failed in the clean worktree (${opts.phase})`);
      }
    }
    const c = await runProgram(run, 'check', opts.phase);
    if (!passed(c.result)) {
      const after = setup ? ` after \`${setup}\`` : '';
      return failed('check', c.result, c.output, `\`${config.check}\` failed in the clean worktree${after}`);
    }
    return {
      failedStep: null,
      result: c.result,
      output: c.output,
      message: 'passed in a clean worktree',
      command: config.check,
    };
  } finally {
    await session.restart().catch(() => undefined);
    await gitOrEmpty(repo, ['worktree', 'remove', '--force', tree]);
    await rm(scratch, { recursive: true, force: true });
    await gitOrEmpty(repo, ['worktree', 'prune']);
  }
}
