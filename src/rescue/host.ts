// Hosting a rescue shell from the step itself: upterm (primary) or tmate (fallback) drops a person straight into the
// agent's tmux session. Trust model: the host runs in a server of its OWN (a wrapper tmux server for upterm, tmate's
// own server for tmate) on its own socket; the agent's server is only ever attached to, never started, changed or
// stopped. Access is limited to the given public keys unless the caller explicitly passes 'unrestricted'.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatDuration } from '../format.js';
import { scrubEnvironment } from '../terminal/env.js';
import { execTmux, findExecutable, TmuxError, tmuxSessionName } from '../terminal/tmux.js';
import { type Prepared, mtimeOf, continued, tailNote, stripAnsi, sleep } from './host-process.js';
import { RescueError, type HostRescueOptions, type RescueProvider } from './host-process.js';
import { launchUpterm, parseUptermConnection } from './upterm.js';
import { launchTmate, parseTmateConnection } from './tmate.js';

export { parseTmateConnection, parseUptermConnection, stripAnsi };
export {
  HOST_QUERY_TIMEOUT_MS,
  RescueError,
  STOP_GRACE_MS,
  WRAPPER_SESSION,
  type HostRescueOptions,
  type RescueProvider,
} from './host-process.js';

export const RESCUE_PROVIDERS: readonly RescueProvider[] = ['upterm', 'tmate'];

export type RescueOutcome = 'continued' | 'no-connection' | 'max-duration' | 'ended' | 'aborted' | 'error';

export const DEFAULT_CONNECT_TIMEOUT_MS = 10 * 60_000;
export const DEFAULT_MAX_DURATION_MS = 45 * 60_000;
/** How often the host, the continue file and the client count are checked. */
export const DEFAULT_POLL_INTERVAL_MS = 1000;

export interface HostRescueResult {
  outcome: RescueOutcome;
  /** The ssh connection string, when it became known. */
  connection?: string;
  /** Somebody connected at some point. */
  clientsSeen: boolean;
  /** One sentence saying why it ended (with the host's last output lines on an error). */
  detail: string;
  durationMs: number;
}

export async function hostRescue(options: HostRescueOptions): Promise<HostRescueResult> {
  const started = Date.now();
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const maxDurationMs = options.maxDurationMs ?? DEFAULT_MAX_DURATION_MS;
  const poll = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const say = (m: string) => options.onEvent?.(m);
  const prepared = await prepare(options);
  const continueBaseline = mtimeOf(options.continueFile);

  const host = options.provider === 'upterm' ? await launchUpterm(prepared) : await launchTmate(prepared);
  let connection: string | undefined;
  let clientsSeen = false;
  let lastClients = 0;
  const result = (outcome: RescueOutcome, detail: string): HostRescueResult => ({
    outcome,
    connection,
    clientsSeen,
    detail,
    durationMs: Date.now() - started,
  });
  try {
    say(`${options.provider} launched; waiting for the connection string`);
    for (;;) {
      if (options.signal?.aborted) return result('aborted', 'the rescue was cancelled');
      if (continued(options.continueFile, continueBaseline)) {
        return result('continued', `${options.continueFile} was created: the job goes on`);
      }
      const elapsed = Date.now() - started;
      if (elapsed >= maxDurationMs) {
        return result('max-duration', `the rescue reached its limit of ${formatDuration(maxDurationMs)}`);
      }
      const exited = await host.exited();
      if (exited !== undefined) {
        if (clientsSeen) return result('ended', `${options.provider} ended (${exited})`);
        return result(
          'error',
          `${options.provider} stopped before anyone connected (${exited})${tailNote(host.tail())}`,
        );
      }
      if (connection === undefined) {
        connection = await host.connection();
        if (connection !== undefined) {
          say(`connection: ${connection}`);
          options.onConnectionString?.(connection);
        }
      }
      const clients = await host.clients();
      if (clients > 0 && !clientsSeen) say('a person connected');
      if (clients === 0 && lastClients > 0) say('the person left; waiting for the continue file or the time limit');
      if (clients > 0) clientsSeen = true;
      lastClients = clients;
      if (!clientsSeen && elapsed >= connectTimeoutMs) {
        const why =
          connection === undefined
            ? `${options.provider} never printed a connection string within ${formatDuration(connectTimeoutMs)}${tailNote(host.tail())}`
            : `nobody connected within ${formatDuration(connectTimeoutMs)}`;
        return result('no-connection', why);
      }
      await sleep(Math.min(poll, Math.max(10, maxDurationMs - elapsed)), options.signal);
    }
  } catch (error) {
    return result('error', `the rescue failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await host.stop();
    try {
      say(`${options.provider} stopped; the agent's session is untouched`);
    } catch {
      // a failing progress callback must not hide the outcome
    }
  }
}

async function prepare(options: HostRescueOptions): Promise<Prepared> {
  if (!(['upterm', 'tmate'] as const).includes(options.provider)) {
    throw new RescueError(
      'bad-option',
      `provider: "${String(options.provider)}" is not a rescue host; use upterm or tmate`,
    );
  }
  for (const [name, value] of [
    ['connectTimeoutMs', options.connectTimeoutMs],
    ['maxDurationMs', options.maxDurationMs],
  ] as const) {
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
      throw new RescueError('bad-option', `${name}: ${value} is not a positive duration`);
    }
  }
  if (options.authorizedKeys !== 'unrestricted') {
    const keys = options.authorizedKeys.map((k) => k.trim()).filter(Boolean);
    if (keys.length === 0) {
      throw new RescueError(
        'no-keys',
        'no public SSH keys to limit access to, so the rescue shell is not launched; add an SSH key to the GitHub ' +
          'profile of the person who will connect, or turn access limits off explicitly',
      );
    }
  }
  // The agent's session must exist: there is nothing to rescue otherwise (a read-only query on its server).
  try {
    await execTmux(options.socketPath, ['has-session', '-t', `=${tmuxSessionName(options.sessionName)}`]);
  } catch (error) {
    const why = error instanceof TmuxError ? error.message : String(error);
    throw new RescueError(
      'no-agent-session',
      `the agent's session ${options.sessionName} is not running on ${options.socketPath}, so there is nothing to rescue (${why})`,
    );
  }

  mkdirSync(options.stateDir, { recursive: true, mode: 0o700 });
  const env = scrubEnvironment(options.baseEnv ?? {});
  const executable = options.executable ?? findExecutable(options.provider, env.PATH);
  if (!executable) {
    throw new RescueError(
      'not-installed',
      `${options.provider} is not installed (not found on PATH); install it first (ensureRescueTool / ci-medic rescue does)`,
    );
  }
  let keysFile: string | undefined;
  if (options.authorizedKeys !== 'unrestricted') {
    keysFile = join(options.stateDir, 'authorized_keys');
    writeFileSync(
      keysFile,
      `${options.authorizedKeys
        .map((k) => k.trim())
        .filter(Boolean)
        .join('\n')}\n`,
      { mode: 0o600 },
    );
  }
  const logFile = join(options.stateDir, `${options.provider}.log`);
  writeFileSync(logFile, '');
  return { env, executable, keysFile, logFile, options };
}

// ---- upterm: `upterm host` needs a terminal, so it runs in a pane of a wrapper tmux server of its own.

// ---- tmate: its own server (`-S`), in foreground mode (`-F`) so its connection lines and errors reach us.

// ---- helpers
