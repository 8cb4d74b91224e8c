// tmate as the rescue host (the fallback): tmate's own server, attached to the agent's session.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { joinCommandFor, shellQuote } from './instructions.js';
import {
  type RunningHost,
  type Prepared,
  socketIn,
  run,
  readText,
  lastLines,
  stripAnsi,
  killGroup,
  sleep,
  STOP_GRACE_MS,
  WRAPPER_SESSION,
} from './host-process.js';

export async function launchTmate(p: Prepared): Promise<RunningHost> {
  const { options } = p;
  const socket = socketIn(options.stateDir, 'tmate.sock', options.socketPath);
  const join1 = joinCommandFor(options.socketPath, options.sessionName);
  // The window's command: attach to the agent's session (nested: prefix twice to reach it); when the person detaches
  // from it, leave them a shell with a reminder. tmate restarts the command if it exits, which re-attaches.
  const attachScript = join(options.stateDir, 'tmate-attach.sh');
  writeFileSync(
    attachScript,
    [
      '#!/bin/bash',
      "# Written by ci-medic: the tmate window joins the agent's tmux session.",
      join1,
      // printf with single-quoted text: nothing in a path or name is expanded by the shell.
      `printf '%s\\n' ${shellQuote(`ci-medic: you left the agent's session. Re-join: ${join1}`)}`,
      `printf '%s\\n' ${shellQuote(`ci-medic: let the job go on: touch ${shellQuote(options.continueFile)}`)}`,
      'exec bash -i',
      '',
    ].join('\n'),
    { mode: 0o700 },
  );
  const conf = join(options.stateDir, 'tmate.conf');
  const server = options.tmateServer;
  writeFileSync(
    conf,
    [
      'set -g history-limit 5000',
      `set -g default-command ${shellQuote(`exec /bin/bash ${attachScript}`)}`,
      ...(server ? [`set -g tmate-server-host ${shellQuote(server.host)}`] : []),
      ...(server?.port ? [`set -g tmate-server-port ${server.port}`] : []),
      ...(server?.rsaFingerprint ? [`set -g tmate-server-rsa-fingerprint ${shellQuote(server.rsaFingerprint)}`] : []),
      ...(server?.ed25519Fingerprint
        ? [`set -g tmate-server-ed25519-fingerprint ${shellQuote(server.ed25519Fingerprint)}`]
        : []),
      '',
    ].join('\n'),
  );
  const args = [
    '-S',
    socket,
    '-f',
    conf,
    ...(p.keysFile ? ['-a', p.keysFile] : []),
    '-F',
    'new-session',
    '-s',
    WRAPPER_SESSION,
    '-x',
    '160',
    '-y',
    '48',
    `exec /bin/bash ${shellQuote(attachScript)}`,
  ];
  const out = openSync(p.logFile, 'a');
  let child: ChildProcess;
  try {
    // Its own process group, so stopping it takes every child along and nothing else.
    child = spawn(p.executable, args, { env: p.env, detached: true, stdio: ['ignore', out, out] });
  } finally {
    closeSync(out);
  }
  let exitedWith: string | undefined;
  let spawnError: string | undefined;
  child.on('error', (error) => (spawnError = error.message));
  child.on('exit', (code, signal) => (exitedWith = signal ? `signal ${signal}` : `exit code ${code}`));
  const tmate = (targs: string[]) => run(p.executable, ['-S', socket, ...targs], p.env);

  return {
    async connection() {
      const fromLog = parseTmateConnection(readText(p.logFile));
      if (fromLog) return fromLog;
      const shown = await tmate(['display', '-p', '#{tmate_ssh}'])
        .then((o) => o.stdout.trim())
        .catch(() => '');
      return shown.startsWith('ssh') ? shown : undefined;
    },
    async clients() {
      const shown = await tmate(['display', '-p', '#{tmate_num_clients}'])
        .then((o) => o.stdout.trim())
        .catch(() => '');
      return /^\d+$/.test(shown) ? Number(shown) : 0;
    },
    async exited() {
      if (spawnError) return `could not run ${p.executable}: ${spawnError}`;
      return exitedWith;
    },
    tail: () => lastLines(readText(p.logFile)),
    async stop() {
      if (exitedWith === undefined && child.pid) {
        await tmate(['kill-server']).catch(() => undefined);
        const deadline = Date.now() + STOP_GRACE_MS;
        while (exitedWith === undefined && Date.now() < deadline) await sleep(50);
        if (exitedWith === undefined) killGroup(child.pid, 'SIGKILL');
      }
      if (child.pid) killGroup(child.pid, 'SIGKILL');
      appendFileSync(p.logFile, '');
    },
  };
}

/** The read-write `ssh session: ssh …` line tmate prints in foreground mode. */
export function parseTmateConnection(text: string): string | undefined {
  const match = /^ssh session: (ssh .+)$/m.exec(stripAnsi(text));
  return match?.[1].trim();
}
