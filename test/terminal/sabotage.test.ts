// Sabotage of the shell's own state, against real tmux and bash: after each, the next command works, in the same
// directory, and the result says what happened (so the model is told).
import { realpathSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentSession } from '../../src/terminal/session.js';
import { makeTempDir, removeTempDirs } from '../helpers/repo.js';

let session: AgentSession;
let workdir: string;
const launched: string[] = [];

beforeAll(async () => {
  workdir = realpathSync(makeTempDir());
  session = await AgentSession.start({
    name: `sab${process.pid}`,
    cwd: workdir,
    baseEnv: process.env,
    // Respawns must go through the launcher (the sandbox): count them.
    launcher: { wrap: (shellCommand) => (launched.push(shellCommand), `exec ${shellCommand}`) },
  });
  await session.run('mkdir -p deep/er && cd deep/er');
});

afterAll(async () => {
  await session.stop({ removeState: true });
  removeTempDirs();
});

async function expectWorking(): Promise<void> {
  const r = await session.run('false; echo "still here in $PWD"', { timeoutMs: 15_000 });
  expect(r).toMatchObject({ exitCode: 0, output: `still here in ${workdir}/deep/er\n`, timedOut: false });
}

describe('the shell survives sabotage of its own state', () => {
  it('errexit left on (shopt -so errexit), then false', async () => {
    const r = await session.run('shopt -so errexit');
    expect(r.exitCode).toBe(0);
    expect(r.shellNote).toMatch(/errexit/);
    const f = await session.run('false', { timeoutMs: 15_000 });
    expect(f).toMatchObject({ shellRestarted: true, stoppedBecause: 'dead-shell' });
    expect(f.shellNote).toMatch(/restarted in the same directory/);
    await expectWorking();
  });

  it('TMOUT set through a redirection', async () => {
    const r = await session.run('read -r TMOUT <<< 1');
    expect(r.shellNote).toMatch(/TMOUT/);
    await new Promise((done) => setTimeout(done, 2_000)); // would have ended an idle shell by now
    await expectWorking();
  });

  it('ulimit -n 4', async () => {
    const before = launched.length;
    const r = await session.run('ulimit -n 4', { timeoutMs: 20_000 });
    expect(r.shellRestarted).toBe(true);
    expect(r.shellNote).toMatch(/open-file limit/);
    expect(r.timedOut).toBe(false);
    expect(launched.length).toBeGreaterThan(before);
    await expectWorking();
  });

  it('exec of another program', async () => {
    const r = await session.run('exec sleep 300', { timeoutMs: 60_000 });
    expect(r.shellRestarted).toBe(true);
    expect(r.stoppedBecause).toBe('broken-shell');
    expect(r.shellNote).toMatch(/replaced the shell with "sleep"/);
    expect(r.durationMs).toBeLessThan(10_000);
    await expectWorking();
  });

  it('a background job that holds the terminal', async () => {
    const r = await session.run('(trap "" HUP INT; exec sleep 300 </dev/tty) & disown; echo bg', { timeoutMs: 20_000 });
    expect(r.output).toContain('bg');
    await expectWorking();
    const fg = await session.run('sleep 300 & fg', { timeoutMs: 2_000 });
    expect(fg.timedOut).toBe(true);
    await expectWorking();
  });
});
