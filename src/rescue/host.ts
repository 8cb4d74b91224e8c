// Hosting a rescue shell from the step itself: upterm (primary) or tmate (fallback) drops a person straight into the
// agent's tmux session. Trust model: the host runs in a server of its OWN (a wrapper tmux server for upterm, tmate's
// own server for tmate) on its own socket; the agent's server is only ever attached to, never started, changed or
// stopped. Access is limited to the given public keys unless the caller explicitly passes 'unrestricted'.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { formatDuration } from '../format.js';
import { scrubEnvironment } from '../terminal/env.js';
import { procStat } from '../terminal/proc.js';
import { execTmux, findExecutable, MAX_SOCKET_PATH, TmuxError, tmuxSessionName } from '../terminal/tmux.js';
import { joinCommandFor, shellQuote } from './instructions.js';

export type RescueProvider = 'upterm' | 'tmate';
export const RESCUE_PROVIDERS: readonly RescueProvider[] = ['upterm', 'tmate'];

export type RescueOutcome = 'continued' | 'no-connection' | 'max-duration' | 'ended' | 'aborted' | 'error';

export const DEFAULT_CONNECT_TIMEOUT_MS = 10 * 60_000;
export const DEFAULT_MAX_DURATION_MS = 45 * 60_000;
/** How often the host, the continue file and the client count are checked. */
export const DEFAULT_POLL_INTERVAL_MS = 1000;
/** Bound for one call to `upterm session current` / `tmate display`: they answer at once unless wedged. */
export const HOST_QUERY_TIMEOUT_MS = 10_000;
/** Bound for stopping the host before its process group is killed outright. */
export const STOP_GRACE_MS = 3000;
/** Name of the session in the wrapper server (and in tmate's server). */
export const WRAPPER_SESSION = 'ci-medic-rescue';

export interface HostRescueOptions {
  provider: RescueProvider;
  /** The agent's session and the socket of its own tmux server (attached to, never stopped). */
  sessionName: string;
  socketPath: string;
  /** Public keys allowed to connect (`fetchActorKeys`), or 'unrestricted' when access limits were turned off. */
  authorizedKeys: string[] | 'unrestricted';
  /** Creating (or touching) this file ends the rescue: the job goes on. */
  continueFile: string;
  /** Where the host's sockets, logs, authorized_keys and scripts go (created; short: it holds a socket). */
  stateDir: string;
  /** Environment the host starts from; scrubbed of secrets like the agent's shell. PATH finds upterm/tmate/tmux. */
  baseEnv?: Record<string, string | undefined>;
  /** End when nobody connected within this long (default 10 minutes). */
  connectTimeoutMs?: number;
  /** End after this long in any case (default 45 minutes). */
  maxDurationMs?: number;
  /** Called once, as soon as the connection string (`ssh …`) is known. */
  onConnectionString?: (connection: string) => void;
  /** Progress for the log: launched, connected, left, why it ended. */
  onEvent?: (message: string) => void;
  /** The upterm/tmate executable (default: looked up on baseEnv.PATH). */
  executable?: string;
  /** upterm's `--server` (default upterm's own, ssh://uptermd.upterm.dev:22). */
  uptermServer?: string;
  /** A self-hosted tmate server (tmate's public servers are being retired). */
  tmateServer?: { host: string; port?: number; rsaFingerprint?: string; ed25519Fingerprint?: string };
  pollIntervalMs?: number;
  /** Aborting ends the rescue (outcome 'aborted') and stops the host. */
  signal?: AbortSignal;
}

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

/** Preconditions that keep the host from launching at all (fail closed). */
export class RescueError extends Error {
  constructor(
    readonly kind: 'no-keys' | 'not-installed' | 'no-agent-session' | 'bad-option' | 'launch-failed',
    message: string,
  ) {
    super(message);
    this.name = 'RescueError';
  }
}

/** What the loop needs from a running host, whichever tool it is. */
interface RunningHost {
  /** The ssh connection string once the host printed it. */
  connection(): Promise<string | undefined>;
  /** Connected clients now (0 when unknown). */
  clients(): Promise<number>;
  /** undefined while the host runs; why it stopped otherwise. */
  exited(): Promise<string | undefined>;
  /** The host's last output lines, for error messages. */
  tail(): string;
  stop(): Promise<void>;
}

