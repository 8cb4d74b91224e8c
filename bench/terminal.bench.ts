// Terminal layer: what a command costs when it goes through the tmux session instead of a plain child process.
// Measured side by side in one run (interleaved, so machine load hits both sides alike); ratios are the figures.
//   1. median of run('true')            vs median of spawning `bash -c true` from Node   (goal: <= 1.2x)
//   2. 200,000 lines of output via run  vs the same command with its output to a file  (goal: <= 2x)
//   3. 200,000 lines via run with the redacting path (a Redactor with known values) vs without (no redact given)
//   4. one look for a foreground server (listen.ts) at a quiet command's job: what a quiet command pays, at most
//      once a second after SERVER_QUIET_MS (commands that finish or print before then pay nothing)
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The compiled module from lib/ (npm run build), typed by its source.
type Terminal = typeof import('../src/terminal/session.js');
const { AgentSession } = (await import(new URL('../lib/terminal/session.js', import.meta.url).href)) as Terminal;
const { listSessions } = (await import(
  new URL('../lib/terminal/list.js', import.meta.url).href
)) as typeof import('../src/terminal/list.js');
const { ForegroundServerProbe } = (await import(
  new URL('../lib/terminal/listen.js', import.meta.url).href
)) as typeof import('../src/terminal/listen.js');
const { Redactor } = (await import(
  new URL('../lib/redact.js', import.meta.url).href
)) as typeof import('../src/redact.js');

const SMALL_ROUNDS = 60;
const BIG_ROUNDS = 5;
const BIG_COMMAND = `awk 'BEGIN { for (i = 1; i <= 200000; i++) printf "line %d of the output, value %x\\n", i, i * 7 }'`;

function spawnBash(script: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('bash', ['-c', script], { maxBuffer: 64 * 1024 * 1024 }, (error) => (error ? reject(error) : resolve()));
  });
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 15));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

const name = `bench${process.pid}`;
const session = await AgentSession.start({
  name,
  cwd: tmpdir(),
  baseEnv: { PATH: process.env.PATH, HOME: process.env.HOME },
});
const redactor = new Redactor(['ghp_' + 'a'.repeat(36), 'not-a-known-prefix-secret-value', 'hunter2hunter2']);
const redacting = await AgentSession.start({
  name: `${name}r`,
  cwd: tmpdir(),
  baseEnv: { PATH: process.env.PATH, HOME: process.env.HOME },
  redact: (text: string) => redactor.redact(text),
});
const outFile = join(tmpdir(), `ci-medic-bench-${process.pid}.out`);
try {
  for (let i = 0; i < 10; i++) {
    await session.run('true');
    await spawnBash('true');
  }
  const viaRun: number[] = [];
  const viaSpawn: number[] = [];
  for (let i = 0; i < SMALL_ROUNDS; i++) {
    viaRun.push(await time(() => session.run('true')));
    // run() prepares the next command's waiter after it returns (between commands, as between model turns):
    // let that finish so it does not slow the other side.
    await settle();
    viaSpawn.push(await time(() => spawnBash('true')));
    await settle();
  }
  const small = median(viaRun) / median(viaSpawn);
  console.log(`run('true') median           ${fmt(median(viaRun))}   (${SMALL_ROUNDS} rounds)`);
  console.log(`spawn bash -c true median    ${fmt(median(viaSpawn))}`);
  console.log(
    `ratio                        ${small.toFixed(2)}x   (goal <= 1.2x) ${small <= 1.2 ? 'OK' : 'OVER GOAL'}`,
  );

  const bigRun: number[] = [];
  const bigFile: number[] = [];
  const bigRedacted: number[] = [];
  const viaRunOf = (s: typeof session) => async () => {
    const r = await s.run(BIG_COMMAND, { timeoutMs: 120_000 });
    if (r.exitCode !== 0 || r.output.length < 6_000_000)
      throw new Error(`unexpected result: ${r.exitCode}, ${r.output.length} chars`);
  };
  for (let i = 0; i < BIG_ROUNDS; i++) {
    bigRun.push(await time(viaRunOf(session)));
    bigFile.push(await time(() => spawnBash(`${BIG_COMMAND} > '${outFile}'`)));
    bigRedacted.push(await time(viaRunOf(redacting)));
  }
  const big = median(bigRun) / median(bigFile);
  console.log(`200,000 lines via run        ${fmt(median(bigRun))}   (${BIG_ROUNDS} rounds)`);
  console.log(`same, output to a file       ${fmt(median(bigFile))}`);
  console.log(`ratio                        ${big.toFixed(2)}x   (goal <= 2x) ${big <= 2 ? 'OK' : 'OVER GOAL'}`);
  const red = median(bigRedacted) / median(bigRun);
  console.log(`same via run, redacting      ${fmt(median(bigRedacted))}   (pane feed and log through a Redactor)`);
  console.log(`ratio redacting / not        ${red.toFixed(2)}x`);

  // A quiet command (a pipeline, so the job has several processes) and repeated looks at it.
  const quiet = session.run('sleep 5 | cat');
  await new Promise((resolve) => setTimeout(resolve, 500));
  const panePid = (await listSessions()).find((s) => s.name === name)?.pid ?? 0;
  const probe = new ForegroundServerProbe();
  const looks: number[] = [];
  for (let i = 0; i < 200; i++) {
    const start = performance.now();
    probe.look(panePid);
    looks.push(performance.now() - start);
  }
  await quiet;
  const look = median(looks);
  console.log(`foreground-server look       ${fmt(look)}   (at a quiet job; at most once a second)`);
  console.log(`share of one CPU             ${((look / 1000) * 100).toFixed(3)}%   while a command is quiet`);
} finally {
  for (const s of [session, redacting]) await s.stop({ removeState: true });
  rmSync(outFile, { force: true });
}
