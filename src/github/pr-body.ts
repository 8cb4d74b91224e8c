// The pull request a reviewer reads: what failed, why and what changed (in the model's words), how it was verified, what
// it cost, and how to reproduce it locally. Every piece of text goes through the Redactor on the way out.
import type { RepairResult } from '../agent/index.js';
import { formatDuration } from '../format.js';
import type { Redactor } from '../redact.js';
import { clip, codeBlock, head, tail } from '../markdown.js';

export interface PullRequestBodyInput {
  result: RepairResult;
  /** The check command that failed. */
  check: string;
  /** Link to the workflow run that made the fix. */
  runUrl?: string;
  /** Link to the workflow artifact with the terminal recording and the transcript. */
  artifactUrl?: string;
  /** The commands that reproduce the repair locally (see reproduce.ts). */
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
/** A log block (failure excerpt, verification tail, diff stat) in characters. */
const MAX_BLOCK_CHARS = 6_000;
/** The model's explanation. The pieces' bounds add up to well under MAX_BODY_LENGTH, so no section is cut off. */
const MAX_EXPLANATION_CHARS = 16_000;
/** Changed files listed by name; the diff stat covers the rest. */
const MAX_FILES_LISTED = 50;
const MAX_TITLE_LENGTH = 100;
const block = (text: string): string => codeBlock(tail(text, { maxLines: MAX_BLOCK_LINES, maxChars: MAX_BLOCK_CHARS }));

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
      block(excerpt),
    ].join('\n'),
  );

  sections.push(
    [
      '## Root cause and fix',
      '',
      head(result.explanation.trim(), MAX_EXPLANATION_CHARS, 'see the run for the whole transcript') ||
        '_The model gave no explanation._',
    ].join('\n'),
  );

  const listed = result.changedFiles.slice(0, MAX_FILES_LISTED).map((f) => `- \`${clip(oneLine(f), 200)}\``);
  if (result.changedFiles.length > MAX_FILES_LISTED) {
    listed.push(`- … and ${result.changedFiles.length - MAX_FILES_LISTED} more files`);
  }
  const files = listed.join('\n');
  sections.push(
    [
      '## Changes',
      '',
      files || '_No files listed._',
      '',
      result.diffStat.trim() ? codeBlock(clip(result.diffStat.trimEnd(), MAX_BLOCK_CHARS)) : '',
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
          block(verification.tail),
        ].join('\n')
      : ['## Verification', '', '_The check was not re-run._'].join('\n'),
  );
  // "verification was partial: …": one sentence from the loop, with setup's error.
  if (result.partialVerification) sections.push(`> **Note:** ${oneLine(result.partialVerification)}`);

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
      codeBlock(`git checkout ${result.baseCommit}\n${clip(input.reproduceCommand.trim(), 2_000)}`, 'sh'),
    ].join('\n'),
  );

  sections.push('<sub>Opened by ci-medic. Re-runs of the same failure update this pull request.</sub>');

  // Every piece is bounded above; the whole is bounded again after redaction (a mask may be longer than its secret).
  return head(input.redactor.redact(sections.join('\n\n')), MAX_BODY_LENGTH, 'see the run for the rest');
}

function oneLine(text: string): string {
  return clip(text.replace(/\s+/g, ' ').trim(), 500);
}
