// AgentSession: one detached tmux server per session name, running one bash in one pane. Commands travel by the
// file protocol in protocol.ts; this class types the fixed line, waits (with its own deadline and hang checks),
// and climbs the recovery ladder when a command will not finish: C-c, leave the interactive program, C-\,
// respawn the shell in the same directory.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  watch,
  writeFileSync,
  writeSync,
  type FSWatcher,
} from 'node:fs';
import { ControlClient, tmuxQuote } from './control.js';
import { shellEnvironment } from './env.js';
import { foregroundReadsTerminal, INTERACTIVE_PROGRAMS } from './hang.js';
import {
  channelName,
  commandFile,
  cwdFile,
  endMarker,
  logFile,
  rcFile,
  runFile,
  runScript,
  teeFifo,
  typedLine,
  type ProtocolPaths,
} from './protocol.js';
import {
  baseDir,
  execTmux,
  findExecutable,
  paneTarget,
  socketPathFor,
  stateDirFor,
  tmuxSessionName,
  tmuxVersion,
  TmuxError,
  validateSessionName,
} from './tmux.js';
import type { CommandResult, RunOptions, SessionInfo, StartOptions, StopReason } from './types.js';

/** Per-command deadline when the caller gives none (matches DEFAULT_COMMAND_TIMEOUT_MS in config.ts). */
export const DEFAULT_RUN_TIMEOUT_MS = 10 * 60_000;
export const DEFAULT_HISTORY_LIMIT = 50_000;
/** First hang check after this long: fast commands finish before any check costs anything. */
const FIRST_CHECK_MS = 150;
const CHECK_INTERVAL_MS = 250;
/** An interactive program or a terminal read must persist this long before the ladder starts. */
const HANG_GRACE_MS = 1_000;
/** How long each rung of the ladder gets to bring the shell back to its prompt. */
const RUNG_WAIT_MS = 1_000;
/** After the status arrives, how long to wait for tee to write the end marker into the log. */
const LOG_FLUSH_MS = 3_000;
/** Waiting for the first prompt of a new shell. */
const SHELL_READY_MS = 10_000;
/** Attaching the control client; past this the session falls back to a spawned client per command. */
const CONTROL_READY_MS = 3_000;
/** After waking a command's channel ourselves, how long its waiter gets to notice. */
const RELEASE_MS = 2_000;
export const PANE_WIDTH = 200;
export const PANE_HEIGHT = 50;
const PROMPT = '[ci-medic] \\w \\$ ';

interface SessionMeta {
  cwd: string;
  env: Record<string, string>;
  tmux: string;
  bash: string;
  token: string;
  historyLimit: number;
  useControlClient: boolean;
}

type PaneState = { dead: boolean; alternate: boolean; command: string; pid: number; tty: string };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function writePrivate(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
}

/** /tmp/ci-medic-UID must be ours and private: another user must not plant sockets or state for us. */
function ensureBaseDir(): string {
  const dir = baseDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  const uid = process.getuid?.();
  if (!st.isDirectory() || (uid !== undefined && st.uid !== uid)) {
    throw new TmuxError('other', `${dir} is not a directory owned by this user; remove it and try again`);
  }
  return dir;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // An exited daemon whose reaper is slow (containers' init) lingers as a zombie: that is not alive.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS): trust kill(0)
  }
}

export class AgentSession {
  readonly name: string;
  readonly socketPath: string;
  /** Where N.sh, N.run, N.log and N.rc live. */
  readonly stateDir: string;
  /** The directory the session started in (restart() returns there). */
  readonly cwd: string;
  private readonly meta: SessionMeta;
  private readonly target: string;
  private readonly paths: ProtocolPaths;
  private next: number;
  private running = false;
  private control: ControlClient | null = null;
  private watcher: FSWatcher | null = null;
  /** Commands waiting for their N.rc, by N. */
  private readonly rcWaiters = new Map<number, () => void>();

