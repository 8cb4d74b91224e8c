// Servers run in the foreground, against real tmux, bash and real servers (python3 -m http.server, a node server,
// socat), with the sandbox off and on: a command that goes quiet while its idle foreground job listens on a socket is
// stopped through the recovery ladder and the result names the port; a server started in the background is left
// alone and answers curl; a quiet command that listens on nothing, a test's server on an ephemeral port and a busy
// job that listens are not touched.
import { existsSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxLauncher } from '../../src/sandbox/index.js';
import { AgentSession } from '../../src/terminal/session.js';
import { EPHEMERAL_PORTS_FROM, foregroundServerAdvice, parseSocketTable } from '../../src/terminal/listen.js';
import { CommandWatch, SERVER_CHECK_INTERVAL_MS, SERVER_QUIET_MS } from '../../src/terminal/wait.js';
import type { ShellLauncher } from '../../src/terminal/types.js';
import { makeTempDir, removeTempDirs } from '../helpers/repo.js';
import { freePort } from '../helpers/net.js';

const CLI = join(process.cwd(), 'dist/cli/index.js');
/** Generous: a stopped server must come back well before it; a missed one would run into it. */
const TIMEOUT_MS = 60_000;

afterAll(() => removeTempDirs());

const modes: [string, (workspace: string) => ShellLauncher | undefined][] = [
  ['sandbox off', () => undefined],
  [
    'sandbox on',
    (workspace) =>
      new SandboxLauncher({
        workspace,
        home: makeTempDir(),
        settings: { mode: 'required', allowDomains: [], allowWrite: [], denyRead: [] },
        protectedPaths: ['.git/', '.github/'],
        hostCommand: [process.execPath, CLI],
      }),
  ],
];