interface Prepared {
  env: Record<string, string>;
  executable: string;
  keysFile?: string;
  logFile: string;
  options: HostRescueOptions;
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

async function launchUpterm(p: Prepared): Promise<RunningHost> {
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

// ---- tmate: its own server (`-S`), in foreground mode (`-F`) so its connection lines and errors reach us.

async function launchTmate(p: Prepared): Promise<RunningHost> {
  const { options } = p;
  const socket = socketIn(options.stateDir, 'tmate.sock', options.socketPath);
  const join1 = joinCommandFor(options.socketPath, options.sessionName);
  // The window's command: attach to the agent's session (nested: prefix twice to reach it); when the person detaches
  // from it, leave them a shell with a reminder. tmate restarts the command if it exits, which re-attaches.
  const attachScript = join(options.stateDir, 'tmate-attach.sh');
  writeFileSync(
    attachScript,
    [
      '#!/bin/bash',
      "# Written by ci-medic: the tmate window joins the agent's tmux session.",
      join1,
      // printf with single-quoted text: nothing in a path or name is expanded by the shell.
      `printf '%s\\n' ${shellQuote(`ci-medic: you left the agent's session. Re-join: ${join1}`)}`,
      `printf '%s\\n' ${shellQuote(`ci-medic: let the job go on: touch ${shellQuote(options.continueFile)}`)}`,
      'exec bash -i',
      '',
    ].join('\n'),
    { mode: 0o700 },
  );
  const conf = join(options.stateDir, 'tmate.conf');
  const server = options.tmateServer;
  writeFileSync(
    conf,
    [
      'set -g history-limit 5000',
      `set -g default-command ${shellQuote(`exec /bin/bash ${attachScript}`)}`,
      ...(server ? [`set -g tmate-server-host ${shellQuote(server.host)}`] : []),
      ...(server?.port ? [`set -g tmate-server-port ${server.port}`] : []),
      ...(server?.rsaFingerprint ? [`set -g tmate-server-rsa-fingerprint ${shellQuote(server.rsaFingerprint)}`] : []),
      ...(server?.ed25519Fingerprint
        ? [`set -g tmate-server-ed25519-fingerprint ${shellQuote(server.ed25519Fingerprint)}`]
        : []),
      '',
    ].join('\n'),
  );
  const args = [
    '-S',
    socket,
    '-f',
    conf,
    ...(p.keysFile ? ['-a', p.keysFile] : []),
    '-F',
    'new-session',
    '-s',
    WRAPPER_SESSION,
    '-x',
    '160',
    '-y',
    '48',
    `exec /bin/bash ${shellQuote(attachScript)}`,
  ];
  const out = openSync(p.logFile, 'a');
  let child: ChildProcess;
  try {
    // Its own process group, so stopping it takes every child along and nothing else.
    child = spawn(p.executable, args, { env: p.env, detached: true, stdio: ['ignore', out, out] });
  } finally {
    closeSync(out);
  }
  let exitedWith: string | undefined;
  let spawnError: string | undefined;
  child.on('error', (error) => (spawnError = error.message));
  child.on('exit', (code, signal) => (exitedWith = signal ? `signal ${signal}` : `exit code ${code}`));
  const tmate = (targs: string[]) => run(p.executable, ['-S', socket, ...targs], p.env);

  return {
    async connection() {
      const fromLog = parseTmateConnection(readText(p.logFile));
      if (fromLog) return fromLog;
      const shown = await tmate(['display', '-p', '#{tmate_ssh}'])
        .then((o) => o.stdout.trim())
        .catch(() => '');
      return shown.startsWith('ssh') ? shown : undefined;
    },
    async clients() {
      const shown = await tmate(['display', '-p', '#{tmate_num_clients}'])
        .then((o) => o.stdout.trim())
        .catch(() => '');
      return /^\d+$/.test(shown) ? Number(shown) : 0;
    },
    async exited() {
      if (spawnError) return `could not run ${p.executable}: ${spawnError}`;
      return exitedWith;
    },
    tail: () => lastLines(readText(p.logFile)),
    async stop() {
      if (exitedWith === undefined && child.pid) {
        await tmate(['kill-server']).catch(() => undefined);
        const deadline = Date.now() + STOP_GRACE_MS;
        while (exitedWith === undefined && Date.now() < deadline) await sleep(50);
        if (exitedWith === undefined) killGroup(child.pid, 'SIGKILL');
      }
      if (child.pid) killGroup(child.pid, 'SIGKILL');
      appendFileSync(p.logFile, '');
    },
  };
}

/** The read-write `ssh session: ssh …` line tmate prints in foreground mode. */
export function parseTmateConnection(text: string): string | undefined {
  const match = /^ssh session: (ssh .+)$/m.exec(stripAnsi(text));
  return match?.[1].trim();
}

// ---- helpers

function socketIn(dir: string, file: string, agentSocket: string): string {
  const path = join(dir, file);
  if (path === agentSocket)
    throw new RescueError('bad-option', `the rescue socket ${path} would be the agent's own socket`);
  if (path.length > MAX_SOCKET_PATH) {
    throw new RescueError(
      'bad-option',
      `stateDir: the socket path ${path} is longer than ${MAX_SOCKET_PATH} characters; use a shorter state directory`,
    );
  }
  return path;
}

function run(file: string, args: string[], env: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { env, timeout: HOST_QUERY_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 1 << 20 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${file} ${args.join(' ')}: ${stderr.trim() || error.message}`));
        else resolve({ stdout, stderr });
      },
    );
  });
}

function mtimeOf(file: string): number | undefined {
  return statSync(file, { throwIfNoEntry: false })?.mtimeMs;
}

/** Created since the start, or touched again if it was already there (we never delete a file we did not make). */
function continued(file: string, baseline: number | undefined): boolean {
  const now = mtimeOf(file);
  return now !== undefined && (baseline === undefined || now > baseline);
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function lastLines(text: string, count = 5): string {
  return stripAnsi(text)
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-count)
    .join(' | ');
}

function tailNote(tail: string): string {
  return tail ? `; its last output: ${tail}` : '';
}

export function stripAnsi(text: string): string {
  return text.replace(/\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g, '');
}

/** A process of the group is still running. On Linux zombies (dead, waiting to be reaped) do not count. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  if (process.platform !== 'linux') return true;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(entry);
    if (stat && stat.pgrp === pgid && stat.state !== 'Z') return true;
  }
  return false;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
