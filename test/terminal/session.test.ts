// AgentSession against real tmux and real bash: every item of issue 2's "Done when" list.
import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentSession } from '../../src/terminal/session.js';
import { stateDirFor } from '../../src/terminal/tmux.js';
import { makeTempDir, removeTempDirs } from '../helpers/repo.js';

const PREFIX = `t${process.pid}`;
const started: AgentSession[] = [];
let session: AgentSession;
let workdir: string;

async function startSession(
  suffix: string,
  cwd: string,
  baseEnv: Record<string, string | undefined> = process.env,
  controlClient = true,
) {
  const s = await AgentSession.start({ name: `${PREFIX}-${suffix}`, cwd, baseEnv, controlClient });
  started.push(s);
  return s;
}

beforeAll(async () => {
  workdir = realpathSync(makeTempDir());
  session = await startSession('main', workdir);
});

afterAll(async () => {
  for (const s of started) {
    await s.stop();
    rmSync(stateDirFor(s.name), { recursive: true, force: true });
  }
  removeTempDirs();
});

describe('output comes back exactly', () => {
  it('keeps ; # quotes and backslashes', async () => {
    const r = await session.run(`echo 'a;b' "c#d" \\\\back\\\\slash "say \\"hi\\"" it\\'s # a comment`);
    expect(r.output).toBe(`a;b c#d \\back\\slash say "hi" it's\n`);
    expect(r.exitCode).toBe(0);
  });

  it('runs a here-doc', async () => {
    const r = await session.run("cat <<'EOF'\nline $HOME\n  `not run`\nEOF\ncat <<EOF\nx=$((1+2))\nEOF");
    expect(r.output).toBe('line $HOME\n  `not run`\nx=3\n');
  });

  it('handles a trailing ;', async () => {
    const r = await session.run('echo trailing;');
    expect(r.output).toBe('trailing\n');
    expect((await session.run('echo two; echo three ;')).output).toBe('two\nthree\n');
  });

  it('runs a command longer than 20,000 characters', async () => {
    const word = 'x'.repeat(25_000);
    const r = await session.run(`echo ${word} | wc -c`);
    expect(r.output.trim()).toBe(String(25_001));
    const r2 = await session.run(`printf '%s' '${word}'`);
    expect(r2.output).toBe(word);
  });

  it('keeps unicode', async () => {
    const text = 'héllo wörld — 世界 🎉 ✓';
    const r = await session.run(`echo '${text}'`);
    expect(r.output).toBe(`${text}\n`);
  });

  it('keeps output without a final newline, and CRLF', async () => {
    expect((await session.run("printf 'no newline'")).output).toBe('no newline');
    expect((await session.run("printf 'a\\r\\nb\\r\\n'")).output).toBe('a\r\nb\r\n');
    expect((await session.run("printf 'progress 1\\rprogress 2\\r'")).output).toBe('progress 1\rprogress 2\r');
  });

  it('returns 200,000 lines byte-for-byte', async () => {
    const r = await session.run(
      `awk 'BEGIN { for (i = 1; i <= 200000; i++) printf "line %d\\tvalue %x\\n", i, i * 7 }'`,
    );
    let expected = '';
    for (let i = 1; i <= 200_000; i++) expected += `line ${i}\tvalue ${(i * 7).toString(16)}\n`;
    expect(r.exitCode).toBe(0);
    expect(r.output.length).toBe(expected.length);
    expect(r.output === expected).toBe(true);
    expect(readFileSync(r.outputPath, 'utf8').startsWith('line 1\tvalue 7\n')).toBe(true);
  });

  it('merges stderr into the output in order', async () => {
    const r = await session.run('echo out1; echo err1 >&2; echo out2; ls /nonexistent-ci-medic');
    expect(r.output).toMatch(/^out1\nerr1\nout2\nls: .*nonexistent-ci-medic.*\n$/);
    expect(r.exitCode).toBe(2);
  });
});

