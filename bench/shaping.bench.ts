// Output shaping on real test-runner failure logs: for each runner, a small broken project with thousands of passing
// tests and one failing assertion is run for real (vitest, pytest, cargo test, go test); the log is shaped for the
// model's first view, and we report its size and whether the failing assertion's expected/actual text survived.
// Goal: under 12,000 characters, 100% survival. Logs are cached in .bench-tmp/shaping/ (delete it to regenerate).
// Also: redaction throughput on a multi-MB log, next to a plain String.replaceAll baseline over the same secrets.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The compiled modules (npm run bench builds lib/ first), typed by their sources.
const { firstErrorLine, shapeOutput } = (await import(
  new URL('../lib/agent/shape.js', import.meta.url).href
)) as typeof import('../src/agent/shape.js');
const { Redactor } = (await import(
  new URL('../lib/redact.js', import.meta.url).href
)) as typeof import('../src/redact.js');

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = join(repoRoot, '.bench-tmp', 'shaping');
const GOAL_CHARS = 12_000;
const MIN_LINES = 10_000;

interface Runner {
  name: string;
  /** Writes the project into `dir`; returns the command to run there. */
  setup: (dir: string) => { cmd: string; args: string[]; env?: Record<string, string> };
  /** Text that must survive shaping: the failing assertion's expected and actual values. */
  mustSurvive: string[];
  /** A program whose absence means the runner cannot be benchmarked here. */
  needs: string[];
}

