// A server in the foreground, seen from outside (Linux /proc): a process of the command's foreground job holds a
// listening socket, and the job sits idle. The job is the process group the shell's terminal has in the foreground,
// other than the shell itself: processes this command created (or a job it brought back with `fg`), never a server
// an earlier command started with `&`, which job control put in a group of its own. Inside the sandbox the shell has
// its own network and PID namespaces: the socket tables are read through a process inside (/proc/<pid>/net/*), and
// the pids are the host's, which /proc shows from outside all the same.
//
// What is not a foreground server: a test suite's own server. Tests bind port 0 and get a port from the ephemeral
// range, which is skipped; and a suite that runs against a fixed port keeps its job busy, while a server waiting for
// requests uses next to no CPU, so the job must stay idle between two looks.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { endianness } from 'node:os';
import { basename } from 'node:path';
import { childPidsOfAllThreads, commandName, procStat } from './proc.js';

export interface ForegroundServer {
  /** The port it listens on. */
  port: number;
  protocol: 'tcp' | 'udp';
  /** The local address it is bound to (`0.0.0.0`, `127.0.0.1`, `::`, ...). */
  address: string;
  /** The listening process (host pid: inside the sandbox's PID namespace it has another number). */
  pid: number;
  /** Its program's file name (/proc/<pid>/exe; its command name when that cannot be read), like `node` or `python3.11`. */
  program: string;
}

/** Bounds on one look, so a fork bomb or a process with a huge fd table cannot make the look itself slow. */
const MAX_PROCESSES = 128;
const MAX_JOB_PROCESSES = 32;
const MAX_FDS_PER_PROCESS = 4096;

/** TCP_LISTEN in /proc/net/tcp; an unconnected UDP socket shows TCP_CLOSE (07) with a zero remote address. */
const TCP_LISTEN = '0A';
const UDP_UNCONNECTED = '07';

/**
 * Ports from here up are what a server bound to port 0 gets (Linux's default ephemeral range is 32768-60999): a
 * test's server, not one started by number. A new network namespace (the sandbox's) starts with that default.
 */
export const EPHEMERAL_PORTS_FROM = 32_768;
/** Clock ticks per second in /proc/<pid>/stat (USER_HZ, 100 on every Linux we run on). */
const CLOCK_TICKS = 100;
/** A job that used at most this share of one CPU between two looks is idle: a server waiting for requests. */
const IDLE_CPU_SHARE = 0.1;
/** Two looks further apart than this (output came in between) do not confirm each other. */
const MAX_LOOK_GAP_MS = 5_000;

/** One look at the foreground job: its first listener, and the CPU time its processes have used. */
interface JobSample {
  server: ForegroundServer;
  /** The job's pids, joined: a job whose processes changed between two looks is busy. */
  pids: string;
  cpuTicks: number;
  at: number;
}

/**
 * Looks for a foreground server for one command. `look` reports the server only on the second of two looks, not
 * too far apart, that saw the same listener with the job idle in between.
 */
export class ForegroundServerProbe {
  private previous: JobSample | null = null;

  look(panePid: number, now = Date.now()): ForegroundServer | null {
    const sample = sampleJob(panePid, now);
    const before = this.previous;
    this.previous = sample;
    if (!sample || !before || now - before.at > MAX_LOOK_GAP_MS || sample.pids !== before.pids) return null;
    if (sample.server.port !== before.server.port || sample.server.pid !== before.server.pid) return null;
    const used = sample.cpuTicks - before.cpuTicks;
    return used >= 0 && used <= ((now - before.at) / 1000) * CLOCK_TICKS * IDLE_CPU_SHARE ? sample.server : null;
  }
}

/**
 * The first listening socket held by a process of the foreground job under `panePid` (TCP before UDP, lowest port
 * first; ephemeral ports skipped), with the job's CPU time, or null. Linux only; elsewhere null (the per-command
 * deadline catches the server instead).
 */
function sampleJob(panePid: number, now: number): JobSample | null {
  if (process.platform !== 'linux' || !(panePid > 0)) return null;
  const job = foregroundJob(panePid);
  if (!job.length) return null;
  const holders = new Map<string, number>(); // socket inode -> pid
  const namespaces = new Map<string, number>(); // network namespace -> a pid inside it
  for (const { pid } of job) {
    for (const inode of socketInodes(pid)) holders.set(inode, pid);
    const ns = netNamespace(pid);
    if (ns && !namespaces.has(ns)) namespaces.set(ns, pid);
  }
  if (!holders.size) return null;
  const found: ForegroundServer[] = [];
  for (const pid of namespaces.values()) {
    for (const protocol of ['tcp', 'udp'] as const) {
      for (const table of [protocol, `${protocol}6`]) {
        for (const row of listeningRows(pid, table, protocol)) {
          const holder = holders.get(row.inode);
          if (holder === undefined || row.port >= EPHEMERAL_PORTS_FROM) continue;
          found.push({ port: row.port, protocol, address: row.address, pid: holder, program: programName(holder) });
        }
      }
    }
  }
  found.sort((a, b) => (a.protocol === b.protocol ? a.port - b.port : a.protocol === 'tcp' ? -1 : 1));
  if (!found.length) return null;
  return {
    server: found[0],
    pids: job.map((p) => p.pid).join(' '),
    cpuTicks: job.reduce((sum, p) => sum + p.cpuTicks, 0),
    at: now,
  };
}