describe('exit codes and shell state', () => {
  it('reports exit codes', async () => {
    expect((await session.run('true')).exitCode).toBe(0);
    expect((await session.run('false')).exitCode).toBe(1);
    expect((await session.run('(exit 42)')).exitCode).toBe(42);
    expect((await session.run('sh -c "exit 7"')).exitCode).toBe(7);
  });

  it('reports a syntax error as exit code 2 with the message', async () => {
    const r = await session.run('echo (');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('syntax error');
    expect((await session.run('echo fine')).output).toBe('fine\n');
  });

  it('keeps cd, export and variables between commands', async () => {
    await session.run(`mkdir -p sub/dir && cd sub/dir && export CI_MEDIC_TEST_VAR=kept && plain=also`);
    const r = await session.run('pwd; echo "$CI_MEDIC_TEST_VAR $plain"; sh -c \'echo "child:$CI_MEDIC_TEST_VAR"\'');
    expect(r.output).toBe(`${workdir}/sub/dir\nkept also\nchild:kept\n`);
    await session.run(`cd ${workdir}`);
  });

  it('gives commands /dev/null as stdin, so read does not hang', async () => {
    const r = await session.run('read -r line; echo "status=$? line=[$line]"; cat; echo done', { timeoutMs: 10_000 });
    expect(r.output).toBe('status=1 line=[]\ndone\n');
    expect(r.timedOut).toBe(false);
  });

  it('does not wait for a background job', async () => {
    const r = await session.run('sleep 30 & echo started', { timeoutMs: 20_000 });
    expect(r.output).toMatch(/^(\[1\] \d+\n)?started\n$/);
    expect(r.exitCode).toBe(0);
    expect(r.durationMs).toBeLessThan(5_000);
    const jobs = await session.run('jobs -p | wc -l; kill %1; wait; echo killed', { timeoutMs: 10_000 });
    expect(jobs.output).toMatch(/^1\n(.*Terminated.*\n)?killed\n$/);
    expect(jobs.timedOut).toBe(false);
    const waited = await session.run('sleep 0.1 & sleep 0.2 & wait; echo waited', { timeoutMs: 10_000 });
    expect(waited.output).toMatch(/waited\n$/);
    expect(waited.timedOut).toBe(false);
  });

  it('restart() gives a fresh shell in the original directory with the original environment', async () => {
    const s = await startSession('restart', workdir);
    await s.run('cd / && export CI_MEDIC_GONE=1');
    await s.restart();
    const r = await s.run('pwd; echo "[${CI_MEDIC_GONE-}]"');
    expect(r.output).toBe(`${workdir}\n[]\n`);
  });
});

describe('hangs and the recovery ladder', () => {
  it('stops a command at its timeout, and the next command works', async () => {
    const r = await session.run('echo before; sleep 30; echo after', { timeoutMs: 800 });
    expect(r.timedOut).toBe(true);
    expect(r.interrupted).toBe(true);
    expect(r.exitCode).toBeNull();
    expect(r.output).toBe('before\n');
    expect(r.durationMs).toBeLessThan(5_000);
    const next = await session.run('echo next');
    expect(next).toMatchObject({ output: 'next\n', exitCode: 0, timedOut: false, interrupted: false });
  });

  it('climbs to C-\\ for a program that ignores C-c, and to respawn for one that ignores both', async () => {
    const quit = await session.run(`sh -c "trap '' INT; sleep 30"`, { timeoutMs: 500 });
    expect(quit).toMatchObject({ timedOut: true, interrupted: true, shellRestarted: false, recovery: ['C-c', 'C-\\'] });
    expect((await session.run('echo after quit')).output).toBe('after quit\n');
    await session.run('mkdir -p stubborn && cd stubborn');
    const stubborn = await session.run(`sh -c "trap '' INT QUIT; sleep 30"`, { timeoutMs: 500 });
    expect(stubborn).toMatchObject({
      timedOut: true,
      shellRestarted: true,
      recovery: ['C-c', 'C-\\', 'respawn-pane -k'],
    });
    expect((await session.run('pwd')).output).toBe(`${workdir}/stubborn\n`);
    await session.run(`cd ${workdir}`);
  });

  it('recovers a program that reads /dev/tty', async () => {
    const r = await session.run('read -r answer </dev/tty; echo "got $answer"', { timeoutMs: 30_000 });
    expect(r.stoppedBecause).toBe('tty-read');
    expect(r.interrupted).toBe(true);
    expect(r.durationMs).toBeLessThan(10_000);
    const r2 = await session.run('cat /dev/tty', { timeoutMs: 30_000 });
    expect(r2.stoppedBecause).toBe('tty-read');
    expect((await session.run('echo alive')).output).toBe('alive\n');
  });

  it('leaves an interactive full-screen program', async () => {
    const r = await session.run('less /etc/hostname </dev/tty >/dev/tty', { timeoutMs: 30_000 });
    expect(r.stoppedBecause).toBe('interactive');
    expect(r.interrupted || r.shellRestarted).toBe(true);
    expect(r.durationMs).toBeLessThan(10_000);
    expect((await session.run('echo out of less')).output).toBe('out of less\n');
  });

  it('respawns a killed shell in the same directory', async () => {
    await session.run('mkdir -p respawn-here && cd respawn-here');
    const r = await session.run('kill -9 $$', { timeoutMs: 20_000 });
    expect(r.shellRestarted).toBe(true);
    expect(r.stoppedBecause).toBe('dead-shell');
    expect(r.exitCode).toBeNull();
    const r2 = await session.run('pwd');
    expect(r2.output).toBe(`${workdir}/respawn-here\n`);
    await session.run(`cd ${workdir}`);
  });

  it('respawns a shell killed between commands and runs the command', async () => {
    const s = await startSession('killed', workdir);
    await s.run('cd /tmp');
    const pid = (await s.run('echo $$')).output.trim();
    execFileSync('kill', ['-9', pid]);
    const r = await s.run('pwd', { timeoutMs: 20_000 });
    expect(r.output).toBe('/tmp\n');
    expect(r.exitCode).toBe(0);
    expect(r.shellRestarted).toBe(true);
  });

  it('stops a command when the signal aborts, within a few seconds', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const r = await session.run('sleep 60', { timeoutMs: 120_000, signal: controller.signal });
    expect(r.stoppedBecause).toBe('aborted');
    expect(r.interrupted).toBe(true);
    expect(r.durationMs).toBeLessThan(5_000);
    expect((await session.run('echo after abort')).output).toBe('after abort\n');
  });

  it('reports a command interrupted from outside (a person pressing C-c)', async () => {
    const pending = session.run('echo started; sleep 30', { timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 400));
    await session.interrupt();
    const r = await pending;
    expect(r).toMatchObject({ stoppedBecause: 'interrupted', interrupted: true, exitCode: null, output: 'started\n' });
    expect(r.durationMs).toBeLessThan(5_000);
  });

  it('types nothing when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const r = await session.run('echo never > never-written', { signal: controller.signal });
    expect(r).toMatchObject({ stoppedBecause: 'aborted', exitCode: null });
    expect((await session.run('ls never-written 2>&1 | wc -l; echo next')).output).toBe('1\nnext\n');
  });

  it('copes with shell options a command leaves behind (noclobber, set -u, set -e)', async () => {
    const s = await startSession('options', workdir);
    expect((await s.run('set -o noclobber; set -u; echo set')).output).toBe('set\n');
    expect((await s.run('echo still works')).output).toBe('still works\n');
    await s.run('set -e');
    const r = await s.run('false', { timeoutMs: 20_000 });
    expect(r.shellRestarted).toBe(true); // set -e made the interactive shell exit
    expect((await s.run('echo respawned; pwd')).output).toBe(`respawned\n${workdir}\n`);
  });

  it('is not confused by text a person left half-typed at the prompt', async () => {
    await session.sendText('echo half-typed');
    const r = await session.run('echo clean line', { timeoutMs: 10_000 });
    expect(r).toMatchObject({ output: 'clean line\n', exitCode: 0 });
  });

  it('answers a program with sendText when hang detection is off', async () => {
    const pending = session.run('read -r answer </dev/tty; echo "got [$answer]"', {
      timeoutMs: 20_000,
      detectHangs: false,
    });
    await new Promise((r) => setTimeout(r, 300));
    await session.sendText('typed; text;');
    await session.sendText('\n');
    const r = await pending;
    expect(r.output).toBe('got [typed; text;]\n');
  });
});

