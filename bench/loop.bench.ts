// The repair loop's own cost, with a zero-latency stand-in model (the loopback Messages API fake):
//  - overhead per turn: wall time of a turn minus the time its command ran (SDK over HTTP, policy, shaping,
//    redaction, transcript; goal < 50 ms);
//  - caching prefix: the share of each request's bytes (tools, system, messages) that is an unchanged prefix of
//    the next request (goal > 90% from the third turn).
// Run: npm run bench -- loop   (builds lib/ first; imports the compiled loop from ../lib).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

type Fake = typeof import('../test/fakes/anthropic.js');
type Loop = typeof import('../src/agent/loop.js');
// Computed specifiers: Node 24 runs the .ts fake directly; tsc is not asked to resolve a .ts extension.
const fakeModule = (await import(new URL('../test/fakes/anthropic.ts', import.meta.url).href)) as Fake;
const loop = (await import(new URL('../lib/agent/loop.js', import.meta.url).href)) as Loop;

const TURNS = 20;
const root = mkdtempSync(join(tmpdir(), 'ci-medic-loop-bench-'));
const dir = join(root, 'work');
const files: Record<string, string> = {
  'package.json': '{"name":"bench","type":"module","scripts":{"test":"node --test"}}\n',
  'math.js':
    'export function total(items) {\n  let sum = 0;\n  for (let i = 0; i < items.length - 1; i++) sum += items[i];\n  return sum;\n}\n',
  'test/math.test.js':
    "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { total } from '../math.js';\ntest('total', () => assert.equal(total([1, 2, 3]), 6));\n",
};
for (const [path, content] of Object.entries(files)) {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), content);
}
const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'b',
  GIT_AUTHOR_EMAIL: 'b@x',
  GIT_COMMITTER_NAME: 'b',
  GIT_COMMITTER_EMAIL: 'b@x',
};
execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
execFileSync('git', ['add', '-A'], { cwd: dir });
execFileSync('git', ['commit', '-q', '-m', 'bench'], { cwd: dir, env: gitEnv });

const { bash, say, text, toolUse } = fakeModule;
const steps = [
  ...Array.from({ length: TURNS - 2 }, (_, i) =>
    say(text(`Looking around, step ${i + 1}.`), bash(`echo step ${i + 1}; ls`)),
  ),
  say(toolUse('edit', { file_path: 'math.js', old_string: 'items.length - 1', new_string: 'items.length' })),
  say(text('Fixed the loop bound.')),
];
const fake = await fakeModule.startFakeAnthropic(steps);
const turnStarts: number[] = [];
const sessionName = `cm-bench-${process.pid}`;
try {
  const started = Date.now();
  const result = await loop.repair(
    {
      check: 'node --test',
      workdir: dir,
      model: 'claude-sonnet-5-5',
      baseUrl: fake.url,
      apiKey: 'sk-ant-bench-0000000000',
      maxTurns: TURNS + 5,
      timeBudgetMs: 5 * 60_000,
      maxCostUsd: 10,
      commandTimeoutMs: 60_000,
      policy: { allow: [], deny: [], protectedPaths: [], disabledRules: [] },
      sessionName,
      transcriptPath: join(root, 'transcript.jsonl'),
      relaxedTamperRules: [],
      secrets: [],
      keepSession: false,
    },
    {
      baseEnv: process.env,
      onEvent: (e) => {
        if (e.type === 'turn' && e.message.startsWith('turn ')) turnStarts.push(performance.now());
      },
    },
  );
  const total = Date.now() - started;
  if (result.result !== 'fixed' || fake.problems.length) {
    console.log(`loop did not finish as scripted: ${result.result} (${result.reason}) ${fake.problems.join('; ')}`);
    process.exitCode = 1;
  }

  // Overhead per working turn: from one turn's start to the next, minus the command the turn ran.
  const commandMs = result.commands.map((c) => c.durationMs);
  const overheads: number[] = [];
  for (let i = 0; i < TURNS - 2; i++) overheads.push(turnStarts[i + 1] - turnStarts[i] - (commandMs[i] ?? 0));
  overheads.sort((a, b) => a - b);
  const median = overheads[Math.floor(overheads.length / 2)];
  const p90 = overheads[Math.floor(overheads.length * 0.9)];
  const mean = overheads.reduce((a, b) => a + b, 0) / overheads.length;
  const meanCommand = commandMs.reduce((a, b) => a + b, 0) / Math.max(1, commandMs.length);

  // Caching prefix: bytes of request i that request i+1 repeats unchanged at its start.
  const serial = fake.requests.map((r) => fakeModule.cacheSerialization(r.body));
  const shares: number[] = [];
  for (let i = 0; i + 1 < serial.length; i++) {
    const a = serial[i];
    const b = serial[i + 1];
    let n = 0;
    while (n < a.length && a.charCodeAt(n) === b.charCodeAt(n)) n++;
    shares.push(n / a.length);
  }
  const fromThird = shares.slice(2);
  const minShare = Math.min(...fromThird);

  console.log(`turns: ${result.turns}, total ${total} ms, mean command time ${meanCommand.toFixed(1)} ms`);
  console.log(
    `loop overhead per turn (excluding the command): median ${median.toFixed(1)} ms, mean ${mean.toFixed(1)} ms, p90 ${p90.toFixed(1)} ms  (goal < 50 ms: ${median < 50 ? 'met' : 'NOT met'})`,
  );
  console.log(
    `unchanged prefix of each request in the next: turn 1 ${(shares[0] * 100).toFixed(1)}%, turn 2 ${(shares[1] * 100).toFixed(1)}%, from turn 3 min ${(minShare * 100).toFixed(1)}% / mean ${((fromThird.reduce((a, b) => a + b, 0) / fromThird.length) * 100).toFixed(1)}%  (goal > 90%: ${minShare > 0.9 ? 'met' : 'NOT met'})`,
  );
  console.log(
    `usage: ${result.inputTokens} input, ${result.cacheReadTokens} cache read, ${result.cacheWriteTokens} cache write, ${result.outputTokens} output tokens; $${result.costUsd.toFixed(4)}`,
  );
} finally {
  await fake.close();
  rmSync(root, { recursive: true, force: true });
  // The loop stopped its session; its command logs stay in the state directory until removed.
  const { stateDirFor } = (await import(
    new URL('../lib/terminal/tmux.js', import.meta.url).href
  )) as typeof import('../src/terminal/tmux.js');
  rmSync(stateDirFor(sessionName), { recursive: true, force: true });
}
