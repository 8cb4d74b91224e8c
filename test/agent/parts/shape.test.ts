import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SHAPE_BUDGET,
  collapseCarriageReturns,
  firstErrorLine,
  shapeOutput,
  stripAnsi,
  tail,
} from '../../../src/agent/shape.js';

const LOG = '/tmp/ci-medic/logs/7.log';

function passing(n: number, from = 0): string[] {
  return Array.from({ length: n }, (_, i) => ` ✓ test/unit/case-${from + i}.test.ts > computes value ${from + i} 2ms`);
}

describe('cleaning', () => {
  it('strips CSI colours, cursor moves, OSC titles and hyperlinks, and stray controls', () => {
    const raw =
      '\x1b[31mred\x1b[39m \x1b[1;32mbold\x1b[0m\x1b[2K\x1b[1G done' +
      '\x1b]0;window title\x07 \x1b]8;;https://example.com\x1b\\link\x1b]8;;\x1b\\ \x1b(B\x1b=end\x07';
    expect(stripAnsi(raw)).toBe('red bold done link end');
  });

  it('ends an unterminated OSC at the end of its line instead of swallowing the log', () => {
    expect(stripAnsi('before \x1b]0;broken title\nline two\nline three')).toBe('before \nline two\nline three');
  });

  it('keeps only the last state of carriage-return progress lines', () => {
    const raw = 'Downloading 10%\rDownloading 55%\rDownloading 100%\nnext line\r\nlast\r';
    expect(collapseCarriageReturns(raw)).toBe('Downloading 100%\nnext line\nlast');
  });
});

