// One command's round trip: write N.run, type its line, wait (wait.ts) while watching for hangs, climb the recovery
// ladder when it will not finish, and read the result back.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { foregroundReadsTerminal } from './hang.js';
import { climbLadder } from './ladder.js';
import { ForegroundServerProbe } from './listen.js';
import { PaneFeed } from './feed.js';
import { fileSize, readOutput, redactLogFile } from './log.js';
import { readRc, type Pane } from './pane.js';
import { logFile, rcFile, runFile, runScript, typedLine, type ProtocolPaths } from './protocol.js';
import { serverAlive } from './server.js';
import { TmuxError } from './tmux.js';
import type { CommandResult, RunOptions, StopReason } from './types.js';
import { CommandWatch, raceSleep, waitForCommand } from './wait.js';

/** Per-command deadline when the caller gives none (matches DEFAULT_COMMAND_TIMEOUT_MS in config.ts). */
export const DEFAULT_RUN_TIMEOUT_MS = 10 * 60_000;
/** After waking a command's channel ourselves, how long its waiter gets to notice. */
const RELEASE_MS = 2_000;

/** What a command needs of its session. */
export interface CommandHost {
  name: string;
  stateDir: string;
  socketPath: string;
  tmux: string;
  paths: ProtocolPaths;
  pane: Pane;
  /** Applied to what the pane shows (the command line, its output). */
  redact: (text: string) => string;
  /** The caller gave a redactor: logs are rewritten through it after each command. */
  redactsLogs: boolean;
  /** A fresh shell in the directory the last command left. */
  respawn: () => Promise<void>;
  /** Why the shell cannot go on (see health.ts), or null. */
  shellProblem: () => string | null;
  /** The shell's process and terminal when located (see health.ts); the pane's stand in otherwise. */
  shell: () => { pid: number; tty: string } | null;
}

function writePrivate(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
}

export async function executeCommand(
  host: CommandHost,
  n: number,
  command: string,
  options: RunOptions,
  retried = false,
): Promise<CommandResult> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS;
  const rules = {
    deadline: started + timeoutMs,
    signal: options.signal,
    idleTimeoutMs: options.idleTimeoutMs,
    detectHangs: options.detectHangs !== false,
    detectServers: options.detectServers !== false,
  };
  const logPath = logFile(host.stateDir, n);
  writePrivate(runFile(host.stateDir, n), runScript(host.paths, n, host.redact(command)));
  rmSync(rcFile(host.stateDir, n), { force: true });

  // The pane shows the output only through the feed (feed.ts), which follows the log and redacts it.
  const feed = new PaneFeed(logPath, await host.pane.sink(), host.redact);
  feed.start();
  let reported = false;
  let clientError: unknown = null;
  const client = host.pane.typeAndWait(n, typedLine(host.paths, n)).then(
    () => void (reported = true),
    (error: unknown) => void (clientError = error),
  );
  const finished = () => reported || clientError !== null;
  const done = () => {
    feed.finish();
    host.pane.signalDrawn(n);
  };
  let stop: StopReason | null;
  const watch = new CommandWatch(rules, started);
  const servers = new ForegroundServerProbe();
  try {
    stop = await waitForCommand(
      watch,
      rules,
      {
        finished,
        reported: client,
        poll: () => {
          if (readRc(host.stateDir, n)) host.pane.wake(n);
        },
        pane: () => host.pane.state().catch(() => null),
        logSize: () => fileSize(logPath),
        readsTerminal: (pane) => {
          const shell = host.shell() ?? pane;
          return foregroundReadsTerminal(shell.pid, shell.tty);
        },
        listener: (pane) => servers.look(pane.pid),
        broken: host.shellProblem,
        serverAlive: () => serverAlive(host.socketPath, host.tmux).catch(() => true),
      },
      () => {
        host.pane.forget(n);
        throw new TmuxError('no-server', `session "${host.name}" ended while command ${n} was running`);
      },
    );
    if (clientError && !reported) throw clientError;
  } catch (error) {
    done();
    throw error;
  }

  const recovery: string[] = [];
  let shellRestarted = false;
  const notes: string[] = [];
  const brokenBy = stop === 'broken-shell' ? host.shellProblem() : null;
  if (stop && !reported) {
    if (stop === 'dead-shell' && !existsSync(logPath) && !retried) {
      // The shell was dead before it read the line (killed between commands): respawn and type it again.
      await release(host, n, client);
      done();
      await host.respawn();
      const again = await executeCommand(host, n, command, options, true);
      return {
        ...again,
        shellRestarted: true,
        recovery: ['respawn (shell was dead before the command)', ...(again.recovery ?? [])],
      };
    }
    shellRestarted = await climbLadder(
      stop,
      {
        sendKeys: (...keys) => host.pane.sendKeys(...keys),
        pane: () => host.pane.state().catch(() => null),
        settled: async (ms) => {
          await raceSleep(client, ms);
          return finished();
        },
        respawn: host.respawn,
      },
      recovery,
    );
  }
  if (!reported) await release(host, n, client);
  done();

  const rc = readRc(host.stateDir, n);
  if (brokenBy) notes.push(`The shell was restarted in the same directory: ${brokenBy}.`);
  if (stop === 'dead-shell') {
    notes.push('The shell exited (exit, or errexit and a failure) and was restarted in the same directory.');
  }
  for (const healed of rc?.healed ?? []) {
    if (healed === 'tmout') recovery.push('unset TMOUT');
    notes.push(
      healed === 'errexit'
        ? 'errexit (set -e) is on in the shell: a failing command will end it (it is then restarted in the same directory, environment reset); run set +e to avoid that.'
        : 'The command set TMOUT in the shell, which would end it when idle: it was unset.',
    );
  }
  // A command that completed but left the shell unusable (lowered limits, exec): respawn before the next one.
  const after = stop ? null : host.shellProblem();
  if (after) {
    recovery.push('respawn-pane -k');
    await host.respawn();
    shellRestarted = true;
    notes.push(`The shell was restarted in the same directory: ${after}.`);
  }
  // Back at the prompt without having finished: C-c from outside (a person attached, or interrupt()).
  if (!stop && rc !== null && !rc.done) stop = 'interrupted';
  const completed = !stop && rc !== null && rc.done;
  // The logs outlive the run: with a redactor, they hold no secret either.
  if (host.redactsLogs) redactLogFile(logPath, host.redact);
  const { output, truncated } = readOutput(logPath);
  return {
    exitCode: completed && rc ? rc.status : null,
    output,
    outputTruncated: truncated,
    outputPath: logPath,
    durationMs: Date.now() - started,
    timedOut: stop === 'timeout',
    interrupted: stop !== null && !shellRestarted,
    shellRestarted,
    stoppedBecause: stop,
    ...(stop === 'foreground-server' && watch.server ? { foregroundServer: watch.server } : {}),
    ...(notes.length ? { shellNote: notes.join(' ') } : {}),
    recovery,
  };
}

/** Stop waiting for a command's report that will never come, and let the wait settle. */
async function release(host: CommandHost, n: number, client: Promise<void>): Promise<void> {
  host.pane.wake(n);
  await raceSleep(client, RELEASE_MS);
}