  private constructor(name: string, meta: SessionMeta, next: number) {
    this.name = name;
    this.socketPath = socketPathFor(name);
    this.stateDir = stateDirFor(name);
    this.cwd = meta.cwd;
    this.meta = meta;
    this.target = paneTarget(name);
    this.paths = { stateDir: this.stateDir, socketPath: this.socketPath, tmux: meta.tmux, token: meta.token };
    this.next = next;
  }

  /** Start a new session. Fails (kind 'duplicate-session') when one of that name is already running. */
  static async start(opts: StartOptions): Promise<AgentSession> {
    const name = validateSessionName(opts.name);
    const env: Record<string, string> = { ...shellEnvironment(opts.baseEnv, opts.env), PS1: PROMPT };
    const tmux = findExecutable('tmux', env.PATH);
    if (!tmux)
      throw new TmuxError(
        'not-installed',
        `tmux is not installed (not found on PATH ${env.PATH}); install tmux 3.2 or newer`,
      );
    const bash = findExecutable('bash', env.PATH);
    if (!bash) throw new TmuxError('other', `bash was not found on PATH ${env.PATH}`);
    if (!existsSync(opts.cwd) || !statSync(opts.cwd).isDirectory()) {
      throw new TmuxError('other', `the session's working directory ${opts.cwd} does not exist`);
    }
    await tmuxVersion({ tmux, env });
    await checkBashVersion(bash, env);
    ensureBaseDir();
    const socketPath = socketPathFor(name);
    if (await serverAlive(socketPath, tmux)) {
      throw new TmuxError(
        'duplicate-session',
        `session "${name}" is already running (socket ${socketPath}); reuse it or stop it with: ci-medic session stop --name ${name}`,
      );
    }
    rmSync(socketPath, { force: true }); // a stale socket left by a crashed server
    const stateDir = stateDirFor(name);
    rmSync(stateDir, { recursive: true, force: true });
    mkdirSync(stateDir, { mode: 0o700 });
    const meta: SessionMeta = {
      cwd: opts.cwd,
      env,
      tmux,
      bash,
      token: randomBytes(6).toString('hex'),
      historyLimit: opts.historyLimit ?? DEFAULT_HISTORY_LIMIT,
      useControlClient: opts.controlClient ?? true,
    };
    writePrivate(`${stateDir}/session.json`, JSON.stringify(meta));
    // Without the fifo the output is still exact; only the prompt may be drawn before the output's last lines.
    await makeFifo(teeFifo(stateDir), env);
    const conf = `${stateDir}/tmux.conf`;
    writePrivate(
      conf,
      [
        `set -g history-limit ${meta.historyLimit}`,
        'set -g remain-on-exit on',
        // A person attaching must not change the environment a respawned shell gets.
        "set -g update-environment ''",
        'set -s escape-time 0',
        `set -g status-left '[${name}] '`,
        'set -g status-left-length 70',
        '',
      ].join('\n'),
    );
    // The server inherits this client's environment, and panes the server's: it must be the scrubbed one.
    await execTmux(
      socketPath,
      [
        '-f',
        conf,
        'new-session',
        '-d',
        '-s',
        tmuxSessionName(name),
        '-x',
        String(PANE_WIDTH),
        '-y',
        String(PANE_HEIGHT),
        '-c',
        opts.cwd,
        '--',
        bash,
        '--noprofile',
        '--norc',
      ],
      { env, tmux },
    );
    const session = new AgentSession(name, meta, 1);
    try {
      if (opts.pipeOutput) await session.pipeOutput(opts.pipeOutput);
      await session.waitForShell();
    } catch (error) {
      await session.stop();
      throw error;
    }
    return session;
  }

  /** The running session of that name, or null when there is none. */
  static async find(name: string): Promise<AgentSession | null> {
    validateSessionName(name);
    const stateDir = stateDirFor(name);
    let meta: SessionMeta;
    try {
      meta = JSON.parse(readFileSync(`${stateDir}/session.json`, 'utf8')) as SessionMeta;
    } catch {
      return null;
    }
    if (!(await serverAlive(socketPathFor(name), meta.tmux))) return null;
    let highest = 0;
    for (const file of readdirSync(stateDir)) {
      const m = /^(\d+)\.sh$/.exec(file);
      if (m) highest = Math.max(highest, Number(m[1]));
    }
    return new AgentSession(name, meta, highest + 1);
  }

