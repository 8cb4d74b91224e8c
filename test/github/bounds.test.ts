// Whatever the model writes, what GitHub shows stays inside its limits: the job summary under 1 MiB, the pull request
// body under 65,536 characters, each model-written piece bounded where it is shown, and no code fence left open.
import { describe, expect, it } from 'vitest';
import type { RepairResult } from '../../src/agent/types.js';
import { MAX_SUMMARY_BYTES, renderSummary } from '../../src/action/summary.js';
import { codeBlock, head, tail } from '../../src/markdown.js';
import { pullRequestTitle, renderPullRequestBody } from '../../src/github/pr-body.js';
import { Redactor } from '../../src/redact.js';

const MiB = 1024 * 1024;
const huge = (unit: string, bytes: number): string => unit.repeat(Math.ceil(bytes / unit.length));

/** A result where everything the model and the commands wrote is enormous, with fences meant to break the markdown. */
function hostileResult(): RepairResult {
  const longLine = huge('é漢🙂x', 200_000); // multi-byte characters: bytes and characters differ
  return {
    result: 'fixed',
    reason: huge('reason ', 500_000),
    turns: 40,
    costUsd: 1.5,
    inputTokens: 1,
    outputTokens: 1,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    durationMs: 1000,
    changedFiles: Array.from({ length: 5000 }, (_, i) => `src/${'deep/'.repeat(40)}file-${i}.js`),
    diffStat: huge(' src/a.js | 2 +-\n', 3 * MiB),
    explanation: `\`\`\`\n${huge('the model rambles\n', 4 * MiB)}`,
    initialFailure: { exitCode: 1, excerpt: `${longLine}\n`.repeat(30), firstErrorLine: longLine },
    verification: { command: 'npm test', exitCode: 0, tail: huge('ok 1 - passes ``` \n', 2 * MiB) },
    commands: Array.from({ length: 3000 }, (_, i) => ({
      command: `echo ${huge('`|x', 10_000)} ${i}`,
      allowed: i % 2 === 0,
      policy: huge('reason | ', 5_000),
      exitCode: 0,
      durationMs: 1,
      timedOut: false,
    })),
    baseCommit: 'a'.repeat(40),
    transcriptPath: '/tmp/t.jsonl',
    transcriptMarkdownPath: '/tmp/t.md',
    sessionName: 's',
    socketPath: '/tmp/s',
  };
}

/** True when every fence the text opens is closed again. */
function fencesBalanced(markdown: string): boolean {
  let open: string | undefined;
  for (const line of markdown.split('\n')) {
    const m = /^ {0,3}(`{3,})(.*)$/.exec(line);
    if (!m) continue;
    if (!open) open = m[1];
    else if (m[1].length >= open.length && m[2].trim() === '') open = undefined;
  }
  return open === undefined;
}

describe('the job summary', () => {
  it('stays under 1 MiB however much the model and the commands wrote, with every fence closed', () => {
    const summary = renderSummary({
      result: 'fixed',
      reason: huge('why ', MiB),
      repair: hostileResult(),
      rescueMarkdown: huge('rescue ', MiB),
      runUrl: 'https://github.com/acme/shop/actions/runs/1',
    });
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(MAX_SUMMARY_BYTES);
    expect(MAX_SUMMARY_BYTES).toBeLessThan(MiB);
    expect(fencesBalanced(summary)).toBe(true);
    expect(summary).toContain('### Root cause and fix');
    expect(summary).toContain('more characters left out');
    expect(summary).toContain('more commands: see the transcript');
    // A table row is never broken by a pipe or a newline the command held.
    const rows = summary.split('\n').filter((l) => /^\| \d+ \| .*\| (allowed|denied)/.test(l));
    expect(rows.length).toBe(200);
    for (const row of rows) expect(row.length).toBeLessThan(1000);
  });
});

describe('the pull request', () => {
  it('body stays under 65,536 characters with every fence closed; title stays short', () => {
    const result = hostileResult();
    const body = renderPullRequestBody({
      result,
      check: 'npm test',
      reproduceCommand: `npx ci-medic repair --check "${huge('x', 100_000)}"`,
      redactor: new Redactor([]),
    });
    expect(body.length).toBeLessThan(65_536);
    expect(fencesBalanced(body)).toBe(true);
    for (const heading of ['## What failed', '## Root cause and fix', '## Changes', '## Verification']) {
      expect(body).toContain(heading);
    }
    expect(body).toContain('and 4950 more files');
    const title = pullRequestTitle({ check: 'npm test', result, redactor: new Redactor([]) });
    expect(title.length).toBeLessThanOrEqual(100);
  });
});

describe('markdown helpers', () => {
  it('head closes the fence it cut through; tail keeps the last lines within its bounds', () => {
    const cut = head(`intro\n\`\`\`\n${'line\n'.repeat(1000)}\`\`\`\n`, 200);
    expect(cut.length).toBeLessThanOrEqual(200);
    expect(fencesBalanced(cut)).toBe(true);
    const last = tail(Array.from({ length: 500 }, (_, i) => `line ${i}`).join('\n'), { maxLines: 10, maxChars: 50 });
    expect(last.split('\n').at(-1)).toBe('line 499');
    expect(last.startsWith('… (')).toBe(true);
    expect(codeBlock('a ``` b')).toBe('````\na ``` b\n````');
  });
});
