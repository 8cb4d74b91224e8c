// A long-lived tmux control-mode client (`tmux -C`), so typing a command and waiting for it costs no process
// spawn: on a busy machine a new tmux client per command costs more than the command. One command per line; tmux
// answers each in order with a %begin/%end (or %error) block.
import { spawn, type ChildProcess } from 'node:child_process';
import { classifyTmuxError, TMUX_CALL_TIMEOUT_MS, TmuxError } from './tmux.js';

interface Pending {
  resolve: (output: string) => void;
  reject: (error: Error) => void;
  line: string;
}

export class ControlClient {
  private readonly child: ChildProcess;
  private readonly pending: Pending[] = [];
  private block: string[] | null = null;
  private blockIsOurs = false;
  private buffered = '';
  private exited = false;
  private timedOut = false;
  private markReady: (ok: boolean) => void = () => {};
  /** Resolves true once tmux has attached the client, false when it exited first. */
  readonly ready: Promise<boolean>;

  private constructor(child: ChildProcess) {
    this.child = child;
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    // An idle client must not keep the process alive (a CLI run would never exit); a busy one must (an awaited
    // answer with nothing else pending would let the process end mid-await). Attaching counts as busy.
    this.setRef(true);
    void this.ready.then(() => {
      if (!this.pending.length) this.setRef(false);
    });
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => this.onData(chunk));
    child.stderr?.resume();
    child.stdin?.on('error', () => {}); // a dead client is reported through 'exit'
    child.on('error', () => this.onExit());
    child.on('exit', () => this.onExit());
  }

  /** Attach a control client to `session` without resizing it and without receiving its output. */
  static start(socketPath: string, session: string, options: { env: Record<string, string>; tmux: string }) {
    const child = spawn(
      options.tmux,
      ['-u', '-S', socketPath, '-C', 'attach-session', '-t', `=${session}`, '-f', 'no-output,ignore-size'],
      { env: options.env, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    return new ControlClient(child);
  }

  get alive(): boolean {
    return !this.exited;
  }

  /**
   * Run one tmux command line; resolves with its output, rejects with a TmuxError on %error or a lost client. A
   * command unanswered within `timeoutMs` closes the client (answers come in order: a late one would be taken for
   * the next command's) and rejects with kind 'timeout'.
   */
  command(line: string, timeoutMs = TMUX_CALL_TIMEOUT_MS): Promise<string> {
    if (this.exited) return Promise.reject(new TmuxError('socket-gone', 'the tmux control client has exited'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.timedOut = true;
        this.close();
        this.onExit();
      }, timeoutMs);
      timer.unref(); // the pending command keeps the process alive through the client's handles
      if (!this.pending.length) this.setRef(true);
      this.pending.push({
        resolve: (output) => {
          clearTimeout(timer);
          resolve(output);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(
            this.timedOut && error instanceof TmuxError && error.kind === 'socket-gone'
              ? new TmuxError('timeout', `tmux did not answer "${line}" within ${timeoutMs} ms`, [line])
              : error,
          );
        },
        line,
      });
      this.child.stdin?.write(`${line}\n`);
    });
  }

  close(): void {
    if (!this.exited) this.child.kill('SIGTERM');
  }

  private setRef(on: boolean): void {
    for (const handle of [this.child, this.child.stdin, this.child.stdout, this.child.stderr]) {
      const h = handle as unknown as { ref?: () => void; unref?: () => void } | null;
      if (on) h?.ref?.();
      else h?.unref?.();
    }
  }

  private onData(chunk: string): void {
    this.buffered += chunk;
    let newline: number;
    while ((newline = this.buffered.indexOf('\n')) >= 0) {
      this.onLine(this.buffered.slice(0, newline));
      this.buffered = this.buffered.slice(newline + 1);
    }
  }

  private onLine(line: string): void {
    if (this.block === null) {
      if (line.startsWith('%begin ')) {
        this.block = [];
        // Flags bit 1: the command came from this client (the attach itself answers with flags 0).
        this.blockIsOurs = (Number(line.split(' ')[3]) & 1) === 1;
      }
      return; // notifications (%session-changed, %exit, ...) are not ours to answer
    }
    if (line.startsWith('%end ') || line.startsWith('%error ')) {
      const output = this.block.join('\n');
      const failed = line.startsWith('%error ');
      this.block = null;
      if (!this.blockIsOurs) {
        this.markReady(!failed);
        return;
      }
      const request = this.pending.shift();
      if (!this.pending.length) this.setRef(false);
      if (!request) return;
      if (failed)
        request.reject(
          new TmuxError(classifyTmuxError(output), `tmux: ${output || 'command failed'}`, [request.line], output),
        );
      else request.resolve(output);
      return;
    }
    this.block.push(line);
  }

  private onExit(): void {
    if (this.exited) return;
    this.exited = true;
    this.markReady(false);
    this.setRef(false);
    for (const request of this.pending.splice(0)) {
      request.reject(new TmuxError('socket-gone', 'the tmux control client exited', [request.line]));
    }
  }
}