describe.each(modes)('foreground servers (%s)', (mode, launcherFor) => {
  let session: AgentSession;
  let workdir: string;

  beforeAll(async () => {
    // The sandbox's host is the CLI bundle: a missing bundle must fail here, not skip.
    expect(existsSync(CLI), `${CLI} is missing: run npm run bundle`).toBe(true);
    workdir = realpathSync(makeTempDir());
    session = await AgentSession.start({
      name: `fg${process.pid}${mode === 'sandbox on' ? 's' : 'o'}`,
      cwd: workdir,
      baseEnv: process.env,
      launcher: launcherFor(workdir),
    });
  });

  afterAll(async () => {
    await session?.stop({ removeState: true });
  });

  async function expectWorking(): Promise<void> {
    const r = await session.run('echo "next $PWD"', { timeoutMs: 15_000 });
    expect(r).toMatchObject({ exitCode: 0, output: `next ${workdir}\n`, shellRestarted: false });
  }

  /** Whether something answers HTTP on the port, asked from inside the session (the sandbox's own network). */
  async function answers(port: number): Promise<boolean> {
    const r = await session.run(`curl -s -o /dev/null -m 2 http://localhost:${port}/`, { timeoutMs: 15_000 });
    return r.exitCode === 0;
  }

  it('stops python3 -m http.server in the foreground and names the port; the next command works', async () => {
    const port = await freePort();
    const r = await session.run(`python3 -m http.server ${port} --bind 127.0.0.1`, { timeoutMs: TIMEOUT_MS });
    expect(r).toMatchObject({
      exitCode: null,
      timedOut: false,
      interrupted: true,
      shellRestarted: false,
      stoppedBecause: 'foreground-server',
      foregroundServer: { port, protocol: 'tcp', address: '127.0.0.1' },
    });
    expect(r.foregroundServer?.program).toMatch(/^python3/);
    expect(r.recovery?.[0]).toBe('C-c');
    // Quiet for SERVER_QUIET_MS, then a second look that sees the job idle.
    expect(r.durationMs).toBeGreaterThanOrEqual(SERVER_QUIET_MS + SERVER_CHECK_INTERVAL_MS);
    expect(r.durationMs).toBeLessThan(15_000);
    await expectWorking();
    expect(await answers(port)).toBe(false);
  });

  it('counts the quiet period from the last output: a node server that prints, then listens', async () => {
    const port = await freePort();
    writeFileSync(
      join(workdir, 'server.js'),
      `const http = require('http');\n` +
        `let n = 0;\nconst t = setInterval(() => { console.log('warming up ' + ++n); if (n === 4) { clearInterval(t); start(); } }, 1000);\n` +
        `function start() { http.createServer((q, r) => r.end('hi')).listen(${port}, () => console.log('listening on ${port}')); }\n`,
    );
    const r = await session.run('node server.js', { timeoutMs: TIMEOUT_MS });
    expect(r).toMatchObject({ stoppedBecause: 'foreground-server', foregroundServer: { port, program: 'node' } });
    expect(r.output).toContain(`warming up 4\nlistening on ${port}\n`);
    // Four seconds of output before the server listened, then the quiet period.
    expect(r.durationMs).toBeGreaterThanOrEqual(4_000 + SERVER_QUIET_MS + SERVER_CHECK_INTERVAL_MS);
    await expectWorking();
  });

  it('finds the server deep in the foreground job (a script that starts a shell that starts the server)', async () => {
    const port = await freePort();
    writeFileSync(
      join(workdir, 'start.sh'),
      `echo starting\nsh -c 'socat TCP-LISTEN:${port},reuseaddr,fork SYSTEM:"echo hi"'\n`,
    );
    const r = await session.run('bash start.sh', { timeoutMs: TIMEOUT_MS });
    expect(r).toMatchObject({ stoppedBecause: 'foreground-server', foregroundServer: { port, program: 'socat' } });
    await expectWorking();
  });

  it('finds the program `go run` starts (from another thread of the go tool)', async () => {
    const port = await freePort();
    writeFileSync(
      join(workdir, 'main.go'),
      `package main\n\nimport "net/http"\n\nfunc main() { http.ListenAndServe("127.0.0.1:${port}", nil) }\n`,
    );
    // The build cache in the workspace: the sandbox lets the shell write there.
    const r = await session.run('GOCACHE=$PWD/.gocache go run main.go', { timeoutMs: 240_000 });
    expect(r).toMatchObject({ stoppedBecause: 'foreground-server', foregroundServer: { port, program: 'main' } });
    await expectWorking();
  }, 300_000);

  it('sees a UDP server too', async () => {
    const port = await freePort();
    const r = await session.run(`socat -u UDP-RECV:${port} -`, { timeoutMs: TIMEOUT_MS });
    expect(r).toMatchObject({
      stoppedBecause: 'foreground-server',
      foregroundServer: { port, protocol: 'udp', program: 'socat' },
    });
    await expectWorking();
  });

  it('leaves a server started in the background running, through quiet commands, and curl reaches it', async () => {
    const port = await freePort();
    const started = await session.run(`python3 -m http.server ${port} --bind 127.0.0.1 > server.log 2>&1 &`, {
      timeoutMs: 15_000,
    });
    expect(started.exitCode).toBe(0);
    try {
      const ready = await session.run(
        `for i in $(seq 50); do curl -s -o /dev/null localhost:${port} && break; sleep 0.2; done; curl -s localhost:${port}/`,
        { timeoutMs: 30_000 },
      );
      expect(ready.exitCode).toBe(0);
      expect(ready.output).toContain('Directory listing');
      // A quiet command while the background server listens: not a foreground server.
      const quiet = await session.run('sleep 5', { timeoutMs: TIMEOUT_MS });
      expect(quiet).toMatchObject({ exitCode: 0, stoppedBecause: null });
      expect(quiet.foregroundServer).toBeUndefined();
      expect(await answers(port)).toBe(true);
    } finally {
      await session.run('kill %1; wait', { timeoutMs: 15_000 });
    }
  });

  it('does not flag a command that starts a server with & and then waits quietly for it', async () => {
    const port = await freePort();
    const r = await session.run(
      `python3 -m http.server ${port} --bind 127.0.0.1 >/dev/null 2>&1 & sleep 5; curl -s -o /dev/null -w '%{http_code}' localhost:${port}/; kill $!`,
      { timeoutMs: TIMEOUT_MS },
    );
    expect(r).toMatchObject({ exitCode: 0, output: '200', stoppedBecause: null });
  });

  it("does not flag a test's own server on a port the system picked (port 0)", async () => {
    const r = await session.run(
      `python3 -c "import http.server, time; s = http.server.HTTPServer(('127.0.0.1', 0), http.server.SimpleHTTPRequestHandler); time.sleep(6); print(s.server_address[1])"`,
      { timeoutMs: TIMEOUT_MS },
    );
    expect(r, JSON.stringify(r.output)).toMatchObject({ exitCode: 0, stoppedBecause: null });
    // The port printed on a line of its own: bash's notice that an earlier test's background job ended may share
    // the output.
    const printed = /^(\d+)$/m.exec(r.output);
    expect(Number(printed?.[1]), JSON.stringify(r.output)).toBeGreaterThanOrEqual(EPHEMERAL_PORTS_FROM);
  });

  it('does not flag a busy job that listens on a fixed port (a test suite against its server)', async () => {
    const port = await freePort();
    // Listens, then computes quietly for 7 s (the event loop busy, as a suite running requests keeps its job busy).
    writeFileSync(
      join(workdir, 'busy.js'),
      `const s = require('net').createServer().listen(${port}, '127.0.0.1', () => {\n` +
        `  const end = Date.now() + 7000; let x = 0; while (Date.now() < end) x++;\n` +
        `  s.close(); console.log('done');\n});\n`,
    );
    const r = await session.run('node busy.js', { timeoutMs: TIMEOUT_MS });
    expect(r).toMatchObject({ exitCode: 0, output: 'done\n', stoppedBecause: null });
  });

  it('with detectServers: false (the check, the setup) a server runs until its deadline', async () => {
    const port = await freePort();
    const r = await session.run(`python3 -m http.server ${port} --bind 127.0.0.1`, {
      timeoutMs: 6_000,
      detectServers: false,
    });
    expect(r).toMatchObject({ timedOut: true, stoppedBecause: 'timeout' });
    expect(r.foregroundServer).toBeUndefined();
    await expectWorking();
  });

  it('does not flag a quiet command that listens on nothing (sleep)', async () => {
    const r = await session.run('sleep 6', { timeoutMs: TIMEOUT_MS });
    expect(r).toMatchObject({ exitCode: 0, stoppedBecause: null, interrupted: false });
    expect(r.durationMs).toBeGreaterThanOrEqual(6_000);
  });
});

