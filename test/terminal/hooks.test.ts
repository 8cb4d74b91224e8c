// The terminal's hooks for other rooms, against real tmux and bash: the launcher (sandbox), mark and pipeOutput
// (recording), quoting shared by bash and tmux.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { shellQuote, controlArg } from '../../src/terminal/quote.js';
import { AgentSession } from '../../src/terminal/session.js';
import { makeTempDir, removeTempDirs } from '../helpers/repo.js';

const PREFIX = `h${process.pid}`;
const started: AgentSession[] = [];

afterAll(async () => {
  for (const s of started) await s.stop({ removeState: true }).catch(() => undefined);
  removeTempDirs();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('launcher', () => {
  it('wraps the shell at start and at every respawn, with the state directory and the directory', async () => {
    const cwd = realpathSync(makeTempDir());
    const calls: { shellCommand: string; stateDir: string; cwd: string }[] = [];
    const session = await AgentSession.start({
      name: `${PREFIX}-launch`,
      cwd,
      baseEnv: process.env,
      launcher: {
        wrap: async (shellCommand, ctx) => {
          calls.push({ shellCommand, ...ctx });
          return `CM_LAUNCHED=${calls.length} exec ${shellCommand}`;
        },
      },
    });
    started.push(session);
    expect((await session.run('echo "$CM_LAUNCHED"')).output).toBe('1\n');
    await session.run('mkdir -p sub && cd sub');
    await session.restart();
    expect((await session.run('echo "$CM_LAUNCHED"')).output).toBe('2\n');
    // A respawn by the ladder goes through it too, in the directory the shell was in.
    await session.run('cd sub');
    const killed = await session.run('echo going; sleep 0.3; kill -9 $$', { timeoutMs: 10_000 });
    expect(killed.shellRestarted).toBe(true);
    expect((await session.run('echo "$CM_LAUNCHED $PWD"')).output).toBe(`3 ${cwd}/sub\n`);
    expect(calls.map((c) => c.cwd)).toEqual([cwd, cwd, `${cwd}/sub`]);
    expect(
      calls.every((c) => c.stateDir === session.stateDir && /bash'? --noprofile --rcfile /.test(c.shellCommand)),
    ).toBe(true);
  });
});

describe('mark and pipeOutput', () => {
  it('writes the mark into the pane output stream that pipe-pane copies', async () => {
    const session = await AgentSession.start({ name: `${PREFIX}-mark`, cwd: makeTempDir(), baseEnv: process.env });
    started.push(session);
    const out = join(makeTempDir(), 'pane.out');
    await session.pipeOutput(`cat >> ${shellQuote(out)}`);
    await session.mark('turn 1');
    await session.run('echo visible-output');
    await expect(session.mark('bad;label')).rejects.toThrow(/without ';'/);
    await expect(session.mark('x'.repeat(201))).rejects.toThrow(/200 at most/);
    await sleep(300);
    await session.pipeOutput(null);
    const text = readFileSync(out, 'utf8');
    expect(text).toContain('\u001b]7777;cm-mark;turn 1\u0007');
    expect(text).toContain('visible-output');
    expect(text.indexOf('cm-mark;turn 1')).toBeLessThan(text.indexOf('visible-output'));
    // The pipe is closed: later output is not copied.
    await session.run('echo after-close');
    await sleep(200);
    expect(readFileSync(out, 'utf8')).not.toContain('after-close');
  });
});

describe('quoting', () => {
  it('quotes one word the same way for bash and for tmux', () => {
    const words = ['plain', '', "it's", 'a b; c', '$HOME `x` "q"', '~/x', '#comment', 'tab\there'];
    const echoed = execFileSync('bash', ['-c', `printf '%s\\n' ${words.map(shellQuote).join(' ')}`], {
      encoding: 'utf8',
    });
    expect(echoed).toBe(words.map((w) => `${w}\n`).join(''));
    const socket = join(makeTempDir(), 'q.sock');
    try {
      execFileSync('tmux', ['-S', socket, 'new-session', '-d', 'sleep 30']);
      for (const w of words.filter(Boolean)) {
        const shown = execFileSync('tmux', ['-S', socket, 'set', '-g', '@w', w, ';', 'show', '-gv', '@w'], {
          encoding: 'utf8',
        });
        expect(shown).toBe(`${w}\n`);
        const conf = join(makeTempDir(), 'q.conf');
        writeFileSync(conf, `set -g @v ${controlArg(w)}\n`);
        const viaLine = execFileSync('tmux', ['-S', socket, 'source-file', conf, ';', 'show', '-gv', '@v'], {
          encoding: 'utf8',
        });
        expect(viaLine).toBe(`${w}\n`);
      }
    } finally {
      if (existsSync(socket)) execFileSync('tmux', ['-S', socket, 'kill-server']);
      rmSync(socket, { force: true });
    }
    expect(controlArg('two\nlines')).toBeNull();
  });
});
