// One command's round trip: write N.run, type its line, wait (wait.ts) while watching for hangs, climb the recovery
// ladder when it will not finish, and read the result back.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { foregroundReadsTerminal } from './hang.js';
import { climbLadder } from './ladder.js';
import { fileSize, readOutput } from './log.js';
import { readRc, type Pane } from './pane.js';
import {
  channelName,
  endMarker,
  logFile,
  rcFile,
  runFile,
  runScript,
  typedLine,
  type ProtocolPaths,
} from './protocol.js';
import { serverAlive } from './server.js';
import { TmuxError } from './tmux.js';
import type { CommandResult, RunOptions, StopReason } from './types.js';
import { CommandWatch, raceSleep, waitForCommand } from './wait.js';

/** Per-command deadline when the caller gives none (matches DEFAULT_COMMAND_TIMEOUT_MS in config.ts). */
export const DEFAULT_RUN_TIMEOUT_MS = 10 * 60_000;
/** After waking a command's channel ourselves, how long its waiter gets to notice. */
const RELEASE_MS = 2_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** What a command needs of its session. */
export interface CommandHost {
  name: string;
  stateDir: string;
  socketPath: string;
  tmux: string;
  token: string;
  paths: ProtocolPaths;
  pane: Pane;
  /** Applied to the command line shown in the pane. */
  redact: (text: string) => string;
  /** A fresh shell in the directory the last command left. */
  respawn: () => Promise<void>;
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
  };
  writePrivate(runFile(host.stateDir, n), runScript(host.paths, n, host.redact(command)));
  rmSync(rcFile(host.stateDir, n), { force: true });

  const channel = channelName(host.token, n);
  let reported = false;
  let clientError: unknown = null;
  const client = host.pane.typeAndWait(n, typedLine(host.paths, n), channel, timeoutMs).then(
    () => void (reported = true),
    (error: unknown) => void (clientError = error),
  );
  const finished = () => reported || clientError !== null;
  let stop: StopReason | null = await waitForCommand(
    new CommandWatch(rules, started),
    rules,
    {
      finished,
      reported: client,
      poll: () => {
        if (readRc(host.stateDir, n)) host.pane.wake(n);
      },
      pane: () => host.pane.state().catch(() => null),
      logSize: () => fileSize(logFile(host.stateDir, n)),
      readsTerminal: (pane) => foregroundReadsTerminal(pane.pid, pane.tty),
      serverAlive: () => serverAlive(host.socketPath, host.tmux).catch(() => true),
    },
    () => {
      host.pane.forget(n);
      throw new TmuxError('no-server', `session "${host.name}" ended while command ${n} was running`);
    },
  );
  if (clientError && !reported) throw clientError;

  const recovery: string[] = [];
  let shellRestarted = false;
  if (stop && !reported) {
    if (stop === 'dead-shell' && !existsSync(logFile(host.stateDir, n)) && !retried) {
      // The shell was dead before it read the line (killed between commands): respawn and type it again.
      await release(host, n, channel, client);
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
  if (!reported) await release(host, n, channel, client);

  // The wait-for signal (fallback path) comes just before N.rc is written.
  let rc = readRc(host.stateDir, n);
  for (let delay = 1; reported && !rc && delay < 1_000; delay *= 2) {
    await sleep(delay);
    rc = readRc(host.stateDir, n);
  }
  // Back at the prompt without having finished: C-c from outside (a person attached, or interrupt()).
  if (!stop && rc !== null && !rc.done) stop = 'interrupted';
  const completed = !stop && rc !== null && rc.done;
  const output = await readOutput(logFile(host.stateDir, n), endMarker(host.token, n), completed);
  return {
    exitCode: completed && rc ? rc.status : null,
    output,
    outputPath: logFile(host.stateDir, n),
    durationMs: Date.now() - started,
    timedOut: stop === 'timeout',
    interrupted: stop !== null && !shellRestarted,
    shellRestarted,
    stoppedBecause: stop,
    recovery,
  };
}

/** Wake whoever waits on a command's channel that its shell will never signal, and let the wait settle. */
async function release(host: CommandHost, n: number, channel: string, client: Promise<void>): Promise<void> {
  await host.pane.release(n, channel);
  await raceSleep(client, RELEASE_MS);
}
