// The tmux wrapper: error classification, names, sockets, versions, and typed errors from a real tmux.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  classifyTmuxError,
  execTmux,
  isSupportedVersion,
  socketPathFor,
  stateDirFor,
  tmuxSessionName,
  tmuxVersion,
  TmuxError,
  validateSessionName,
} from '../../src/terminal/tmux.js';
import { ensureTmux, installPlan } from '../../src/terminal/install.js';
import { AgentSession, listSessions } from '../../src/terminal/session.js';

const NAME = `tt${process.pid}`;

afterAll(async () => {
  await execTmux(socketPathFor(NAME), ['kill-server']).catch(() => {});
  await execTmux(socketPathFor(`${NAME}.dotted`), ['kill-server']).catch(() => {});
  rmSync(stateDirFor(NAME), { recursive: true, force: true });
  rmSync(stateDirFor(`${NAME}.dotted`), { recursive: true, force: true });
});

describe('classifyTmuxError', () => {
  it.each([
    ['no server running on /tmp/x.sock', 'no-server'],
    ['error connecting to /tmp/x.sock (No such file or directory)', 'no-server'],
    ['error connecting to /tmp/x.sock (Permission denied)', 'socket-gone'],
    ['server exited unexpectedly', 'socket-gone'],
    ["can't find session: nope", 'no-session'],
    ["can't find pane: %9", 'no-session'],
    ['duplicate session: a', 'duplicate-session'],
    ['bad session name: a:b', 'bad-name'],
    ['command too long', 'command-too-long'],
    ['unknown command: frob', 'other'],
  ])('%s -> %s', (stderr, kind) => {
    expect(classifyTmuxError(stderr)).toBe(kind);
  });
});

describe('names, sockets and versions', () => {
  it('accepts good names and rejects bad ones, naming the value', () => {
    expect(validateSessionName('ci-medic_1.2')).toBe('ci-medic_1.2');
    for (const bad of ['', 'a b', 'a:b', 'a;b', '../x', 'x'.repeat(65), 'é']) {
      expect(() => validateSessionName(bad)).toThrow(TmuxError);
      try {
        validateSessionName(bad);
      } catch (error) {
        expect((error as TmuxError).kind).toBe('bad-name');
        expect((error as TmuxError).message).toContain(`"${bad}"`);
      }
    }
    expect(tmuxSessionName('a.b')).toBe('a_b');
  });

  it('derives a short, deterministic socket path per name', () => {
    expect(socketPathFor('x')).toBe(socketPathFor('x'));
    expect(socketPathFor('x')).not.toBe(socketPathFor('y'));
    expect(socketPathFor('x'.repeat(64)).length).toBeLessThanOrEqual(100);
    expect(socketPathFor('x')).toMatch(/^\/tmp\/ci-medic-\d+\/x\.sock$/);
  });

  it('checks the version rule', async () => {
    expect(isSupportedVersion('tmux 3.2')).toBe(true);
    expect(isSupportedVersion('tmux 3.3a')).toBe(true);
    expect(isSupportedVersion('tmux next-3.6')).toBe(true);
    expect(isSupportedVersion('tmux 10.0')).toBe(true);
    expect(isSupportedVersion('tmux master')).toBe(true);
    expect(isSupportedVersion('tmux 3.1c')).toBe(false);
    expect(isSupportedVersion('tmux 2.9')).toBe(false);
    expect(isSupportedVersion('')).toBe(false);
    expect(await tmuxVersion()).toMatch(/^\d+\.\d+/);
    expect(await ensureTmux()).toMatchObject({ installed: false, version: expect.stringMatching(/^\d+\.\d+/) });
  });

  it('plans apt-get on Linux (through sudo when not root) and brew on macOS', () => {
    const plan = installPlan('linux', process.env.PATH ?? '');
    expect(plan).toHaveProperty('commands');
    const commands = (plan as { commands: string[][] }).commands.map((c) => c.join(' '));
    expect(commands[0]).toMatch(/apt-get update/);
    expect(commands[1]).toMatch(/apt-get install -y -qq tmux$/);
    if (process.getuid?.() !== 0) expect(commands[1]).toMatch(/sudo -n /);
  });

  it('plans an install per platform, or says why it cannot', () => {
    expect(installPlan('linux', '/nonexistent')).toMatchObject({ impossible: expect.stringContaining('apt-get') });
    expect(installPlan('darwin', '/nonexistent')).toMatchObject({ impossible: expect.stringContaining('brew') });
    expect(installPlan('win32', '/nonexistent')).toMatchObject({ impossible: expect.stringContaining('win32') });
  });
});

