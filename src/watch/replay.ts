// Play a recording back in a terminal: real time scaled by `speed`, pauses longer than `idleLimit` shortened, and
// optionally starting at a marker (everything before it is printed at once, so the screen is as it was there).
import type { Cast } from './asciicast.js';

export interface ReplayOptions {
  speed: number;
  /** Longest pause played, in seconds. */
  idleLimit: number;
  /** Start at the Nth marker (1-based); 0 plays from the beginning. */
  marker: number;
  write: (data: string) => void;
  sleep: (ms: number) => Promise<void>;
  signal?: AbortSignal;
}

export const markersOf = (cast: Cast): Array<{ n: number; time: number; label: string }> =>
  cast.events.filter((e) => e[1] === 'm').map((e, i) => ({ n: i + 1, time: e[0], label: e[2] }));

export async function replay(cast: Cast, options: ReplayOptions): Promise<void> {
  let start = 0;
  if (options.marker > 0) {
    const markers = cast.events.flatMap((e, i) => (e[1] === 'm' ? [i] : []));
    if (options.marker > markers.length) {
      throw new RangeError(`the recording has ${markers.length} markers; --marker ${options.marker} is past the last`);
    }
    start = markers[options.marker - 1];
    options.write(
      cast.events
        .slice(0, start)
        .filter((e) => e[1] === 'o')
        .map((e) => e[2])
        .join(''),
    );
  }
  let last = start > 0 ? cast.events[start][0] : 0;
  for (const [time, code, data] of cast.events.slice(start)) {
    if (options.signal?.aborted) return;
    const pause = Math.min(Math.max(0, time - last), options.idleLimit) / options.speed;
    last = time;
    if (pause > 0.001) await options.sleep(pause * 1000);
    if (code === 'o') options.write(data);
  }
}
