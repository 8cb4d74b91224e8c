// Reading a command's log back: the exact bytes it wrote, once the shell side has finished writing them.
import { readFileSync, statSync } from 'node:fs';

/** After the status arrives, how long to wait for tee to write the end marker into the log. */
export const LOG_FLUSH_MS = 3_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return -1;
  }
}

function readOr(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch {
    return Buffer.alloc(0);
  }
}

/** The log minus the end marker. A completed command's log is read once the marker is there. */
export async function readOutput(path: string, marker: string, completed: boolean): Promise<string> {
  const bytes = Buffer.from(marker);
  const until = Date.now() + (completed ? LOG_FLUSH_MS : 300);
  let delay = 1;
  let last = -1;
  for (;;) {
    const data = readOr(path);
    const at = data.lastIndexOf(bytes);
    if (at >= 0) return Buffer.concat([data.subarray(0, at), data.subarray(at + bytes.length)]).toString('utf8');
    // Cut short: no marker will come; wait only until tee stops writing.
    if (!completed && data.length === last && delay > 8) return data.toString('utf8');
    if (Date.now() >= until) return data.toString('utf8');
    last = data.length;
    await sleep(delay);
    delay = Math.min(delay * 2, 50);
  }
}
