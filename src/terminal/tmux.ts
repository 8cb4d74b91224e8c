// The only code that runs `tmux`: argument arrays (never a shell string), every call bounded in time, tmux's
// stderr classified into a typed TmuxError. Also where sockets, session names and the version rule live.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { DEFAULT_PATH } from './env.js';

/** tmux 3.2 is the first with everything we rely on (wait-for memory, respawn-pane -c/-e, format flags). */
export const MIN_TMUX_VERSION = { major: 3, minor: 2 } as const;
/** Bound for an ordinary tmux call: they answer in milliseconds, so this only catches a wedged server. */
export const TMUX_CALL_TIMEOUT_MS = 10_000;
/** Unix socket paths longer than this fail to bind on macOS (104) and Linux (108); keep a margin. */
export const MAX_SOCKET_PATH = 100;

export type TmuxErrorKind =
  | 'no-server'
  | 'no-session'
  | 'bad-name'
  | 'socket-gone'
  | 'version-too-old'
  | 'command-too-long'
  | 'not-installed'
  | 'duplicate-session'
  | 'busy'
  | 'timeout'
  | 'other';

export class TmuxError extends Error {
  constructor(
    readonly kind: TmuxErrorKind,
    message: string,
    readonly args: readonly string[] = [],
    readonly stderr = '',
  ) {
    super(message);
    this.name = 'TmuxError';
  }
}

/** Turn tmux's stderr into a kind. Order matters: the most specific messages first. */
export function classifyTmuxError(stderr: string): TmuxErrorKind {
  const s = stderr.toLowerCase();
  if (s.includes('no server running') || /error connecting to .*no such file or directory/.test(s)) return 'no-server';
  if (s.includes('server exited unexpectedly') || s.includes('lost server') || s.includes('error connecting to')) {
    return 'socket-gone';
  }
  if (s.includes("can't find session") || s.includes('session not found')) return 'no-session';
  if (s.includes("can't find pane") || s.includes("can't find window")) return 'no-session';
  if (s.includes('duplicate session')) return 'duplicate-session';
  if (s.includes('bad session name') || s.includes('invalid session')) return 'bad-name';
  if (s.includes('too long') || s.includes('argument list too long')) return 'command-too-long';
  return 'other';
}

export interface ExecTmuxOptions {
  /** Kill the call after this long (default TMUX_CALL_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Environment of the tmux client; the server started by `new-session` inherits it. */
  env?: Record<string, string>;
  /** Written to the client's stdin (for `load-buffer -`). */
  input?: string | Buffer;
  /** Aborting kills the client (used to stop waiting on `wait-for`). */
  signal?: AbortSignal;
  /** The tmux binary (default: `tmux` looked up on env.PATH). */
  tmux?: string;
}

export interface TmuxOutput {
  stdout: string;
  stderr: string;
}

const MINIMAL_ENV: Record<string, string> = { PATH: DEFAULT_PATH };

/**
 * Run `tmux -S socketPath ...args`. Resolves with stdout on exit code 0; rejects with a TmuxError otherwise
 * (kind 'timeout' when the bound passes, 'not-installed' when there is no tmux, and kind 'other' with
 * message 'aborted' when the signal fires).
 */
export function execTmux(
  socketPath: string,
  args: readonly string[],
  options: ExecTmuxOptions = {},
): Promise<TmuxOutput> {
  const timeoutMs = options.timeoutMs ?? TMUX_CALL_TIMEOUT_MS;
  const fullArgs = ['-u', '-S', socketPath, ...args];
  return new Promise((resolve, reject) => {
    let child;
    try {
      child = spawn(options.tmux ?? 'tmux', fullArgs, {
        env: options.env ?? MINIMAL_ENV,
        stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      });
    } catch (error) {
      reject(spawnError(error, args));
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let settled = false;
    let why: 'timeout' | 'aborted' | null = null;
    const stop = (reason: 'timeout' | 'aborted') => {
      why = reason;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop('timeout'), timeoutMs);
    const onAbort = () => stop('aborted');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => err.push(d));
    child.on('error', (error) => finish(() => reject(spawnError(error, args))));
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      finish(() => {
        if (why === 'timeout') {
          reject(new TmuxError('timeout', `tmux ${args[0] ?? ''} did not answer within ${timeoutMs} ms`, args, stderr));
        } else if (why === 'aborted') {
          reject(new TmuxError('other', 'aborted', args, stderr));
        } else if (code === 0) {
          resolve({ stdout, stderr });
        } else {
          const kind = classifyTmuxError(stderr);
          const detail = stderr.trim() || `exit code ${code}`;
          reject(new TmuxError(kind, `tmux ${args[0] ?? ''} failed (${socketPath}): ${detail}`, args, stderr));
        }
      });
    });
    if (options.input !== undefined && child.stdin) {
      child.stdin.on('error', () => {}); // the client may exit before reading everything; its exit code tells.
      child.stdin.end(options.input);
    }
  });
}

