// `rescue: upterm | tmate`: host a rescue shell from the step itself, into the agent's own session. Fail closed: never
// for a pull request from a fork, and, while access is limited to the actor, never without the actor's public keys.
import { join } from 'node:path';
import type { RepairResult } from '../agent/index.js';
import { hostRescue, type RescueProvider } from '../rescue/host.js';
import { ensureRescueTool } from '../rescue/install.js';
import { fetchActorKeys } from '../rescue/keys.js';
import type { EventDecision } from './event.js';
import type { ActionSettings } from './inputs.js';

export interface HostFromActionOptions {
  provider: RescueProvider;
  settings: ActionSettings;
  decision: Extract<EventDecision, { action: 'run' }>;
  result: RepairResult;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  /** Called as soon as the connection string is known. */
  publish: (connection: string) => void | Promise<void>;
  /** The job was cancelled: the rescue ends and its host stops. */
  signal?: AbortSignal;
}

export async function hostRescueFromAction(
  options: HostFromActionOptions,
): Promise<{ connection?: string; detail: string }> {
  const { settings, decision, result, env } = options;
  if (decision.fromFork) {
    return { detail: 'not launched: the run is for a pull request from a fork.' };
  }
  let authorizedKeys: string[] | 'unrestricted' = 'unrestricted';
  try {
    if (settings.rescueLimitAccessToActor) {
      authorizedKeys = await fetchActorKeys({
        apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
        token: settings.githubToken || undefined,
        actor: decision.actor || env.GITHUB_ACTOR || '',
      });
    }
    const stateDir = join(env.RUNNER_TEMP || '/tmp', 'ci-medic-rescue');
    const continueFile = join(stateDir, 'continue');
    // Hosted runners have neither upterm nor tmate: tmate comes from apt-get/brew, upterm from its pinned release.
    const executable = await ensureRescueTool(options.provider, {
      path: env.PATH ?? '',
      cacheDir: join(env.RUNNER_TOOL_CACHE || env.RUNNER_TEMP || '/tmp', 'ci-medic'),
      onEvent: options.log,
    });
    options.log(`ci-medic: hosting a ${options.provider} rescue shell; create ${continueFile} to let the job go on.`);
    const hosted = await hostRescue({
      provider: options.provider,
      executable,
      sessionName: result.sessionName,
      socketPath: result.socketPath,
      authorizedKeys,
      continueFile,
      stateDir,
      baseEnv: env,
      connectTimeoutMs: settings.rescueConnectTimeoutMs,
      maxDurationMs: settings.rescueMaxMinutes * 60_000,
      onConnectionString: (connection) => void options.publish(connection),
      onEvent: options.log,
      signal: options.signal,
    });
    return { connection: hosted.connection, detail: `${hosted.outcome}: ${hosted.detail}` };
  } catch (error) {
    const detail = `not launched: ${(error as Error).message}`;
    options.log(`ci-medic rescue ${detail}`);
    return { detail };
  }
}
