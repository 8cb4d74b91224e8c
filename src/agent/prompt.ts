// What the model is told. The system prompt is stable (no timestamps, nothing per run) so that tools + system form a
// cacheable prefix; everything about this run goes into the first user message.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gitOrEmpty } from './git.js';

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

When you are done, stop calling tools and reply with a short account: the root cause, what you changed, and how you verified it. ci-medic then re-runs the check itself in a fresh shell: success is decided by that run, not by your account. If it still fails, you will get the new failure and can continue.`;

/** Upper bounds on the parts of the first message, in characters. */
export const PROMPT_LIMITS = { commitMessage: 2000, stat: 3000, diff: 8000, instructions: 6000 };

export function bound(text: string, max: number, what: string): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}\n[... ${what} cut at ${max} characters of ${text.length}]`;
}

export interface TaskContext {
  check: string;
  exitCode: number | null;
  /** The failing output, already shaped (head, tail, error lines). */
  shapedOutput: string;
  logPath: string;
  lastCommit: { message: string; stat: string; diff: string } | null;
  instructions: string | null;
  setup?: string;
}

/** The last commit's message, --stat and a bounded diff (empty repository: null). */
export async function lastCommitSummary(workdir: string): Promise<TaskContext['lastCommit']> {
  const message = (await gitOrEmpty(workdir, ['log', '-1', '--format=%h %s%n%n%b'])).trim();
  if (!message) return null;
  const stat = (await gitOrEmpty(workdir, ['show', '--stat', '--format=', 'HEAD'])).trim();
  const diff = (await gitOrEmpty(workdir, ['show', '--format=', '--no-color', 'HEAD'])).trim();
  return {
    message: bound(message, PROMPT_LIMITS.commitMessage, 'commit message'),
    stat: bound(stat, PROMPT_LIMITS.stat, 'stat'),
    diff: bound(diff, PROMPT_LIMITS.diff, 'diff'),
  };
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
  if (ctx.lastCommit) {
    sections.push(
      `The last commit (the usual cause of a red build):\n${ctx.lastCommit.message}\n\nFiles it changed:\n${ctx.lastCommit.stat || '(none)'}\n\nIts diff:\n\`\`\`diff\n${ctx.lastCommit.diff || '(empty)'}\n\`\`\``,
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
