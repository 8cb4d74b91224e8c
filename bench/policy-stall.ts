// Commands built to stall the policy (issue 9: every decision ends within 100 ms and 64 MB for any command the
// terminal accepts, up to 256 KiB). Run by policy.bench.ts, or alone: `npm run build && node bench/policy-stall.ts`.
//
// Each case runs in its own Node with a 64 MB old space and --trace-gc: the policy is warmed on the corpora first (as
// in a running loop), then the case is decided once cold (its own shape is new to the JIT) and four more times. The
// heap figure is the peak of the heap in use as the garbage collector saw it (before each collection) and at the end,
// for the whole process: the policy, unbash and the corpora included.
//
// Two kinds of case: shapes filled to ~250 KB (most are refused by the pre-parse bound, src/policy/size.ts), and
// shapes "fitted" to the largest size the pre-parse bound lets through, the worst the parser, walk and checks see.
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

type Policy = typeof import('../src/policy/index.js');
type Corpus = typeof import('../test/policy/corpus.js');

const GOAL_MS = 100;
const AIM_MS = 50;
const HEAP_MB = 64;
const KB = 1024;
const FULL = 250 * KB;

const config = {
  allow: [],
  deny: [],
  protectedPaths: ['package-lock.json'],
  disabledRules: [],
  workspace: '/work/repo',
  home: '/home/runner',
  sandboxed: true,
};

/** `prefix` + `unit` repeated to fill `size` + `suffix`. */
function fill(unit: string, prefix = '', suffix = '', size = FULL): string {
  const n = Math.max(1, Math.floor((size - prefix.length - suffix.length) / unit.length));
  return prefix + unit.repeat(n) + suffix;
}

/** `open` n times, then `middle`, then `close` n times: nesting that fills `size`. */
function nest(open: string, middle: string, close: string, size = FULL): string {
  const n = Math.floor((size - middle.length) / (open.length + close.length));
  return open.repeat(n) + middle + close.repeat(n);
}

/** `find` with start points filling half of `kb` and -exec clauses filling the rest. */
function findWithExecs(kb: number, exec: string): string {
  const starts: string[] = [];
  let length = 4;
  for (let i = 0; length < kb * 512; i++) {
    starts.push(`src/d${i}`);
    length += starts[starts.length - 1].length + 1;
  }
  const clause = ` -exec ${exec} \\;`;
  const count = Math.floor((kb * KB - length) / clause.length);
  return `find ${starts.join(' ')}${clause.repeat(count)}`;
}

const script400 = Array.from({ length: 400 }, (_, i) => `echo ${i} {} | grep -c x >/dev/null`).join('; ');
const starts = (n: number) => Array.from({ length: n }, (_, i) => `d${i}`).join(' ');

