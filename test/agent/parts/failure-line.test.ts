// The one extractor of the first failing line (PR title, commit subject, annotation, summary), on what the real tools
// print: test/fixtures/failure-output/*.txt were made by running each tool on a tiny failing project (make.sh there).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAILURE_SUMMARY_MAX, failureSummary } from '../../../src/agent/failure-line.js';

const fixture = (name: string): string => readFileSync(join('test/fixtures/failure-output', `${name}.txt`), 'utf8');

describe('failureSummary on real tool output', () => {
  it.each([
    ['node-test', 'sum adds two numbers: AssertionError: Expected values to be strictly equal: 5 !== 4'],
    ['node-test-tap', 'sum adds two numbers: AssertionError: Expected values to be strictly equal: 5 !== 4'],
    [
      'node-assert',
      'AssertionError: Expected values to be strictly deep-equal: (actual { total: 5 }, expected { total: 4 })',
    ],
    ['jest', 'sum adds two numbers: expect(received).toBe(expected): expected 4, received 5'],
    ['vitest', 'sum adds two numbers: AssertionError: expected 5 to be 4'],
    ['mocha', 'sum adds two numbers: AssertionError: Expected values to be strictly equal: 5 !== 4'],
    ['pytest', 'test_add: assert 5 == 4'],
    ['unittest', 'test_add: AssertionError: 5 != 4'],
    ['go-test', 'TestAdd: calc_test.go:7: Add(2, 2) = 5; want 4'],
    ['cargo-test', 'tests::adds_two_numbers: assertion `left == right` failed (left: 5, right: 4)'],
    ['tsc', "index.ts(4,37): error TS2345: Argument of type 'string' is not assignable to parameter of type 'number'."],
    ['eslint', "sum.js:2:9 'unused' is assigned a value but never used (no-unused-vars)"],
  ])('%s', (tool, expected) => {
    expect(failureSummary(fixture(tool))).toBe(expected);
  });

  it('never returns the line of the runner that threw', () => {
    expect(failureSummary(fixture('node-assert'))).not.toContain('triggerUncaughtException');
    expect(failureSummary(fixture('node-assert'))).not.toContain('throw new AssertionError');
  });

  it('reads through colour, npm wrappers and a failure after passing output', () => {
    const coloured = fixture('vitest').replace('AssertionError', '\x1b[31mAssertionError\x1b[39m');
    expect(failureSummary(coloured)).toBe('sum adds two numbers: AssertionError: expected 5 to be 4');
    const wrapped = `\n> app@1.0.0 test\n> jest --ci\n\n${fixture('jest')}\nnpm ERR! code ELIFECYCLE\nnpm ERR! Test failed.\n`;
    expect(failureSummary(wrapped)).toBe(
      'sum adds two numbers: expect(received).toBe(expected): expected 4, received 5',
    );
    const lintThenTest = `${'ok  \texample.com/other\t0.01s\n'.repeat(3)}${fixture('go-test')}`;
    expect(failureSummary(lintThenTest)).toBe('TestAdd: calc_test.go:7: Add(2, 2) = 5; want 4');
  });

  it('is one bounded line; unknown output falls back to the first error-looking line', () => {
    const long = fixture('pytest').replace('assert 5 == 4', `assert ${'x'.repeat(500)} == 4`);
    const summary = failureSummary(long);
    expect(summary.length).toBeLessThanOrEqual(FAILURE_SUMMARY_MAX);
    expect(summary).not.toContain('\n');
    expect(failureSummary('building\nmake: *** [all] Error 2\n')).toBe('make: *** [all] Error 2');
    expect(failureSummary('')).toBe('');
  });
});
