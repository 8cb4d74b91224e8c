// `ci-medic replay FILE.cast`: play a session recording in this terminal.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CastFormatError, parseCast } from '../../watch/asciicast.js';
import { markersOf, replay } from '../../watch/replay.js';
import { defineCommand, UsageError } from '../command.js';

export const HELP = `Usage: ci-medic replay [options] FILE.cast

Plays a recording of an agent session (asciicast v2, as ci-medic writes for every session) in this terminal.

Options:
  --speed X             playback speed factor (default 1; 2 is twice as fast)
  --idle-time-limit S   shorten every pause to at most S seconds (default 2)
  --marker N            start at the Nth marker (a command or a model turn); what came before is shown at once
  --markers             list the markers and exit
  -h, --help            this help

Example:
  ci-medic replay --speed 4 --marker 3 transcript.cast
`;

const REPLAY_OPTIONS = {
  speed: { type: 'string', default: '1' },
  'idle-time-limit': { type: 'string', default: '2' },
  marker: { type: 'string', default: '0' },
  markers: { type: 'boolean' },
} as const;

/** This command words its value errors `FLAG must be …`, pointing at its help. */
const bad = (flag: string, what: string): UsageError => new UsageError(`${flag} ${what}; see 'ci-medic replay --help'`);

export const main = defineCommand(
  { name: 'replay', help: HELP, options: REPLAY_OPTIONS, positionals: true },
  async ({ values, positionals }, io) => {
    const speed = Number(values.speed);
    const idleLimit = Number(values['idle-time-limit']);
    const marker = Number(values.marker);
    if (positionals.length !== 1) throw bad('FILE.cast', 'is required (exactly one recording)');
    if (!(speed > 0) || !Number.isFinite(speed))
      throw bad('--speed', `must be a positive number, got '${values.speed}'`);
    if (!(idleLimit >= 0))
      throw bad('--idle-time-limit', `must be a number of seconds, got '${values['idle-time-limit']}'`);
    if (!Number.isInteger(marker) || marker < 0)
      throw bad('--marker', `must be a marker number (1, 2, …), got '${values.marker}'`);
    let cast;
    try {
      cast = parseCast(readFileSync(resolve(io.cwd, positionals[0]), 'utf8'), positionals[0]);
    } catch (error) {
      if (error instanceof CastFormatError || (error as NodeJS.ErrnoException).code) {
        io.stderr(`ci-medic replay: ${(error as Error).message}\n`);
        return 1;
      }
      throw error;
    }
    if (values.markers) {
      for (const m of markersOf(cast)) io.stdout(`${m.n}\t${m.time.toFixed(2)}s\t${m.label}\n`);
      return 0;
    }
    try {
      await replay(cast, { speed, idleLimit, marker, write: io.stdout, sleep: (ms) => sleep(ms) });
    } catch (error) {
      if (error instanceof RangeError) throw bad('--marker', error.message);
      throw error;
    }
    return 0;
  },
);
