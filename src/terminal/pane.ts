// The agent's one tmux pane, as the session's commands see it: typing a line, waiting for the shell's report
// (N.rc), reading the pane's state, sending keys. Fast path: a long-lived control-mode client types, and fs.watch
// on the state directory wakes the waiter, so a command costs no process on our side (a tmux client per command
// cost several times the command on a busy machine). Fallback: one spawned client types and blocks on wait-for.
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { ControlClient } from './control.js';
import { rcFile } from './protocol.js';
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
   * Type `line` (a fixed ASCII line) and wait until the shell has reported command N. The shell signals the
   * command's wait-for `channel` just before writing N.rc: the fallback path and outside observers use that.
   */
  async typeAndWait(n: number, line: string, channel: string, timeoutMs: number): Promise<void> {
    const control = await this.controlClient();
    const quotedLine = controlArg(line);
    const quotedTarget = controlArg(this.o.target);
    if (!control || !quotedLine || !quotedTarget || !this.watchState()) {
      const t = this.o.target;
      await execTmux(
        this.o.socketPath,
        [
          'send-keys',
          '-t',
          t,
          'C-e',
          'C-u',
          ';',
          'send-keys',
          '-t',
          t,
          '-l',
          line,
          ';',
          'send-keys',
          '-t',
          t,
          'Enter',
        ].concat([';', 'wait-for', channel]),
        { env: this.o.env, tmux: this.o.tmux, timeoutMs: timeoutMs + 60_000 },
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

  /** Wake the waiter of command N (its N.rc is there, or it will never come). */
  wake(n: number): void {
    const resolve = this.rcWaiters.get(n);
    this.rcWaiters.delete(n);
    resolve?.();
  }

  forget(n: number): void {
    this.rcWaiters.delete(n);
  }

  /** Wake whoever waits on a command's channel that its shell will never signal. */
  async release(n: number, channel: string): Promise<void> {
    this.wake(n);
    await this.tmux(['wait-for', '-S', channel]).catch(() => {});
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
    this.watcher?.close();
    this.watcher = null;
    this.control?.close();
    this.control = null;
  }

  /** Watch the state directory for N.rc files; false when the platform cannot (the fallback path waits instead). */
  private watchState(): boolean {
    if (this.watcher) return true;
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
      return true;
    } catch {
      return false;
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
