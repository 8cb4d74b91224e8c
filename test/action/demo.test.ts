// `ci-medic demo`, in-process: the scripted model on loopback, the real loop, tmux, policy and git; ends with a branch
// on the local stand-in remote that passes the check.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main as demo } from '../../src/cli/commands/demo.js';
import { startScriptedModel } from '../../src/demo/scripted-model.js';
import { socketPathFor } from '../../src/terminal/tmux.js';
import { git, makeTempDir, removeTempDirs } from '../helpers/repo.js';

const sockets: string[] = [];
afterAll(() => {
  for (const socket of sockets) {
    spawnSync('tmux', ['-S', socket, 'kill-server'], { stdio: 'ignore' });
    rmSync(socket.replace(/\.sock$/, '.d'), { recursive: true, force: true });
  }
  removeTempDirs();
});

function capture(env: NodeJS.ProcessEnv = process.env) {
  const io = { out: '', err: '' };
  return {
    io,
    cli: { stdout: (t: string) => (io.out += t), stderr: (t: string) => (io.err += t), env, cwd: process.cwd() },
  };
}

describe('ci-medic demo', () => {
  it('repairs the example project, prints the join command, and pushes the fix branch to the stand-in remote', async () => {
    const parent = makeTempDir();
    const { io, cli } = capture();
    const code = await demo(['--pace', '0', '--keep', '--dir', parent], cli);
    const session = /attach -r -t (\S+)/.exec(io.out)?.[1] ?? '';
    if (session) sockets.push(socketPathFor(session));
    expect(code, io.out + io.err).toBe(0);

    expect(io.out).toContain('Scripted model, no API key needed');
    expect(io.out).toMatch(/Watch the agent's shell \(read-only\): tmux -S \S+\.sock attach -r -t ci-medic-demo-\d+/);
    // The join command comes right after the session starts, before the first model turn.
    expect(io.out.indexOf('attach -r -t')).toBeLessThan(io.out.indexOf('[turn] turn 1'));
    expect(io.out).toContain('Result: fixed');
    const branch = /pull request from (ci-medic\/[0-9a-f]{12}) into main/.exec(io.out)?.[1];
    expect(branch).toBeTruthy();

    // The branch is on the stand-in remote, changes only the broken file, and passes the check in a fresh clone.
    const root = join(parent, readdirSync(parent)[0]);
    const origin = join(root, 'github-stand-in.git');
    expect(git(origin, 'diff', '--name-only', 'main', branch!)).toBe('src/cart.js');
    const clone = join(makeTempDir(), 'clone');
    git(parent, 'clone', '-q', '--branch', branch!, origin, clone);
    expect(spawnSync('npm', ['test'], { cwd: clone, encoding: 'utf8' }).status).toBe(0);

    // Kept: the transcript it names exists; the last line is how the run ended and what it cost.
    const transcript = /^Transcript: (\S+)$/m.exec(io.out)?.[1];
    expect(transcript, io.out).toBeTruthy();
    expect(existsSync(transcript!)).toBe(true);
    const lines = io.out.trimEnd().split('\n');
    expect(lines.at(-1)).toMatch(/^Done: fixed in \d+ model turns?, \S+, cost \$\d+\.\d{4}$/);
  });

  it('without --keep prints no path that is gone by the time it is read, and still ends with the cost', async () => {
    // The session is named after this process: stop the one the --keep run above left.
    for (const socket of sockets) spawnSync('tmux', ['-S', socket, 'kill-server'], { stdio: 'ignore' });
    const parent = makeTempDir();
    const { io, cli } = capture();
    const code = await demo(['--pace', '0', '--dir', parent], cli);
    const session = /attach -r -t (\S+)/.exec(io.out)?.[1] ?? '';
    if (session) sockets.push(socketPathFor(session));
    expect(code, io.out + io.err).toBe(0);
    expect(io.out).not.toMatch(/transcript/i);
    expect(readdirSync(parent)).toEqual([]);
    expect(io.out.trimEnd().split('\n').at(-1)).toMatch(/^Done: fixed in \d+ model turns?, \S+, cost \$\d+\.\d{4}$/);
  });

  it('rejects a bad --pace naming the flag and the value', async () => {
    const { io, cli } = capture();
    expect(await demo(['--pace', 'soon'], cli)).toBe(2);
    expect(io.err).toContain('--pace: "soon" is not a duration');
  });

  it('the scripted model answers the Messages API shape and ends its turns', async () => {
    const model = await startScriptedModel();
    try {
      const ask = async () =>
        (await (
          await fetch(`${model.url}/v1/messages`, { method: 'POST', body: JSON.stringify({ messages: [] }) })
        ).json()) as { type: string; stop_reason: string; content: Array<{ type: string }> };
      const stops = [];
      for (let i = 0; i < 4; i++) stops.push((await ask()).stop_reason);
      expect(stops).toEqual(['tool_use', 'tool_use', 'end_turn', 'end_turn']);
      expect(model.requests()).toBe(4);
    } finally {
      await model.close();
    }
  });
});