function spawnError(error: unknown, args: readonly string[]): TmuxError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    return new TmuxError('not-installed', 'tmux is not installed (or not on PATH); install tmux 3.2 or newer', args);
  }
  if (code === 'E2BIG') return new TmuxError('command-too-long', 'the tmux command line is too long', args);
  return new TmuxError('other', `could not run tmux: ${error instanceof Error ? error.message : String(error)}`, args);
}

/** Parse `tmux -V` output ("tmux 3.3a", "tmux next-3.5", "tmux master"). Returns null when there is no number. */
export function parseTmuxVersion(text: string): { major: number; minor: number } | null {
  const match = /(\d+)\.(\d+)/.exec(text);
  return match ? { major: Number(match[1]), minor: Number(match[2]) } : null;
}

export function isSupportedVersion(text: string): boolean {
  if (/\bmaster\b/.test(text)) return true;
  const v = parseTmuxVersion(text);
  if (!v) return false;
  return v.major > MIN_TMUX_VERSION.major || (v.major === MIN_TMUX_VERSION.major && v.minor >= MIN_TMUX_VERSION.minor);
}

/** `tmux -V`, checked against the minimum; throws TmuxError('version-too-old' | 'not-installed'). */
export async function tmuxVersion(options: Pick<ExecTmuxOptions, 'env' | 'tmux'> = {}): Promise<string> {
  const version = await new Promise<string>((resolve, reject) => {
    let child;
    try {
      child = spawn(options.tmux ?? 'tmux', ['-V'], {
        env: options.env ?? MINIMAL_ENV,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      reject(spawnError(error, ['-V']));
      return;
    }
    let out = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), TMUX_CALL_TIMEOUT_MS);
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(spawnError(error, ['-V']));
    });
    child.on('close', () => {
      clearTimeout(timer);
      resolve(out.trim());
    });
  });
  if (!isSupportedVersion(version)) {
    throw new TmuxError(
      'version-too-old',
      `${version || 'tmux (unknown version)'} is too old: ci-medic needs tmux ${MIN_TMUX_VERSION.major}.${MIN_TMUX_VERSION.minor} or newer`,
      ['-V'],
    );
  }
  return version.replace(/^tmux\s+/, '');
}

const SESSION_NAME = /^[a-zA-Z0-9_.-]+$/;
export const MAX_SESSION_NAME = 64;

/** What is wrong with a session name (the rule: `^[a-zA-Z0-9_.-]+$`, 64 at most), or null when it is good. */
export function sessionNameProblem(name: string): string | null {
  if (typeof name === 'string' && SESSION_NAME.test(name) && name.length <= MAX_SESSION_NAME) return null;
  return `"${String(name)}" is not a valid session name; use letters, digits, '_', '.', '-' (${MAX_SESSION_NAME} at most)`;
}

/** Throws TmuxError('bad-name') unless the name is `^[a-zA-Z0-9_.-]+$` and at most 64 characters. */
export function validateSessionName(name: string): string {
  const problem = sessionNameProblem(name);
  if (problem) throw new TmuxError('bad-name', problem);
  return name;
}

/** tmux itself turns '.' and ':' in session names into '_' (they separate window and pane in targets). */
export function tmuxSessionName(name: string): string {
  return validateSessionName(name).replace(/\./g, '_');
}

/** The target of the session's one pane. */
export function paneTarget(name: string): string {
  return `=${tmuxSessionName(name)}:0.0`;
}

/**
 * Directory of our sockets and state: fixed under /tmp (not $TMPDIR, which differs between processes and is too
 * long for a socket on macOS), per user, like tmux's own /tmp/tmux-UID.
 */
export function baseDir(uid: number = process.getuid?.() ?? 0): string {
  return `/tmp/ci-medic-${uid}`;
}

/** The socket of the tmux server for session `name`: deterministic, so a second process finds the same server. */
export function socketPathFor(name: string): string {
  const path = join(baseDir(), `${validateSessionName(name)}.sock`);
  if (path.length > MAX_SOCKET_PATH) {
    throw new TmuxError(
      'bad-name',
      `the socket path ${path} is longer than ${MAX_SOCKET_PATH} characters; use a shorter session name`,
    );
  }
  return path;
}

/** Where the session's command files live (N.sh, N.run, N.log, N.rc). */
export function stateDirFor(name: string): string {
  return join(baseDir(), `${validateSessionName(name)}.d`);
}

/** Look a program up on a PATH string; null when absent. */
export function findExecutable(program: string, path: string = DEFAULT_PATH): string | null {
  if (program.includes('/')) return program;
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}
