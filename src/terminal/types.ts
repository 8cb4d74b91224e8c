// Contracts of the terminal layer. Implemented in session.ts / tmux.ts; used by the agent, the CLI and rescue.
import type { ForegroundServer } from './listen.js';

export type { ForegroundServer } from './listen.js';

/**
 * What one command did. `output` is what it wrote (stdout and stderr merged, decoded as UTF-8): the exact bytes up
 * to 16 MiB; past that the first and last 8 MiB with a note between (`outputTruncated`), and the whole at
 * `outputPath`. Read `outputPath` as a stream, never whole: it may hold gigabytes.
 */
export interface CommandResult {
  /** The command's exit status; null when it never finished (timed out, interrupted, or the shell died). */
  exitCode: number | null;
  output: string;
  /** The output was too large to keep whole in memory: `output` holds its head and tail only. */
  outputTruncated: boolean;
  /** The log file holding the full output (the model is told this path so it can grep it). */
  outputPath: string;
  durationMs: number;
  /** The per-command deadline passed and the command was stopped. */
  timedOut: boolean;
  /** The command was stopped by the recovery ladder (C-c, leaving an interactive program, C-\). */
  interrupted: boolean;
  /** The shell had to be respawned (dead shell, or the ladder's last rung); cwd was restored. */
  shellRestarted: boolean;
  /** Why the command was stopped, or null when it ended by itself. */
  stoppedBecause?: StopReason | null;
  /**
   * What happened to the shell, in a sentence for the model, when a command sabotaged it (errexit or TMOUT left set
   * and cleared, the shell replaced or its limits lowered and the shell respawned); absent when nothing did.
   */
  shellNote?: string;
  /**
   * The command ran a server in the foreground (it printed nothing for a while and a process of its foreground job
   * listened on a socket): the recovery ladder stopped it (`stoppedBecause: 'foreground-server'`). Tell the model
   * with `foregroundServerAdvice`.
   */
  foregroundServer?: ForegroundServer;
  /** The recovery steps taken, in order (`C-c`, `C-\\`, `respawn-pane -k`, ...); empty when none were needed. */
  recovery?: string[];
}

/**
 * Why a command was stopped: its deadline passed, the caller aborted, the shell died, an interactive program or a
 * terminal read was waiting for a person, (with `idleTimeoutMs`) it printed nothing for too long, or it was
 * interrupted from outside (C-c typed by a person attached to the session, or `interrupt()`), or the command broke
 * the shell itself ('broken-shell': replaced it with exec, or lowered its open-file limit past use), or it ran a
 * server in the foreground ('foreground-server': quiet, and its foreground job listens on a socket).
 */
export type StopReason =
  | 'timeout'
  | 'aborted'
  | 'dead-shell'
  | 'broken-shell'
  | 'interactive'
  | 'tty-read'
  | 'idle'
  | 'interrupted'
  | 'foreground-server';

export interface RunOptions {
  /** Per-command deadline. */
  timeoutMs?: number;
  /** Aborting stops the command through the recovery ladder (used by the wall-clock budget). */
  signal?: AbortSignal;
  /** Stop the command when its output has not grown for this long (off by default: quiet builds are normal). */
  idleTimeoutMs?: number;
  /**
   * Stop a command that waits for a person (an interactive program, a read from the terminal) after a short grace
   * (default true). Set false to answer such a program with `sendText` while `run` waits.
   */
  detectHangs?: boolean;
  /**
   * Stop a command that runs a server in the foreground: quiet for a few seconds while its idle foreground job
   * listens on a socket (default true; no effect with `detectHangs: false`). The check and the setup turn it off:
   * their verdict must not rest on a guess.
   */
  detectServers?: boolean;
}

/**
 * Wraps the pane's shell command line (new-session and every respawn): the sandbox implements it. The shell inside
 * must see the state directory; nothing else of ci-medic's.
 */
export interface ShellLauncher {
  wrap(shellCommand: string, ctx: { stateDir: string; cwd: string }): Promise<string> | string;
}

/** What a process that attaches to a running session (find/acquire) passes, as start does. */
export interface AttachOptions {
  /** Applied to what a person sees of each command in the pane (and to the command line shown there). */
  redact?: (text: string) => string;
  /** Used for every respawn of the shell; without one, a respawn reuses the last wrapped command line. */
  launcher?: ShellLauncher;
  /**
   * Type commands through a tmux control-mode client (default true: no process per command). False: one spawned
   * tmux client per command types the line and exits, so no tmux client outlives this process however it ends
   * (what a short-lived CLI run wants). Either way the wake-up comes from the N.rc file.
   */
  controlClient?: boolean;
}

export interface StartOptions extends AttachOptions {
  /** Session name, `^[a-zA-Z0-9_.-]+$`; the socket path derives from it deterministically. */
  name: string;
  /** Working directory of the shell. */
  cwd: string;
  /**
   * The environment the shell starts from (the entry passes process.env). The terminal layer scrubs it: every
   * variable whose name looks like a secret is dropped, and the non-interactive settings of DESIGN.md are added.
   */
  baseEnv?: Record<string, string | undefined>;
  /** Extra environment for the shell, on top of the scrubbed environment (never secrets). */
  env?: Record<string, string>;
  /** Scrollback kept per pane (default 50,000 lines). */
  historyLimit?: number;
  /** A shell command fed the pane's output from its first byte (`tmux pipe-pane -O`): the session's recorder. */
  pipeOutput?: string;
}

export interface SessionInfo {
  name: string;
  socketPath: string;
  created: Date;
  pid: number;
  cwd: string;
  /** The shell in the pane is alive (not a dead pane kept by remain-on-exit). */
  alive: boolean;
  /** A command is running in the pane (foreground process other than the shell). */
  busy: boolean;
}
