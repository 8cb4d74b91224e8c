// Listing every ci-medic session of this user: one socket per server under the base directory.
import { readdirSync, unlinkSync } from 'node:fs';
import { lockHeld } from './lock.js';
import { baseDir, execTmux, socketPathFor, stateDirFor, TmuxError } from './tmux.js';
import type { SessionInfo } from './types.js';

/** Every ci-medic session of this user (no server at all: an empty list). Stale sockets are removed. */
export async function listSessions(): Promise<SessionInfo[]> {
  let files: string[];
  try {
    files = readdirSync(baseDir());
  } catch {
    return [];
  }
  const out: SessionInfo[] = [];
  for (const file of files.sort()) {
    const m = /^([a-zA-Z0-9_.-]+)\.sock$/.exec(file);
    if (!m) continue;
    const name = m[1];
    const socketPath = socketPathFor(name);
    let stdout: string;
    try {
      ({ stdout } = await execTmux(socketPath, [
        'list-panes',
        '-a',
        '-F',
        '#{session_created}\t#{pane_pid}\t#{pane_current_path}\t#{pane_dead}\t#{pane_current_command}',
      ]));
    } catch (error) {
      if (error instanceof TmuxError && (error.kind === 'no-server' || error.kind === 'socket-gone')) {
        try {
          unlinkSync(socketPath); // a stale socket from a server that died
        } catch {
          // already gone
        }
        continue;
      }
      throw error;
    }
    const [created, pid, cwd, dead, command] = (stdout.split('\n')[0] ?? '').split('\t');
    out.push({
      name,
      socketPath,
      created: new Date(Number(created) * 1000),
      pid: Number(pid),
      cwd: cwd ?? '',
      alive: dead !== '1',
      busy: dead !== '1' && (lockHeld(stateDirFor(name)) || command !== 'bash'),
    });
  }
  return out;
}