describe('execTmux against a real tmux', () => {
  it('classifies a missing server, a missing tmux and a missing session', async () => {
    const missing = `/tmp/ci-medic-no-such-${process.pid}.sock`;
    await expect(execTmux(missing, ['list-sessions'])).rejects.toMatchObject({ kind: 'no-server' });
    await expect(execTmux(missing, ['list-sessions'], { tmux: 'tmux-not-installed-here' })).rejects.toMatchObject({
      kind: 'not-installed',
    });
    const s = await AgentSession.start({ name: NAME, cwd: '/tmp' });
    await expect(execTmux(s.socketPath, ['has-session', '-t', '=nope'])).rejects.toMatchObject({ kind: 'no-session' });
    await expect(AgentSession.start({ name: NAME, cwd: '/tmp' })).rejects.toMatchObject({ kind: 'duplicate-session' });
    // The config file holds for the first pane too.
    const pane = await execTmux(s.socketPath, ['display-message', '-p', '-t', `=${NAME}:0.0`, '#{history_limit}']);
    expect(pane.stdout.trim()).toBe('50000');
    const remain = await execTmux(s.socketPath, ['show-options', '-gv', 'remain-on-exit']);
    expect(remain.stdout.trim()).toBe('on');
    await expect(execTmux(s.socketPath, ['wait-for', 'never'], { timeoutMs: 200 })).rejects.toMatchObject({
      kind: 'timeout',
    });
  });

  it('ends a running command with a no-server error when the session is stopped from elsewhere', async () => {
    const s = await AgentSession.start({ name: `${NAME}-stopped`, cwd: '/tmp' });
    const pending = s.run('sleep 30', { timeoutMs: 60_000 });
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    await (await AgentSession.find(`${NAME}-stopped`))!.stop({ removeState: true });
    expect(Date.now() - started).toBeLessThan(900); // no waiting on an exited server
    await expect(pending).rejects.toMatchObject({ kind: 'no-server' });
  });

  it('refuses a bash older than 4.1 with what to do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-medic-oldbash-'));
    try {
      writeFileSync(join(dir, 'bash'), '#!/bin/sh\necho "3 2"\n', { mode: 0o755 });
      const start = AgentSession.start({
        name: `${NAME}-oldbash`,
        cwd: '/tmp',
        baseEnv: { PATH: `${dir}:/usr/bin:/bin` },
      });
      await expect(start).rejects.toThrow(/bash 3\.2; the session needs bash 4\.1 or newer/);
      expect(existsSync(socketPathFor(`${NAME}-oldbash`))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lists sessions, finds them by name, and stops them', async () => {
    const dotted = await AgentSession.start({ name: `${NAME}.dotted`, cwd: '/tmp' });
    const listed = await listSessions();
    const mine = listed.find((s) => s.name === `${NAME}.dotted`);
    expect(mine).toMatchObject({ socketPath: dotted.socketPath, cwd: '/tmp', alive: true, busy: false });
    expect(mine?.pid).toBeGreaterThan(0);
    expect(mine?.created).toBeInstanceOf(Date);
    const found = await AgentSession.find(`${NAME}.dotted`);
    expect(found?.socketPath).toBe(dotted.socketPath);
    expect((await found!.run('echo found')).output).toBe('found\n');
    expect(dotted.joinCommands()).toEqual({
      attach: `tmux -S ${dotted.socketPath} attach -t ${NAME}_dotted`,
      readOnly: `tmux -S ${dotted.socketPath} attach -r -t ${NAME}_dotted`,
    });
    await dotted.stop();
    expect(existsSync(dotted.socketPath)).toBe(false);
    expect((await listSessions()).some((s) => s.name === `${NAME}.dotted`)).toBe(false);
    expect(await AgentSession.find(`${NAME}.dotted`)).toBeNull();
  });

  it('acquire reuses an idle session and refuses a busy one', async () => {
    const name = `${NAME}.dotted`;
    const first = await AgentSession.acquire({ name, cwd: '/tmp' });
    await first.run('export MARK=reused');
    const again = await AgentSession.acquire({ name, cwd: '/' });
    expect((await again.run('echo $MARK')).output).toBe('reused\n');
    const pending = first.run('sleep 2', { detectHangs: false });
    await new Promise((r) => setTimeout(r, 300));
    await expect(AgentSession.acquire({ name, cwd: '/tmp' })).rejects.toMatchObject({
      kind: 'busy',
      message: expect.stringContaining('is busy'),
    });
    await pending;
    await first.stop();
  });
});