/**
 * The processes under `panePid` that belong to a foreground job: their process group is their terminal's foreground
 * group and is not the terminal's session (the shell). Inside the sandbox that is the inner shell's pty; the
 * processes around it (the sandbox host, bwrap, its proxy bridges) are either the pane's own session or have no
 * terminal.
 */
function foregroundJob(panePid: number): { pid: number; cpuTicks: number }[] {
  const job: { pid: number; cpuTicks: number }[] = [];
  const queue = [panePid];
  for (let seen = 0; queue.length && seen < MAX_PROCESSES; seen++) {
    const pid = queue.shift() as number;
    const stat = procStat(pid);
    if (!stat) continue;
    if (stat.tpgid > 0 && stat.pgrp === stat.tpgid && stat.tpgid !== stat.session && job.length < MAX_JOB_PROCESSES)
      job.push({ pid, cpuTicks: stat.cpuTicks });
    queue.push(...childPidsOfAllThreads(pid));
  }
  return job;
}

function socketInodes(pid: number): string[] {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return [];
  }
  const inodes: string[] = [];
  for (const fd of fds.slice(0, MAX_FDS_PER_PROCESS)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.push(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

/** The executable's file name: command names lie (Node calls its main thread "MainThread"). */
function programName(pid: number): string {
  try {
    return basename(readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, ''));
  } catch {
    return commandName(pid) ?? '?';
  }
}

function netNamespace(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/ns/net`);
  } catch {
    return null;
  }
}

interface ListeningRow {
  inode: string;
  port: number;
  address: string;
}

/** The listening rows of /proc/<pid>/net/<table>: TCP in LISTEN, UDP bound and unconnected. */
export function listeningRows(pid: number, table: string, protocol: 'tcp' | 'udp'): ListeningRow[] {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
  } catch {
    return [];
  }
  return parseSocketTable(text, protocol);
}

/** Parse a /proc/net/{tcp,tcp6,udp,udp6} table (first line is the header). */
export function parseSocketTable(text: string, protocol: 'tcp' | 'udp'): ListeningRow[] {
  const rows: ListeningRow[] = [];
  for (const line of text.split('\n').slice(1)) {
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [local, remote, state, inode] = [f[1], f[2], f[3], f[9]];
    const listening = protocol === 'tcp' ? state === TCP_LISTEN : state === UDP_UNCONNECTED && /^0+:0000$/.test(remote);
    if (!listening || inode === '0') continue;
    const [addressHex, portHex] = local.split(':');
    rows.push({ inode, port: Number.parseInt(portHex, 16), address: formatAddress(addressHex) });
  }
  return rows;
}

/** The kernel prints each 32-bit word of the address in host byte order. */
function formatAddress(hex: string): string {
  const little = endianness() === 'LE';
  const bytes: number[] = [];
  for (let w = 0; w < hex.length; w += 8) {
    const word = hex.slice(w, w + 8);
    for (let i = 0; i < 4; i++) {
      const b = little ? 6 - 2 * i : 2 * i;
      bytes.push(Number.parseInt(word.slice(b, b + 2), 16));
    }
  }
  if (bytes.length === 4) return bytes.join('.');
  if (bytes.every((b) => b === 0)) return '::';
  if (bytes.slice(0, 15).every((b) => b === 0) && bytes[15] === 1) return '::1';
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff)
    return `::ffff:${bytes.slice(12).join('.')}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return groups.join(':');
}

/** Commands up to this long are quoted back in the advice as they were typed; longer ones are named COMMAND. */
const QUOTED_COMMAND_CHARS = 200;

/**
 * What to tell whoever typed `command` (the model, a person at `ci-medic run`) after it was stopped as a foreground
 * server: what happened and how to run it instead.
 */
export function foregroundServerAdvice(server: ForegroundServer, command?: string): string {
  const text = command?.trim() ?? '';
  const quoted = text && !text.includes('\n') && text.length <= QUOTED_COMMAND_CHARS ? text : 'COMMAND';
  const where = `${hostFor(server.address)}:${server.port}`;
  const query =
    server.protocol === 'tcp'
      ? `then wait for the port and query it (\`for i in $(seq 50); do curl -s ${where} >/dev/null && break; sleep 0.2; done; curl ${where}\`)`
      : `then talk to it on UDP ${where}`;
  return (
    `This started a server (${server.program}) on ${server.protocol.toUpperCase()} port ${server.port} in the ` +
    `foreground and never returned; ci-medic stopped it. Start it in the background with its output to a file ` +
    `(\`${quoted} > server.log 2>&1 &\`), ${query}.`
  );
}

/** How a client on the same machine reaches an address a server is bound to. */
function hostFor(address: string): string {
  if (['0.0.0.0', '::', '127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(address)) return 'localhost';
  return address.includes(':') ? `[${address}]` : address;
}
