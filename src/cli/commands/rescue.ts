// `ci-medic rescue`: print the rescue instructions for the agent's tmux session, or host a rescue shell (upterm or
// tmate) that drops a person into it, and wait until they let the job go on.
// Exit codes: 0 instructions printed / the rescue ended (continued, nobody came, time limit), 1 refused or failed,
// 2 bad usage, 130 interrupted.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError, DEFAULT_SESSION_NAME, parseDuration, parsePositiveInt } from '../../config.js';
import { ActorKeysError, fetchActorKeys } from '../../rescue/keys.js';
import { ensureRescueTool, RescueInstallError } from '../../rescue/install.js';
import { forkPullRequestRefusal } from '../../rescue/guard.js';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_MAX_DURATION_MS,
  hostRescue,
  RESCUE_PROVIDERS,
  RescueError,
  type RescueProvider,
} from '../../rescue/host.js';
import { DEFAULT_RESCUE_STEP_ID, hostedRescueHelp, rescueInstructions } from '../../rescue/instructions.js';
import { baseDir, socketPathFor, TmuxError } from '../../terminal/tmux.js';
import { defineCommand, UsageError, type CommandArgs } from '../command.js';
import type { CliIo } from '../io.js';
import { SESSION_OPTION, sessionFromFlag } from '../options.js';

export const HELP = `Usage: ci-medic rescue [options]

Without --provider (or with --print-only): prints how a person takes over the agent's tmux session: the workflow
steps to paste (owenthereal/action-upterm, tmate as fallback), the join command, the nested prefix key, and how to
let the job finish.
With --provider: hosts the rescue shell here, in a server of its own, limited to the actor's public SSH keys; prints
the connection string as soon as it is known and waits for the continue file, the connect timeout or the time limit.
Only the rescue host is stopped afterwards, never the agent's session.

Options:
  --session NAME          the agent's tmux session (default ${DEFAULT_SESSION_NAME})
  --socket PATH           its tmux socket (default: the one ci-medic uses for NAME)
  --provider P            upterm or tmate: host the rescue shell (installs the tool when missing)
  --print-only            only print the instructions, even with --provider
  --connect-timeout D     end when nobody connected within D, like 10m or 90s (default ${DEFAULT_CONNECT_TIMEOUT_MS / 60_000}m)
  --max-minutes N         end after N minutes in any case (default ${DEFAULT_MAX_DURATION_MS / 60_000})
  --continue-file F       creating this file ends the rescue (default: ./continue)
  --actor A               GitHub user whose public SSH keys may connect (default: GITHUB_ACTOR)
  --no-access-limit       let anyone with the connection string in (only when you mean it)
  --step-id ID            id of the ci-medic step, for the snippet's condition (default ${DEFAULT_RESCUE_STEP_ID})
  --state-dir DIR         where the host keeps its socket, log and keys (default under ${baseDir()})
  -h, --help              this help

Examples:
  ci-medic rescue --session fix-1                  # print how to take over the session
  ci-medic rescue --provider tmate --actor octocat # host a rescue shell for octocat's SSH keys

Environment: GITHUB_ACTOR, GITHUB_API_URL (default https://api.github.com), GITHUB_TOKEN (optional, for the key
lookup), GITHUB_EVENT_NAME/GITHUB_EVENT_PATH (a pull request from a fork is refused).
`;

interface RescueCommandArgs {
  sessionName: string;
  socketPath: string;
  provider?: RescueProvider;
  printOnly: boolean;
  connectTimeoutMs: number;
  maxDurationMs: number;
  continueFile: string;
  actor?: string;
  accessLimit: boolean;
  stepId: string;
  stateDir: string;
}

const RESCUE_OPTIONS = {
  ...SESSION_OPTION,
  socket: { type: 'string' },
  provider: { type: 'string' },
  'print-only': { type: 'boolean' },
  'connect-timeout': { type: 'string' },
  'max-minutes': { type: 'string' },
  'continue-file': { type: 'string' },
  actor: { type: 'string' },
  'no-access-limit': { type: 'boolean' },
  'step-id': { type: 'string' },
  'state-dir': { type: 'string' },
} as const;

