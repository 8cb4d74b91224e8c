// ci-medic, not the model, decides success: the check re-run in a fresh shell, then (with a setup command) setup and
// check in a clean worktree of the base commit with only the loop's diff applied.
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CommandResult, RunOptions } from '../terminal/types.js';
import { git, gitOrEmpty, untrackedFiles } from './git.js';
import { stillFailingMessage, tamperMessage } from './prompt.js';
import { scrubbed, type LoopRun } from './run.js';
import { shapeOutput, tail } from './shape.js';
import { checkWorkspaceTamper } from './tamper.js';

/** Characters of a check's output the model sees. */
export const CHECK_OUTPUT_BUDGET = 12_000;

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
  scratchBase: string = tmpdir(),
): Promise<WorktreeVerification> {
  // A sandboxed shell writes only its private temp dir outside the workspace: the clean worktree goes there.
  const scratch = await mkdtemp(join(scratchBase, 'ci-medic-verify-'));
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

/** ci-medic's verdict once the model says it is done (or a budget ran out after it changed things). */
export interface Verdict {
  fixed: boolean;
  /** What the model is told when it is not fixed. */
  feedback: string;
}

/**
 * Re-run the check in a fresh shell; then the tamper guard; then, with a setup command, setup and check in a clean
 * worktree. Records the verification in the result and the transcript.
 */
export async function verifyFix(run: LoopRun): Promise<Verdict> {
  const { config, session, result } = run;
  const runOptions = { timeoutMs: config.commandTimeoutMs, signal: run.budget.signal };
  run.emit('verify', `verifying: re-running ${config.check} in a fresh shell`);
  const r = await rerunCheck(session, config.check, runOptions);
  const output = await scrubbed(run, r);
  result.verification = { command: config.check, exitCode: r.exitCode, tail: tail(output, 20) };
  run.record({
    type: 'check',
    phase: 'verify',
    command: config.check,
    exitCode: r.exitCode,
    durationMs: r.durationMs,
    timedOut: r.timedOut,
    outputChars: r.output.length,
    logPath: r.outputPath,
  });
  if (!passed(r)) {
    run.emit('verify', `still failing (exit ${r.exitCode ?? 'none'})`);
    const shaped = shapeOutput(output, { budgetChars: CHECK_OUTPUT_BUDGET, logPath: r.outputPath });
    return { fixed: false, feedback: stillFailingMessage(config.check, r.exitCode, shaped, r.outputPath) };
  }

  const violations = await checkWorkspaceTamper(
    config.workdir,
    run.baseCommit,
    config.check,
    config.relaxedTamperRules,
  );
  if (violations.length > 0) {
    run.record({ type: 'tamper', violations });
    run.emit('tamper', `rejected: ${violations.map((v) => `${v.rule} in ${v.file}`).join(', ')}`);
    result.reason = `tamper guard: ${violations.map((v) => `${v.rule} (${v.file})`).join(', ')}`;
    return { fixed: false, feedback: tamperMessage(violations) };
  }

  run.emit('verify', `${config.check} passes (exit 0); the tamper guard found nothing`);
  if (!config.setup) return { fixed: true, feedback: '' };
  const newFiles = (await untrackedFiles(config.workdir)).filter((f) => !run.untrackedBefore.has(f));
  run.emit('verify', `verifying: ${config.setup} and ${config.check} in a clean worktree with only the diff applied`);
  const clean = await verifyInCleanWorktree(
    session,
    config.workdir,
    run.baseCommit,
    newFiles,
    config.setup,
    config.check,
    runOptions,
    run.scratchDir,
  );
  run.record({
    type: 'check',
    phase: `clean-worktree${clean.failedStep ? ` (${clean.failedStep} failed)` : ''}`,
    command: clean.command,
    exitCode: clean.result?.exitCode ?? null,
    durationMs: clean.result?.durationMs ?? 0,
    outputChars: clean.result?.output.length ?? 0,
    logPath: clean.result?.outputPath,
    timedOut: clean.result?.timedOut,
  });
  if (!clean.failedStep) {
    run.emit('verify', 'passes in the clean worktree too');
    return { fixed: true, feedback: '' };
  }
  run.emit('verify', `rejected: ${clean.message}`);
  let shaped = '';
  if (clean.result) {
    const out = await scrubbed(run, clean.result);
    result.verification = { command: clean.command, exitCode: clean.result.exitCode, tail: tail(out, 20) };
    shaped = shapeOutput(out, { budgetChars: CHECK_OUTPUT_BUDGET, logPath: clean.result.outputPath });
  }
  result.reason = clean.message;
  return {
    fixed: false,
    feedback: `The check passes in the workspace, but ${clean.message}. Your change must work from a clean checkout (files outside the diff, like build outputs, are not there).\n\`\`\`\n${shaped}\n\`\`\``,
  };
}
