// The job summary, as markdown. Pure: the caller redacts (every string here passes through the Redactor first) and
// appends it with core.summary.
import type { RepairResult } from '../agent/types.js';
import { clip, codeBlock as fence, head, headBytes, inlineCode, tableCell as cell, tail } from '../github/markdown.js';

/** GitHub refuses a step's summary over 1 MiB; stay inside with room for redaction and the runner's own lines. */
export const MAX_SUMMARY_BYTES = 1_000_000;
/** Model- and command-written pieces, each bounded where it is shown. */
const MAX_EXPLANATION_CHARS = 20_000;
const MAX_BLOCK_CHARS = 8_000;
const MAX_COMMAND_ROWS = 200;
const MAX_REASON_CHARS = 2_000;
const MAX_RESCUE_CHARS = 20_000;

export type ActionResult = RepairResult['result'] | 'skipped';

export interface SummaryInput {
  result: ActionResult;
  reason: string;
  repair?: RepairResult;
  pullRequest?: { url: string; number: number; action: string };
  branch?: string;
  /** Rescue instructions (markdown) when the failure was not fixed. */
  rescueMarkdown?: string;
  runUrl?: string;
  /** The CI run dispatched on the fix branch (trigger-ci). */
  ciRunUrl?: string;
  /** Whether the agent's shell ran in the OS sandbox, and what it could reach; or why not. */
  sandbox?: { on: true; domains: string[]; ecosystems: string[] } | { on: false; warning?: string };
  /** The workflow artifact holding the recording and the transcript. */
  artifactUrl?: string;
}

const HEADLINES: Record<ActionResult, string> = {
  fixed: 'fixed the failure',
  'already-passing': 'found the check already passing',
  flaky: 'found the check flaky',
  'not-fixed': 'did not fix the failure',
  'budget-exhausted': 'ran out of budget before fixing the failure',
  cancelled: 'was cancelled',
  skipped: 'skipped this run',
  error: 'stopped with an error',
};

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
}

export function renderSummary(input: SummaryInput): string {
  const { repair } = input;
  const lines: string[] = [
    `## ci-medic ${HEADLINES[input.result]}`,
    '',
    `**Result:** \`${input.result}\` — ${clip(input.reason, MAX_REASON_CHARS)}`,
    '',
  ];

  if (input.sandbox?.on === false && input.sandbox.warning) {
    lines.push(`> [!WARNING]`, `> ${input.sandbox.warning}`, '');
  } else if (input.sandbox?.on) {
    const reach = input.sandbox.domains.length ? input.sandbox.domains.map((d) => `\`${d}\``).join(', ') : 'nothing';
    lines.push(`**Sandbox:** on — network only to ${reach}.`, '');
  }

  if (input.pullRequest) {
    lines.push(
      `**Pull request:** [#${input.pullRequest.number}](${input.pullRequest.url}) (${input.pullRequest.action})`,
      '',
    );
  } else if (input.branch) {
    lines.push(`**Branch:** \`${input.branch}\``, '');
  }
  if (input.ciRunUrl) lines.push(`**CI on the fix:** [dispatched run](${input.ciRunUrl})`, '');

  if (repair) {
    lines.push(
      '| Turns | Time | Input tokens | Output tokens | Cache read | Cache write | Cost |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      `| ${repair.turns} | ${formatDuration(repair.durationMs)} | ${repair.inputTokens} | ${repair.outputTokens} | ${repair.cacheReadTokens} | ${repair.cacheWriteTokens} | $${repair.costUsd.toFixed(4)} |`,
      '',
    );
    if (repair.initialFailure.firstErrorLine) {
      lines.push(`**What failed:** \`${cell(repair.initialFailure.firstErrorLine)}\``, '');
    }
    if (repair.flaky && repair.flaky.passes > 0) {
      lines.push(
        `**Flaky:** failed ${repair.flaky.failures} and passed ${repair.flaky.passes} of ${repair.flaky.runs} runs with no change`,
        '',
      );
    }
    if (repair.partialVerification) lines.push(`**Note:** ${cell(repair.partialVerification)}`, '');
    if (repair.preexistingChanges?.length) {
      const files = repair.preexistingChanges.map((f) => `\`${cell(f)}\``).join(', ');
      lines.push(`**Changed before ci-medic started (not part of the fix, not committed):** ${files}`, '');
    }
    if (repair.explanation) {
      lines.push('### Root cause and fix', '', head(repair.explanation, MAX_EXPLANATION_CHARS), '');
    }
    if (repair.commands.length > 0) {
      lines.push('### Commands', '', '| # | Command | Policy | Exit code |', '| ---: | --- | --- | ---: |');
      repair.commands.slice(0, MAX_COMMAND_ROWS).forEach((c, i) => {
        const decision = `${c.allowed ? 'allowed' : 'denied'}${c.policy ? `: ${c.policy}` : ''}`;
        const exit = c.timedOut ? 'timed out' : c.exitCode === null ? '—' : String(c.exitCode);
        lines.push(`| ${i + 1} | ${inlineCode(cell(c.command))} | ${cell(decision)} | ${exit} |`);
      });
      if (repair.commands.length > MAX_COMMAND_ROWS) {
        lines.push(`| … | ${repair.commands.length - MAX_COMMAND_ROWS} more commands: see the transcript | | |`);
      }
      lines.push('');
    }
    if (repair.diffStat) lines.push('### Diff', '', fence(clip(repair.diffStat, MAX_BLOCK_CHARS)), '');
    if (repair.verification) {
      const v = repair.verification;
      lines.push('### Verification', '', `\`${cell(v.command)}\` exited with ${v.exitCode ?? 'no exit code'}`, '');
      if (v.tail) lines.push(fence(tail(v.tail, { maxLines: 60, maxChars: MAX_BLOCK_CHARS })), '');
    }
    lines.push(`Transcript: \`${repair.transcriptPath}\``, '');
    if (input.artifactUrl) {
      lines.push(
        `**Recording and transcript:** [download the artifact](${input.artifactUrl}) (\`ci-medic report\` turns it into one HTML page)`,
        '',
      );
    }
  }

  if (input.rescueMarkdown) lines.push('### Rescue', '', head(input.rescueMarkdown, MAX_RESCUE_CHARS), '');
  if (input.runUrl) lines.push(`[This run](${input.runUrl})`, '');
  return headBytes(`${lines.join('\n')}\n`, MAX_SUMMARY_BYTES);
}
