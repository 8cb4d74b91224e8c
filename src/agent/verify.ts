// ci-medic, not the model, decides success: the check re-run as a program in a fresh shell (as many passes in a row
// as flakiness demands), the tamper guard, then setup and check in a clean worktree of the base commit with only the
// loop's diff applied — once that verification has been proven able to judge (setup passes on the base commit).
import { passed, runProgram, type ProgramRun } from './check.js';
import { failureSummary } from './failure-line.js';
import { stillFailingMessage, tamperMessage } from './prompt.js';
import type { LoopRun } from './run.js';
import { shapeOutput, tail } from './shape.js';
import { checkWorkspaceTamper } from './tamper/index.js';
import { verifyInCleanWorktree } from './worktree.js';

/** Characters of a check's output the model sees. */
export const CHECK_OUTPUT_BUDGET = 12_000;

export { passed } from './check.js';

/** Re-run the check in a fresh shell (cwd and environment back to the start). */
export async function rerunCheck(run: LoopRun, phase: string): Promise<ProgramRun> {
  await run.session.restart();
  return runProgram(run, 'check', phase);
}

/** ci-medic's verdict once the model says it is done (or a budget ran out after it changed things). */
export interface Verdict {
  fixed: boolean;
  /** What the model is told when it is not fixed. */
  feedback: string;
}

/** Proven once, on first need: can the clean-worktree verification judge a fix at all? */
async function proveBaseline(run: LoopRun): Promise<NonNullable<LoopRun['baseline']>> {
  if (run.baseline) return run.baseline;
  const { config } = run;
  run.emit('verify', 'proving the clean-worktree verification on the base commit (no diff applied)');
  const base = await verifyInCleanWorktree(run, { withDiff: false, phase: 'base commit, clean worktree' });
  const line = failureSummary;
  if (base.failedStep === 'setup') {
    const why = `setup \`${config.setup}\` fails on the base commit too (exit ${base.result?.exitCode ?? 'none'}: ${line(base.output)})`;
    run.baseline = { usable: false, why };
  } else if (base.failedStep === 'check' && line(base.output) !== run.result.initialFailure.firstErrorLine) {
    // Without a setup the clean tree may lack what the project needs (generated files, a local config).
    const why = `\`${config.check}\` fails differently in a clean worktree of the base commit (${line(base.output)})`;
    run.baseline = { usable: false, why };
  } else run.baseline = { usable: true };
  return run.baseline;
}

/**
 * Re-run the check in a fresh shell (`passesNeeded` times in a row); then the tamper guard; then the clean-worktree
 * verification. Records the verification in the result and the transcript.
 */
export async function verifyFix(run: LoopRun): Promise<Verdict> {
  const { config, result } = run;
  for (let i = 1; i <= run.passesNeeded; i++) {
    const pass = run.passesNeeded > 1 ? ` (pass ${i} of ${run.passesNeeded} in a row)` : '';
    run.emit('verify', `verifying: re-running ${config.check} in a fresh shell${pass}`);
    const { result: r, output } = await rerunCheck(run, `verify${pass}`);
    result.verification = { command: config.check, exitCode: r.exitCode, tail: tail(output, 20) };
    if (!passed(r)) {
      run.emit('verify', `still failing (exit ${r.exitCode ?? 'none'})${pass}`);
      const shaped = shapeOutput(output, { budgetChars: CHECK_OUTPUT_BUDGET, logPath: r.outputPath });
      const flakyNote =
        i > 1
          ? `\nIt passed ${i - 1} time(s) first: the check is still flaky, and must pass ${run.passesNeeded} times in a row.`
          : '';
      return {
        fixed: false,
        feedback: stillFailingMessage(config.check, r.exitCode, shaped, r.outputPath) + flakyNote,
      };
    }
  }

  const violations = await checkWorkspaceTamper(run.repo, run.startTree, config.check, config.relaxedTamperRules, {
    skipUntracked: run.untrackedBefore,
    failureOutput: result.initialFailure.excerpt,
  });
  if (violations.length > 0) {
    run.record({ type: 'tamper', violations });
    run.emit('tamper', `rejected: ${violations.map((v) => `${v.rule} in ${v.file}`).join(', ')}`);
    result.reason = `tamper guard: ${violations.map((v) => `${v.rule} (${v.file})`).join(', ')}`;
    return { fixed: false, feedback: tamperMessage(violations) };
  }
  run.emit('verify', `${config.check} passes (exit 0); the tamper guard found nothing`);

  if (run.baseline?.usable === false) return { fixed: true, feedback: '' };
  const steps = config.setup ? `${config.setup} and ${config.check}` : config.check;
  run.emit('verify', `verifying: ${steps} in a clean worktree with only the diff applied`);
  const clean = await verifyInCleanWorktree(run, { withDiff: true, phase: 'clean worktree with the diff' });
  if (!clean.failedStep) {
    run.emit('verify', 'passes in the clean worktree too');
    return { fixed: true, feedback: '' };
  }
  if (clean.failedStep !== 'apply') {
    const baseline = await proveBaseline(run);
    if (!baseline.usable) {
      result.partialVerification = `verification was partial: ${baseline.why}, so the fix was judged by ci-medic's re-run of the check in the workspace alone`;
      run.emit('verify', result.partialVerification);
      run.record({ type: 'budget', which: 'verification', detail: result.partialVerification });
      return { fixed: true, feedback: '' };
    }
  }
  run.emit('verify', `rejected: ${clean.message}`);
  let shaped = '';
  if (clean.result) {
    result.verification = { command: clean.command, exitCode: clean.result.exitCode, tail: tail(clean.output, 20) };
    shaped = shapeOutput(clean.output, { budgetChars: CHECK_OUTPUT_BUDGET, logPath: clean.result.outputPath });
  }
  result.reason = clean.message;
  const what = clean.failedStep === 'setup' ? `setup \`${config.setup}\` fails with your diff applied` : clean.message;
  return {
    fixed: false,
    feedback: `The check passes in the workspace, but ${what} (exit code ${clean.result?.exitCode ?? 'none'}). Your change must work from a clean checkout (files outside the diff, like build outputs or files that were untracked before you started, are not there).\n\`\`\`\n${shaped}\n\`\`\``,
  };
}
