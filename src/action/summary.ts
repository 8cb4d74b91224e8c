// The job summary, as markdown. Pure: the caller redacts (every string here passes through the Redactor first) and
// appends it with core.summary.
import type { RepairResult } from '../agent/types.js';
import { formatDuration } from '../format.js';
import { clip, codeBlock as fence, head, headBytes, inlineCode, tableCell as cell, tail } from '../markdown.js';

/** GitHub refuses a step's summary over 1 MiB; stay inside with room for redaction and the runner's own lines. */
export const MAX_SUMMARY_BYTES = 1_000_000;
/** Model- and command-written pieces, each bounded where it is shown. */
const MAX_EXPLANATION_CHARS = 20_000;
const MAX_BLOCK_CHARS = 8_000;
const MAX_COMMAND_ROWS = 200;
const MAX_REASON_CHARS = 2_000;
const MAX_RESCUE_CHARS = 20_000;
/** The diff in its collapsible block; the whole change is on the branch and in the pull request. */
const MAX_DIFF_CHARS = 30_000;
/** The summary's own sections are `###` under its `##` headline; the rescue instructions nest there too. */
const SECTION_LEVEL = 3;

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
        // Allowed: just that (the rule that allowed it is in the transcript); denied: why.
        const decision = c.allowed ? 'allowed' : `denied${c.policy && c.policy !== 'denied' ? `: ${c.policy}` : ''}`;
        const exit = c.timedOut ? 'timed out' : c.exitCode === null ? '—' : String(c.exitCode);
        lines.push(`| ${i + 1} | ${inlineCode(cell(c.command))} | ${cell(decision)} | ${exit} |`);
      });
      if (repair.commands.length > MAX_COMMAND_ROWS) {
        lines.push(`| … | ${repair.commands.length - MAX_COMMAND_ROWS} more commands: see the transcript | | |`);
      }
      lines.push('');
    }
    if (repair.diffStat || repair.diff) lines.push('### Diff', '');
    if (repair.diffStat) lines.push(fence(clip(repair.diffStat, MAX_BLOCK_CHARS)), '');
    if (repair.diff) {
      lines.push(
        '<details><summary>The whole diff</summary>',
        '',
        fence(clipLines(repair.diff, MAX_DIFF_CHARS), 'diff'),
        '',
        '</details>',
        '',
      );
    }
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

  if (input.rescueMarkdown) {
    const rescue = nestHeadings(head(input.rescueMarkdown, MAX_RESCUE_CHARS), SECTION_LEVEL);
    if (!rescue.nested) lines.push('### Rescue', '');
    lines.push(rescue.text, '');
  }
  if (input.runUrl) lines.push(`[This run](${input.runUrl})`, '');
  return headBytes(`${lines.join('\n')}\n`, MAX_SUMMARY_BYTES);
}

/** At most `maxChars`, cut at a line end, with a note of what was left out (a diff line cut in half misleads). */
function clipLines(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const cut = text.slice(0, maxChars);
  const end = cut.lastIndexOf('\n');
  return `${end > 0 ? cut.slice(0, end) : cut}\n… (${text.length - (end > 0 ? end : maxChars)} more characters: see the branch)`;
}

/**
 * Shift a markdown text's ATX headings (outside code fences) so its shallowest heading sits at `level`, keeping their
 * relative depth: a section written to stand alone (`## …`) nests under the summary's headline.
 */
export function nestHeadings(markdown: string, level: number): { text: string; nested: boolean } {
  const lines = markdown.split('\n');
  const headingAt: number[] = [];
  let fenceMark: string | undefined;
  lines.forEach((line, i) => {
    const fenceMatch = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (fenceMatch) {
      if (!fenceMark) fenceMark = fenceMatch[1];
      else if (fenceMatch[1][0] === fenceMark[0] && fenceMatch[1].length >= fenceMark.length) fenceMark = undefined;
      return;
    }
    if (!fenceMark && /^#{1,6}\s/.test(line)) headingAt.push(i);
  });
  if (headingAt.length === 0) return { text: markdown, nested: false };
  const depth = (line: string): number => /^#+/.exec(line)![0].length;
  const shift = level - Math.min(...headingAt.map((i) => depth(lines[i])));
  for (const i of headingAt) {
    const d = Math.min(6, Math.max(1, depth(lines[i]) + shift));
    lines[i] = `${'#'.repeat(d)}${lines[i].slice(depth(lines[i]))}`;
  }
  return { text: lines.join('\n'), nested: true };
}
