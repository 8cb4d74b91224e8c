// The pull request body and title: every section, safe code fences, and no secret.
import { describe, expect, it } from 'vitest';
import type { RepairResult } from '../../src/agent/types.js';
import { pullRequestTitle, renderPullRequestBody } from '../../src/github/pr-body.js';
import { Redactor } from '../../src/redact.js';

const SECRET = 'sk-live-planted-secret-value-42';

function result(extra: Partial<RepairResult> = {}): RepairResult {
  return {
    result: 'fixed',
    reason: 'The check passes.',
    turns: 4,
    costUsd: 0.0123,
    inputTokens: 12000,
    outputTokens: 800,
    cacheReadTokens: 9000,
    cacheWriteTokens: 2000,
    durationMs: 83_000,
    changedFiles: ['src/sum.js'],
    diffStat: ' src/sum.js | 2 +-\n 1 file changed, 1 insertion(+), 1 deletion(-)',
    explanation: `sum() subtracted instead of adding. Changed \`a - b\` to \`a + b\`. (The env had ${SECRET}.)`,
    initialFailure: {
      exitCode: 1,
      excerpt: `FAIL src/sum.test.js\n  expected 3, got -1\n  KEY=${SECRET}\n\`\`\`\nfence`,
      firstErrorLine: 'expected 3, got -1',
    },
    verification: { command: 'npm test', exitCode: 0, tail: 'Tests: 5 passed, 5 total' },
    commands: [{ command: 'npm test', allowed: true, policy: 'allow', exitCode: 1, durationMs: 900, timedOut: false }],
    baseCommit: 'a'.repeat(40),
    transcriptPath: '/tmp/t.jsonl',
    transcriptMarkdownPath: '/tmp/t.md',
    sessionName: 'ci-medic',
    socketPath: '/tmp/s',
    ...extra,
  };
}

describe('renderPullRequestBody', () => {
  const redactor = new Redactor([SECRET]);

  it('has what failed, root cause, changes, verification, figures, run link and how to reproduce, with no secret', () => {
    const body = renderPullRequestBody({
      result: result(),
      check: 'npm test',
      runUrl: 'https://github.com/acme/shop/actions/runs/42',
      reproduceCommand: 'npx ci-medic repair --check "npm test"',
      baseBranch: 'main',
      model: 'claude-sonnet-4-5',
      fingerprint: '0123abcd4567',
      redactor,
    });
    for (const heading of [
      '## What failed',
      '## Root cause and fix',
      '## Changes',
      '## Verification',
      '## The repair',
      '## Reproduce locally',
    ]) {
      expect(body).toContain(heading);
    }
    expect(body).toContain('`npm test` exited with code 1.');
    expect(body).toContain('expected 3, got -1');
    expect(body).toContain('sum() subtracted instead of adding');
    expect(body).toContain('1 file changed');
    expect(body).toContain('`npm test` exited with code 0. Last lines:');
    expect(body).toContain('Tests: 5 passed, 5 total');
    expect(body).toContain('| Model turns | 4 |');
    expect(body).toContain('| Time | 1m 23s |');
    expect(body).toContain('| Cost | $0.0123 |');
    expect(body).toContain('[workflow run](https://github.com/acme/shop/actions/runs/42)');
    expect(body).toContain(`git checkout ${'a'.repeat(40)}\nnpx ci-medic repair --check "npm test"`);
    expect(body).not.toContain(SECRET);
    expect(body).toContain('[REDACTED]');
    // The excerpt holds a ``` line: its block uses a longer fence so it cannot close early.
    expect(body).toContain('````\nFAIL src/sum.test.js');
  });

  it('says so when the check was not re-run, and keeps long output to its last lines', () => {
    const long = Array.from({ length: 500 }, (_, i) => `line ${i}`).join('\n');
    const body = renderPullRequestBody({
      result: result({
        verification: undefined,
        initialFailure: { exitCode: null, excerpt: long, firstErrorLine: '' },
      }),
      check: 'npm test',
      reproduceCommand: 'npx ci-medic repair --check "npm test"',
      redactor,
    });
    expect(body).toContain('_The check was not re-run._');
    expect(body).toContain('exited with code unknown');
    expect(body).toContain('line 499');
    expect(body).not.toContain('line 10\n');
    expect(body).toContain('(440 earlier lines)');
    expect(body).not.toContain('[workflow run]');
  });
});

describe('pullRequestTitle', () => {
  it('names the check and the first error, redacted and bounded', () => {
    const redactor = new Redactor([SECRET]);
    expect(pullRequestTitle({ check: 'npm test', result: result(), redactor })).toBe(
      'ci-medic: fix `npm test`: expected 3, got -1',
    );
    const title = pullRequestTitle({
      check: 'npm test',
      result: result({
        initialFailure: { exitCode: 1, excerpt: '', firstErrorLine: `bad ${SECRET} ${'x'.repeat(200)}` },
      }),
      redactor,
    });
    expect(title).not.toContain(SECRET);
    expect(title.length).toBeLessThanOrEqual(100);
  });
});
