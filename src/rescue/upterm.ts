// upterm as the rescue host: a wrapper tmux server of its own that attaches to the agent's session.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execTmux } from '../terminal/tmux.js';
import { joinCommandFor, shellQuote } from './instructions.js';
import {
  type RunningHost,
  type Prepared,
  socketIn,
  run,
  readText,
  lastLines,
  stripAnsi,
  groupAlive,
  killGroup,
  errorText,
  sleep,
  RescueError,
  STOP_GRACE_MS,
  WRAPPER_SESSION,
} from './host-process.js';

export async function launchUpterm(p: Prepared): Promise<RunningHost> {
  const { options } = p;
  const wrapperSocket = socketIn(options.stateDir, 'upterm-wrapper.sock', options.socketPath);
  const runtime = join(options.stateDir, 'runtime');
  const env: Record<string, string> = {
    ...p.env,
    XDG_RUNTIME_DIR: runtime,
    XDG_STATE_HOME: join(options.stateDir, 'state'),
    XDG_CONFIG_HOME: join(options.stateDir, 'config'),
  };
  // upterm binds its admin socket at <runtime>/upterm/<session id>.sock (ids are about 20 characters; keep a margin).
  socketIn(join(runtime, 'upterm'), `${'x'.repeat(32)}.sock`, options.socketPath);
  for (const dir of [runtime, env.XDG_STATE_HOME, env.XDG_CONFIG_HOME])
    mkdirSync(dir, { recursive: true, mode: 0o700 });

  const forceCommand = joinCommandFor(options.socketPath, options.sessionName);
  const args = [
    'host',
    '--accept',
    '--skip-host-key-check',
    '--known-hosts',
    join(options.stateDir, 'known_hosts'),
    ...(options.uptermServer ? ['--server', options.uptermServer] : []),
    ...(p.keysFile ? ['--authorized-keys', p.keysFile] : []),
    '--force-command',
    forceCommand,
    '--',
    'bash',
  ];
  const script = join(options.stateDir, 'upterm-host.sh');
  writeFileSync(
    script,
    [
      '#!/bin/bash',
      "# Written by ci-medic: upterm hosts a session whose clients are forced into the agent's tmux session.",
      'set -o pipefail',
      `${[p.executable, ...args].map(shellQuote).join(' ')} 2>&1 | tee -a ${shellQuote(p.logFile)}`,
      '',
    ].join('\n'),
    { mode: 0o700 },
  );
  const conf = join(options.stateDir, 'upterm-wrapper.conf');
  // remain-on-exit keeps a dead host visible (its status) instead of taking the wrapper server down with it.
  writeFileSync(conf, 'set -g remain-on-exit on\nset -g history-limit 5000\n');
  try {
    await execTmux(
      wrapperSocket,
      [
        '-f',
        conf,
        'new-session',
        '-d',
        '-s',
        WRAPPER_SESSION,
        '-x',
        '160',
        '-y',
        '48',
        `exec /bin/bash ${shellQuote(script)}`,
      ],
      { env },
    );
  } catch (error) {
    throw new RescueError('launch-failed', `could not start the rescue wrapper server: ${errorText(error)}`);
  }
  const pane = `=${WRAPPER_SESSION}:0.0`;
  const panePid = await execTmux(wrapperSocket, ['display', '-p', '-t', pane, '#{pane_pid}'], { env })
    .then((o) => Number(o.stdout.trim()) || undefined)
    .catch(() => undefined);

  const adminSocket = (): string | undefined => {
    const dir = join(runtime, 'upterm');
    try {
      const sock = readdirSync(dir).find((f) => f.endsWith('.sock'));
      return sock ? join(dir, sock) : undefined;
    } catch {
      return undefined;
    }
  };
  const session = async (extra: string[]): Promise<string | undefined> => {
    const sock = adminSocket();
    if (!sock) return undefined;
    return run(p.executable, ['session', 'current', '--admin-socket', sock, ...extra], env)
      .then((o) => o.stdout)
      .catch(() => undefined);
  };

  return {
    async connection() {
      const text = (await session([])) ?? '';
      return parseUptermConnection(text) ?? parseUptermConnection(readText(p.logFile));
    },
    async clients() {
      const text = await session(['-o', 'json']);
      if (!text) return 0;
      try {
        const count = (JSON.parse(text) as { ClientCount?: unknown }).ClientCount;
        return typeof count === 'number' ? count : 0;
      } catch {
        return 0;
      }
    },
    async exited() {
      try {
        const out = await execTmux(wrapperSocket, ['display', '-p', '-t', pane, '#{pane_dead} #{pane_dead_status}'], {
          env,
        });
        const [dead, status] = out.stdout.trim().split(' ');
        return dead === '1' ? `exit status ${status || 'unknown'}` : undefined;
      } catch (error) {
        return `its wrapper server is gone: ${errorText(error)}`;
      }
    },
    tail: () => lastLines(readText(p.logFile)),
    async stop() {
      await execTmux(wrapperSocket, ['kill-server'], { env, timeoutMs: STOP_GRACE_MS }).catch(() => undefined);
      // The pane ran in its own process group: upterm gets SIGHUP from the closed terminal and ends its session;
      // whatever is still there after the grace period goes with the group.
      if (panePid) {
        const deadline = Date.now() + STOP_GRACE_MS;
        while (groupAlive(panePid) && Date.now() < deadline) await sleep(50);
        killGroup(panePid, 'SIGKILL');
      }
    },
  };
}

/** The `ssh …` line from `upterm session current` or `upterm host` output (ANSI colours removed). */
export function parseUptermConnection(text: string): string | undefined {
  const lines = stripAnsi(text).split(/\r?\n/);
  const label = lines.findIndex((l) => /^\s*(?:➤\s*)?SSH:\s*$/.test(l));
  if (label >= 0) {
    const next = lines.slice(label + 1).find((l) => l.trim() !== '');
    if (next && /^\s*ssh\s/.test(next)) return next.trim();
  }
  const any = lines.find((l) => /^\s*ssh\s+(?:-\S+\s+(?:'[^']*'|\S+)\s+)*\S+@\S+/.test(l));
  return any?.trim();
}
