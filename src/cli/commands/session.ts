// `ci-medic session start|stop|list`: manage the agent's tmux sessions by hand (local use, rescue, debugging).
import { resolve } from 'node:path';
import { DEFAULT_SESSION_NAME, parseSessionName } from '../../config.js';
import { knownSecrets } from '../../secrets/index.js';
import { AgentSession, listSessions } from '../../terminal/session.js';
import { sessionRecorder } from '../../watch/command.js';
import { joinCommandFor } from '../../rescue/instructions.js';
import { TmuxError } from '../../terminal/tmux.js';
import { defineCommand, UsageError } from '../command.js';
import type { CliIo } from '../io.js';
import { cliSandbox, SANDBOX_HELP, SANDBOX_OPTIONS, sandboxSettingsFrom } from '../sandbox.js';
import { SandboxUnavailableError } from '../../sandbox/index.js';
import type { SandboxSettings } from '../../config.js';

export const HELP = `Usage: ci-medic session <start|stop|list> [options]

  start [--name N] [--cwd DIR]   start a detached tmux session on its own socket and print how to join it
  stop  [--name N]               stop the session (kills its tmux server)
  list  [--json]                 list the sessions of this user: name, state, pid, created, directory, socket

Options:
  --name N     session name (letters, digits, '_', '.', '-'; default ${DEFAULT_SESSION_NAME})
  --cwd DIR    the shell's working directory (default: the current directory)
  --json       list as JSON
${SANDBOX_HELP}
  -h, --help   this help

Examples:
  ci-medic session start --name fix-1 --cwd ~/project
  ci-medic session list
  ci-medic session stop --name fix-1
`;

export const main = defineCommand(
  {
    name: 'session',
    help: HELP,
    options: { name: { type: 'string' }, cwd: { type: 'string' }, json: { type: 'boolean' }, ...SANDBOX_OPTIONS },
    positionals: true,
  },
  async ({ values, positionals }, io) => {
    const [action, ...extra] = positionals;
    if (!action || !['start', 'stop', 'list'].includes(action) || extra.length) {
      throw new UsageError(
        `${action ? `"${[action, ...extra].join(' ')}" is not a session action` : 'an action is required'}; use start, stop or list\n\n${HELP.trimEnd()}`,
      );
    }
    const name = values.name === undefined ? DEFAULT_SESSION_NAME : parseSessionName('--name', values.name);
    const sandbox = sandboxSettingsFrom(values);

    try {
      if (action === 'start') return await start(name, resolve(io.cwd, values.cwd ?? '.'), sandbox, io);
      if (action === 'stop') return await stop(name, io);
      return await list(values.json === true, io);
    } catch (error) {
      if (error instanceof TmuxError || error instanceof SandboxUnavailableError) {
        io.stderr(`ci-medic session ${action}: ${error.message}\n`);
        return 1;
      }
      throw error;
    }
  },
);

function joinText(session: AgentSession): string {
  const join = (readOnly: boolean) => joinCommandFor(session.socketPath, session.name, readOnly);
  return `  socket:     ${session.socketPath}\n  join:       ${join(false)}\n  watch only: ${join(true)}\n`;
}

async function start(name: string, cwd: string, sandbox: SandboxSettings, io: CliIo): Promise<number> {
  const existing = await AgentSession.find(name);
  if (existing) {
    io.stdout(`Session ${name} is already running.\n${joinText(existing)}`);
    return 0;
  }
  // The pane shows command output through the redactor: known secrets (environment, credential files) are masked.
  const { sessionEnv, redactor } = knownSecrets({ env: io.env, workdir: cwd });
  const { launcher } = await cliSandbox(sandbox, cwd, [], io);
  const pipeOutput = sessionRecorder(name, (m) => io.stderr(`ci-medic session: ${m}\n`));
  const session = await AgentSession.start({
    name,
    cwd,
    baseEnv: sessionEnv,
    redact: (text) => redactor.redact(text),
    launcher: launcher ?? undefined,
    pipeOutput,
  });
  const boundary = launcher
    ? `inside the sandbox (network: ${launcher.domains.join(', ') || 'none'})`
    : 'without the sandbox';
  io.stdout(`Started session ${name} in ${cwd}, ${boundary}.\n${joinText(session)}`);
  return 0;
}

async function stop(name: string, io: CliIo): Promise<number> {
  // Also finds a server whose socket file was removed (by the pid it recorded); says "stopped" only when it did.
  const stopped = await AgentSession.stopByName(name);
  io.stdout(stopped ? `Stopped session ${name}.\n` : `Session ${name} is not running.\n`);
  return 0;
}

async function list(json: boolean, io: CliIo): Promise<number> {
  const sessions = await listSessions();
  if (json) {
    io.stdout(`${JSON.stringify(sessions, null, 2)}\n`);
    return 0;
  }
  if (!sessions.length) {
    io.stdout('No sessions are running.\n');
    return 0;
  }
  const rows = sessions.map((s) => [
    s.name,
    !s.alive ? 'dead' : s.busy ? 'busy' : 'idle',
    String(s.pid),
    s.created.toISOString(),
    s.cwd,
    s.socketPath,
  ]);
  const header = ['NAME', 'STATE', 'PID', 'CREATED', 'DIRECTORY', 'SOCKET'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  io.stdout([header, ...rows].map(line).join('\n') + '\n');
  return 0;
}
