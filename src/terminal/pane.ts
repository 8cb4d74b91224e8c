// The agent's one tmux pane, as the session's commands see it: typing a line, waiting for the shell's report
// (N.rc), reading the pane's state, sending keys, writing to its terminal. Fast path: a long-lived control-mode
// client types, and fs.watch on the state directory wakes the waiter, so a command costs no process on our side
// (a tmux client per command cost several times the command on a busy machine). Fallback: a spawned client types.
import { closeSync, constants as fsConstants, openSync, readFileSync, watch, writeSync, type FSWatcher } from 'node:fs';
import { ControlClient } from './control.js';
import { TtySink } from './feed.js';
import { drawnFifo, rcFile } from './protocol.js';
import { controlArg } from './quote.js';
import { execTmux } from './tmux.js';

/** Attaching the control client; past this the session falls back to a spawned client per command. */
const CONTROL_READY_MS = 3_000;

export interface PaneState {
  dead: boolean;
  alternate: boolean;
  /** The foreground command of the pane's terminal. */
  command: string;
  pid: number;
  tty: string;
}

export interface PaneOptions {
  socketPath: string;
  /** tmux target of the pane (`=session:0.0`). */
  target: string;
  /** tmux session name (for the control client's attach). */
  session: string;
  stateDir: string;
  env: Record<string, string>;
  tmux: string;
  useControlClient: boolean;
}

/** The status line the prompt hook writes to N.rc: "<status> done", or "<status>" when the command was cut short. */
export function readRc(stateDir: string, n: number): { status: number; done: boolean } | null {
  let text: string;
  try {
    text = readFileSync(rcFile(stateDir, n), 'utf8');
  } catch {
    return null;
  }
  const m = /^(\d+) ?(done)?\n/.exec(text);
  return m ? { status: Number(m[1]), done: m[2] === 'done' } : null;
}

export class Pane {
  private control: ControlClient | null = null;
  private watcher: FSWatcher | null = null;
  private tty: TtySink | null = null;
  private drawnFd: number | null = null;
  /** Commands waiting for their N.rc, by N. */
  private readonly rcWaiters = new Map<number, () => void>();

  constructor(private readonly o: PaneOptions) {}

  tmux(args: string[], input?: string, timeoutMs?: number) {
    return execTmux(this.o.socketPath, args, { env: this.o.env, tmux: this.o.tmux, input, timeoutMs });
  }

  async sendKeys(...keys: string[]): Promise<void> {
    await this.tmux(['send-keys', '-t', this.o.target, ...keys]);
  }

  /**
   * Type `line` (a fixed ASCII line) and wait until the shell has reported command N (its N.rc). The wake-up comes
   * from fs.watch on the state directory; the caller's tick looks for N.rc too, in case an event is missed.
   */
  async typeAndWait(n: number, line: string): Promise<void> {
    const reported = new Promise<void>((resolve) => this.rcWaiters.set(n, resolve));
    this.watchState();
    const control = await this.controlClient();
    const quotedLine = controlArg(line);
    const quotedTarget = controlArg(this.o.target);
    try {
      if (!control || !quotedLine || !quotedTarget) {
        const t = this.o.target;
        // C-e C-u first: whatever a person attached left half-typed at the prompt must not join our line.
        await this.tmux(
          ['send-keys', '-t', t, 'C-e', 'C-u', ';', 'send-keys', '-t', t, '-l', line, ';'].concat([
            'send-keys',
            '-t',
            t,
            'Enter',
          ]),
        );
      } else {
        await Promise.all([
          control.command(`send-keys -t ${quotedTarget} C-e C-u`),
          control.command(`send-keys -t ${quotedTarget} -l ${quotedLine}`),
          control.command(`send-keys -t ${quotedTarget} Enter`),
        ]).catch((error: unknown) => {
          // The keys may have gone in before the control client went away: never type twice, just wait.
          if (control.alive) throw error;
        });
      }
    } catch (error) {
      this.rcWaiters.delete(n);
      throw error;
    }
    await reported;
  }

  /** Tell the shell that command N's output is drawn (it waits for this before its prompt; see protocol.ts). */
  signalDrawn(n: number): void {
    try {
      this.drawnFd ??= openSync(drawnFifo(this.o.stateDir), fsConstants.O_RDWR | fsConstants.O_NONBLOCK);
      writeSync(this.drawnFd, `${n}\n`);
    } catch {
      // no fifo (mkfifo failed) or its buffer is full of answers nobody read: the shell's wait is bounded
    }
  }

  /** A writer to the pane's terminal (what the feed draws into); a respawned shell gets a new terminal. */
  async sink(): Promise<TtySink> {
    if (!this.tty) this.tty = new TtySink((await this.state()).tty);
    return this.tty;
  }

  /** Forget the terminal (after a respawn). */
  resetTerminal(): void {
    this.tty?.close();
    this.tty = null;
  }

  /** Wake the waiter of command N (its N.rc is there, or it will never come). */
  wake(n: number): void {
    const resolve = this.rcWaiters.get(n);
    this.rcWaiters.delete(n);
    resolve?.();
  }

  forget(n: number): void {
    this.rcWaiters.delete(n);
  }

  /** The pane's state; through the control client when it is attached (the hang checks then cost no process). */
  async state(): Promise<PaneState> {
    const format = '#{pane_dead}|#{alternate_on}|#{pane_pid}|#{pane_tty}|#{pane_current_command}';
    const control = this.control?.alive ? this.control : null;
    const target = controlArg(this.o.target);
    const stdout =
      control && target
        ? await control.command(`display-message -p -t ${target} '${format}'`)
        : (await this.tmux(['display-message', '-p', '-t', this.o.target, format])).stdout;
    const [dead, alternate, pid, tty, ...command] = stdout.replace(/\n$/, '').split('|');
    return {
      dead: dead === '1',
      alternate: alternate === '1',
      command: command.join('|'),
      pid: Number(pid),
      tty: tty ?? '',
    };
  }

  /** Let go of the control client and the watcher (the server and its shell keep running). */
  detach(): void {
    this.resetTerminal();
    if (this.drawnFd !== null) closeSync(this.drawnFd);
    this.drawnFd = null;
    this.watcher?.close();
    this.watcher = null;
    this.control?.close();
    this.control = null;
  }

  /** Watch the state directory for N.rc files; false when the platform cannot (the fallback path waits instead). */
  private watchState(): void {
    if (this.watcher) return;
    try {
      this.watcher = watch(this.o.stateDir, (_event, file) => {
        if (!this.rcWaiters.size) return;
        const m = file ? /^(\d+)\.rc$/.exec(String(file)) : null;
        if (file && !m) return;
        for (const n of m ? [Number(m[1])] : [...this.rcWaiters.keys()]) {
          // The hook writes the status in one write; until its newline is there, a later event will come.
          if (readRc(this.o.stateDir, n)) this.wake(n);
        }
      });
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = null;
      });
      this.watcher.unref();
    } catch {
      // no file events here: the caller's tick finds N.rc
    }
  }

  /** The session's control client, started on first use; null when tmux would not attach one. */
  private async controlClient(): Promise<ControlClient | null> {
    if (!this.o.useControlClient) return null;
    if (this.control?.alive) return this.control;
    const control = ControlClient.start(this.o.socketPath, this.o.session, { env: this.o.env, tmux: this.o.tmux });
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
}
