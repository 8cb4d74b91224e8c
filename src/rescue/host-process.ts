// The rescue host's processes and files: the shapes a launcher returns, and small helpers for process groups, logs
// and waiting.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { stripAnsi } from '../terminal/ansi.js';
import { procStat } from '../terminal/proc.js';
import { MAX_SOCKET_PATH } from '../terminal/tmux.js';

/** What the loop needs from a running host, whichever tool it is. */
export type RescueProvider = 'upterm' | 'tmate';

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

export interface RunningHost {
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

export interface Prepared {
  env: Record<string, string>;
  executable: string;
  keysFile?: string;
  logFile: string;
  options: HostRescueOptions;
}

export function socketIn(dir: string, file: string, agentSocket: string): string {
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

export function run(
  file: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ stdout: string; stderr: string }> {
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

export function mtimeOf(file: string): number | undefined {
  return statSync(file, { throwIfNoEntry: false })?.mtimeMs;
}

/** Created since the start, or touched again if it was already there (we never delete a file we did not make). */
export function continued(file: string, baseline: number | undefined): boolean {
  const now = mtimeOf(file);
  return now !== undefined && (baseline === undefined || now > baseline);
}

export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

export function lastLines(text: string, count = 5): string {
  return stripAnsi(text)
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-count)
    .join(' | ');
}

export function tailNote(tail: string): string {
  return tail ? `; its last output: ${tail}` : '';
}

export { stripAnsi };

/** A process of the group is still running. On Linux zombies (dead, waiting to be reaped) do not count. */
export function groupAlive(pgid: number): boolean {
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

export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
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
