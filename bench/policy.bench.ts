// The command policy's decision time over both corpora (the evasion attempts and the commands a repair agent runs):
//  - median and p95 time of one evaluate() call, per command (goal: median < 1 ms);
//  - side by side in the same run: unbash's parse alone (the floor), and a strict second parse by spawning
//    `bash -n` (why the policy does not add one: it costs milliseconds per command).
// Run: npm run bench -- policy   (builds lib/ first; imports the compiled policy from ../lib).
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { parse } from 'unbash';

type Policy = typeof import('../src/policy/index.js');
type Corpus = typeof import('../test/policy/corpus.js');
// Computed specifiers: Node 24 runs the .ts corpus directly; tsc is not asked to resolve a .ts extension.
const policy = (await import(new URL('../lib/policy/index.js', import.meta.url).href)) as Policy;
const corpus = (await import(new URL('../test/policy/corpus.ts', import.meta.url).href)) as Corpus;

const ROUNDS = 30;
const BASH_SAMPLE = 40;

const commands = [...corpus.EVASIONS.map((e) => e.command), ...corpus.REPAIR_COMMANDS];
const config = {
  allow: [],
  deny: ['docker rm*', 're:^terraform '],
  protectedPaths: ['package-lock.json'],
  disabledRules: [],
  workspace: corpus.CORPUS_WORKSPACE,
  home: corpus.CORPUS_HOME,
};

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Per-command median over ROUNDS runs, then the median and p95 of those medians (in ms). */
function measure(run: (command: string) => void, list: string[], rounds: number): { median: number; p95: number } {
  for (const c of list) run(c); // warm-up
  const perCommand: number[] = [];
  for (const c of list) {
    const times: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      run(c);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    perCommand.push(quantile(times, 0.5));
  }
  perCommand.sort((a, b) => a - b);
  return { median: quantile(perCommand, 0.5), p95: quantile(perCommand, 0.95) };
}

let denied = 0;
let allowed = 0;
for (const c of commands) {
  if (policy.evaluate(c, config).allowed) allowed++;
  else denied++;
}

const decision = measure((c) => policy.evaluate(c, config), commands, ROUNDS);
const parseOnly = measure((c) => parse(c), commands, ROUNDS);
const sample = commands.filter((_, i) => i % Math.ceil(commands.length / BASH_SAMPLE) === 0);
const bashN = measure((c) => spawnSync('bash', ['-n', '-c', c], { stdio: 'ignore' }), sample, 3);

const fmt = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;
console.log(
  `commands: ${commands.length} (${corpus.EVASIONS.length} evasions, ${corpus.REPAIR_COMMANDS.length} repair commands); ${denied} denied, ${allowed} allowed`,
);
console.log(
  `policy decision      median ${fmt(decision.median)}  p95 ${fmt(decision.p95)}  (goal: median < 1000 µs) ${decision.median < 1 ? 'OK' : 'OVER'}`,
);
console.log(
  `unbash parse (lazy)  median ${fmt(parseOnly.median)}  p95 ${fmt(parseOnly.p95)}  decision/parse ratio ${(decision.median / parseOnly.median).toFixed(2)}x`,
);
console.log(
  `bash -n (spawned)    median ${fmt(bashN.median)}  p95 ${fmt(bashN.p95)}  over ${sample.length} commands: ${(bashN.median / decision.median).toFixed(0)}x a whole decision`,
);

// Large inputs: the cost stays linear in the length (a whole source file written with a here-document, and text
// built to make a naive regular expression backtrack).
const large: Record<string, string> = {
  'here-doc of 200 KB': `cat > src/big.ts <<'EOF'\n${'const x = a[i] + b[j]; // $(not run) `nor this`\n'.repeat(4000)}EOF`,
  '120 KB of "a[" (backtracking bait)': `echo '${'a['.repeat(60_000)}'`,
  '40 000 arguments': `echo ${'word '.repeat(40_000)}`,
};
for (const [label, command] of Object.entries(large)) {
  const t = measure((c) => policy.evaluate(c, config), [command], 5);
  console.log(`large: ${label.padEnd(36)} ${t.median.toFixed(1)} ms (${(command.length / 1024).toFixed(0)} KB)`);
}

// Commands built to stall the loop (issue 9): every decision must end within 100 ms and 64 MB for any command up to
// 256 KiB. policy-stall.ts runs each case in its own Node with a 64 MB old space and prints, per case, the cold and
// median times, the CPU time and the peak heap, then the maximum beside the bounds.
const STALL_GOAL_MS = 100;
const stall = spawnSync(process.execPath, [new URL('./policy-stall.ts', import.meta.url).pathname], {
  encoding: 'utf8',
  timeout: 1_200_000,
});
process.stdout.write(stall.stdout);
if (stall.status !== 0) {
  console.log(
    `stall cases: the child failed (status ${stall.status}, signal ${stall.signal}): ${stall.stderr.slice(-400)}`,
  );
  process.exitCode = 1;
} else if (/ OVER /.test(stall.stdout)) {
  console.log(`stall cases: some decision took more than ${STALL_GOAL_MS} ms (see OVER above)`);
}
if (decision.median >= 1) process.exitCode = 1;
