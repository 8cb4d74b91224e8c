// Undo what a journal says a run left behind: put .git/config back byte for byte and stop its tmux server. All
// synchronous, so the same code serves a signal handler with seconds left, the Action's post step and the CLI's next
// start. Says what it repaired; says nothing when there was nothing to repair.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readJournal } from './journal.js';

export interface Recovery {
  /** What was found undone and is now repaired, one sentence each. */
  repaired: string[];
  /** What was deliberately left as it is (a session kept for a rescue). */
  left: string[];
}

export interface RecoverOptions {
  /** The tmux executable (default: tmux on PATH). */
  tmux?: string;
  /** Stop the session even when it was kept for a rescue (a cancelled run has nobody to rescue it). */
  stopKeptSession?: boolean;
}

/** Recover from the journal at `path` and remove it; an absent or unreadable journal means nothing to do. */
export function recoverJournal(path: string, options: RecoverOptions = {}): Recovery {
  const record = readJournal(path);
  const recovery: Recovery = { repaired: [], left: [] };
  if (!record) return recovery;
  if (record.gitConfig) {
    const before = Buffer.from(record.gitConfig.base64, 'base64');
    let current: Buffer | null;
    try {
      current = readFileSync(record.gitConfig.path);
    } catch {
      current = null;
    }
    if (!current || !current.equals(before)) {
      writeFileSync(record.gitConfig.path, before);
      recovery.repaired.push(
        `restored ${record.gitConfig.path} as it was before the repair (the checkout's credential is back)`,
      );
    }
  }
  if (record.session) {
    const { name, socketPath, keptForRescue } = record.session;
    if (keptForRescue && !options.stopKeptSession) {
      if (serverPid(socketPath, options.tmux) !== null) {
        recovery.left.push(`left the agent session "${name}" running: it was kept for a rescue`);
      }
    } else if (stopServer(socketPath, options.tmux)) {
      recovery.repaired.push(`stopped the agent session "${name}" that was left running`);
    }
  }
  rmSync(path, { force: true });
  return recovery;
}

function serverPid(socketPath: string, tmux = 'tmux'): number | null {
  const shown = spawnSync(tmux, ['-S', socketPath, 'display-message', '-p', '#{pid}'], {
    encoding: 'utf8',
    timeout: 3_000,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const pid = Number(shown.stdout?.trim());
  return shown.status === 0 && Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** Kill the tmux server on `socketPath`; true when there was one. */
export function stopServer(socketPath: string, tmux = 'tmux'): boolean {
  const pid = serverPid(socketPath, tmux);
  if (pid === null) return false;
  spawnSync(tmux, ['-S', socketPath, 'kill-server'], { timeout: 3_000, stdio: 'ignore' });
  // A server that waits on a client the dead run left behind: it goes for sure.
  const deadline = Date.now() + 1_000;
  while (alive(pid) && Date.now() < deadline) spawnSync('sleep', ['0.05']);
  if (alive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  rmSync(socketPath, { force: true });
  return true;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' || (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}
