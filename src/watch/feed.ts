// A live feed of a session's screen output for the dashboard: follows the session's recording (the redacted stream
// the pane shows, written by the recorder) and hands each new output event to its subscribers. One follower per
// session however many viewers; nothing is kept in memory beyond the line being read.
import { closeSync, existsSync, openSync, readSync, statSync, watch, type FSWatcher } from 'node:fs';

/** What a new viewer gets first: the recording's output from this far back. */
export const BACKLOG_BYTES = 256 * 1024;
/** A poll backs up the file watcher (a watch event can be missed, and the file may not exist yet). */
const POLL_MS = 250;
const READ_CHUNK = 256 * 1024;

export type FeedListener = (data: string) => void;

export class RecordingFeed {
  private readonly listeners = new Set<FeedListener>();
  private offset = 0;
  private partial = '';
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private reading = false;

  constructor(readonly path: string) {}

  /** The output of the last `maxBytes` of the recording (whole events only), for a viewer that just arrived. */
  backlog(maxBytes = BACKLOG_BYTES): string {
    if (!existsSync(this.path)) return '';
    const size = statSync(this.path).size;
    const start = Math.max(0, size - maxBytes);
    const fd = openSync(this.path, 'r');
    try {
      const buf = Buffer.alloc(size - start);
      readSync(fd, buf, 0, buf.length, start);
      const lines = buf.toString('utf8').split('\n');
      if (start > 0) lines.shift(); // cut mid-line
      return lines.map(outputOf).join('');
    } finally {
      closeSync(fd);
    }
  }

  subscribe(listener: FeedListener): () => void {
    if (this.listeners.size === 0) this.start();
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  get viewers(): number {
    return this.listeners.size;
  }

  private start(): void {
    this.offset = existsSync(this.path) ? statSync(this.path).size : 0;
    this.partial = '';
    this.timer = setInterval(() => this.read(), POLL_MS);
    this.rewatch();
  }

  private rewatch(): void {
    if (this.watcher || !existsSync(this.path)) return;
    try {
      this.watcher = watch(this.path, () => this.read());
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = null;
      });
    } catch {
      this.watcher = null; // the poll carries on
    }
  }

  private stop(): void {
    this.watcher?.close();
    this.watcher = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private read(): void {
    if (this.reading || !existsSync(this.path)) return;
    this.rewatch();
    this.reading = true;
    try {
      const size = statSync(this.path).size;
      if (size < this.offset) this.offset = 0; // a new recording replaced the old one
      if (size === this.offset) return;
      const fd = openSync(this.path, 'r');
      try {
        const buf = Buffer.alloc(Math.min(READ_CHUNK, size - this.offset));
        const n = readSync(fd, buf, 0, buf.length, this.offset);
        this.offset += n;
        const text = this.partial + buf.subarray(0, n).toString('latin1');
        const cut = text.lastIndexOf('\n');
        this.partial = text.slice(cut + 1);
        if (cut < 0) return;
        const data = Buffer.from(text.slice(0, cut), 'latin1').toString('utf8').split('\n').map(outputOf).join('');
        if (data) for (const listener of this.listeners) listener(data);
      } finally {
        closeSync(fd);
      }
      if (this.offset < size) setImmediate(() => this.read());
    } finally {
      this.reading = false;
    }
  }
}

/** The output text of one recording line ('' for the header, markers and anything unreadable). */
function outputOf(line: string): string {
  if (!line.startsWith('[')) return '';
  try {
    const event = JSON.parse(line) as unknown;
    return Array.isArray(event) && event[1] === 'o' && typeof event[2] === 'string' ? event[2] : '';
  } catch {
    return '';
  }
}