describe('foregroundServerAdvice', () => {
  const server = { port: 8000, protocol: 'tcp' as const, address: '0.0.0.0', pid: 1, program: 'python3' };

  it('says what happened and how to run it instead, quoting a one-line command', () => {
    const text = foregroundServerAdvice(server, 'python3 -m http.server 8000');
    expect(text).toContain('started a server (python3) on TCP port 8000 in the foreground and never returned');
    expect(text).toContain('ci-medic stopped it');
    expect(text).toContain('`python3 -m http.server 8000 > server.log 2>&1 &`');
    expect(text).toContain('curl localhost:8000');
  });

  it('names a long or multi-line command COMMAND, and a UDP server gets no curl', () => {
    const text = foregroundServerAdvice({ ...server, protocol: 'udp', address: '10.1.2.3' }, 'cd app\nnpm start');
    expect(text).toContain('`COMMAND > server.log 2>&1 &`');
    expect(text).toContain('UDP 10.1.2.3:8000');
    expect(text).not.toContain('curl');
  });
});

describe('parseSocketTable', () => {
  // Rows as Linux prints them (x86_64): a TCP listener on 127.0.0.1:8000, an established connection, a TCP6
  // listener on :::3000, a bound UDP socket on 0.0.0.0:5353 and a connected one.
  const tcp = [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 0100007F:1F40 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0 100 0 0 10 0',
    '   1: 0100007F:1F40 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 112 1 0 20 4 30 10 -1',
  ].join('\n');
  const tcp6 = [
    '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 00000000000000000000000000000000:0BB8 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 113 1 0 100 0 0 10 0',
    '   1: 00000000000000000000000001000000:0BB9 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 114 1 0 100 0 0 10 0',
  ].join('\n');
  const udp = [
    '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
    '  100: 00000000:14E9 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 115 2 0 0',
    '  101: 0100007F:A001 0100007F:0035 01 00000000:00000000 00:00000000 00000000     0        0 116 2 0 0',
  ].join('\n');

  it('keeps TCP listeners and unconnected UDP sockets, with port and address', () => {
    expect(parseSocketTable(tcp, 'tcp')).toEqual([{ inode: '111', port: 8000, address: '127.0.0.1' }]);
    expect(parseSocketTable(tcp6, 'tcp')).toEqual([
      { inode: '113', port: 3000, address: '::' },
      { inode: '114', port: 3001, address: '::1' },
    ]);
    expect(parseSocketTable(udp, 'udp')).toEqual([{ inode: '115', port: 5353, address: '0.0.0.0' }]);
  });
});

