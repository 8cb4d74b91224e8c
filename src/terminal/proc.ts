// Reading /proc/<pid>/stat (Linux): is a process alive, which process group and terminal is it in. Elsewhere the
// answers fall back to kill(0), and the callers' deadlines cover what /proc would have told.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface ProcStat {
  /** R, S, D, Z (zombie), T, ... */
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  /** The foreground process group of the process's controlling terminal. */
  tpgid: number;
  /** CPU time used so far, user and system, in clock ticks (utime + stime). */
  cpuTicks: number;
}

/** The fields of /proc/<pid>/stat we use; null when there is no such process (or no /proc). */
export function procStat(pid: number | string): ProcStat | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // "pid (comm) state ppid pgrp session tty_nr tpgid ...": comm may hold spaces and ')', so split after the last ')'.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    state: f[0],
    ppid: Number(f[1]),
    pgrp: Number(f[2]),
    session: Number(f[3]),
    tpgid: Number(f[5]),
    cpuTicks: Number(f[11]) + Number(f[12]),
  };
}

/** The process exists and is not a zombie (an exited daemon whose reaper is slow, as under containers' init). */
export function pidAlive(pid: number): boolean {
  if (!(pid > 0)) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (process.platform !== 'linux') return true;
  const stat = procStat(pid);
  return stat === null ? true : stat.state !== 'Z';
}

/** The direct children of a process (Linux; empty elsewhere). */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Threads of one process whose children are read, at most (a bound for a process with thousands of threads). */
const MAX_THREADS_READ = 256;

/**
 * The children of every thread of a process (Linux; empty elsewhere). `childPids` reads the main thread's only; a
 * multi-threaded parent may fork from any thread (Go's os/exec does: `go run` starts the program from one).
 */
export function childPidsOfAllThreads(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const task of tasks.slice(0, MAX_THREADS_READ)) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (text) children.push(...text.split(/\s+/).map(Number));
    } catch {
      // the thread ended meanwhile
    }
  }
  return children;
}

/** The process's command name (/proc/<pid>/comm), or null. */
export function commandName(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

/** The soft limit on open files of a process (/proc/<pid>/limits), or null when unknown. */
export function openFilesLimit(pid: number): number | null {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
    return m ? (m[1] === 'unlimited' ? Infinity : Number(m[1])) : null;
  } catch {
    return null;
  }
}

/** The first process named `name` among `pid` and its descendants (breadth first, bounded), or null. */
/**
 * The interactive shell under a pane: the innermost process named `name` that leads its own session (a shell on a
 * terminal of its own). Without a launcher that is the pane's process itself; with the sandbox's, the pane runs the
 * sandbox host and the shell sits inside bubblewrap on the pty `script` gave it. Idle shells only: call it between
 * commands (a running `bash script.sh` is named bash too, but leads no session). Falls back to the first process
 * named `name`.
 */
export function findShell(panePid: number, name: string, limit = 64): number | null {
  const queue = [panePid];
  let first: number | null = null;
  let leader: number | null = null;
  for (let seen = 0; queue.length && seen < limit; seen++) {
    const next = queue.shift() as number;
    if (commandName(next) === name) {
      first ??= next;
      if (procStat(next)?.session === next) leader = next;
    }
    queue.push(...childPids(next));
  }
  return leader ?? first;
}

/** The terminal a process reads (its standard input's device, like /dev/pts/3), or null. */
export function terminalOf(pid: number): string | null {
  try {
    const target = readlinkSync(`/proc/${pid}/fd/0`);
    return target.startsWith('/dev/') ? target : null;
  } catch {
    return null;
  }
}
