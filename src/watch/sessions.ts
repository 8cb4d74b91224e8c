// What the dashboard shows about each session on this machine: the terminal layer's list, plus the command running
// now (from the protocol's files), the session's recording and the transcript of the repair running in it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listSessions } from '../terminal/session.js';
import { stateDirFor } from '../terminal/tmux.js';
import { commandFile, rcFile } from '../terminal/protocol.js';
import { hasRecording, RECORDING_FILE } from './command.js';

/** The recorder writes the repair's transcript path here (see `__record --transcript`). */
export const TRANSCRIPT_POINTER = 'transcript.path';
const SHOWN_COMMAND_CHARS = 300;

export interface DashboardSession {
  name: string;
  created: string;
  pid: number;
  cwd: string;
  state: 'idle' | 'busy' | 'dead';
  /** The command running now (first line, cut), or null. */
  command: string | null;
  recorded: boolean;
  hasTranscript: boolean;
}

/** The highest-numbered command without its status file: the one running now. */
export function runningCommand(stateDir: string): string | null {
  let highest = 0;
  try {
    for (const file of readdirSync(stateDir)) {
      const m = /^(\d+)\.sh$/.exec(file);
      if (m) highest = Math.max(highest, Number(m[1]));
    }
  } catch {
    return null;
  }
  if (!highest || existsSync(rcFile(stateDir, highest))) return null;
  try {
    const text = readFileSync(commandFile(stateDir, highest), 'utf8').replace(/\n+$/, '');
    const first = text.split('\n')[0];
    const shown = first.length > SHOWN_COMMAND_CHARS ? `${first.slice(0, SHOWN_COMMAND_CHARS)}…` : first;
    return text.includes('\n') ? `${shown} …` : shown;
  } catch {
    return null;
  }
}

export function transcriptPathOf(name: string): string | null {
  try {
    const path = readFileSync(join(stateDirFor(name), TRANSCRIPT_POINTER), 'utf8').trim();
    return path && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

export async function dashboardSessions(): Promise<DashboardSession[]> {
  return (await listSessions()).map((s) => {
    const stateDir = stateDirFor(s.name);
    const state = !s.alive ? 'dead' : s.busy ? 'busy' : 'idle';
    return {
      name: s.name,
      created: s.created.toISOString(),
      pid: s.pid,
      cwd: s.cwd,
      state,
      command: state === 'busy' ? runningCommand(stateDir) : null,
      recorded: hasRecording(join(stateDir, RECORDING_FILE)),
      hasTranscript: transcriptPathOf(s.name) !== null,
    };
  });
}

/** The transcript's last `max` events (the loop has already redacted them). */
export function transcriptEvents(name: string, max = 400): unknown[] {
  const path = transcriptPathOf(name);
  if (!path) return [];
  const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean).slice(-max);
  return lines.flatMap((line) => {
    try {
      return [JSON.parse(line) as unknown];
    } catch {
      return [];
    }
  });
}