describe('CommandWatch: the look for a listener is cheap', () => {
  const pane = { dead: false, alternate: false, command: 'bash', pid: 1, tty: '/dev/null' };

  it('is not asked before SERVER_QUIET_MS without output, then at most once per SERVER_CHECK_INTERVAL_MS', () => {
    const watch = new CommandWatch({ deadline: Infinity, detectHangs: true, detectServers: true }, 0);
    let asked = 0;
    const listener = () => (asked++, null);
    // Output growing every tick for 10 s: never asked.
    for (let now = 0; now <= 10_000; now += 250)
      watch.observe({ now, pane, logSize: now, readsTerminal: () => false, listener });
    expect(asked).toBe(0);
    // Then quiet for 5 s: asked only once quiet long enough, and then once a second.
    for (let now = 10_250; now <= 15_000; now += 250)
      watch.observe({ now, pane, logSize: 10_000, readsTerminal: () => false, listener });
    const quietChecks = Math.floor((15_000 - 10_000 - SERVER_QUIET_MS) / SERVER_CHECK_INTERVAL_MS) + 1;
    expect(asked).toBe(quietChecks);
  });

  it('stops with foreground-server once a listener is seen, and keeps it', () => {
    const watch = new CommandWatch({ deadline: Infinity, detectHangs: true, detectServers: true }, 0);
    const server = { port: 8000, protocol: 'tcp' as const, address: '0.0.0.0', pid: 7, program: 'node' };
    const o = { pane, logSize: 0, readsTerminal: () => false, listener: () => server };
    expect(watch.observe({ ...o, now: 0 })).toBeNull(); // the log appears: the quiet period starts
    expect(watch.observe({ ...o, now: SERVER_QUIET_MS - 1 })).toBeNull();
    expect(watch.observe({ ...o, now: SERVER_QUIET_MS })).toBe('foreground-server');
    expect(watch.server).toEqual(server);
  });

  it.each([
    ['detectHangs', { detectHangs: false, detectServers: true }],
    ['detectServers', { detectHangs: true, detectServers: false }],
  ])('does not look with %s off', (_name, rules) => {
    const watch = new CommandWatch({ deadline: Infinity, ...rules }, 0);
    let asked = 0;
    watch.observe({ now: 0, pane, logSize: 0, readsTerminal: () => false, listener: () => (asked++, null) });
    watch.observe({ now: 60_000, pane, logSize: 0, readsTerminal: () => false, listener: () => (asked++, null) });
    expect(asked).toBe(0);
  });
});
