// Signs that the command in the pane is waiting for a person: an interactive program in the foreground, or a
// process blocked reading the terminal. Reading the terminal is seen through /proc (Linux only); elsewhere the
// per-command deadline is what catches it.
import { readFileSync, readlinkSync } from 'node:fs';
import { childPids, procStat } from './proc.js';

/** Programs that take over the screen and wait for keys; seeing one in the foreground means the command is stuck. */
export const INTERACTIVE_PROGRAMS = new Set([
  'vi',
  'vim',
  'nvim',
  'view',
  'nano',
  'pico',
  'emacs',
  'less',
  'more',
  'most',
  'man',
  'top',
  'htop',
  'btop',
  'watch',
  'tig',
  'mc',
  'ranger',
  'nmtui',
  'whiptail',
  'dialog',
]);

/** The `read` system call number on the architectures we know; others skip the terminal-read check. */
const READ_SYSCALL: Partial<Record<NodeJS.Architecture, number>> = { x64: 0, arm64: 63, riscv64: 63, ia32: 3 };

/** Upper bound on the processes inspected per check, so a fork bomb cannot make the check itself hang. */
const MAX_PROCESSES_CHECKED = 32;

function readsTerminal(pid: number, paneTty: string, readSyscall: number): boolean {
  let syscall: string;
  try {
    syscall = readFileSync(`/proc/${pid}/syscall`, 'utf8');
  } catch {
    return false;
  }
  const [nr, fdHex] = syscall.trim().split(' ');
  if (Number(nr) !== readSyscall || fdHex === undefined) return false;
  try {
    const target = readlinkSync(`/proc/${pid}/fd/${Number.parseInt(fdHex, 16)}`);
    return target === '/dev/tty' || target === paneTty;
  } catch {
    return false;
  }
}

/**
 * True when the terminal's foreground process group (the shell itself, or the job it runs) is blocked reading the
 * pane's terminal. Only meaningful while a command is known to be running: an idle shell reads its terminal too.
 */
export function foregroundReadsTerminal(shellPid: number, paneTty: string): boolean {
  const readSyscall = READ_SYSCALL[process.arch];
  if (process.platform !== 'linux' || readSyscall === undefined) return false;
  const shell = procStat(shellPid);
  if (!shell) return false;
  const foregroundGroup = shell.tpgid;
  if (!(foregroundGroup > 0)) return false;
  // Walk the shell's descendants (bounded), checking those in the foreground group.
  const queue = [shellPid];
  let checked = 0;
  while (queue.length && checked < MAX_PROCESSES_CHECKED) {
    const pid = queue.shift() as number;
    checked++;
    const stat = pid === shellPid ? shell : procStat(pid);
    if (stat && stat.pgrp === foregroundGroup && readsTerminal(pid, paneTty, readSyscall)) return true;
    queue.push(...childPids(pid));
  }
  return false;
}
