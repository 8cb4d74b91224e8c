// The recorder: turns the pane's output stream (tmux pipe-pane -O) into an asciicast v2 file. It runs as a hidden
// CLI subcommand started by tmux, so it lives as long as the pane, whichever ci-medic process started the session.
//
// The pane shows the redacted stream (the terminal layer redacts command output before it reaches the pane), and
// that is what is recorded: the recorder never sees a secret the pane did not show.
import { closeSync, existsSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { checkHeader, eventLine, type CastHeader } from './asciicast.js';

/** The cap on a recording's size: past it output is no longer written (markers still are, up to MAX_MARKS_AFTER). */
export const DEFAULT_MAX_RECORDING_BYTES = 64 * 1024 * 1024;
const MAX_MARKS_AFTER = 10_000;
/** Output is batched for this long, so a flood of small writes does not become a flood of events. */
const FLUSH_MS = 8;
const FLUSH_BYTES = 64 * 1024;
/** ci-medic's own OSC sequences: `ESC ] 7777 ; … BEL` (marks, and the protocol's end markers). */
const OSC_PREFIX = '\u001b]7777;';
const MARK_PREFIX = 'cm-mark;';
/** A sequence longer than this without its BEL is not ours: it is passed through as output. */
const MAX_OSC = 512;

export interface RecorderOptions {
  width: number;
  height: number;
  maxBytes?: number;
  title?: string;
  now?: () => number;
}

/** Splits decoded text into output and marks; holds back a sequence that may continue in the next chunk. */
export class MarkParser {
  private pending = '';

  /** Returns the pieces in order: strings are output, `{ mark }` are markers. */
  push(text: string, final = false): Array<string | { mark: string }> {
    let s = this.pending + text;
    this.pending = '';
    const out: Array<string | { mark: string }> = [];
    for (;;) {
      const at = s.indexOf(OSC_PREFIX);
      if (at < 0) break;
      const end = s.indexOf('\u0007', at);
      if (end < 0) {
        if (!final && s.length - at <= MAX_OSC) {
          if (at > 0) out.push(s.slice(0, at));
          this.pending = s.slice(at);
          return out;
        }
        break;
      }
      if (at > 0) out.push(s.slice(0, at));
      const body = s.slice(at + OSC_PREFIX.length, end);
      if (body.startsWith(MARK_PREFIX)) out.push({ mark: body.slice(MARK_PREFIX.length) });
      s = s.slice(end + 1);
    }
    // A trailing ESC (or the start of the prefix) may begin a sequence completed by the next chunk.
    if (!final) {
      for (let k = Math.min(OSC_PREFIX.length - 1, s.length); k > 0; k--) {
        if (OSC_PREFIX.startsWith(s.slice(s.length - k))) {
          this.pending = s.slice(s.length - k);
          s = s.slice(0, s.length - k);
          break;
        }
      }
    }
    if (s) out.push(s);
    return out;
  }
}

export class CastWriter {
  private readonly fd: number;
  private readonly origin: number;
  private readonly decoder = new StringDecoder('utf8');
  private readonly marks = new MarkParser();
  private readonly now: () => number;
  private readonly maxBytes: number;
  private buffered = '';
  private timer: NodeJS.Timeout | null = null;
  private written = 0;
  private truncated = false;
  private marksAfter = 0;
  private altScreen = false;

  /** Opens (or continues: a re-piped pane appends to the same recording, on the same clock) the file at `path`. */
  constructor(path: string, options: RecorderOptions) {
    this.now = options.now ?? (() => Date.now() / 1000);
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_RECORDING_BYTES;
    const existing = existsSync(path) ? readHeader(path) : null;
    this.fd = openSync(path, 'a', 0o600);
    this.written = statSync(path).size;
    if (existing) {
      this.origin = existing.timestamp ?? Math.floor(this.now());
    } else {
      this.origin = Math.floor(this.now());
      const header: CastHeader = { version: 2, width: options.width, height: options.height, timestamp: this.origin };
      if (options.title) header.title = options.title;
      this.write(`${JSON.stringify(header)}\n`);
    }
  }

  /** Feed raw bytes from the pane. */
  feed(chunk: Buffer): void {
    this.handle(this.marks.push(this.decoder.write(chunk)));
  }

  /** Flush everything and close the file. */
  end(): void {
    this.handle(this.marks.push(this.decoder.end(), true));
    this.flush();
    closeSync(this.fd);
  }

  private handle(pieces: Array<string | { mark: string }>): void {
    for (const piece of pieces) {
      if (typeof piece === 'string') {
        this.buffered += this.screenModes(piece);
        if (this.buffered.length >= FLUSH_BYTES) this.flush();
        else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
      } else {
        this.flush();
        this.mark(piece.mark);
      }
    }
  }

  /**
   * The protocol leaves any alternate screen before each command (`ESC [?1049l`). tmux ignores that on the main
   * screen, but xterm.js and asciinema's terminal restore the saved cursor: dropped there, so a replay looks like
   * the pane did.
   */
  private screenModes(text: string): string {
    return text.replace(/\u001b\[\?(?:1049|1047|47)([hl])/g, (seq: string, mode: string) => {
      if (mode === 'h') {
        this.altScreen = true;
        return seq;
      }
      if (!this.altScreen) return '';
      this.altScreen = false;
      return seq;
    });
  }

  private mark(label: string): void {
    if (this.truncated && this.marksAfter++ >= MAX_MARKS_AFTER) return;
    this.write(eventLine(this.elapsed(), 'm', label));
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.buffered || this.truncated) {
      this.buffered = '';
      return;
    }
    const line = eventLine(this.elapsed(), 'o', this.buffered);
    this.buffered = '';
    if (this.written + Buffer.byteLength(line) > this.maxBytes) {
      this.truncated = true;
      this.write(eventLine(this.elapsed(), 'm', `recording truncated: it reached its limit of ${this.maxBytes} bytes`));
      return;
    }
    this.write(line);
  }

  private elapsed(): number {
    return Math.max(0, this.now() - this.origin);
  }

  private write(text: string): void {
    const data = Buffer.from(text);
    writeSync(this.fd, data);
    this.written += data.length;
  }
}

/** The header of an existing recording, or null when the file is empty or not a recording (it is then appended to). */
function readHeader(path: string): CastHeader | null {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const line = buf.subarray(0, n).toString('utf8').split('\n')[0];
    if (!line) return null;
    return checkHeader(JSON.parse(line));
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** Record `input` into `path` until it ends. */
export function record(input: NodeJS.ReadableStream, path: string, options: RecorderOptions): Promise<void> {
  const writer = new CastWriter(path, options);
  return new Promise((resolve, reject) => {
    input.on('data', (chunk: Buffer) => writer.feed(chunk));
    input.on('end', () => {
      writer.end();
      resolve();
    });
    input.on('error', (error) => {
      writer.end();
      reject(error);
    });
  });
}