  /**
   * Local-use rule: reuse an idle session of that name, start one when there is none, and never type into a busy
   * pane (throws, saying so).
   */
  static async acquire(opts: StartOptions): Promise<AgentSession> {
    const existing = await AgentSession.find(opts.name);
    if (!existing) return AgentSession.start(opts);
    const busy = await existing.busyReason();
    if (busy) {
      throw new TmuxError(
        'busy',
        `session "${opts.name}" is busy (${busy}); wait for it to finish, interrupt it, or use another session name`,
      );
    }
    return existing;
  }

  /** Why the pane cannot take a command now, or null when it is idle. */
  async busyReason(): Promise<string | null> {
    if (this.running) return 'a command is running from this process';
    const lock = this.readLock();
    if (lock && lock.pid !== process.pid && pidAlive(lock.pid))
      return `command ${lock.n} is running (process ${lock.pid})`;
    // Just after a command, the prompt hook's own tmux client may still be in the foreground: look a few times.
    let pane = await this.paneState();
    for (let i = 0; i < 10 && !pane.dead && pane.command !== 'bash'; i++) {
      await sleep(30);
      pane = await this.paneState();
    }
    if (pane.dead) return null; // run() respawns a dead shell
    if (pane.command !== 'bash') return `"${pane.command}" is in the foreground`;
    return null;
  }

  /** Run one command in the live shell; resolves when it ends, or after the recovery ladder stopped it. */
  async run(command: string, options: RunOptions = {}): Promise<CommandResult> {
    if (this.running) throw new TmuxError('busy', `session "${this.name}" is already running a command`);
    if (options.signal?.aborted) {
      // Aborted before it started: nothing is typed.
      return {
        exitCode: null,
        output: '',
        outputPath: '',
        durationMs: 0,
        timedOut: false,
        interrupted: true,
        shellRestarted: false,
        stoppedBecause: 'aborted',
        recovery: [],
      };
    }
    this.running = true;
    const n = this.allocate(command);
    try {
      this.takeLock(n);
      return await this.execute(n, options);
    } finally {
      this.releaseLock(n);
      this.running = false;
    }
  }

  /** A fresh shell in the session's original directory with the original scrubbed environment. */
  async restart(): Promise<void> {
    await this.respawn(this.cwd);
  }

  /**
   * Feed the pane's output to a shell command (`tmux pipe-pane -O`; it survives respawns and lives as long as the
   * pane), or stop feeding it (null). Used to record the session.
   */
  async pipeOutput(shellCommand: string | null): Promise<void> {
    await this.tmux(['pipe-pane', '-O', '-t', this.target, ...(shellCommand ? [shellCommand] : [])]);
  }

  /** Send C-c to the pane. */
  async interrupt(): Promise<void> {
    await this.tmux(['send-keys', '-t', this.target, 'C-c']);
  }

  /** The screen and the last `lines` lines of scrollback, wrapped lines joined, trailing blank lines dropped. */
  async capture(lines = 200): Promise<string> {
    const { stdout } = await this.tmux(['capture-pane', '-p', '-J', '-t', this.target, '-S', `-${Math.max(0, lines)}`]);
    return stdout.replace(/\n+$/, '') + '\n';
  }

  /** Type text into the pane as a paste (for the rare program that needs keystrokes). */
  async sendText(text: string): Promise<void> {
    const buffer = `cm-send-${process.pid}`;
    await this.tmux(['load-buffer', '-b', buffer, '-'], text);
    await this.tmux(['paste-buffer', '-d', '-b', buffer, '-t', this.target]);
  }