describe('shapeOutput', () => {
  it('returns short output unchanged apart from cleaning', () => {
    expect(shapeOutput('\x1b[32mok\x1b[0m\n', { logPath: LOG })).toBe('ok\n');
  });

  it('keeps head, tail and the assertion from the middle of a 20,000-line log, within budget', () => {
    const lines = [
      '> app@1.0.0 test',
      '> vitest run --reporter=verbose',
      ...passing(10_000),
      ' FAIL  test/invoice.test.ts > invoice > totals the lines',
      'AssertionError: expected 4241 to be 4242 // Object.is equality',
      '',
      '- Expected',
      '+ Received',
      '',
      '- 4242',
      '+ 4241',
      '',
      ' ❯ test/invoice.test.ts:12:30',
      ...passing(10_000, 10_000),
      ' Test Files  1 failed | 99 passed (100)',
      '      Tests  1 failed | 19999 passed (20000)',
    ];
    const out = shapeOutput(lines.join('\n'), { logPath: LOG });
    expect(out.length).toBeLessThanOrEqual(DEFAULT_SHAPE_BUDGET);
    expect(out.startsWith('> app@1.0.0 test')).toBe(true);
    expect(out).toContain('Tests  1 failed | 19999 passed');
    expect(out).toContain('AssertionError: expected 4241 to be 4242');
    expect(out).toContain('- 4242\n+ 4241');
    expect(out).toContain(`lines omitted; full log: ${LOG} — use grep] …`);
    const omitted = [...out.matchAll(/\[(\d+) lines? omitted/g)].reduce((s, m) => s + Number(m[1]), 0);
    const kept = out.split('\n').filter((l) => !l.startsWith('… [')).length;
    expect(omitted + kept).toBe(lines.length);
  });

  it('never exceeds the budget, whatever the shape of the input', () => {
    const inputs = [
      'x'.repeat(1_000_000),
      Array.from({ length: 5000 }, (_, i) => `Error: failure number ${i} ${'y'.repeat(i % 700)}`).join('\n'),
      Array.from({ length: 3000 }, () => 'AssertionError: boom\n- a\n+ b').join('\n'),
      '\n'.repeat(50_000),
      `${'a'.repeat(9_000)}\n${'b'.repeat(9_000)}\nError: in the middle\n${'c'.repeat(9_000)}`,
    ];
    for (const budget of [300, 2_000, 10_000]) {
      for (const input of inputs) {
        const out = shapeOutput(input, { budgetChars: budget, logPath: LOG });
        expect(out.length, `budget ${budget}`).toBeLessThanOrEqual(budget);
      }
    }
  });

  it('prefers the failure over passing tests whose names mention errors', () => {
    const lines = [
      ...Array.from({ length: 3000 }, (_, i) => ` ✓ handles Error case ${i} when the upload failed`),
      "thread 'parser::tests::parses_nested' panicked at src/parser.rs:88:9:",
      'assertion `left == right` failed',
      '  left: "Some(3)"',
      ' right: "Some(4)"',
      ...Array.from({ length: 3000 }, (_, i) => `test parser::tests::case_${i} ... ok`),
    ];
    const out = shapeOutput(lines.join('\n'), { budgetChars: 4_000 });
    expect(out).toContain('panicked at src/parser.rs:88:9');
    expect(out).toContain('  left: "Some(3)"\n right: "Some(4)"');
  });

  it('redacts before cutting, so a clipped line cannot leave half a secret behind', () => {
    const secret = 'S3CRET-' + 'v'.repeat(40);
    const line = `${'p'.repeat(380)}${secret}`; // the 400-char clip falls inside the secret
    const raw = `${line}\n${'filler line\n'.repeat(2000)}${line}`;
    const redact = (t: string) => t.replaceAll(secret, '[REDACTED]');
    const out = shapeOutput(raw, { budgetChars: 2_000, redact });
    expect(out).not.toContain('S3CRET');
    expect(redact(shapeOutput(raw, { budgetChars: 2_000 }))).toContain('S3CRET'); // the wrong order leaks a prefix
    expect(shapeOutput(`key=\x1b[1m${secret}\x1b[0m`, { redact })).toBe('key=[REDACTED]');
  });

  it('keeps a definite failure ahead of thousands of log lines that only look like errors', () => {
    const passingWithLogs = (from: number, n: number) =>
      Array.from({ length: n }, (_, k) => [
        `=== RUN   TestCase${from + k}`,
        `    cases_test.go:${from + k}: checked error path ${from + k}`,
        `--- PASS: TestCase${from + k} (0.00s)`,
      ]).flat();
    const lines = [
      ...passingWithLogs(0, 2000),
      '=== RUN   TestInvoiceTotal',
      '    invoice_test.go:41: invoiceTotal() = 4241, want 4242',
      '    invoice_test.go:42: lines were [[2 2121]]',
      '    invoice_test.go:43: rounding mode "floor"',
      '--- FAIL: TestInvoiceTotal (0.00s)',
      ...passingWithLogs(2000, 2000),
      'FAIL',
      'FAIL\texample.com/invoice\t0.210s',
    ];
    const out = shapeOutput(lines.join('\n'), { logPath: LOG });
    expect(out.length).toBeLessThanOrEqual(DEFAULT_SHAPE_BUDGET);
    expect(out).toContain(
      [
        '=== RUN   TestInvoiceTotal',
        '    invoice_test.go:41: invoiceTotal() = 4241, want 4242',
        '    invoice_test.go:42: lines were [[2 2121]]',
        '    invoice_test.go:43: rounding mode "floor"',
        '--- FAIL: TestInvoiceTotal (0.00s)',
      ].join('\n'),
    );
  });

  it('clips very long lines it keeps', () => {
    const out = shapeOutput(`${'z'.repeat(50_000)}\nshort`, { budgetChars: 2_000 });
    expect(out).toMatch(/… \[\+\d+ chars\]/);
    expect(out.length).toBeLessThanOrEqual(2_000);
  });
});

describe('firstErrorLine', () => {
  it.each([
    [
      'vitest',
      ' ✓ a\n FAIL  test/x.test.ts > adds\nAssertionError: expected 3 to be 4',
      'AssertionError: expected 3 to be 4',
    ],
    [
      'pytest',
      'test_x.py::test_a PASSED\n    def test_b():\n>       assert add(1, 2) == 4\nE       assert 3 == 4',
      'E       assert 3 == 4',
    ],
    [
      'cargo',
      "running 2 tests\nthread 'tests::adds' panicked at src/lib.rs:9:5:\nassertion failed",
      "thread 'tests::adds' panicked at src/lib.rs:9:5:",
    ],
    [
      'go',
      '=== RUN   TestAdd\n    add_test.go:8: got 3, want 4\n--- FAIL: TestAdd (0.00s)',
      'add_test.go:8: got 3, want 4',
    ],
    [
      'tsc',
      "src/a.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'.",
      "src/a.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'.",
    ],
    [
      'node',
      "building\nError: Cannot find module './sum'\n    at Module._resolve",
      "Error: Cannot find module './sum'",
    ],
    [
      'node --test (TAP)',
      "not ok 1 - total\n  ---\n  duration_ms: 1.2\n  failureType: 'testCodeFailure'\n  error: |-\n    Expected values to be strictly equal:\n",
      'Expected values to be strictly equal:',
    ],
    ['weak only', 'building\nnpm ERR! code ELIFECYCLE\nbye', 'npm ERR! code ELIFECYCLE'],
    ['nothing', 'just\nsome output\n\n', 'some output'],
  ])('%s', (_name, raw, expected) => {
    expect(firstErrorLine(raw)).toBe(expected.trim());
  });
});

describe('tail', () => {
  it('returns the last lines of cleaned output without trailing blanks', () => {
    expect(tail('a\nb\r50%\rb done\n\x1b[31mc\x1b[0m\n\n\n', 2)).toBe('b done\nc');
    expect(tail('one', 5)).toBe('one');
    expect(tail('one', 0)).toBe('');
  });
});
