// Failure fingerprints: a re-run of the same failure maps to the same branch, a different failure to another.
import { describe, expect, it } from 'vitest';
import { failureFingerprint, normaliseFailureText, repairBranchName } from '../../src/github/fingerprint.js';

const RUN_1 = [
  '\x1b[31mFAIL\x1b[39m src/sum.test.js (12.345 s)',
  '2026-11-21T03:29:22.123Z  ● sum › adds two numbers',
  '    expect(received).toBe(expected) // Object.is equality',
  '    at Object.<anonymous> (/home/runner/work/demo/demo/src/sum.test.js:4:27)',
  '    tmp dir /tmp/jest_rs/abc123/cache, worker 0x7ffd5e8a1c20, commit 3f2a9c1d',
  'Tests: 1 failed, 4 passed, 5 total',
  'Time:        2.81 s',
].join('\n');

const RUN_2 = [
  '\x1b[1m\x1b[31mFAIL\x1b[39m\x1b[22m src/sum.test.js (9.1 s)',
  '2026-11-22T11:02:09.987Z  ● sum › adds two numbers',
  '    expect(received).toBe(expected)   // Object.is equality',
  '    at Object.<anonymous> (/home/runner/work/demo/demo/src/sum.test.js:5:3)',
  '    tmp dir /tmp/jest_zz/f00d99/cache, worker 0x7ffc00112233, commit 9b8e7d6c',
  'progress 10%\rprogress 100%\r',
  'Tests: 1 failed, 4 passed, 5 total',
  'Time:        3.02 s',
].join('\r\n');

const base = { workflow: 'CI', job: 'test', baseBranch: 'main', check: 'npm test', failureText: RUN_1 };

describe('failureFingerprint', () => {
  it('is a short hex hash, stable across re-runs of the same failure', () => {
    const first = failureFingerprint(base);
    expect(first).toMatch(/^[0-9a-f]{12}$/);
    expect(normaliseFailureText(RUN_2)).toBe(normaliseFailureText(RUN_1));
    expect(failureFingerprint({ ...base, failureText: RUN_2 })).toBe(first);
    expect(failureFingerprint({ ...base, check: '  npm   test ' })).toBe(first);
  });

  it('keeps the text that identifies the failure and drops what varies', () => {
    const text = normaliseFailureText(RUN_1);
    expect(text).toContain('expect(received).toBe(expected)');
    expect(text).toContain('src/sum.test.js:<line>');
    expect(text).not.toMatch(/\x1b|2026|0x7ff|3f2a9c1d|\/tmp\/jest/);
    expect(normaliseFailureText('a\rb\r\nc')).toBe('b\nc');
  });

  it('differs for a different failure, workflow, job, base branch or check', () => {
    const first = failureFingerprint(base);
    const others = [
      { ...base, failureText: RUN_1.replace('adds two numbers', 'subtracts two numbers') },
      { ...base, workflow: 'Nightly' },
      { ...base, job: 'lint' },
      { ...base, baseBranch: 'release/1.x' },
      { ...base, check: 'npm run test:unit' },
    ].map(failureFingerprint);
    expect(new Set([first, ...others]).size).toBe(6);
  });
});

describe('repairBranchName', () => {
  it('joins prefix and fingerprint, and names the input when the prefix is unusable', () => {
    expect(repairBranchName('ci-medic/', 'abc123')).toBe('ci-medic/abc123');
    for (const bad of ['ci medic/', 'ci..medic/', '-x/', 'a:b/', '.hidden/', 'x.lock/', 'a//b/']) {
      expect(() => repairBranchName(bad, 'abc123')).toThrow(/^branch-prefix: /);
    }
  });
});
