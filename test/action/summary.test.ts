// The job summary's markdown: headline, figures table, commands with decisions and exit codes, diff, PR, rescue.
import { describe, expect, it } from 'vitest';
import type { RepairResult } from '../../src/agent/types.js';
import { renderSummary } from '../../src/action/summary.js';
import { formatDuration } from '../../src/format.js';
import { rescueInstructions } from '../../src/rescue/instructions.js';

const repair: RepairResult = {
  result: 'fixed',
  reason: 'npm test passes when ci-medic re-runs it',
  turns: 3,
  costUsd: 0.01234,
  inputTokens: 120,
  outputTokens: 80,
  cacheReadTokens: 4000,
  cacheWriteTokens: 900,
  durationMs: 75_000,
  changedFiles: ['math.js'],
  diffStat: ' math.js | 2 +-\n 1 file changed',
  explanation: 'The loop skipped the last item.',
  initialFailure: { exitCode: 1, excerpt: 'AssertionError: 3 !== 6', firstErrorLine: 'AssertionError: 3 !== 6' },
  verification: { command: 'npm test', exitCode: 0, tail: '# pass 2' },
  commands: [
    {
      command: 'grep -n x a.js | head',
      allowed: true,
      policy: 'allowed',
      exitCode: 0,
      durationMs: 10,
      timedOut: false,
    },
    {
      command: 'curl example.com',
      allowed: false,
      policy: 'network-egress',
      exitCode: null,
      durationMs: 0,
      timedOut: false,
    },
    { command: 'npm test', allowed: true, policy: 'allowed', exitCode: null, durationMs: 600_000, timedOut: true },
  ],
  baseCommit: 'abc',
  transcriptPath: '/tmp/t.jsonl',
  transcriptMarkdownPath: '/tmp/t.md',
  sessionName: 'ci-medic',
  socketPath: '/tmp/ci-medic-0/ci-medic.sock',
};

describe('renderSummary', () => {
  it('renders the result, the figures, every command with its decision and exit code, the diff and the PR', () => {
    const md = renderSummary({
      result: 'fixed',
      reason: repair.reason,
      repair,
      pullRequest: { url: 'https://github.com/acme/shop/pull/5', number: 5, action: 'created' },
      runUrl: 'https://github.com/acme/shop/actions/runs/1',
    });
    expect(md).toContain('## ci-medic fixed the failure');
    expect(md).toContain('| 3 | 1m 15s | 120 | 80 | 4000 | 900 | $0.0123 |');
    // Pipes inside a command are escaped so the row stays one row.
    expect(md).toContain('| 1 | `grep -n x a.js \\| head` | allowed | 0 |');
    expect(md).toContain('| 2 | `curl example.com` | denied: network-egress | — |');
    expect(md).toContain('| 3 | `npm test` | allowed | timed out |');
    expect(md).toContain('math.js | 2 +-');
    expect(md).toContain('[#5](https://github.com/acme/shop/pull/5) (created)');
    expect(md).toContain('[This run](https://github.com/acme/shop/actions/runs/1)');
  });

  it('a skipped run has the reason and no figures', () => {
    const md = renderSummary({ result: 'skipped', reason: 'it comes from a fork' });
    expect(md).toContain('## ci-medic skipped this run');
    expect(md).toContain('it comes from a fork');
    expect(md).not.toContain('| Turns |');
  });

  it('formats durations one way for every report', () => {
    expect(formatDuration(320)).toBe('320ms');
    expect(formatDuration(4_400)).toBe('4.4s');
    expect(formatDuration(42_000)).toBe('42s');
    expect(formatDuration(59_600)).toBe('1m 00s');
    expect(formatDuration(125_000)).toBe('2m 05s');
    expect(formatDuration(3_725_000)).toBe('1h 02m 05s');
  });

  it('shows the real diff in a collapsible block, bounded, and the policy column says allowed once', () => {
    const diff = `diff --git a/math.js b/math.js\n--- a/math.js\n+++ b/math.js\n@@ -1 +1 @@\n-for (i < n - 1)\n+for (i < n)\n`;
    const md = renderSummary({ result: 'fixed', reason: repair.reason, repair: { ...repair, diff } });
    expect(md).toMatch(
      /<details><summary>[^<]+<\/summary>\n\n```diff\ndiff --git a\/math.js b\/math.js\n[\s\S]*\+for \(i < n\)\n```\n\n<\/details>/,
    );
    expect(md).not.toContain('allowed: allowed');
    const huge = `diff --git a/big b/big\n${'+generated line\n'.repeat(20_000)}`;
    const big = renderSummary({ result: 'fixed', reason: 'ok', repair: { ...repair, diff: huge } });
    expect(big.length).toBeLessThan(40_000);
    expect(big).toMatch(/more characters: see the branch\)\n```\n\n<\/details>/);
  });

  it('nests the rescue section under the summary headline', () => {
    const rescue = rescueInstructions({
      sessionName: 'ci-medic',
      socketPath: '/tmp/ci-medic-0/ci-medic.sock',
      stepId: 'medic',
    });
    const md = renderSummary({ result: 'not-fixed', reason: 'no luck', rescueMarkdown: rescue.markdown });
    let inFence = false;
    const headings = md.split('\n').filter((l) => {
      if (/^(```|~~~)/.test(l)) inFence = !inFence;
      return !inFence && /^#{1,6} /.test(l);
    });
    expect(headings[0]).toMatch(/^## ci-medic did not fix/);
    for (const h of headings.slice(1)) expect(h).toMatch(/^#{3,6} /);
    expect(headings).toContain('### ci-medic: rescue shell');
    // Comment lines inside the YAML block are not headings and stay as they are.
    expect(md).toContain('# Rescue shell into');
  });
});
