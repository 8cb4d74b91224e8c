// AgentSession: one detached tmux server per session name, running one shell in one pane. Commands travel by the
// file protocol in protocol.ts. This class is the session's lifecycle and the orchestration of one command; the
// parts live beside it, one concern each: pane.ts (typing and waiting), wait.ts (the wait's state machine),
// ladder.ts (recovery), lock.ts (the busy lock), server.ts (start and stop the server), list.ts (listing).
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
  constants as fsConstants,
} from 'node:fs';
import { executeCommand, type CommandHost } from './command.js';
import { ShellWatch } from './health.js';
import { shellEnvironment } from './env.js';
import { checkBashVersion, ensureBaseDir, highestCommand, makeFifo, recordedDirectory } from './prepare.js';
import { otherHolder, releaseLock, takeLock } from './lock.js';
import { Pane } from './pane.js';
import { commandFile, cwdFile, PROMPT, shellRc, shellRcFile, drawnFifo, type ProtocolPaths } from './protocol.js';
import { shellQuote } from './quote.js';
import { serverAlive, startServer, stopServer } from './server.js';
import {
  findExecutable,
  paneTarget,
  socketPathFor,
  stateDirFor,
  tmuxSessionName,
  tmuxVersion,
  TmuxError,
  validateSessionName,
} from './tmux.js';
import type { AttachOptions, CommandResult, RunOptions, ShellLauncher, StartOptions } from './types.js';

export { listSessions } from './list.js';
export { DEFAULT_RUN_TIMEOUT_MS } from './command.js';

export const DEFAULT_HISTORY_LIMIT = 50_000;
/** Waiting for the first prompt of a new shell. */
const SHELL_READY_MS = 10_000;
/** A mark's label: printable ASCII without ';' (the OSC's separator), bounded. */
const MARK_LABEL = /^[\x20-\x3a\x3c-\x7e]{0,200}$/;

