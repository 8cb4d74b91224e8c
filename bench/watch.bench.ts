// Watching and recording, measured side by side in one run:
//   1. dashboard latency: a byte written to the pane's terminal -> the same byte in the page's WebSocket stream
//      (median and p95 over 200 writes), through the real recorder and a real `ci-medic watch`
//   2. the watch server's memory (peak RSS) with 10 viewers (5 of them not reading) on a session printing 200,000 lines
//   3. recording cost: 200,000 lines through run() with the recorder on against off (interleaved rounds), as a ratio
// Needs the bundles (the recorder and the watch server run from dist/cli/index.js): npm run bundle first.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync, statSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import WebSocket from 'ws';

type Terminal = typeof import('../src/terminal/session.js');
type Command = typeof import('../src/watch/command.js');
type Tmux = typeof import('../src/terminal/tmux.js');
const lib = (path: string) => new URL(`../lib/${path}`, import.meta.url).href;
const { AgentSession } = (await import(lib('terminal/session.js'))) as Terminal;
const { sessionRecorder, recordingPathFor } = (await import(lib('watch/command.js'))) as Command;
const { tmuxSessionName } = (await import(lib('terminal/tmux.js'))) as Tmux;

const CLI = new URL('../dist/cli/index.js', import.meta.url).pathname;
if (!existsSync(CLI)) {
  console.error('bench/watch needs the CLI bundle (the recorder and the server run from it): run npm run bundle first');
  process.exit(1);
}
const WRITES = 200;
const VIEWERS = 10;
const BIG_ROUNDS = 3;
const BIG_COMMAND = `awk 'BEGIN { for (i = 1; i <= 200000; i++) printf "line %d of the output, value %x\\n", i, i * 7 }'`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const quantile = (values: number[], q: number) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const median = (values: number[]) => quantile(values, 0.5);
const baseEnv = { PATH: process.env.PATH, HOME: process.env.HOME };

/** Start `ci-medic watch` as a user would; resolves with its URL and process. */
async function startWatch(): Promise<{ url: URL; pid: number; stop: () => void }> {
  const child = spawn(process.execPath, [CLI, 'watch', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const url = await new Promise<URL>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /open (http:\/\/\S+)/.exec(out);
      if (m) resolve(new URL(m[1]));
    });
    child.on('exit', () => reject(new Error(`ci-medic watch exited: ${out}`)));
  });
  return { url, pid: child.pid!, stop: () => child.kill('SIGTERM') };
}

function viewer(url: URL, session: string, onData: (data: string) => void): Promise<WebSocket> {
  const ws = new WebSocket(`ws://${url.host}/ws?session=${session}&token=${url.searchParams.get('token')}`, {
    origin: url.origin,
  });
  ws.on('message', (raw) => {
    const msg = JSON.parse(String(raw)) as { type: string; data?: string };
    if (msg.type === 'output' && msg.data) onData(msg.data);
  });
  return new Promise((resolve, reject) => {
    ws.on('open', () => resolve(ws));
    ws.on('error', reject);
  });
}

const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
const rssOf = (pid: number, field: 'VmRSS' | 'VmHWM') =>
  Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

const recorded = `wbench${process.pid}`;
const plain = `wbenchoff${process.pid}`;
const sessionA = await AgentSession.start({
  name: recorded,
  cwd: tmpdir(),
  baseEnv,
  pipeOutput: sessionRecorder(recorded),
});
const sessionB = await AgentSession.start({ name: plain, cwd: tmpdir(), baseEnv });
const watch = await startWatch();
try {
  // 1. Latency: write straight to the pane's terminal (what a program in the pane does), wait for it on the socket.
  const tty = execFileSync(
    'tmux',
    ['-S', sessionA.socketPath, 'display', '-p', '-t', tmuxSessionName(recorded), '#{pane_tty}'],
    {
      encoding: 'utf8',
    },
  ).trim();
  let seen = '';
  let waiting: { marker: string; done: () => void } | null = null;
  const ws = await viewer(watch.url, recorded, (data) => {
    seen += data;
    if (seen.length > 4096) seen = seen.slice(-4096);
    if (waiting && seen.includes(waiting.marker)) waiting.done();
  });
  const fd = openSync(tty, 'w');
  const latencies: number[] = [];
  for (let i = 0; i < WRITES + 10; i++) {
    const marker = `ping-${i}-${process.pid};`;
    const arrived = new Promise<void>((done) => (waiting = { marker, done }));
    const start = performance.now();
    writeSync(fd, `${marker}\r\n`);
    await Promise.race([arrived, sleep(5000)]);
    if (i >= 10) latencies.push(performance.now() - start); // the first writes warm up the feed
    waiting = null;
    await sleep(10);
  }
  closeSync(fd);
  ws.close();
  console.log(
    `dashboard latency, pane -> page stream (${WRITES} writes): median ${median(latencies).toFixed(1)} ms, p95 ${quantile(latencies, 0.95).toFixed(1)} ms`,
  );

  // 2. Memory: 10 viewers, 5 reading and 5 stalled (their sockets paused), on a session printing 200,000 lines.
  const before = rssOf(watch.pid, 'VmRSS');
  const viewers: WebSocket[] = [];
  let received = 0;
  for (let i = 0; i < VIEWERS; i++) {
    const v = await viewer(watch.url, recorded, (data) => (received += data.length));
    if (i % 2 === 1) (v as unknown as { _socket: { pause(): void } })._socket.pause();
    viewers.push(v);
  }
  await sessionA.run(BIG_COMMAND, { timeoutMs: 300_000 });
  await sleep(1500);
  const peak = rssOf(watch.pid, 'VmHWM');
  for (const v of viewers) v.terminate();
  console.log(
    `watch server memory, ${VIEWERS} viewers (5 stalled) on 200,000 lines: RSS ${kib(before)} before, peak ${kib(peak)} (+${kib(peak - before)}); the 5 reading viewers got ${kib(received / 5)} each`,
  );

  // 3. Recording cost: the same 200,000 lines through run(), recorded against not, interleaved.
  const on: number[] = [];
  const off: number[] = [];
  for (let i = 0; i < BIG_ROUNDS; i++) {
    let t = performance.now();
    await sessionA.run(BIG_COMMAND, { timeoutMs: 300_000 });
    on.push(performance.now() - t);
    t = performance.now();
    await sessionB.run(BIG_COMMAND, { timeoutMs: 300_000 });
    off.push(performance.now() - t);
  }
  console.log(
    `recording cost, 200,000 lines through run(): on ${median(on).toFixed(0)} ms vs off ${median(off).toFixed(0)} ms = ${(median(on) / median(off)).toFixed(2)}x (median of ${BIG_ROUNDS}); recording now ${kib(statSync(recordingPathFor(recorded)).size)}`,
  );
} finally {
  watch.stop();
  await sessionA.stop({ removeState: true });
  await sessionB.stop({ removeState: true });
}
