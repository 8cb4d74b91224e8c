// A command's log (N.log) after the command: read back bounded (head and tail in memory, the whole on disk), and
// rewritten redacted by streaming it, so no log is ever held whole in memory whatever its size.
import { closeSync, fstatSync, openSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/** Output up to this size comes back whole in CommandResult.output. */
export const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;
/** Past MAX_OUTPUT_BYTES, the result keeps this much of the start and of the end. */
export const OUTPUT_HEAD_BYTES = 8 * 1024 * 1024;
export const OUTPUT_TAIL_BYTES = 8 * 1024 * 1024;
/** Redaction reads the log in chunks of about this size, cut at line ends. */
const REDACT_CHUNK_BYTES = 1024 * 1024;

export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return -1;
  }
}

function readRange(fd: number, start: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, done, length - done, start + done);
    if (n === 0) break;
    done += n;
  }
  return buffer.subarray(0, done);
}

/** The log as the result carries it: whole up to MAX_OUTPUT_BYTES, else head, a note, and tail. */
export function readOutput(path: string): { output: string; truncated: boolean } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return { output: '', truncated: false };
  }
  try {
    const size = fstatSync(fd).size;
    if (size <= MAX_OUTPUT_BYTES) return { output: readRange(fd, 0, size).toString('utf8'), truncated: false };
    const head = new StringDecoder('utf8').write(readRange(fd, 0, OUTPUT_HEAD_BYTES));
    // The tail starts at a character boundary: skip UTF-8 continuation bytes.
    let tail = readRange(fd, size - OUTPUT_TAIL_BYTES, OUTPUT_TAIL_BYTES);
    let skip = 0;
    while (skip < 4 && skip < tail.length && (tail[skip] & 0xc0) === 0x80) skip++;
    tail = tail.subarray(skip);
    const left = size - OUTPUT_HEAD_BYTES - tail.length;
    const note = `\n… ${left.toLocaleString('en-US')} bytes of output not kept in memory (the whole log: ${path}) …\n`;
    return { output: head + note + tail.toString('utf8'), truncated: true };
  } finally {
    closeSync(fd);
  }
}

/**
 * Rewrite the log through `redact`, streaming: chunks of whole lines (a line longer than a chunk is cut), written to
 * a temporary file that then replaces the log. Returns false when the log could not be read (nothing changed).
 */
export function redactLogFile(path: string, redact: (text: string) => string): boolean {
  let input: number;
  try {
    input = openSync(path, 'r');
  } catch {
    return false;
  }
  const temporary = `${path}.redacting`;
  let output: number | null = null;
  try {
    output = openSync(temporary, 'w', 0o600);
    const decoder = new StringDecoder('utf8');
    const buffer = Buffer.alloc(REDACT_CHUNK_BYTES);
    let position = 0;
    let carry = '';
    let changed = false;
    for (;;) {
      const n = readSync(input, buffer, 0, buffer.length, position);
      position += n;
      const text = carry + (n ? decoder.write(buffer.subarray(0, n)) : decoder.end());
      const end = n ? text.lastIndexOf('\n') + 1 : text.length;
      // Whole lines; a line longer than a chunk is cut where the chunk ends.
      const lines = end > 0 ? text.slice(0, end) : text.length > REDACT_CHUNK_BYTES ? text : '';
      carry = text.slice(lines.length);
      const clean = redact(lines);
      if (clean !== lines) changed = true;
      writeSync(output, clean);
      if (!n) break;
    }
    closeSync(output);
    output = null;
    if (changed) renameSync(temporary, path);
    else rmSync(temporary, { force: true });
    return true;
  } finally {
    if (output !== null) closeSync(output);
    closeSync(input);
    rmSync(temporary, { force: true });
  }
}
