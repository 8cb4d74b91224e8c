// Sabotage of the shell's own state, seen from outside (Linux /proc): a command that replaced the shell with `exec`,
// or lowered its open-file limit so far that the protocol's redirections fail. Neither can be undone from inside,
// so the session respawns the shell. (errexit and TMOUT are healed by the prompt hook itself: see protocol.ts.)
import { basename } from 'node:path';
import { commandName, findShell, openFilesLimit, terminalOf } from './proc.js';

/** Below this many open files the protocol (log, status, fifo, bash's own saved descriptors) cannot work. */
export const MIN_OPEN_FILES = 32;

export class ShellWatch {
  private shellPid: number | null = null;
  private shellTty: string | null = null;
  private readonly name: string;

  constructor(bash: string) {
    this.name = basename(bash);
  }

  /** After a (re)spawn: find the shell under the pane's process (a launcher may put a sandbox and a pty between). */
  locate(panePid: number): void {
    this.shellPid = process.platform === 'linux' ? findShell(panePid, this.name) : null;
    this.shellTty = this.shellPid === null ? null : terminalOf(this.shellPid);
  }

  /**
   * The shell and the terminal it reads, for the hang check: inside the sandbox both differ from the pane's (the
   * shell has a pty of its own). Null when not located (the pane's own process and terminal stand in).
   */
  shell(): { pid: number; tty: string } | null {
    return this.shellPid !== null && this.shellTty !== null ? { pid: this.shellPid, tty: this.shellTty } : null;
  }

  /** Why the shell cannot go on, in a sentence for the model, or null when it looks sound (or cannot be seen). */
  problem(): string | null {
    const pid = this.shellPid;
    if (pid === null) return null;
    const name = commandName(pid);
    if (name === null) return null; // gone: the pane's dead-shell check sees it
    if (name !== this.name) return `a command replaced the shell with "${name}" (exec)`;
    const limit = openFilesLimit(pid);
    if (limit !== null && limit < MIN_OPEN_FILES) return `a command lowered the shell's open-file limit to ${limit}`;
    return null;
  }
}