interface SessionMeta {
  cwd: string;
  env: Record<string, string>;
  tmux: string;
  bash: string;
  token: string;
  historyLimit: number;
  useControlClient: boolean;
  /** The pane's command line as the launcher last wrapped it (a process attaching without one respawns with it). */
  paneCommand?: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function writePrivate(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
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
  private readonly pane: Pane;
  private readonly launcher?: ShellLauncher;
  private readonly redact: (text: string) => string;
  private readonly redactsLogs: boolean;
  private next: number;
  private running = false;
  private readonly health: ShellWatch;
  private knownCwd: string;

  private constructor(name: string, meta: SessionMeta, next: number, attach: AttachOptions) {
    this.name = name;
    this.socketPath = socketPathFor(name);
    this.stateDir = stateDirFor(name);
    this.cwd = meta.cwd;
    this.meta = meta;
    this.target = paneTarget(name);
    this.paths = { stateDir: this.stateDir, socketPath: this.socketPath, tmux: meta.tmux, token: meta.token };
    this.pane = new Pane({
      socketPath: this.socketPath,
      target: this.target,
      session: tmuxSessionName(name),
      stateDir: this.stateDir,
      env: meta.env,
      tmux: meta.tmux,
      useControlClient: attach.controlClient ?? meta.useControlClient,
    });
    this.launcher = attach.launcher;
    this.redact = attach.redact ?? ((text) => text);
    this.redactsLogs = attach.redact !== undefined;
    this.next = next;
    this.health = new ShellWatch(meta.bash);
    this.knownCwd = meta.cwd;
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
    const stateDir = stateDirFor(name);
    // A server left by a crash (its socket removed, or unreachable) must not outlive its replacement.
    if (existsSync(stateDir)) await stopServer(socketPath, stateDir, tmux).catch(() => false);
    rmSync(socketPath, { force: true });
    // Earlier runs' logs stay (a transcript points at them): numbering goes on after the highest one.
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    for (const stale of ['session.json', 'busy.lock', 'cwd', 'drawn.fifo', 'tee.fifo'])
      rmSync(`${stateDir}/${stale}`, { force: true });
    const meta: SessionMeta = {
      cwd: opts.cwd,
      env,
      tmux,
      bash,
      token: randomBytes(6).toString('hex'),
      historyLimit: opts.historyLimit ?? DEFAULT_HISTORY_LIMIT,
      useControlClient: opts.controlClient ?? true,
    };
    const session = new AgentSession(name, meta, highestCommand(stateDir) + 1, opts);
    const command = await session.paneCommand(opts.cwd);
    writePrivate(`${stateDir}/session.json`, JSON.stringify(meta));
    writePrivate(shellRcFile(stateDir), shellRc());
    // Without the fifo the output is still exact; only the prompt may be drawn before the output's last lines.
    await makeFifo(drawnFifo(stateDir), env);
    await startServer({
      socketPath,
      stateDir,
      session: tmuxSessionName(name),
      label: name,
      cwd: opts.cwd,
      env,
      tmux,
      historyLimit: meta.historyLimit,
      command,
    });
    try {
      if (opts.pipeOutput) await session.pipeOutput(opts.pipeOutput);
      await session.waitForShell();
    } catch (error) {
      await session.stop();
      throw error;
    }
    return session;
  }

  /** The running session of that name, or null when there is none. `options` as for start (redact, launcher). */
  static async find(name: string, options: AttachOptions = {}): Promise<AgentSession | null> {
    validateSessionName(name);
    const stateDir = stateDirFor(name);
    let meta: SessionMeta;
    try {
      meta = JSON.parse(readFileSync(`${stateDir}/session.json`, 'utf8')) as SessionMeta;
    } catch {
      return null;
    }
    if (!(await serverAlive(socketPathFor(name), meta.tmux))) return null;
    const session = new AgentSession(name, meta, highestCommand(stateDir) + 1, options);
    await session.pane.state().then(
      (pane) => session.health.locate(pane.pid),
      () => undefined,
    );
    return session;
  }

  /**
   * Stop the server of session `name` for sure: over its socket, or by the pid it recorded when the socket file is
   * gone. True only when a server was running and is gone now.
   */
  static async stopByName(name: string): Promise<boolean> {
    const stateDir = stateDirFor(validateSessionName(name));
    let tmux = findExecutable('tmux') ?? 'tmux';
    try {
      tmux = (JSON.parse(readFileSync(`${stateDir}/session.json`, 'utf8')) as SessionMeta).tmux;
    } catch {
      // no state: the socket alone tells
    }
    return stopServer(socketPathFor(name), stateDir, tmux);
  }

  /**
   * Local-use rule: reuse an idle session of that name, start one when there is none, and never type into a busy
   * pane (throws, saying so).
   */
  static async acquire(opts: StartOptions): Promise<AgentSession> {
    const existing = await AgentSession.find(opts.name, opts);
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
    const holder = otherHolder(this.stateDir);
    if (holder) return `command ${holder.n} is running (process ${holder.pid})`;
    const pane = await this.pane.state();
    if (pane.dead) return null; // run() respawns a dead shell
    if (pane.command !== 'bash' && !this.meta.paneCommand) return `"${pane.command}" is in the foreground`;
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
        outputTruncated: false,
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
      takeLock(this.stateDir, this.name, n);
      this.lastCwd(); // remember it: a command that breaks the shell may leave the record empty
      return await executeCommand(this.host(), n, command, options);
    } finally {
      releaseLock(this.stateDir, n);
      this.running = false;
    }
  }

  /** A fresh shell in the session's original directory with the original scrubbed environment. */
  async restart(): Promise<void> {
    await this.respawn(this.cwd);
  }

  /** Send C-c to the pane. */
  async interrupt(): Promise<void> {
    await this.pane.sendKeys('C-c');
  }

  /** The screen and the last `lines` lines of scrollback, wrapped lines joined, trailing blank lines dropped. */
  async capture(lines = 200): Promise<string> {
    const { stdout } = await this.pane.tmux([
      'capture-pane',
      '-p',
      '-J',
      '-t',
      this.target,
      '-S',
      `-${Math.max(0, lines)}`,
    ]);
    return stdout.replace(/\n+$/, '') + '\n';
  }

  /** Type text into the pane as a paste (for the rare program that needs keystrokes). */
  async sendText(text: string): Promise<void> {
    const buffer = `cm-send-${process.pid}`;
    await this.pane.tmux(['load-buffer', '-b', buffer, '-'], text);
    await this.pane.tmux(['paste-buffer', '-d', '-b', buffer, '-t', this.target]);
  }

  /**
   * Write `ESC ] 7777 ; cm-mark ; <label> BEL` into the pane's output stream (a recording turns it into a marker;
   * a terminal shows nothing). `label`: printable ASCII without ';', at most 200 characters.
   */
  async mark(label: string): Promise<void> {
    if (!MARK_LABEL.test(label)) {
      throw new TmuxError(
        'other',
        `mark label ${JSON.stringify(label)} must be printable ASCII without ';' (200 at most)`,
      );
    }
    const { tty } = await this.pane.state();
    const fd = openSync(tty, fsConstants.O_WRONLY | fsConstants.O_NOCTTY);
    try {
      writeSync(fd, `\u001b]7777;cm-mark;${label}\u0007`);
    } finally {
      closeSync(fd);
    }
  }