describe('sessions', () => {
  it('runs two sessions at once without crossing', async () => {
    const a = await startSession('a', workdir);
    const b = await startSession('b', workdir);
    const runs = await Promise.all([
      a.run('for i in 1 2 3; do echo a$i; sleep 0.05; done; export WHO=a'),
      b.run('for i in 1 2 3; do echo b$i; sleep 0.05; done; export WHO=b'),
    ]);
    expect(runs.map((r) => r.output)).toEqual(['a1\na2\na3\n', 'b1\nb2\nb3\n']);
    const who = await Promise.all([a.run('echo $WHO'), b.run('echo $WHO')]);
    expect(who.map((r) => r.output)).toEqual(['a\n', 'b\n']);
    expect(a.socketPath).not.toBe(b.socketPath);
  });

  it('works the same with one spawned tmux client per command (no control client)', async () => {
    const s = await startSession('spawned', workdir, process.env, false);
    expect(await s.run("cd / && printf 'x;y\\r\\n'")).toMatchObject({ output: 'x;y\r\n', exitCode: 0 });
    expect(await s.run('pwd; (exit 5)')).toMatchObject({ output: '/\n', exitCode: 5 });
    const slow = await s.run('sleep 30', { timeoutMs: 500 });
    expect(slow).toMatchObject({ timedOut: true, exitCode: null });
    expect((await s.run('echo next')).output).toBe('next\n');
  });

  it('stops a command whose output stops growing, when asked to', async () => {
    const r = await session.run('echo tick; sleep 30', { timeoutMs: 20_000, idleTimeoutMs: 600 });
    expect(r).toMatchObject({ stoppedBecause: 'idle', interrupted: true, output: 'tick\n' });
    expect(r.durationMs).toBeLessThan(5_000);
  });

  it('stop({ removeState }) removes the logs too', async () => {
    const s = await AgentSession.start({ name: `${PREFIX}-gone`, cwd: workdir });
    const r = await s.run('echo bye');
    expect(readFileSync(r.outputPath, 'utf8')).toContain('bye');
    await s.stop({ removeState: true });
    expect(() => readFileSync(r.outputPath)).toThrow();
  });

  it('shows each command and its output on the screen, long lines joined', async () => {
    await session.run(`printf '%s\\n' ${'w'.repeat(450)}`);
    const joined = await session.capture(20);
    expect(joined.split('\n')).toContain('w'.repeat(450));

    await session.run('echo visible-to-a-person');
    const screen = await session.capture(100);
    expect(screen).toContain('visible-to-a-person');
  });
});
