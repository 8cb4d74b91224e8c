// `ci-medic run -- COMMAND`: one command through the policy and into the agent session (started when needed);
// prints the command's exact output and exits with its exit code.
import { resolve } from 'node:path';
import { DEFAULT_SESSION_NAME, parseDuration } from '../../config.js';
import { evaluate } from '../../policy/index.js';
import { knownSecrets } from '../../secrets/index.js';
import { recordedDirectory } from '../../terminal/prepare.js';
import { AgentSession } from '../../terminal/session.js';
import { sessionRecorder } from '../../watch/command.js';
import { TmuxError } from '../../terminal/tmux.js';
import type { CommandResult, ShellLauncher } from '../../terminal/types.js';
import { foregroundServerAdvice } from '../../terminal/listen.js';
import { defineCommand, UsageError } from '../command.js';
import { POLICY_OPTIONS, policyFromFlags, SESSION_OPTION, sessionFromFlag } from '../options.js';
import { cliSandbox, SANDBOX_HELP, SANDBOX_OPTIONS, sandboxSettingsFrom } from '../sandbox.js';
import { isSandboxedSession, SandboxUnavailableError, violationNote, violationsSince } from '../../sandbox/index.js';

export const EXIT_TIMEOUT = 124;
export const EXIT_STOPPED = 125;
export const EXIT_DENIED = 126;
const DEFAULT_TIMEOUT = '60s';

export const HELP = `Usage: ci-medic run [options] -- COMMAND

Runs COMMAND in the agent's tmux session (starting it when needed) exactly as the repair agent would: checked by
the command policy, typed into the live shell (cd and export persist), output printed byte for byte.

Options:
  --session N           session name (default ${DEFAULT_SESSION_NAME})
  --timeout T           per-command deadline, like 90s, 5m (default ${DEFAULT_TIMEOUT})
  --cwd DIR             working directory when the session has to be started (default: the current directory)
  --allow P             policy allow pattern (repeatable; any switches the policy to allowlist mode)
  --deny P              extra policy deny pattern (repeatable)
  --protected-path P    path no command may write, on top of .git/ and .github/ (repeatable)
  --disable-rule R      drop a default policy rule (repeatable; see ci-medic policy --list-rules)
Sandbox (when the session has to be started; the same defaults as ci-medic repair):
${SANDBOX_HELP}
  -h, --help            this help

Examples:
  ci-medic run -- npm test
  ci-medic run --timeout 5m -- 'cd packages/app && npm test -- --grep total'

Exit codes: the command's own; ${EXIT_TIMEOUT} when it hit the timeout; ${EXIT_STOPPED} when it was stopped for waiting on a
person (terminal input, an interactive program), for running a server in the foreground (quiet while listening on a
port: the advice goes to stderr), or its shell died; ${EXIT_DENIED} when the policy denied it (the
reason goes to stderr); 2 for bad usage; 1 when the session could not be used.
`;

const RUN_OPTIONS = {
  ...SESSION_OPTION,
  timeout: { type: 'string' },
  cwd: { type: 'string' },
  ...POLICY_OPTIONS,
  ...SANDBOX_OPTIONS,
} as const;

