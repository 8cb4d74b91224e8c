// Run by policy.bench.ts in a child with a 64 MB heap: commands built to stall the policy (the shapes of issue 9:
// find with thousands of start points and -exec clauses, an embedded bash -c script, hundreds of thousands of words
// or statements, deep nesting), each timed warm, beside unbash's parse of the same text.
import { performance } from 'node:perf_hooks';
import { parse } from 'unbash';

type Policy = typeof import('../src/policy/index.js');
const policy = (await import(new URL('../lib/policy/index.js', import.meta.url).href)) as Policy;

const GOAL_MS = 100;
const config = {
  allow: [],
  deny: [],
  protectedPaths: ['package-lock.json'],
  disabledRules: [],
  workspace: '/work/repo',
  home: '/home/runner',
  sandboxed: true,
};

/** `find` with start points filling half of `kb` and -exec clauses filling the rest. */
function findWithExecs(kb: number, exec: string): string {
  const starts: string[] = [];
  let length = 4;
  for (let i = 0; length < kb * 512; i++) {
    starts.push(`src/d${i}`);
    length += starts[starts.length - 1].length + 1;
  }
  const clause = ` -exec ${exec} \\;`;
  const count = Math.floor((kb * 1024 - length) / clause.length);
  return `find ${starts.join(' ')}${clause.repeat(count)}`;
}

const script = Array.from({ length: 400 }, (_, i) => `echo ${i} {} | grep -c x >/dev/null`).join('; ');
const cases: Record<string, string> = {
  'find, starts + -exec rm {} (68 KB)': findWithExecs(68, 'rm {}'),
  'find, starts + -exec rm {} (248 KB)': findWithExecs(248, 'rm {}'),
  'find, starts + -exec bash -c (250 KB)': findWithExecs(250, `bash -c 'echo {}; ls {}'`),
  'find -exec bash -c <script> (250 KB)':
    `find ${Array.from({ length: 200 }, (_, i) => `d${i}`).join(' ')} -exec bash -c '${script}' \\;`
      .repeat(1)
      .padEnd(250 * 1024, ' '),
  'find, many -name/-path tests (250 KB)': `find ${Array.from({ length: 3000 }, (_, i) => `d${i}`).join(' ')} ${'-path "*a*a*a*a*a*a*a*b" '.repeat(8000)}-delete`,
  '43 000 statements (252 KB)': 'true; '.repeat(43_000),
  '120 000 arguments (234 KB)': `echo ${'a '.repeat(120_000)}`,
  'eval of eval of ... (250 KB)': `eval '${'x=1; '.repeat(20_000)}'; `.repeat(1).padEnd(250 * 1024, ' '),
  'here-doc of 250 KB': `cat > src/big.ts <<'EOF'\n${'const x = a[i] + b[j]; // $(not run) `nor this`\n'.repeat(5000)}EOF`,
};

function median(run: () => void, rounds: number): number {
  run();
  run(); // warm
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

for (const [label, command] of Object.entries(cases)) {
  if (command.length > policy.MAX_COMMAND_LENGTH) throw new Error(`${label} is longer than the policy accepts`);
  let decision = policy.evaluate(command, config);
  const t = median(() => (decision = policy.evaluate(command, config)), 5);
  const floor = median(() => parse(command), 5);
  const verdict = decision.allowed ? 'allowed' : `denied (${decision.reason.slice(0, 60)}…)`;
  console.log(
    `stall: ${label.padEnd(40)} ${t.toFixed(1).padStart(7)} ms  parse ${floor.toFixed(1).padStart(6)} ms  ${t <= GOAL_MS ? 'OK  ' : 'OVER'} ${verdict}`,
  );
}
console.log(`stall: heap after all cases ${(process.memoryUsage().heapUsed / 1048576).toFixed(0)} MB (limit 64 MB)`);