/** Flags and environment -> arguments; throws ConfigError naming the flag. */
function rescueArgsFrom(
  values: CommandArgs<typeof RESCUE_OPTIONS>['values'],
  env: NodeJS.ProcessEnv,
  cwd: string,
): RescueCommandArgs {
  const sessionName = sessionFromFlag(values.session);
  const provider = values.provider;
  if (provider !== undefined && !(RESCUE_PROVIDERS as readonly string[]).includes(provider)) {
    throw new ConfigError('--provider', `"${provider}" is not a rescue host; use upterm or tmate`);
  }
  const socketPath = values.socket ? resolve(cwd, values.socket) : socketPathFor(sessionName);
  const actor = values.actor ?? (env.GITHUB_ACTOR || undefined);
  return {
    sessionName,
    socketPath,
    provider: provider as RescueProvider | undefined,
    printOnly: values['print-only'] ?? false,
    connectTimeoutMs: values['connect-timeout']
      ? parseDuration('--connect-timeout', values['connect-timeout'])
      : DEFAULT_CONNECT_TIMEOUT_MS,
    maxDurationMs: values['max-minutes']
      ? parsePositiveInt('--max-minutes', values['max-minutes']) * 60_000
      : DEFAULT_MAX_DURATION_MS,
    continueFile: resolve(cwd, values['continue-file'] ?? 'continue'),
    actor,
    accessLimit: !values['no-access-limit'],
    stepId: values['step-id'] ?? DEFAULT_RESCUE_STEP_ID,
    stateDir: values['state-dir'] ? resolve(cwd, values['state-dir']) : join(baseDir(), `${sessionName}.rescue`),
  };
}

export const main = defineCommand({ name: 'rescue', help: HELP, options: RESCUE_OPTIONS }, async ({ values }, io) => {
  let args: RescueCommandArgs;
  try {
    args = rescueArgsFrom(values, io.env, io.cwd);
    if (!args.provider || args.printOnly) {
      const minutes = Math.max(1, Math.round(args.maxDurationMs / 60_000));
      const out = rescueInstructions({
        sessionName: args.sessionName,
        socketPath: args.socketPath,
        actor: args.actor,
        stepId: args.stepId,
        timeoutMinutes: minutes,
        connectTimeoutMinutes: Math.max(1, Math.min(minutes, Math.round(args.connectTimeoutMs / 60_000))),
      });
      io.stdout(out.markdown);
      return 0;
    }
  } catch (error) {
    // A socket path tmux cannot use is bad usage too.
    if (error instanceof TmuxError) throw new UsageError(error.message);
    throw error;
  }
  return host(args as RescueCommandArgs & { provider: RescueProvider }, io);
});

async function host(args: RescueCommandArgs & { provider: RescueProvider }, io: CliIo): Promise<number> {
  const say = (m: string) => io.stderr(`ci-medic rescue: ${m}\n`);
  const refusal = forkRefusal(io.env);
  if (refusal) {
    say(refusal);
    return 1;
  }
  let authorizedKeys: string[] | 'unrestricted' = 'unrestricted';
  if (args.accessLimit) {
    if (!args.actor) {
      throw new ConfigError(
        '--actor',
        'whose SSH keys may connect? Pass --actor (or set GITHUB_ACTOR), or --no-access-limit to let anyone in',
      );
    }
    try {
      authorizedKeys = await fetchActorKeys({
        apiUrl: io.env.GITHUB_API_URL || 'https://api.github.com',
        token: io.env.GITHUB_TOKEN || undefined,
        actor: args.actor,
      });
    } catch (error) {
      if (error instanceof ActorKeysError) {
        say(error.message);
        return 1;
      }
      throw error;
    }
    say(`access limited to the ${authorizedKeys.length} public SSH key(s) of ${args.actor}`);
  } else {
    say('access limits are OFF: anyone with the connection string can get in');
  }

  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const executable = await ensureRescueTool(args.provider, {
      path: io.env.PATH ?? '',
      cacheDir: join(io.env.XDG_CACHE_HOME || join(io.env.HOME || homedir(), '.cache'), 'ci-medic'),
      onEvent: say,
    });
    const result = await hostRescue({
      provider: args.provider,
      sessionName: args.sessionName,
      socketPath: args.socketPath,
      authorizedKeys,
      continueFile: args.continueFile,
      stateDir: args.stateDir,
      baseEnv: io.env,
      executable,
      connectTimeoutMs: args.connectTimeoutMs,
      maxDurationMs: args.maxDurationMs,
      signal: controller.signal,
      onEvent: say,
      onConnectionString: (connection) => io.stdout(hostedRescueHelp(args.provider, { ...args, connection })),
    });
    say(`${result.outcome}: ${result.detail}`);
    if (result.outcome === 'aborted') return 130;
    return result.outcome === 'error' ? 1 : 0;
  } catch (error) {
    if (error instanceof RescueError || error instanceof RescueInstallError) {
      say(error.message);
      return 1;
    }
    throw error;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

function forkRefusal(env: NodeJS.ProcessEnv): string | null {
  if (!env.GITHUB_EVENT_NAME || !env.GITHUB_EVENT_PATH) return null;
  let event: unknown;
  try {
    event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8'));
  } catch {
    event = null; // an unreadable event of a pull request is refused by the guard (it cannot tell)
  }
  return forkPullRequestRefusal(env.GITHUB_EVENT_NAME, event);
}