  /**
   * Let go of this process's hold on the session (the control client and the file watcher) and leave the server and
   * its shell running: for a session kept for a person (rescue, --keep-session). A later run() attaches again.
   */
  detach(): void {
    this.watcher?.close();
    this.watcher = null;
    this.control?.close();
    this.control = null;
  }

  /**
   * Kill the tmux server. The state directory (the commands' logs, which results point to) stays until the next
   * start of this name, unless `removeState`.
   */
  async stop(options: { removeState?: boolean } = {}): Promise<void> {
    this.detach();
    const serverPid = await this.tmux(['display-message', '-p', '#{pid}']).then(
      ({ stdout }) => Number(stdout.trim()) || null,
      () => null,
    );
    try {
      await this.tmux(['kill-server']);
    } catch (error) {
      if (!(error instanceof TmuxError && (error.kind === 'no-server' || error.kind === 'socket-gone'))) throw error;
    }
    // A server waits for its clients to go; a control client orphaned by a crashed process can keep it (seen once).
    for (let i = 0; serverPid && pidAlive(serverPid) && i < 20; i++) await sleep(50);
    if (serverPid && pidAlive(serverPid)) {
      try {
        process.kill(serverPid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    rmSync(this.socketPath, { force: true });
    if (options.removeState) rmSync(this.stateDir, { recursive: true, force: true });
  }

  /** The exact commands a person runs to watch (read-only) or join the session. */
  joinCommands(): { attach: string; readOnly: string } {
    const t = tmuxSessionName(this.name);
    return {
      attach: `tmux -S ${this.socketPath} attach -t ${t}`,
      readOnly: `tmux -S ${this.socketPath} attach -r -t ${t}`,
    };
  }

  // ---- the protocol ----

  private tmux(args: string[], input?: string, timeoutMs?: number) {
    return execTmux(this.socketPath, args, { env: this.meta.env, tmux: this.meta.tmux, input, timeoutMs });
  }

  private allocate(command: string): number {
    const text = command.endsWith('\n') ? command : `${command}\n`;
    for (let tries = 0; tries < 1000; tries++) {
      const n = this.next++;
      try {
        const fd = openSync(commandFile(this.stateDir, n), 'wx', 0o600);
        writeSync(fd, text);
        closeSync(fd);
        return n;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    throw new TmuxError('other', `could not allocate a command file in ${this.stateDir}`);
  }

  private lockPath() {
    return `${this.stateDir}/busy.lock`;
  }

  private readLock(): { pid: number; n: number } | null {
    try {
      return JSON.parse(readFileSync(this.lockPath(), 'utf8')) as { pid: number; n: number };
    } catch {
      return null;
    }
  }

  private takeLock(n: number): void {
    const lock = this.readLock();
    if (lock && lock.pid !== process.pid && pidAlive(lock.pid)) {
      throw new TmuxError('busy', `session "${this.name}" is busy: command ${lock.n} is running (process ${lock.pid})`);
    }
    writePrivate(this.lockPath(), JSON.stringify({ pid: process.pid, n }));
  }

  private releaseLock(n: number): void {
    const lock = this.readLock();
    if (lock && lock.pid === process.pid && lock.n === n) rmSync(this.lockPath(), { force: true });
  }

  private async execute(n: number, options: RunOptions, retried = false): Promise<CommandResult> {
    const started = Date.now();
    const timeoutMs = options.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS;
    const deadline = started + timeoutMs;
    writePrivate(
      runFile(this.stateDir, n),
      runScript(this.paths, n, readFileSync(commandFile(this.stateDir, n), 'utf8')),
    );
    rmSync(rcFile(this.stateDir, n), { force: true });

    const channel = channelName(this.meta.token, n);
    let signalled = false;
    let clientError: unknown = null;
    const client = this.typeAndWait(n, channel, timeoutMs).then(
      () => {
        signalled = true;
      },
      (error: unknown) => {
        clientError = error;
      },
    );
    const finished = () => signalled || clientError !== null;

    let stop: StopReason | null = null;
    let hangSince: number | null = null;
    let hangKind: StopReason | null = null;
    let lastSize = -1;
    let lastGrowth = started;
    let delay = FIRST_CHECK_MS;
    while (!finished()) {
      const now = Date.now();
      if (options.signal?.aborted) {
        stop = 'aborted';
        break;
      }
      if (now >= deadline) {
        stop = 'timeout';
        break;
      }
      await raceSleep(client, Math.min(delay, deadline - now), options.signal);
      delay = CHECK_INTERVAL_MS;
      if (finished() || options.signal?.aborted || Date.now() >= deadline) continue;
      if (readRc(rcFile(this.stateDir, n))) this.wake(n); // a missed file event: the tick is the backstop
      const pane = await this.paneState().catch(() => null);
      if (finished()) break;
      if (!pane) {
        // The server may be gone (stopped from elsewhere, killed): then nothing will ever report.
        if (!(await serverAlive(this.socketPath, this.meta.tmux).catch(() => true))) {
          this.rcWaiters.delete(n);
          throw new TmuxError('no-server', `session "${this.name}" ended while command ${n} was running`);
        }
        continue;
      }
      if (pane.dead) {
        stop = 'dead-shell';
        break;
      }
      const size = fileSize(logFile(this.stateDir, n));
      if (size !== lastSize) {
        lastSize = size;
        lastGrowth = Date.now();
      }
      if (options.idleTimeoutMs !== undefined && Date.now() - lastGrowth >= options.idleTimeoutMs) {
        stop = 'idle';
        break;
      }
      const kind: StopReason | null =
        options.detectHangs === false
          ? null
          : pane.alternate || INTERACTIVE_PROGRAMS.has(pane.command)
            ? 'interactive'
            : Date.now() - lastGrowth >= HANG_GRACE_MS / 2 && foregroundReadsTerminal(pane.pid, pane.tty)
              ? 'tty-read'
              : null;
      if (kind !== hangKind) {
        hangKind = kind;
        hangSince = kind ? Date.now() : null;
      } else if (kind && hangSince !== null && Date.now() - hangSince >= HANG_GRACE_MS) {
        stop = kind;
        break;
      }
    }

    if (clientError && !signalled) throw clientError;

    const recovery: string[] = [];
    let shellRestarted = false;
    if (stop && !signalled) {
      if (stop === 'dead-shell' && !existsSync(logFile(this.stateDir, n)) && !retried) {
        // The shell was dead before it read the line (killed between commands): respawn and type it again.
        await this.release(n, channel, client);
        await this.respawn(this.lastCwd());
        const again = await this.execute(n, options, true);
        return {
          ...again,
          shellRestarted: true,
          recovery: ['respawn (shell was dead before the command)', ...(again.recovery ?? [])],
        };
      }
      shellRestarted = await this.climbLadder(stop, client, finished, recovery);
    }
    if (!signalled) await this.release(n, channel, client);

    // The wait-for signal (fallback path) comes just before N.rc is written.
    let rc = readRc(rcFile(this.stateDir, n));
    for (let delay = 1; signalled && !rc && delay < 1_000; delay *= 2) {
      await sleep(delay);
      rc = readRc(rcFile(this.stateDir, n));
    }
    // Back at the prompt without having finished: C-c from outside (a person attached, or interrupt()).
    if (!stop && rc !== null && !rc.done) stop = 'interrupted';
    const completed = !stop && rc !== null && rc.done;
    const output = await this.readOutput(n, completed);
    return {
      exitCode: completed && rc ? rc.status : null,
      output,
      outputPath: logFile(this.stateDir, n),
      durationMs: Date.now() - started,
      timedOut: stop === 'timeout',
      interrupted: stop !== null && !shellRestarted,
      shellRestarted,
      stoppedBecause: stop,
      recovery,
    };
  }

  /**
   * Type the fixed line for command N and wait until the shell has reported. Fast path: the keys go through the
   * control client and the wake-up comes from the N.rc file (fs.watch), so a command costs no process on our side:
   * a tmux client per command (typing, or blocking on wait-for; tmux refuses wait-for from attached control
   * clients) cost several times the command on a busy machine. The shell still signals the command's wait-for
   * channel (just before writing N.rc), which is what the fallback path (one spawned client that types, then
   * waits) and any outside observer use.
   */
  private async typeAndWait(n: number, channel: string, timeoutMs: number): Promise<void> {
    const line = typedLine(this.paths, n);
    const control = await this.controlClient();
    const quotedLine = tmuxQuote(line);
    const quotedTarget = tmuxQuote(this.target);
    if (!control || !quotedLine || !quotedTarget || !this.watchState()) {
      await execTmux(
        this.socketPath,
        [
          'send-keys',
          '-t',
          this.target,
          'C-e',
          'C-u',
          ';',
          'send-keys',
          '-t',
          this.target,
          '-l',
          line,
          ';',
          'send-keys',
          '-t',
          this.target,
          'Enter',
          ';',
          'wait-for',
          channel,
        ],
        { env: this.meta.env, tmux: this.meta.tmux, timeoutMs: timeoutMs + 60_000 },
      );
      return;
    }
    const reported = new Promise<void>((resolve) => this.rcWaiters.set(n, resolve));
    await Promise.all([
      // C-e C-u first: whatever a person attached left half-typed at the prompt must not join our line.
      control.command(`send-keys -t ${quotedTarget} C-e C-u`),
      control.command(`send-keys -t ${quotedTarget} -l ${quotedLine}`),
      control.command(`send-keys -t ${quotedTarget} Enter`),
    ]).catch((error: unknown) => {
      // The keys may have gone in before the control client went away: never type twice, just wait.
      if (control.alive) {
        this.rcWaiters.delete(n);
        throw error;
      }
    });
    await reported;
  }

  /** Watch the state directory for N.rc files; false when the platform cannot (the fallback path waits instead). */
  private watchState(): boolean {
    if (this.watcher) return true;
    try {
      this.watcher = watch(this.stateDir, (_event, file) => {
        if (!this.rcWaiters.size) return;
        const m = file ? /^(\d+)\.rc$/.exec(String(file)) : null;
        if (file && !m) return;
        for (const n of m ? [Number(m[1])] : [...this.rcWaiters.keys()]) {
          // The hook writes the status in one write; until its newline is there, a later event will come.
          if (readRc(rcFile(this.stateDir, n))) this.wake(n);
        }
      });
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = null;
      });
      this.watcher.unref();
      return true;
    } catch {
      return false;
    }
  }

  private wake(n: number): void {
    const resolve = this.rcWaiters.get(n);
    this.rcWaiters.delete(n);
    resolve?.();
  }

  /** The session's control client, started on first use; null when tmux would not attach one. */
  private async controlClient(): Promise<ControlClient | null> {
    if (this.meta.useControlClient === false) return null;
    if (this.control?.alive) return this.control;
    const control = ControlClient.start(this.socketPath, tmuxSessionName(this.name), {
      env: this.meta.env,
      tmux: this.meta.tmux,
    });
    let timer: NodeJS.Timeout | undefined;
    const ready = await Promise.race([
      control.ready,
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), CONTROL_READY_MS))),
    ]);
    clearTimeout(timer); // a pending timer would keep a CLI process alive for seconds
    if (!ready) {
      control.close();
      this.control = null;
      return null;
    }
    this.control = control;
    return control;
  }

  /** Wake whoever waits on a command's channel that its shell will never signal, and let the wait settle. */
  private async release(n: number, channel: string, client: Promise<void>): Promise<void> {
    this.wake(n);
    await this.tmux(['wait-for', '-S', channel]).catch(() => {});
    await raceSleep(client, RELEASE_MS);
  }

  /** Stop the command: each rung gets RUNG_WAIT_MS to bring the prompt back. Returns true when the shell was respawned. */
  private async climbLadder(
    reason: StopReason,
    client: Promise<void>,
    finished: () => boolean,
    recovery: string[],
  ): Promise<boolean> {
    const settle = async (ms: number) => {
      await raceSleep(client, ms);
      return finished();
    };
    if (reason !== 'dead-shell') {
      recovery.push('C-c');
      await this.tmux(['send-keys', '-t', this.target, 'C-c']).catch(() => {});
      if (await settle(RUNG_WAIT_MS)) return false;

      const pane = await this.paneState().catch(() => null);
      if (pane && !pane.dead && (pane.alternate || INTERACTIVE_PROGRAMS.has(pane.command))) {
        recovery.push('leave interactive program (q, Escape, :q!)');
        for (const keys of [['q'], ['Escape'], ['Escape', ':q!', 'Enter']]) {
          await this.tmux(['send-keys', '-t', this.target, ...keys]).catch(() => {});
          if (await settle(RUNG_WAIT_MS / 3)) return false;
        }
      }

      recovery.push('C-\\');
      await this.tmux(['send-keys', '-t', this.target, 'C-\\']).catch(() => {});
      if (await settle(RUNG_WAIT_MS)) return false;
    }
    recovery.push('respawn-pane -k');
    await this.respawn(this.lastCwd());
    return true;
  }

  private lastCwd(): string {
    try {
      const cwd = readFileSync(cwdFile(this.stateDir), 'utf8');
      if (cwd && statSync(cwd).isDirectory()) return cwd;
    } catch {
      // no command has finished yet, or the directory is gone
    }
    return this.cwd;
  }

  /** Kill whatever runs in the pane and start a fresh shell in `cwd` with the session's scrubbed environment. */
  private async respawn(cwd: string): Promise<void> {
    const env = Object.entries(this.meta.env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    await this.tmux([
      'respawn-pane',
      '-k',
      '-t',
      this.target,
      '-c',
      cwd,
      ...env,
      '--',
      this.meta.bash,
      '--noprofile',
      '--norc',
    ]);
    writePrivate(cwdFile(this.stateDir), cwd);
    await this.waitForShell();
  }

  /** Wait until the shell has drawn its prompt, so the first typed line is not echoed twice. */
  private async waitForShell(): Promise<void> {
    const until = Date.now() + SHELL_READY_MS;
    let delay = 5;
    while (Date.now() < until) {
      const { stdout } = await this.tmux(['capture-pane', '-p', '-t', this.target]);
      if (stdout.includes('[ci-medic]')) return;
      await sleep(delay);
      delay = Math.min(delay * 2, 100);
    }
    throw new TmuxError(
      'other',
      `the shell in session "${this.name}" did not show its prompt within ${SHELL_READY_MS} ms`,
    );
  }

  /** The pane's state; through the control client when it is attached (the hang checks then cost no process). */
  private async paneState(): Promise<PaneState> {
    const format = '#{pane_dead}|#{alternate_on}|#{pane_pid}|#{pane_tty}|#{pane_current_command}';
    const control = this.control?.alive ? this.control : null;
    const target = tmuxQuote(this.target);
    const stdout =
      control && target
        ? await control.command(`display-message -p -t ${target} '${format}'`)
        : (await this.tmux(['display-message', '-p', '-t', this.target, format])).stdout;
    const [dead, alternate, pid, tty, ...command] = stdout.replace(/\n$/, '').split('|');
    return {
      dead: dead === '1',
      alternate: alternate === '1',
      command: command.join('|'),
      pid: Number(pid),
      tty: tty ?? '',
    };
  }

  /** The log, minus the end marker. A completed command's log is read once tee has written the marker. */
  private async readOutput(n: number, completed: boolean): Promise<string> {
    const path = logFile(this.stateDir, n);
    const marker = Buffer.from(endMarker(this.meta.token, n));
    const until = Date.now() + (completed ? LOG_FLUSH_MS : 300);
    let delay = 1;
    let last = -1;
    for (;;) {
      const data = readOr(path);
      const at = data.lastIndexOf(marker);
      if (at >= 0) return Buffer.concat([data.subarray(0, at), data.subarray(at + marker.length)]).toString('utf8');
      // Cut short: no marker will come; wait only until tee stops writing.
      if (!completed && data.length === last && delay > 8) return data.toString('utf8');
      if (Date.now() >= until) return data.toString('utf8');
      last = data.length;
      await sleep(delay);
      delay = Math.min(delay * 2, 50);
    }
  }
}

