// The pull request a reviewer reads: what failed, why and what changed (in the model's words), how it was verified, what
// it cost, and how to reproduce it locally. Every piece of text goes through the Redactor on the way out.
import type { RepairResult } from '../agent/types.js';
import type { Redactor } from '../redact.js';

export interface PullRequestBodyInput {
  result: RepairResult;
  /** The check command that failed. */
  check: string;
  /** Link to the workflow run that made the fix. */
  runUrl?: string;
  /** Link to the workflow artifact with the terminal recording and the transcript. */
  artifactUrl?: string;
  /** The CLI command that reproduces the repair locally, e.g. `npx ci-medic repair --check "npm test"`. */
  reproduceCommand: string;
  /** Defaults to result.initialFailure.excerpt. */
  failureExcerpt?: string;
  baseBranch?: string;
  model?: string;
  /** The failure fingerprint the branch is named after. */
  fingerprint?: string;
  redactor: Pick<Redactor, 'redact'>;
}

/** GitHub refuses bodies over 65,536 characters; stay well inside. */
export const MAX_BODY_LENGTH = 60_000;
const MAX_BLOCK_LINES = 60;
const MAX_TITLE_LENGTH = 100;

export function pullRequestTitle(input: {
  check: string;
  result: Pick<RepairResult, 'initialFailure'>;
  redactor: Pick<Redactor, 'redact'>;
}): string {
  const check = oneLine(input.check);
  const error = oneLine(input.result.initialFailure.firstErrorLine);
  let title = `ci-medic: fix \`${check}\``;
  if (error) title += `: ${error}`;
  title = input.redactor.redact(title);
  return title.length > MAX_TITLE_LENGTH ? `${title.slice(0, MAX_TITLE_LENGTH - 1)}…` : title;
}

export function renderPullRequestBody(input: PullRequestBodyInput): string {
  const { result } = input;
  const excerpt = input.failureExcerpt ?? result.initialFailure.excerpt;
  const sections: string[] = [];

  sections.push(
    `ci-medic repaired a failing check${input.baseBranch ? ` on \`${oneLine(input.baseBranch)}\`` : ''}. ` +
      'Review the change like any other: it was made by a language model and verified only by re-running the check.',
  );

  sections.push(
    [
      '## What failed',
      '',
      `\`${oneLine(input.check)}\` exited with code ${result.initialFailure.exitCode ?? 'unknown (killed or timed out)'}.`,
      '',
      codeBlock(lastLines(excerpt, MAX_BLOCK_LINES)),
    ].join('\n'),
  );

  sections.push(
    ['## Root cause and fix', '', result.explanation.trim() || '_The model gave no explanation._'].join('\n'),
  );

  const files = result.changedFiles.map((f) => `- \`${oneLine(f)}\``).join('\n');
  sections.push(
    [
      '## Changes',
      '',
      files || '_No files listed._',
      '',
      result.diffStat.trim() ? codeBlock(result.diffStat.trimEnd()) : '',
    ]
      .join('\n')
      .trimEnd(),
  );

  const verification = result.verification;
  sections.push(
    verification
      ? [
          '## Verification',
          '',
          `\`${oneLine(verification.command)}\` exited with code ${verification.exitCode ?? 'unknown'}. Last lines:`,
          '',
          codeBlock(lastLines(verification.tail, MAX_BLOCK_LINES)),
        ].join('\n')
      : ['## Verification', '', '_The check was not re-run._'].join('\n'),
  );

  const rows: Array<[string, string]> = [
    ['Model turns', String(result.turns)],
    ['Time', formatDuration(result.durationMs)],
    ['Cost', `$${result.costUsd.toFixed(4)}`],
    ['Tokens (input / output)', `${result.inputTokens} / ${result.outputTokens}`],
    ['Cache (read / write)', `${result.cacheReadTokens} / ${result.cacheWriteTokens}`],
    ['Commands run', String(result.commands.length)],
  ];
  if (input.model) rows.push(['Model', `\`${oneLine(input.model)}\``]);
  if (input.fingerprint) rows.push(['Failure fingerprint', `\`${oneLine(input.fingerprint)}\``]);
  if (input.runUrl) rows.push(['Run', `[workflow run](${input.runUrl})`]);
  if (input.artifactUrl) rows.push(['Recording and transcript', `[artifact](${input.artifactUrl})`]);
  sections.push(
    ['## The repair', '', '| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v.replace(/\|/g, '\\|')} |`)].join(
      '\n',
    ),
  );

  sections.push(
    [
      '## Reproduce locally',
      '',
      'Check out the base commit, then run the same repair in a tmux session you can watch:',
      '',
      codeBlock(`git checkout ${result.baseCommit}\n${input.reproduceCommand.trim()}`, 'sh'),
    ].join('\n'),
  );

  sections.push('<sub>Opened by ci-medic. Re-runs of the same failure update this pull request.</sub>');

  const body = input.redactor.redact(sections.join('\n\n'));
  return body.length > MAX_BODY_LENGTH ? `${body.slice(0, MAX_BODY_LENGTH)}\n\n_(body truncated)_` : body;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function lastLines(text: string, count: number): string {
  const lines = text.replace(/\s+$/, '').split('\n');
  return lines.length <= count
    ? lines.join('\n')
    : [`… (${lines.length - count} earlier lines)`, ...lines.slice(-count)].join('\n');
}

/** A fenced block whose fence is longer than any backtick run inside, so the content cannot close it. */
function codeBlock(text: string, language = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text}\n${fence}`;
}

function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${seconds % 60} s`;
}
