// The job summary, as markdown. Pure: the caller redacts (every string here passes through the Redactor first) and
// appends it with core.summary.
import type { RepairResult } from '../agent/types.js';

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
  /** The workflow artifact holding the recording and the transcript. */
  artifactUrl?: string;
}

const HEADLINES: Record<ActionResult, string> = {
  fixed: 'fixed the failure',
  'already-passing': 'found the check already passing',
  'not-fixed': 'did not fix the failure',
  'budget-exhausted': 'ran out of budget before fixing the failure',
  skipped: 'skipped this run',
  error: 'stopped with an error',
};

/** Markdown table cell: pipes and newlines would break the row. */
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

const fence = (text: string): string => {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}\n${text.replace(/\n$/, '')}\n${ticks}`;
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
    `**Result:** \`${input.result}\` — ${input.reason}`,
    '',
  ];

  if (input.pullRequest) {
    lines.push(
      `**Pull request:** [#${input.pullRequest.number}](${input.pullRequest.url}) (${input.pullRequest.action})`,
      '',
    );
  } else if (input.branch) {
    lines.push(`**Branch:** \`${input.branch}\``, '');
  }

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
    if (repair.explanation) lines.push('### Root cause and fix', '', repair.explanation, '');
    if (repair.commands.length > 0) {
      lines.push('### Commands', '', '| # | Command | Policy | Exit code |', '| ---: | --- | --- | ---: |');
      repair.commands.forEach((c, i) => {
        const decision = `${c.allowed ? 'allowed' : 'denied'}${c.policy ? `: ${c.policy}` : ''}`;
        const exit = c.timedOut ? 'timed out' : c.exitCode === null ? '—' : String(c.exitCode);
        lines.push(`| ${i + 1} | \`${cell(c.command)}\` | ${cell(decision)} | ${exit} |`);
      });
      lines.push('');
    }
    if (repair.diffStat) lines.push('### Diff', '', fence(repair.diffStat), '');
    if (repair.verification) {
      const v = repair.verification;
      lines.push('### Verification', '', `\`${cell(v.command)}\` exited with ${v.exitCode ?? 'no exit code'}`, '');
      if (v.tail) lines.push(fence(v.tail), '');
    }
    lines.push(`Transcript: \`${repair.transcriptPath}\``, '');
    if (input.artifactUrl) {
      lines.push(
        `**Recording and transcript:** [download the artifact](${input.artifactUrl}) (\`ci-medic report\` turns it into one HTML page)`,
        '',
      );
    }
  }

  if (input.rescueMarkdown) lines.push('### Rescue', '', input.rescueMarkdown, '');
  if (input.runUrl) lines.push(`[This run](${input.runUrl})`, '');
  return `${lines.join('\n')}\n`;
}