/** The protocol uses `{var}` redirections and fractional `read -t`: bash 4.1+ (macOS ships 3.2 as /bin/bash). */
function checkBashVersion(bash: string, env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      bash,
      ['-c', 'echo "${BASH_VERSINFO[0]} ${BASH_VERSINFO[1]}"'],
      { env, timeout: 5_000 },
      (error, stdout) => {
        const [major, minor] = String(stdout).trim().split(' ').map(Number);
        if (error || !(major > 4 || (major === 4 && minor >= 1))) {
          reject(
            new TmuxError(
              'other',
              `${bash} is bash ${major || '?'}.${minor ?? '?'}; the session needs bash 4.1 or newer (on macOS: brew install bash, and put it first on PATH)`,
            ),
          );
        } else resolve();
      },
    );
  });
}

function makeFifo(path: string, env: Record<string, string>): Promise<void> {
  return new Promise((resolve) => {
    execFile('mkfifo', ['-m', '600', path], { env, timeout: 5_000 }, () => resolve());
  });
}

function readOr(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch {
    return Buffer.alloc(0);
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return -1;
  }
}

function readRc(path: string): { status: number; done: boolean } | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  const m = /^(\d+) ?(done)?\n/.exec(text);
  return m ? { status: Number(m[1]), done: m[2] === 'done' } : null;
}