/** Filled cases: a label and the command. */
const FILLED: [string, () => string][] = [
  // The shapes issue 9 measured.
  ['find, starts + -exec rm {} (68 KB)', () => findWithExecs(68, 'rm {}')],
  ['find, starts + -exec rm {} (248 KB)', () => findWithExecs(248, 'rm {}')],
  ['find, starts + -exec bash -c (250 KB)', () => findWithExecs(250, `bash -c 'echo {}; ls {}'`)],
  [
    'find -exec bash -c <script> (250 KB)',
    () => `find ${starts(200)} -exec bash -c '${script400}' \\;`.padEnd(FULL, ' '),
  ],
  ['find, many -name/-path tests', () => `find ${starts(3000)} ${'-path "*a*a*a*a*a*a*a*b" '.repeat(8000)}-delete`],
  ['statements: true; x 43 000', () => 'true; '.repeat(43_000)],
  ['arguments: echo a x 120 000', () => `echo ${'a '.repeat(120_000)}`],
  ['eval of a 100 KB string', () => `eval '${'x=1; '.repeat(20_000)}'; `.padEnd(FULL, ' ')],
  [
    'here-doc of 250 KB (quoted)',
    () => fill('const x = a[i] + b[j]; // $(not run) `nor this`\n', "cat > src/big.ts <<'EOF'\n", 'EOF'),
  ],
  // Nesting.
  ['$( ) nested 2 000 deep', () => nest('$(', 'true', ')', 6 * KB)],
  ['"$( )" nested to 250 KB', () => `echo ${nest('"$(echo ', 'x', ')"')}`],
  ['( ) subshells nested to 250 KB', () => nest('(', 'true', ')')],
  ['${a:- nested to 250 KB', () => `echo ${nest('${a:-', 'b', '}')}`],
  ['$(( )) parentheses nested', () => `echo $((${nest('(', '1', ')')}))`],
  ['{a,{b,... nested braces', () => `echo ${nest('{a,', 'b', '}')}`],
  ['backticks nested by escapes', () => `echo ${nest('`echo \\', 'x', '\\`` ', 40 * KB)}`],
  // Many of one construct.
  ['brace expansions {a,b} x 50 000', () => fill('{a,b}', 'echo ')],
  ['here-docs, one per command', () => fill("cat <<'E' >/dev/null\nx $(y)\nE\n")],
  ['here-docs, 10 000 on one command', () => `cat ${'<<E '.repeat(10_000)}\n${'x\nE\n'.repeat(10_000)}`],
  ['unquoted here-doc full of $( ) ${ }', () => fill('a $(b) ${c} `d`\n', 'cat > f <<EOF\n', 'EOF')],
  ['one word of 250 KB', () => fill('a', 'echo ')],
  ['one "…" word with 80 000 $b', () => `echo "${'a$b'.repeat(80_000)}"`],
  ['find . with -exec x 15 000', () => fill(' -exec rm {} \\;', 'find .')],
  ['pipeline of 36 000 stages', () => fill('true | ', '', 'true')],
  ['&& chain of 32 000', () => fill('true && ', '', 'true')],
  ['|| chain of 28 000', () => fill('false || ', '', 'true')],
  ['arithmetic 1+1+… in $(( ))', () => fill('1+', 'echo $((', '1))')],
  ['(( x=x+1, … ))', () => fill('x=x+1,', '(( ', '1 ))')],
  ['bash -c with a 250 KB script', () => `bash -c ${JSON.stringify(fill('echo a; ', '', '', FULL - 20))}`],
  ['eval "eval \'…\'"', () => `eval "eval '${fill('true; ', '', '', FULL - 100)}'"`],
  ['wrappers: timeout 1 x 25 000', () => `${'timeout 1 '.repeat(25_000)}true`],
  ['wrappers: env x 60 000', () => `${'env '.repeat(60_000)}true`],
  ['redirections >a x 85 000', () => fill('>a ', 'echo ')],
  ['prefix assignments a=1 x 64 000', () => fill('a=1 ', '', 'true')],
  ['array of 128 000 elements', () => fill('x ', 'a=(', ')')],
  ['if statements x 10 000', () => fill('if true; then true; fi; ')],
  ['case with 25 000 patterns', () => fill('a) true;; ', 'case x in ', 'esac')],
  ['for loops x 7 000', () => fill('for i in a b; do echo $i; done; ')],
  ['[[ ]] with 30 000 tests', () => fill('-n a && ', '[[ ', '-n a ]]')],
  ['${a:-b} x 36 000', () => fill('${a:-b}', 'echo ')],
  ['globs */ x 128 000', () => fill('*/', 'echo ')],
  ['extglobs @(a|b) x 42 000', () => fill('@(a|b)', 'echo ')],
  ['process substitutions x 32 000', () => fill('<(true) ', 'cat ')],
  ['subscripts a[$(true)] x 14 000', () => fill('echo a[$(true)]; ')],
  ['sed -e x 20 000', () => fill("-e 's/a/b/' ", 'sed -i ', ' f')],
  ['awk program of 250 KB', () => fill('{print $1} ', "awk '", "' f")],
  ['awk program of {} x 125 000', () => fill('{}', "awk '", "' f")],
  ['python -c of 250 KB', () => fill('import os; ', "python3 -c '", "'")],
  ['git -c a=b x 36 000', () => fill('-c a=b ', 'git ', 'status')],
  ['git checkout -- 128 000 files', () => fill('f ', 'git checkout -- ')],
  ['rm -rf 32 000 paths', () => fill('build/x ', 'rm -rf ')],
  ['trap with 250 KB of code', () => fill('true; ', "trap '", "' EXIT")],
  ['function definitions x 17 000', () => fill('f() { true; }; ')],
  ['comment lines x 13 000', () => fill('# comment $(x) `y`\n')],
  ['ANSI-C strings x 28 000', () => fill("$'\\x41' ", 'echo ')],
  ["'$(x)' x 64 000 in one quoted word", () => fill('$(x)', "chmod '", "' f")],
  ['path of ~/ x 128 000 in one word', () => fill('~/', "chmod '", "' f")],
];

/** Fitted cases: prefix, unit, suffix; the unit is repeated as often as the pre-parse bound lets through. */
const FITTED: [string, string, string, string][] = [
  ['statements', '', 'true; ', ''],
  ['arguments', 'echo ', 'a ', ''],
  ['case patterns', 'case x in ', 'a) true;; ', 'esac'],
  ['here-docs on one line', 'cat ', '<<E ', `\n${'x\nE\n'.repeat(200)}`],
  ['${a:-b} expansions', 'echo ', '${a:-b}', ''],
  ['$(true) substitutions', 'echo ', '$(true)', ''],
  ['if statements', '', 'if true; then true; fi; ', ''],
  ['pipeline stages', '', 'true | ', 'true'],
  ['&& chain', '', 'true && ', 'true'],
  ['arithmetic terms', 'echo $((', '1+', '1))'],
  ['find starts, -exec bash -c {}', 'find ', 'd ', ` -exec bash -c 'echo {}; ls {}' \\;`],
  ['bash -c statements', "bash -c '", 'echo a; ', "'"],
  ['find starts, -exec rm {} x 3', 'find ', 'd ', ' -exec rm {} \\; -exec rm {} \\; -exec rm {} \\;'],
  ['nested $( ) 30 deep, repeated', 'echo ', `${'$('.repeat(30)}true${')'.repeat(30)} `, ''],
  ['redirections', 'echo ', '>a ', ''],
  ['subscripts a[$(true)]', '', 'echo a[$(true)]; ', ''],
];

interface Result {
  label: string;
  kb: number;
  firstMs: number;
  medianMs: number;
  cpuMs: number;
  heapMb: number;
  decision: string;
  error?: string;
}

const PREPARSE = /too large to judge|levels deep|here-documents, more than/;

async function child(kind: string, index: number): Promise<void> {
  const policy = (await import(new URL('../lib/policy/index.js', import.meta.url).href)) as Policy;
  const corpus = (await import(new URL('../test/policy/corpus.ts', import.meta.url).href)) as Corpus;
  let label: string;
  let command: string;
  if (kind === 'filled') {
    const [l, build] = FILLED[index];
    label = l;
    command = build();
  } else {
    const [l, prefix, unit, suffix] = FITTED[index];
    const build = (n: number) => prefix + unit.repeat(n) + suffix;
    // The largest count the pre-parse bound lets through (it grows with the count, so a binary search finds it).
    let lo = 1;
    let hi = Math.floor((policy.MAX_COMMAND_LENGTH - prefix.length - suffix.length) / unit.length);
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (PREPARSE.test(policy.evaluate(build(mid), config).reason)) hi = mid - 1;
      else lo = mid;
    }
    label = `fitted: ${l} x ${lo}`;
    command = build(lo);
  }
  if (command.length > policy.MAX_COMMAND_LENGTH) throw new Error(`${label} is longer than the policy accepts`);
  const warm = [...corpus.REPAIR_COMMANDS, ...corpus.EVASIONS.map((e) => e.command)];
  for (let r = 0; r < 3; r++) for (const c of warm) policy.evaluate(c, config);
  (globalThis as { gc?: () => void }).gc?.();
  console.log('@@start');
  // The first run is cold for this shape; then four warm ones for the median.
  const cpu0 = process.cpuUsage();
  let t0 = performance.now();
  let decision = policy.evaluate(command, config);
  const times = [performance.now() - t0];
  const cpu = process.cpuUsage(cpu0);
  for (let r = 0; r < 4; r++) {
    t0 = performance.now();
    decision = policy.evaluate(command, config);
    times.push(performance.now() - t0);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const result: Result = {
    label,
    kb: command.length / KB,
    firstMs: times[0],
    medianMs: sorted[2],
    cpuMs: (cpu.user + cpu.system) / 1000,
    heapMb: process.memoryUsage().heapUsed / 1048576,
    decision: decision.allowed ? 'allowed' : `denied: ${decision.reason}`,
  };
  console.log(`@@result ${JSON.stringify(result)}`);
}

/** The peak heap in use the garbage collector reported after the start marker (MB). */
function gcPeak(stdout: string): number {
  const after = stdout.slice(stdout.indexOf('@@start'));
  let peak = 0;
  for (const m of after.matchAll(/: (?:Scavenge|Mark-Compact|Mark-Sweep|Minor Mark-Sweep)[^\d\n]*([\d.]+) \(/g))
    peak = Math.max(peak, Number(m[1]));
  return peak;
}

function runCase(kind: string, index: number): Result {
  const here = fileURLToPath(import.meta.url);
  const r = spawnSync(
    process.execPath,
    [`--max-old-space-size=${HEAP_MB}`, '--trace-gc', '--expose-gc', here, '--case', kind, String(index)],
    { encoding: 'utf8', timeout: 300_000, maxBuffer: 64 * 1024 * 1024 },
  );
  const line = r.stdout.split('\n').find((l) => l.startsWith('@@result '));
  const label = kind === 'filled' ? FILLED[index][0] : `fitted: ${FITTED[index][0]}`;
  if (r.status !== 0 || !line) {
    return {
      label,
      kb: 0,
      firstMs: Infinity,
      medianMs: Infinity,
      cpuMs: Infinity,
      heapMb: Infinity,
      decision: '',
      error: `child failed (status ${r.status}, signal ${r.signal}): ${r.stderr.slice(-300)}`,
    };
  }
  const result = JSON.parse(line.slice('@@result '.length)) as Result;
  result.heapMb = Math.max(result.heapMb, gcPeak(r.stdout));
  return result;
}

function report(results: Result[]): void {
  const f = (ms: number) => ms.toFixed(1).padStart(6);
  console.log(
    `stall: load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on this machine (timings are wall clock; cpu is the first run's process CPU time)`,
  );
  console.log(
    `stall: ${'case'.padEnd(46)} ${'KB'.padStart(5)}  ${'first'.padStart(6)} ${'median'.padStart(6)} ${'cpu'.padStart(6)} ms  ${'heap'.padStart(5)} MB        decision`,
  );
  for (const r of results) {
    if (r.error) {
      console.log(`stall: ${r.label.padEnd(46)} OVER ${r.error}`);
      continue;
    }
    const ok = r.firstMs <= GOAL_MS && r.medianMs <= GOAL_MS && r.heapMb <= HEAP_MB;
    console.log(
      `stall: ${r.label.slice(0, 46).padEnd(46)} ${r.kb.toFixed(0).padStart(5)}  ${f(r.firstMs)} ${f(r.medianMs)} ${f(r.cpuMs)} ms  ${r.heapMb.toFixed(1).padStart(5)} MB  ${ok ? 'OK  ' : 'OVER'}  ${r.decision.slice(0, 70)}`,
    );
  }
  const max = (pick: (r: Result) => number) => Math.max(...results.map(pick));
  console.log(
    `stall: maximum over ${results.length} cases: first ${max((r) => r.firstMs).toFixed(1)} ms, median ${max((r) => r.medianMs).toFixed(1)} ms (bound ${GOAL_MS} ms, aim ${AIM_MS} ms); heap ${max((r) => r.heapMb).toFixed(1)} MB (bound ${HEAP_MB} MB)`,
  );
}

const at = process.argv.indexOf('--case');
if (at >= 0) {
  await child(process.argv[at + 1], Number(process.argv[at + 2]));
} else {
  const results: Result[] = [];
  for (let i = 0; i < FILLED.length; i++) results.push(runCase('filled', i));
  for (let i = 0; i < FITTED.length; i++) results.push(runCase('fitted', i));
  report(results);
  if (results.some((r) => r.error || r.firstMs > GOAL_MS || r.medianMs > GOAL_MS || r.heapMb > HEAP_MB))
    process.exitCode = 1;
}
