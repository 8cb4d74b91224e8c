// What a person sees of a command: its output reaches the pane only through this feed. The command writes to N.log
// alone (byte-exact, at file speed); the feed follows the log, redacts it line by line and writes the redacted text
// to the pane's terminal, where tmux draws it. Why this design:
// - a secret never reaches the pane (live, scrollback, or a recording made from the pane's stream) unredacted: the
//   shell has no path that shows output unfiltered, and the redactor lives here, outside the sandbox;
// - a flood costs tmux nothing: each tick draws at most DRAW_BYTES_PER_TICK; when more arrived, the middle is
//   skipped unread (a note says how much, and that N.log has it all) and the newest lines are drawn, so a person
//   watching still sees output as it happens, and the command runs at file speed;
// - delay is at most one line: complete lines (ending in \n or \r) are drawn at the next tick; a partial line is
//   drawn once it stops growing for PARTIAL_IDLE_MS (all but its last PARTIAL_HOLDBACK characters, which may be the
//   start of a secret) or once it passes MAX_PARTIAL.
import { closeSync, constants as fsConstants, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/** How often the feed looks at the log while the command runs. */
export const FEED_INTERVAL_MS = 40;
/** Bytes drawn per tick at most (about 800 KB/s: far more than a person reads, far less than a flood). */
export const DRAW_BYTES_PER_TICK = 32 * 1024;
/** When a tick skips, how much of the newest output it draws. */
const SKIP_TAIL_BYTES = 4 * 1024;
/** A partial line longer than this is drawn without waiting for its end. */
const MAX_PARTIAL = 16 * 1024;
const PARTIAL_IDLE_MS = 500;
const PARTIAL_HOLDBACK = 64;
/** Output the pane could not take yet (tmux busy) is kept up to this much; older parts are dropped with a note. */
const MAX_BACKLOG = 256 * 1024;

/** Where the feed writes: the pane's terminal. Returns how many bytes it took (fewer when tmux is behind). */
export interface PaneSink {
  write(bytes: Buffer): number;
}

/** A pane terminal opened for writing, non-blocking (tmux never stalls us). Writes to a gone terminal are dropped. */
export class TtySink implements PaneSink {
  private fd: number | null = null;

  constructor(private readonly tty: string) {}

  write(bytes: Buffer): number {
    let done = 0;
    try {
      this.fd ??= openSync(this.tty, fsConstants.O_WRONLY | fsConstants.O_NOCTTY | fsConstants.O_NONBLOCK);
      while (done < bytes.length) done += writeSync(this.fd, bytes, done);
      return done;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EAGAIN' ? done : bytes.length;
    }
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** For a terminal in raw mode (a pty wrapper such as `script` sets it), line ends must carry their own \r. */
function forTerminal(text: string): string {
  // Our own mark sequence must not be forged by a command's output (a recording turns it into a marker).
  return text.replace(/\r?\n/g, '\r\n').replace(/\x1b\]7777;/g, '\x1b]7777-;');
}

export class PaneFeed {
  private fd: number | null = null;
  private position = 0;
  private decoder = new StringDecoder('utf8');
  private partial = '';
  private partialSince = 0;
  private backlog: Buffer = Buffer.alloc(0);
  private timer: NodeJS.Timeout | null = null;
  private readonly buffer = Buffer.alloc(DRAW_BYTES_PER_TICK + SKIP_TAIL_BYTES);

  constructor(
    private readonly logPath: string,
    private readonly sink: PaneSink,
    private readonly redact: (text: string) => string,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.pump(false), FEED_INTERVAL_MS);
    this.timer.unref();
  }

  /** Draw what is left (bounded like any tick) and stop following. */
  finish(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.pump(true);
    if (this.partial) this.draw(this.redact(this.partial));
    this.partial = '';
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private pump(final: boolean): void {
    if (this.fd === null) {
      try {
        this.fd = openSync(this.logPath, 'r');
      } catch {
        return; // not created yet
      }
    }
    const size = fstatSync(this.fd).size;
    // Flood: skip the middle unread, keep the newest lines.
    if (size - this.position > DRAW_BYTES_PER_TICK) {
      const from = size - SKIP_TAIL_BYTES;
      const skipped = from - this.position + Buffer.byteLength(this.partial);
      this.position = from;
      this.decoder = new StringDecoder('utf8');
      this.partial = '';
      this.draw(`\x1b[2m… ${skipped.toLocaleString('en-US')} bytes not drawn (all in ${this.logPath}) …\x1b[0m\n`);
      this.skipToLineStart(size);
    }
    if (size > this.position) {
      const n = readSync(this.fd, this.buffer, 0, Math.min(size - this.position, this.buffer.length), this.position);
      this.position += n;
      this.take(this.decoder.write(this.buffer.subarray(0, n)));
    } else if (!final && this.partial && Date.now() - this.partialSince >= PARTIAL_IDLE_MS) {
      this.flushPartial(PARTIAL_HOLDBACK);
    }
    if (this.backlog.length) this.draw('');
  }

  /** After a skip, start at the next line so no line is drawn from its middle. */
  private skipToLineStart(size: number): void {
    if (this.fd === null) return;
    const n = readSync(this.fd, this.buffer, 0, Math.min(size - this.position, SKIP_TAIL_BYTES), this.position);
    const nl = this.buffer.subarray(0, n).indexOf(0x0a);
    if (nl >= 0) this.position += nl + 1;
  }

  private take(text: string): void {
    if (!text) return;
    if (!this.partial) this.partialSince = Date.now();
    const all = this.partial + text;
    const end = Math.max(all.lastIndexOf('\n'), all.lastIndexOf('\r'));
    if (end >= 0) {
      this.draw(this.redact(all.slice(0, end + 1)));
      this.partial = all.slice(end + 1);
      this.partialSince = Date.now();
    } else {
      this.partial = all;
    }
    if (this.partial.length > MAX_PARTIAL) this.flushPartial(0);
  }

  private flushPartial(holdback: number): void {
    if (this.partial.length <= holdback) return;
    const cut = this.partial.length - holdback;
    this.draw(this.redact(this.partial.slice(0, cut)));
    this.partial = this.partial.slice(cut);
    this.partialSince = Date.now();
  }

  private draw(text: string): void {
    let pending = Buffer.concat([this.backlog, Buffer.from(forTerminal(text))]);
    if (pending.length > MAX_BACKLOG) {
      const note = `\r\n\x1b[2m… output dropped while the pane was busy (all in ${this.logPath}) …\x1b[0m\r\n`;
      pending = Buffer.concat([Buffer.from(note), pending.subarray(pending.length - SKIP_TAIL_BYTES)]);
    }
    const written = pending.length ? this.sink.write(pending) : 0;
    this.backlog = pending.subarray(written);
  }
}