/** Sleep for `ms`, waking early when `promise` settles or `signal` aborts. */
function raceSleep(promise: Promise<unknown>, ms: number, signal?: AbortSignal): Promise<void> {
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

async function serverAlive(socketPath: string, tmux: string): Promise<boolean> {
  if (!existsSync(socketPath)) return false;
  try {
    await execTmux(socketPath, ['list-sessions'], { tmux, timeoutMs: 5_000 });
    return true;
  } catch (error) {
    if (error instanceof TmuxError && (error.kind === 'no-server' || error.kind === 'socket-gone')) return false;
    throw error;
  }
}

/** Every ci-medic session of this user (no server at all: an empty list). */
export async function listSessions(): Promise<SessionInfo[]> {
  let files: string[];
  try {
    files = readdirSync(baseDir());
  } catch {
    return [];
  }
  const out: SessionInfo[] = [];
  for (const file of files.sort()) {
    const m = /^([a-zA-Z0-9_.-]+)\.sock$/.exec(file);
    if (!m) continue;
    const name = m[1];
    const socketPath = socketPathFor(name);
    let stdout: string;
    try {
      ({ stdout } = await execTmux(socketPath, [
        'list-panes',
        '-a',
        '-F',
        '#{session_created}\t#{pane_pid}\t#{pane_current_path}\t#{pane_dead}\t#{pane_current_command}',
      ]));
    } catch (error) {
      if (error instanceof TmuxError && (error.kind === 'no-server' || error.kind === 'socket-gone')) {
        try {
          unlinkSync(socketPath); // a stale socket from a server that died
        } catch {
          // already gone
        }
        continue;
      }
      throw error;
    }
    const [created, pid, cwd, dead, command] = (stdout.split('\n')[0] ?? '').split('\t');
    let lockBusy = false;
    try {
      const lock = JSON.parse(readFileSync(`${stateDirFor(name)}/busy.lock`, 'utf8')) as { pid: number };
      lockBusy = pidAlive(lock.pid);
    } catch {
      // no lock: idle
    }
    out.push({
      name,
      socketPath,
      created: new Date(Number(created) * 1000),
      pid: Number(pid),
      cwd: cwd ?? '',
      alive: dead !== '1',
      busy: dead !== '1' && (lockBusy || command !== 'bash'),
    });
  }
  return out;
}
