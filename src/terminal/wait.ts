// Waiting for one command: a small state machine fed with what the pane and the log look like at each tick. It
// never touches tmux itself; `waitForCommand` drives it. States: waiting -> finished (the shell reported) or
// stopped (a reason the recovery ladder acts on).
import { INTERACTIVE_PROGRAMS } from './hang.js';
import type { ForegroundServer } from './listen.js';
import type { PaneState } from './pane.js';
import type { StopReason } from './types.js';

/** First hang check after this long: fast commands finish before any check costs anything. */
export const FIRST_CHECK_MS = 150;
export const CHECK_INTERVAL_MS = 250;
/** An interactive program or a terminal read must persist this long before the ladder starts. */
export const HANG_GRACE_MS = 1_000;
/**
 * How long a command must print nothing before we look for a server it runs in the foreground (listen.ts). A server
 * prints its banner, or nothing, and then waits; a build or a test run rarely stays silent this long, and when it
 * does the look costs a few /proc reads a second and flags only a listening, idle job. 3 s, plus one more look to see
 * the job idle, stops a foreground server about 4 s after its last output instead of at the command's deadline
 * (minutes), and no command that finishes or keeps printing within 3 s pays anything.
 */
export const SERVER_QUIET_MS = 3_000;
/** Once a command is quiet, the look for a listening socket repeats at most this often (it reads /proc). */
export const SERVER_CHECK_INTERVAL_MS = 1_000;

export interface WaitRules {
  deadline: number;
  signal?: AbortSignal;
  /** Stop when the log has not grown for this long. */
  idleTimeoutMs?: number;
  detectHangs: boolean;
  /** Look for a server in the foreground (with detectHangs). */
  detectServers: boolean;
}

/** One observation of a running command. `readsTerminal` is asked only when the log has been still a while. */
export interface Observation {
  now: number;
  pane: PaneState;
  logSize: number;
  readsTerminal: () => boolean;
  /** A foreground server (see listen.ts); asked only after SERVER_QUIET_MS without output, then once a while. */
  listener: () => ForegroundServer | null;
}

export class CommandWatch {
  /** The server that made the watch stop the command ('foreground-server'), once one was seen. */
  server: ForegroundServer | null = null;
  private lastServerCheck = 0;
  private hangKind: StopReason | null = null;
  private hangSince = 0;
  private lastSize = -1;
  private lastGrowth: number;

  constructor(
    private readonly rules: WaitRules,
    started: number,
  ) {
    this.lastGrowth = started;
  }

  /** A reason to stop that needs no look at the pane (abort, deadline), or null. */
  early(now: number): StopReason | null {
    if (this.rules.signal?.aborted) return 'aborted';
    if (now >= this.rules.deadline) return 'timeout';
    return null;
  }

  /** Feed one observation; returns the reason to stop once one holds, else null (keep waiting). */
  observe(o: Observation): StopReason | null {
    if (o.pane.dead) return 'dead-shell';
    if (o.logSize !== this.lastSize) {
      this.lastSize = o.logSize;
      this.lastGrowth = o.now;
    }
    const still = o.now - this.lastGrowth;
    if (this.rules.idleTimeoutMs !== undefined && still >= this.rules.idleTimeoutMs) return 'idle';
    if (
      this.rules.detectHangs &&
      this.rules.detectServers &&
      still >= SERVER_QUIET_MS &&
      o.now - this.lastServerCheck >= SERVER_CHECK_INTERVAL_MS
    ) {
      this.lastServerCheck = o.now;
      this.server = o.listener();
      if (this.server) return 'foreground-server';
    }
    const kind: StopReason | null = !this.rules.detectHangs
      ? null
      : o.pane.alternate || INTERACTIVE_PROGRAMS.has(o.pane.command)
        ? 'interactive'
        : still >= HANG_GRACE_MS / 2 && o.readsTerminal()
          ? 'tty-read'
          : null;
    if (kind !== this.hangKind) {
      this.hangKind = kind;
      this.hangSince = o.now;
      return null;
    }
    return kind && o.now - this.hangSince >= HANG_GRACE_MS ? kind : null;
  }
}

export interface WaitProbes {
  /** The shell has reported (or the waiting client failed). */
  finished: () => boolean;
  /** Resolves when the shell reports; the loop sleeps on it. */
  reported: Promise<unknown>;
  /** A missed file event: look for N.rc at each tick as a backstop. */
  poll: () => void;
  pane: () => Promise<PaneState | null>;
  logSize: () => number;
  readsTerminal: (pane: PaneState) => boolean;
  listener: (pane: PaneState) => ForegroundServer | null;
  /** Why the shell itself cannot go on (replaced, limits lowered), or null. */
  broken: () => string | null;
  /** Asked when the pane cannot be read: false means the server is gone and nothing will ever report. */
  serverAlive: () => Promise<boolean>;
}

/** Drive the watch until the command finishes (null) or must be stopped (the reason). Throws 'gone' via onGone. */
export async function waitForCommand(
  watch: CommandWatch,
  rules: WaitRules,
  probes: WaitProbes,
  onGone: () => never,
): Promise<StopReason | null> {
  let delay = FIRST_CHECK_MS;
  while (!probes.finished()) {
    const early = watch.early(Date.now());
    if (early) return early;
    await raceSleep(probes.reported, Math.min(delay, rules.deadline - Date.now()), rules.signal);
    delay = CHECK_INTERVAL_MS;
    if (probes.finished() || watch.early(Date.now())) continue;
    probes.poll();
    const pane = await probes.pane();
    if (probes.finished()) break;
    if (!pane) {
      if (!(await probes.serverAlive())) onGone();
      continue;
    }
    if (!pane.dead && probes.broken()) return 'broken-shell';
    const stop = watch.observe({
      now: Date.now(),
      pane,
      logSize: probes.logSize(),
      readsTerminal: () => probes.readsTerminal(pane),
      listener: () => probes.listener(pane),
    });
    if (stop) return stop;
  }
  return null;
}

/** Sleep for `ms`, waking early when `promise` settles or `signal` aborts. */
export function raceSleep(promise: Promise<unknown>, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, Math.max(0, ms));
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
    void promise.then(done, done);
  });
}
