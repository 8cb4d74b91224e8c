// What the model is told. The system prompt is stable (no timestamps, nothing per run) so that tools + system form a
// cacheable prefix; everything about this run goes into the first user message.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChangeSummary } from './change.js';
import { bound, PROMPT_LIMITS } from './prompt-limits.js';

export const SYSTEM_PROMPT = `You are ci-medic, an engineer repairing a failing CI check in a checked-out repository.

You work through tools: \`bash\` runs one command in a persistent shell inside a tmux session (each command is checked by a policy first; a denied command is not run and you are told why and what to do instead), and \`read\`, \`write\`, \`edit\`, \`glob\`, \`grep\` work on files in the workspace.

How to work:
- Reproduce and understand the failure before changing anything. The last commit is the usual cause of a red build: start there.
- Make the smallest change that fixes the root cause in the code under test. Keep the project's style.
- Run the check (or the narrowest part of it that shows the failure) to confirm your fix.
- Long outputs are shortened: the head, the tail and the error lines are shown, and the full log's path is given, so grep it for more.
- Commands have a time limit; never start servers, watchers or interactive programs in the foreground.

Rules (a change that breaks them is rejected, and you will be asked to redo it):
- Never disable, skip, delete or weaken tests or assertions (.skip, .only, xit, @pytest.mark.skip, #[ignore], t.Skip, @Disabled, ...).
- Never add suppressions (eslint-disable, @ts-ignore, # noqa, # type: ignore, ...).
- Never edit CI configuration (.github/), lockfiles, or the check's own definition (for \`npm test\`, the "test" script).
- Never run git commit, git push or anything that changes git history or remotes: ci-medic commits and opens the pull request.
- Never try to read or print credentials or tokens.

When you are done, stop calling tools and reply with a short account: the root cause, what you changed, and how you verified it. ci-medic then re-runs the check itself in a fresh shell: success is decided by that run, not by your account. If it still fails, you will get the new failure and can continue.

If the failure cannot be fixed by changing this repository within these rules, call \`give_up\` with what you found (or reply with a line starting \`CANNOT FIX:\`). Replying "done" again without changing anything ends the run as not fixed.`;

export interface TaskContext {
  check: string;
  exitCode: number | null;
  /** The failing output, already shaped (head, tail, error lines). */
  shapedOutput: string;
  logPath: string;
  /** What changed: the pull request, the pushed range, or the last commit. */
  change: ChangeSummary | null;
  /** Set when the check is flaky and the model is asked to fix the flakiness. */
  flaky?: { runs: number; passes: number };
  instructions: string | null;
  setup?: string;
}

/** `.github/ci-medic.md` and the caller's instructions, joined; null when neither exists. */
export async function projectInstructions(workdir: string, extra: string | undefined): Promise<string | null> {
  let file = '';
  try {
    file = (await readFile(join(workdir, '.github', 'ci-medic.md'), 'utf8')).trim();
  } catch {
    // No project instructions: fine.
  }
  const parts = [
    file && `From .github/ci-medic.md:\n${file}`,
    extra?.trim() && `From the caller:\n${extra.trim()}`,
  ].filter(Boolean);
  return parts.length ? bound(parts.join('\n\n'), PROMPT_LIMITS.instructions, 'instructions') : null;
}

export function taskMessage(ctx: TaskContext): string {
  const sections = [
    `The CI check \`${ctx.check}\` fails in this repository (exit code ${ctx.exitCode ?? 'none: it did not finish'}). Find the root cause and fix it so that the check passes.`,
    `Output of the check (shortened; the full log is at ${ctx.logPath}):\n\`\`\`\n${ctx.shapedOutput}\n\`\`\``,
  ];
  if (ctx.flaky) {
    sections.push(
      `The check is flaky: it passed ${ctx.flaky.passes} of ${ctx.flaky.runs} runs with no change. Find what makes it nondeterministic (timing, order, shared state, randomness) and fix that; a fix counts only when the check passes several times in a row.`,
    );
  }
  if (ctx.change) {
    sections.push(
      `${ctx.change.heading}:\n${ctx.change.message || '(no commit messages)'}\n\nFiles changed:\n${ctx.change.stat || '(none)'}\n\nThe diff:\n\`\`\`diff\n${ctx.change.diff || '(empty)'}\n\`\`\``,
    );
  }
  if (ctx.setup)
    sections.push(
      `The project's setup command is \`${ctx.setup}\`; before accepting a fix, ci-medic runs it and the check in a clean worktree with only your diff applied.`,
    );
  if (ctx.instructions) sections.push(`Project instructions:\n${ctx.instructions}`);
  sections.push(
    'Remember the rules: no skipping or weakening tests, no suppressions, no edits to CI configuration, lockfiles or the check itself, no git commit or push.',
  );
  return sections.join('\n\n');
}

/** What the model is told when ci-medic's own re-run of the check still fails. */
export function stillFailingMessage(check: string, exitCode: number | null, shaped: string, logPath: string): string {
  return `ci-medic re-ran \`${check}\` in a fresh shell and it still fails (exit code ${exitCode ?? 'none: it did not finish'}). Output (shortened; full log at ${logPath}):\n\`\`\`\n${shaped}\n\`\`\`\nKeep going: find what is still wrong and fix it.`;
}

export function tamperMessage(violations: { rule: string; file: string; line?: string; message: string }[]): string {
  const list = violations
    .map((v) => `- [${v.rule}] ${v.file}: ${v.message}${v.line ? ` (line: ${v.line.trim().slice(0, 160)})` : ''}`)
    .join('\n');
  return `The check passes, but ci-medic rejects the change because it breaks the rules:\n${list}\nUndo these parts and fix the real cause instead.`;
}