  /** Copy the pane's output to `shellCommand`'s stdin (`tmux pipe-pane -O`); null stops the copy. */
  async pipeOutput(shellCommand: string | null): Promise<void> {
    await this.pane.tmux(['pipe-pane', '-t', this.target, ...(shellCommand === null ? [] : ['-O', shellCommand])]);
  }

  /**
   * Let go of this process's hold on the session (the control client and the file watcher) and leave the server and
   * its shell running: for a session kept for a person (rescue, --keep-session). A later run() attaches again.
   */
  detach(): void {
    this.pane.detach();
  }

  /**
   * Kill the tmux server (for sure: by its recorded pid when the socket does not answer). The state directory (the
   * commands' logs, which results point to) stays unless `removeState`. True when a server was running.
   */
  async stop(options: { removeState?: boolean } = {}): Promise<boolean> {
    this.detach();
    const stopped = await stopServer(this.socketPath, this.stateDir, this.meta.tmux);
    if (options.removeState) rmSync(this.stateDir, { recursive: true, force: true });
    return stopped;
  }

  /** The exact commands a person runs to watch (read-only) or join the session. */
  joinCommands(): { attach: string; readOnly: string } {
    const t = tmuxSessionName(this.name);
    return {
      attach: `tmux -S ${this.socketPath} attach -t ${t}`,
      readOnly: `tmux -S ${this.socketPath} attach -r -t ${t}`,
    };
  }

  // ---- one command ----

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

  private host(): CommandHost {
    return {
      name: this.name,
      stateDir: this.stateDir,
      socketPath: this.socketPath,
      tmux: this.meta.tmux,
      paths: this.paths,
      pane: this.pane,
      redact: this.redact,
      redactsLogs: this.redactsLogs,
      respawn: () => this.respawn(this.lastCwd()),
      shellProblem: () => this.health.problem(),
      shell: () => this.health.shell(),
    };
  }

  // ---- the shell ----

  /** The pane's command for a shell starting in `cwd`: bash alone, or the launcher's wrapping of it. */
  private async paneCommand(cwd: string): Promise<string[]> {
    // The prompt comes from an rc file in the state directory: a launcher's `sh -c` (non-interactive) drops PS1
    // from the environment before the shell starts.
    const shell = [this.meta.bash, '--noprofile', '--rcfile', shellRcFile(this.stateDir)];
    if (!this.launcher) return this.meta.paneCommand ? [this.meta.paneCommand] : shell;
    const line = await this.launcher.wrap(shell.map(shellQuote).join(' '), { stateDir: this.stateDir, cwd });
    this.meta.paneCommand = line;
    return [line];
  }

  /**
   * The shell's current directory: where the last command left it (the hook's record; the last good one when a broken
   * shell emptied it). The policy resolves the next command's relative paths against it.
   */
  currentDirectory(): string {
    return this.lastCwd();
  }

  /** The directory the last command left (the hook's record; the last good one when a broken shell emptied it). */
  private lastCwd(): string {
    const cwd = recordedDirectory(this.stateDir);
    if (cwd) this.knownCwd = cwd;
    return this.knownCwd;
  }

  /** Kill whatever runs in the pane and start a fresh shell in `cwd` with the session's scrubbed environment. */
  private async respawn(cwd: string): Promise<void> {
    const env = Object.entries(this.meta.env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    const command = await this.paneCommand(cwd);
    await this.pane.tmux(['respawn-pane', '-k', '-t', this.target, '-c', cwd, ...env, '--', ...command]);
    this.pane.resetTerminal(); // a new shell, a new terminal
    writePrivate(cwdFile(this.stateDir), cwd);
    await this.waitForShell();
  }

  /** Wait until the shell has drawn its prompt, so the first typed line is not echoed twice. */
  private async waitForShell(): Promise<void> {
    const until = Date.now() + SHELL_READY_MS;
    let delay = 5;
    while (Date.now() < until) {
      const { stdout } = await this.pane.tmux(['capture-pane', '-p', '-t', this.target]);
      if (stdout.includes('[ci-medic]')) {
        this.health.locate((await this.pane.state()).pid);
        return;
      }
      await sleep(delay);
      delay = Math.min(delay * 2, 100);
    }
    throw new TmuxError(
      'other',
      `the shell in session "${this.name}" did not show its prompt within ${SHELL_READY_MS} ms`,
    );
  }
}