export const main = defineCommand(
  { name: 'run', help: HELP, options: RUN_OPTIONS, positionals: true },
  async ({ values, positionals }, io) => {
    const command = positionals.join(' ');
    if (!command.trim()) throw new UsageError('COMMAND is required after --, like: ci-medic run -- npm test');
    const cwd = resolve(io.cwd, values.cwd ?? '.');
    const sandbox = sandboxSettingsFrom(values);
    const name = sessionFromFlag(values.session);
    const timeoutMs = parseDuration('--timeout', values.timeout ?? DEFAULT_TIMEOUT);
    const policy = policyFromFlags(values, cwd, io.env.HOME || undefined);

    const { redactor, sessionEnv } = knownSecrets({ env: io.env, workdir: cwd });
    // The policy answers for the boundary the command will run under: the running session's, or the one started now.
    let launcher: ShellLauncher | undefined;
    let sandboxed: boolean;
    let shellCwd = cwd;
    try {
      const existing = await AgentSession.find(name);
      if (existing) {
        sandboxed = isSandboxedSession(existing.stateDir);
        shellCwd = recordedDirectory(existing.stateDir) ?? cwd; // where an earlier command's cd left the shell
      } else {
        launcher = (await cliSandbox(sandbox, cwd, [], io)).launcher ?? undefined;
        sandboxed = launcher !== undefined;
      }
    } catch (error) {
      if (!(error instanceof TmuxError || error instanceof SandboxUnavailableError)) throw error;
      io.stderr(`ci-medic run: ${error.message}\n`);
      return 1;
    }

    const decision = evaluate(command, { ...policy, sandboxed, cwd: shellCwd });
    if (!decision.allowed) {
      io.stderr(
        redactor.redact(
          `ci-medic run: denied by the command policy${decision.rule ? ` (${decision.rule})` : ''}: ${decision.reason}\n`,
        ),
      );
      return EXIT_DENIED;
    }

    // Ctrl-C on ci-medic stops the command in the session too (through the recovery ladder).
    const abort = new AbortController();
    const onSigint = () => abort.abort();
    process.once('SIGINT', onSigint);
    let result: CommandResult;
    let blocked = '';
    try {
      // No control client: a run killed by its caller must leave no tmux client behind.
      const pipeOutput = sessionRecorder(name, (m) => io.stderr(`ci-medic run: ${m}\n`));
      const session = await AgentSession.acquire({
        name,
        cwd,
        baseEnv: sessionEnv,
        redact: (text) => redactor.redact(text),
        launcher,
        controlClient: false,
        pipeOutput,
      });
      const started = Date.now();
      try {
        result = await session.run(command, { timeoutMs, signal: abort.signal });
      } finally {
        session.detach();
      }
      if (sandboxed) blocked = violationNote(violationsSince(session.stateDir, started));
    } catch (error) {
      if (error instanceof TmuxError || error instanceof SandboxUnavailableError) {
        io.stderr(`ci-medic run: ${error.message}\n`);
        return 1;
      }
      throw error;
    } finally {
      process.removeListener('SIGINT', onSigint);
    }

    // Exact bytes, except the secret values ci-medic knows of (environment, credential files): those are masked.
    io.stdout(redactor.redact(result.output));
    if (blocked) io.stderr(`ci-medic run: ${redactor.redact(blocked)}\n`);
    if (result.shellNote) io.stderr(`ci-medic run: ${result.shellNote}\n`);
    if (result.exitCode !== null) return result.exitCode;
    const steps = result.recovery?.length ? ` (recovery: ${result.recovery.join(', ')})` : '';
    if (result.timedOut) {
      io.stderr(
        `ci-medic run: the command hit its ${values.timeout ?? DEFAULT_TIMEOUT} timeout and was stopped${steps}\n`,
      );
      return EXIT_TIMEOUT;
    }
    io.stderr(`ci-medic run: the command was stopped: ${describeStop(result)}${steps}\n`);
    if (result.foregroundServer)
      io.stderr(`ci-medic run: ${foregroundServerAdvice(result.foregroundServer, command)}\n`);
    return EXIT_STOPPED;
  },
);

function describeStop(result: CommandResult): string {
  switch (result.stoppedBecause) {
    case 'tty-read':
      return 'it was waiting for input from the terminal';
    case 'interactive':
      return 'an interactive program was waiting for a person';
    case 'dead-shell':
      return 'the shell exited; a new one was started in the same directory';
    case 'broken-shell':
      return 'it broke the shell; a new one was started in the same directory';
    case 'aborted':
      return 'it was interrupted';
    case 'foreground-server':
      return 'it ran a server in the foreground';
    default:
      return result.shellRestarted ? 'the shell had to be restarted' : 'it was interrupted';
  }
}
