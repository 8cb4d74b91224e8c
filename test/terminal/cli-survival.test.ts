// The real CLI (dist/cli/index.js, `npm run bundle` first) however it ends: no tmux control client left behind,
// `session stop` stops a server whose socket file was removed, and a re-run after a crash starts cleanly.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pidAlive } from '../../src/terminal/proc.js';
import { AgentSession } from '../../src/terminal/session.js';
import { socketPathFor, stateDirFor } from '../../src/terminal/tmux.js';
import { makeTempDir, removeTempDirs } from '../helpers/repo.js';

const CLI = resolve('dist/cli/index.js');
const NAME = `surv${process.pid}`;
const cwd = makeTempDir();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterAll(async () => {
  await AgentSession.stopByName(NAME).catch(() => false);
  rmSync(stateDirFor(NAME), { recursive: true, force: true });
  removeTempDirs();
});

/** tmux clients (any kind) talking to this session's socket, by their command lines in /proc. */
function clientsOf(socket: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.includes(socket) && /tmux/.test(line) && !/new-session/.test(line))
    .map((l) => l.trim());
}

function cli(args: string[]) {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>((r) =>
    child.on('close', (code, signal) => r({ code, signal, out })),
  );
  return { child, done };
}

describe('ci-medic run leaves no control client behind', () => {
  const socket = socketPathFor(NAME);
  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    it(`when its caller kills it with ${signal} mid-command`, async () => {
      const { child, done } = cli(['run', '--session', NAME, '--', 'echo started; sleep 30']);
      const holds = () => {
        try {
          return (
            (JSON.parse(readFileSync(`${stateDirFor(NAME)}/busy.lock`, 'utf8')) as { pid: number }).pid === child.pid
          );
        } catch {
          return false;
        }
      };
      for (let i = 0; i < 100 && !holds(); i++) await sleep(100);
      await sleep(300);
      expect(child.exitCode).toBeNull(); // still waiting for its command
      child.kill(signal);
      await done;
      await sleep(500);
      expect(clientsOf(socket)).toEqual([]);
      // The session stays usable: the next run interrupts nothing and works once the killed command is gone.
      await (await AgentSession.find(NAME))?.interrupt();
    });
  }

  it('when it times out, and when the policy denies the command', async () => {
    await sleep(500);
    const timedOut = await cli(['run', '--session', NAME, '--timeout', '1s', '--', 'sleep 30']).done;
    expect(timedOut.code).toBe(124);
    const denied = await cli(['run', '--session', NAME, '--', 'git push --force']).done;
    expect(denied.code).toBe(126);
    const ok = await cli(['run', '--session', NAME, '--', 'echo fine']).done;
    expect(ok).toMatchObject({ code: 0, out: 'fine\n' });
    await sleep(300);
    expect(clientsOf(socket)).toEqual([]);
  });
});

describe('session stop and a re-run after a crash', () => {
  it('stops a server whose socket was removed, by its recorded pid, and says so only when it did', async () => {
    const first = await cli(['session', 'start', '--name', NAME]).done;
    expect(first.code).toBe(0);
    const pid = Number(readFileSync(`${stateDirFor(NAME)}/server.pid`, 'utf8'));
    expect(pidAlive(pid)).toBe(true);
    unlinkSync(socketPathFor(NAME));
    const stopped = await cli(['session', 'stop', '--name', NAME]).done;
    expect(stopped.out).toBe(`Stopped session ${NAME}.\n`);
    expect(pidAlive(pid)).toBe(false);
    const again = await cli(['session', 'stop', '--name', NAME]).done;
    expect(again.out).toBe(`Session ${NAME} is not running.\n`);
  });

  it('starts cleanly after a crash left a stale socket, a live orphaned server, a lock and state', async () => {
    const crashed = await AgentSession.start({ name: NAME, cwd, baseEnv: process.env });
    const earlier = await crashed.run('echo earlier-run');
    const pid = Number(readFileSync(`${stateDirFor(NAME)}/server.pid`, 'utf8'));
    // A crash: the socket file gone, the server still running, a lock held by a dead process.
    crashed.detach();
    unlinkSync(socketPathFor(NAME));
    writeFileSync(`${stateDirFor(NAME)}/busy.lock`, JSON.stringify({ pid: 999_999_999, n: 7 }));
    const ran = await cli(['run', '--session', NAME, '--', 'echo second-run']).done;
    expect(ran).toMatchObject({ code: 0, out: 'second-run\n' });
    expect(pidAlive(pid)).toBe(false);
    // The earlier run's log is neither wiped nor renumbered.
    expect(readFileSync(earlier.outputPath, 'utf8')).toBe('earlier-run\n');
    await AgentSession.stopByName(NAME);
  });
});
