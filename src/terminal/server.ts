// The session's tmux server: one per session name, on its own socket, configured before its first pane exists
// (history-limit applies to new panes only). Also how a server is found alive, and stopped for sure.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { pidAlive } from './proc.js';
import { execTmux, TmuxError } from './tmux.js';

export const PANE_WIDTH = 200;
export const PANE_HEIGHT = 50;
/** How long a killed server gets to exit before SIGKILL. */
const SERVER_EXIT_MS = 1_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The server's pid, recorded at start: `session stop` finds the server by it when the socket file is gone. */
export const serverPidFile = (stateDir: string) => `${stateDir}/server.pid`;

export interface ServerSpec {
  socketPath: string;
  stateDir: string;
  /** The tmux session name. */
  session: string;
  /** Shown in the status line. */
  label: string;
  cwd: string;
  env: Record<string, string>;
  tmux: string;
  historyLimit: number;
  /** The pane's command: an argument vector, or one shell line (a launcher's wrapping). */
  command: string[];
}

export async function startServer(spec: ServerSpec): Promise<void> {
  const conf = `${spec.stateDir}/tmux.conf`;
  writeFileSync(
    conf,
    [
      `set -g history-limit ${spec.historyLimit}`,
      'set -g remain-on-exit on',
      // A person attaching must not change the environment a respawned shell gets.
      "set -g update-environment ''",
      'set -s escape-time 0',
      `set -g status-left '[${spec.label}] '`,
      'set -g status-left-length 70',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  // The server inherits this client's environment, and panes the server's: it must be the scrubbed one.
  const { stdout } = await execTmux(
    spec.socketPath,
    ['-f', conf, 'new-session', '-d', '-P', '-F', '#{pid}', '-s', spec.session]
      .concat(['-x', String(PANE_WIDTH), '-y', String(PANE_HEIGHT), '-c', spec.cwd, '--'])
      .concat(spec.command),
    { env: spec.env, tmux: spec.tmux },
  );
  const pid = Number(stdout.trim());
  if (pid > 0) writeFileSync(serverPidFile(spec.stateDir), String(pid), { mode: 0o600 });
}

export async function serverAlive(socketPath: string, tmux: string): Promise<boolean> {
  if (!existsSync(socketPath)) return false;
  try {
    await execTmux(socketPath, ['list-sessions'], { tmux, timeoutMs: 5_000 });
    return true;
  } catch (error) {
    if (error instanceof TmuxError && (error.kind === 'no-server' || error.kind === 'socket-gone')) return false;
    throw error;
  }
}

function recordedPid(stateDir: string): number | null {
  try {
    const pid = Number(readFileSync(serverPidFile(stateDir), 'utf8').trim());
    return pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** The recorded pid, when that process is still a tmux server (a reused pid must not be killed). */
function recordedServer(stateDir: string): number | null {
  const pid = recordedPid(stateDir);
  if (!pid || !pidAlive(pid)) return null;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /(^|\/)tmux\0/.test(cmdline) ? pid : null;
  } catch {
    return process.platform === 'linux' ? null : pid;
  }
}

/**
 * Stop the server for sure: kill-server over the socket; then, whatever the socket said, the recorded pid (a
 * server whose socket file was removed under it, or one held up by a client), SIGTERM and then SIGKILL. True when
 * a server was running and is gone now; false when there was none.
 */
export async function stopServer(socketPath: string, stateDir: string, tmux: string): Promise<boolean> {
  let stopped = false;
  let pid = recordedServer(stateDir);
  if (!pid) {
    pid = await execTmux(socketPath, ['display-message', '-p', '#{pid}'], { tmux, timeoutMs: 5_000 }).then(
      ({ stdout }) => Number(stdout.trim()) || null,
      () => null,
    );
  }
  try {
    await execTmux(socketPath, ['kill-server'], { tmux, timeoutMs: 5_000 });
    stopped = true;
  } catch (error) {
    if (!(error instanceof TmuxError)) throw error;
  }
  if (pid && pidAlive(pid)) {
    stopped = true;
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      for (let waited = 0; pidAlive(pid) && waited < SERVER_EXIT_MS; waited += 50) await sleep(50);
      if (!pidAlive(pid)) break;
      try {
        process.kill(pid, signal);
      } catch {
        // gone meanwhile
      }
    }
    for (let waited = 0; pidAlive(pid) && waited < SERVER_EXIT_MS; waited += 50) await sleep(50);
    if (pidAlive(pid)) throw new TmuxError('other', `the tmux server (process ${pid}) did not exit after SIGKILL`);
  }
  rmSync(socketPath, { force: true });
  rmSync(serverPidFile(stateDir), { force: true });
  return stopped;
}