function write(dir: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

const RUNNERS: Runner[] = [
  {
    name: 'vitest',
    needs: [],
    mustSurvive: ['expected 4241 to be 4242', '- 4242', '+ 4241'],
    setup: (dir) => {
      const files: Record<string, string> = {
        'vitest.config.mjs': "export default { test: { include: ['tests/**/*.test.mjs'] } };\n",
        'src/invoice.mjs':
          'export function invoiceTotal(lines) {\n  return lines.reduce((s, l) => s + l.qty * l.price, 0) - 1;\n}\n',
      };
      for (const f of range(20)) {
        const body = range(500)
          .map((i) => `  it('computes case ${f * 500 + i}', () => { expect(${i} + ${f}).toBe(${i + f}); });`)
          .join('\n');
        const failing =
          f === 10
            ? "\n  it('totals the invoice lines', () => { expect(invoiceTotal([{ qty: 2, price: 2121 }])).toBe(4242); });"
            : '';
        files[`tests/unit-${String(f).padStart(2, '0')}.test.mjs`] =
          `import { describe, expect, it } from 'vitest';\n${failing ? "import { invoiceTotal } from '../src/invoice.mjs';\n" : ''}\ndescribe('unit ${f}', () => {\n${body}${failing}\n});\n`;
      }
      write(dir, files);
      return {
        cmd: join(repoRoot, 'node_modules/.bin/vitest'),
        args: ['run', '--reporter=verbose'],
        env: { FORCE_COLOR: '1' },
      };
    },
  },
  {
    name: 'pytest',
    needs: ['python3'],
    mustSurvive: ['assert 4241 == 4242'],
    setup: (dir) => {
      write(dir, {
        'invoice.py': 'def invoice_total(lines):\n    return sum(q * p for q, p in lines) - 1\n',
        'tests/test_many.py':
          'import pytest\n\n\n@pytest.mark.parametrize("i", range(6000))\ndef test_case(i):\n    assert i + 1 > i\n',
        'tests/test_invoice.py':
          'from invoice import invoice_total\n\n\ndef test_invoice_total():\n    assert invoice_total([(2, 2121)]) == 4242\n',
        'tests/test_more.py':
          'import pytest\n\n\n@pytest.mark.parametrize("i", range(6000))\ndef test_more(i):\n    assert i * 2 >= i\n',
        'conftest.py': 'import sys, os\nsys.path.insert(0, os.path.dirname(__file__))\n',
      });
      return { cmd: 'python3', args: ['-m', 'pytest', '-v', '-p', 'no:cacheprovider', '--color=yes', 'tests'] };
    },
  },
  {
    name: 'cargo test',
    needs: ['cargo'],
    mustSurvive: ['left: 4241', 'right: 4242'],
    setup: (dir) => {
      const tests = range(10_000)
        .map(
          (i) =>
            `    #[test]\n    fn case_${String(i).padStart(5, '0')}() { assert_eq!(super::double(${i}), ${2 * i}); }`,
        )
        .join('\n');
      write(dir, {
        'Cargo.toml': '[package]\nname = "invoice"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n',
        'src/lib.rs': `pub fn double(x: u64) -> u64 { x * 2 }\n\npub fn invoice_total(lines: &[(u64, u64)]) -> u64 {\n    lines.iter().map(|(q, p)| q * p).sum::<u64>() - 1\n}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn invoice_total_sums_lines() { assert_eq!(super::invoice_total(&[(2, 2121)]), 4242); }\n${tests}\n}\n`,
      });
      return {
        cmd: 'cargo',
        args: ['test', '--offline', '--color=always'],
        env: { CARGO_TARGET_DIR: join(dir, 'target'), CARGO_TERM_COLOR: 'always' },
      };
    },
  },
  {
    name: 'go test',
    needs: ['go'],
    mustSurvive: ['invoiceTotal() = 4241, want 4242'],
    setup: (dir) => {
      const tests = (from: number, to: number) =>
        range(to - from)
          .map(
            (k) =>
              `func TestCase${from + k}(t *testing.T) {\n\tif double(${from + k}) != ${2 * (from + k)} {\n\t\tt.Fatal("double")\n\t}\n}\n`,
          )
          .join('\n');
      write(dir, {
        'go.mod': 'module example.com/invoice\n\ngo 1.19\n',
        'invoice.go':
          'package invoice\n\nfunc double(x int) int { return x * 2 }\n\nfunc invoiceTotal(lines [][2]int) int {\n\tt := 0\n\tfor _, l := range lines {\n\t\tt += l[0] * l[1]\n\t}\n\treturn t - 1\n}\n',
        'a_test.go': `package invoice\n\nimport "testing"\n\n${tests(0, 3000)}\nfunc TestInvoiceTotal(t *testing.T) {\n\tif got := invoiceTotal([][2]int{{2, 2121}}); got != 4242 {\n\t\tt.Errorf("invoiceTotal() = %d, want %d", got, 4242)\n\t}\n}\n\n${tests(3000, 6000)}`,
      });
      return {
        cmd: 'go',
        args: ['test', '-v', '-count=1', './...'],
        env: {
          GOCACHE: join(dir, '.gocache'),
          GOFLAGS: '-mod=mod',
          GOTOOLCHAIN: 'local',
          GOPATH: join(dir, '.gopath'),
        },
      };
    },
  },
];

function have(program: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', program], { stdio: 'ignore' }).status === 0;
}

function logFor(runner: Runner): { log: string } | { missing: string } {
  const slug = runner.name.replace(/\W+/g, '-');
  const logPath = join(work, `${slug}.log`);
  if (existsSync(logPath)) return { log: readFileSync(logPath, 'utf8') };
  const absent = runner.needs.find((p) => !have(p));
  if (absent) return { missing: `${absent} is not installed` };
  const dir = join(work, slug);
  mkdirSync(dir, { recursive: true });
  const { cmd, args, env } = runner.setup(dir);
  const result = spawnSync(cmd, args, {
    cwd: dir,
    env: { ...process.env, CI: 'true', ...env },
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    timeout: 15 * 60_000,
  });
  if (result.error) return { missing: `${cmd} could not run: ${result.error.message}` };
  const log = `${result.stdout}${result.stderr}`;
  if (result.status === 0) return { missing: `${runner.name} passed; the project was meant to fail` };
  // A run that failed for another reason (runner not installed, offline, compile error) is not the log we want.
  if (!runner.mustSurvive.every((text) => log.includes(text))) {
    const why = log.trim().split('\n').slice(-3).join(' / ').slice(0, 300);
    return { missing: `${runner.name} failed without the planted assertion (exit ${result.status}): ${why}` };
  }
  writeFileSync(logPath, log);
  return { log };
}

function pad(s: string | number, n: number): string {
  return String(s).padStart(n);
}

mkdirSync(work, { recursive: true });
console.log('Output shaping, first view of a failing run (budget 10,000 chars; goal < 12,000 chars, 100% survival)');
console.log(
  `${'runner'.padEnd(11)}${pad('lines', 8)}${pad('raw chars', 12)}${pad('shaped', 9)}${pad('ratio', 8)}${pad('ms', 7)}  survived  (at 4k budget)`,
);
let survived = 0;
let measured = 0;
let underGoal = 0;
const problems: string[] = [];
const annotations: string[] = [];
for (const runner of RUNNERS) {
  const got = logFor(runner);
  if ('missing' in got) {
    console.log(`${runner.name.padEnd(11)}  not measured: ${got.missing}`);
    problems.push(`${runner.name}: ${got.missing}`);
    continue;
  }
  const lines = got.log.split('\n').length;
  const started = performance.now();
  const shaped = shapeOutput(got.log, { logPath: `/tmp/ci-medic/logs/${runner.name.replace(/\W+/g, '-')}.log` });
  const ms = performance.now() - started;
  annotations.push(`${runner.name}: ${firstErrorLine(got.log)}`);
  const lost = runner.mustSurvive.filter((s) => !shaped.includes(s));
  // The same log at a tight budget (what a tool result gets late in a long conversation), as a margin check.
  const tight = shapeOutput(got.log, { budgetChars: 4_000 });
  const tightOk = runner.mustSurvive.every((s) => tight.includes(s));
  measured++;
  if (lost.length === 0) survived++;
  if (shaped.length < GOAL_CHARS) underGoal++;
  if (lines < MIN_LINES) problems.push(`${runner.name}: only ${lines} lines (wanted ≥ ${MIN_LINES})`);
  console.log(
    `${runner.name.padEnd(11)}${pad(lines, 8)}${pad(got.log.length, 12)}${pad(shaped.length, 9)}${pad(`${((shaped.length / got.log.length) * 100).toFixed(1)}%`, 8)}${pad(ms.toFixed(1), 7)}  ${lost.length === 0 ? 'yes' : `NO (lost: ${lost.join(' | ')})`}  ${tightOk ? '(yes)' : '(no)'}`,
  );
}
console.log(`survival: ${survived}/${measured}; under ${GOAL_CHARS} chars: ${underGoal}/${measured}`);
for (const p of problems) console.log(`note: ${p}`);
console.log('first error line (for the ::error annotation):');
for (const a of annotations) console.log(`  ${a}`);

// Redaction throughput: one trie-shaped regex over every form of every secret, against a naive baseline that calls
// replaceAll once per secret form (the O(text × secrets) approach), on the same 8 MB text.
{
  const secrets = range(20).map((i) => `bench-secret-${i}-${'q'.repeat(12)}-${i * 7919}`);
  const redactor = new Redactor(secrets);
  const forms = secrets.flatMap((s) => [s, Buffer.from(s).toString('base64').slice(0, -4), encodeURIComponent(s)]);
  const line = 'ok 12 src/module/file.ts: ordinary log output with numbers 0xdeadbeef and some words\n';
  const parts: string[] = [];
  for (let i = 0; i < 100_000; i++) parts.push(i % 997 === 0 ? `value=${forms[i % forms.length]}\n` : line);
  const text = parts.join('');
  const t0 = performance.now();
  const out = redactor.redact(text);
  const t1 = performance.now();
  let naive = text;
  for (const f of forms) naive = naive.replaceAll(f, '[REDACTED]');
  const t2 = performance.now();
  const mb = text.length / 1024 / 1024;
  console.log(
    `redaction: ${mb.toFixed(1)} MB, ${secrets.length} secrets (${redactor.size} values, all forms + token patterns): ` +
      `${(t1 - t0).toFixed(0)} ms (${(mb / ((t1 - t0) / 1000)).toFixed(0)} MB/s); naive replaceAll of 3 forms each: ` +
      `${(t2 - t1).toFixed(0)} ms; ratio ${((t1 - t0) / (t2 - t1)).toFixed(2)}x; leaks after redact: ${secrets.filter((s) => out.includes(s)).length}`,
  );
}
if (survived < measured) process.exitCode = 1;
