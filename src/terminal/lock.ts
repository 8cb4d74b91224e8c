// The busy lock: one file in the state directory naming the process and command that hold the pane, so a second
// process (another `ci-medic run`) never types into a pane that is running a command. A lock whose process is gone
// is stale and ignored.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { pidAlive } from './proc.js';
import { TmuxError } from './tmux.js';

export interface LockHolder {
  pid: number;
  n: number;
}

export const lockFile = (stateDir: string) => `${stateDir}/busy.lock`;

export function readLock(stateDir: string): LockHolder | null {
  try {
    return JSON.parse(readFileSync(lockFile(stateDir), 'utf8')) as LockHolder;
  } catch {
    return null;
  }
}

/** The live process (other than this one) holding the pane, or null. */
export function otherHolder(stateDir: string): LockHolder | null {
  const lock = readLock(stateDir);
  return lock && lock.pid !== process.pid && pidAlive(lock.pid) ? lock : null;
}

/** A live process holds the pane (this one included). */
export function lockHeld(stateDir: string): boolean {
  const lock = readLock(stateDir);
  return lock !== null && pidAlive(lock.pid);
}

export function takeLock(stateDir: string, name: string, n: number): void {
  const holder = otherHolder(stateDir);
  if (holder) {
    throw new TmuxError('busy', `session "${name}" is busy: command ${holder.n} is running (process ${holder.pid})`);
  }
  writeFileSync(lockFile(stateDir), JSON.stringify({ pid: process.pid, n }), { mode: 0o600 });
}

export function releaseLock(stateDir: string, n: number): void {
  const lock = readLock(stateDir);
  if (lock && lock.pid === process.pid && lock.n === n) rmSync(lockFile(stateDir), { force: true });
}
