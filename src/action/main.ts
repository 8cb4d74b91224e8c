// The Action's run, as one readable algorithm: inputs -> event -> tmux -> credentials off -> repair -> credentials back
// -> branch, push, pull request -> outputs, summary, annotations; or, when not fixed, the reason and the rescue.
// This is the entry: the only place (with index.ts) that reads process.env and @actions/core.
import { sessionRecorder } from '../watch/command.js';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as core from '@actions/core';
import { ConfigError, uniqueSessionName, type ConfigKey } from '../config.js';
import { gitConfigSecrets, repair, validateRepairConfig, type RepairResult } from '../agent/index.js';
import { authSecretsFor, removeCheckoutCredentials } from '../github/credentials.js';
import { ensureTmux } from '../terminal/install.js';
import { AgentSession } from '../terminal/session.js';
import type { Redactor } from '../redact.js';
import { knownSecrets } from '../secrets/index.js';
import { prepareSandbox, runnerPrivatePaths, SandboxUnavailableError, type SandboxLauncher } from '../sandbox/index.js';
import { gitConfigPath } from '../survival/journal.js';
import type { Cancellation, CancelSignal } from '../survival/signals.js';
import { socketPathFor } from '../terminal/tmux.js';
import { joinCommandFor } from '../rescue/instructions.js';
import { changeRangeOf, decideEvent, type EventDecision } from './event.js';
import { checkDelivery, readInputs, type ActionInputs } from './inputs.js';
import { progressReporter } from './progress.js';
import { renderSummary } from './summary.js';
import { deliverFix } from './deliver.js';
import { reportFlaky, reportNotFixed, uploadArtifact } from './report.js';
import { emptyOutputs, setResult, type Env, type Run } from './run-state.js';
import { cancelledReason, ensureSessionFree, finishCancelledNow, openJournal } from './survive.js';

/** The run in progress, for the cancel backstop. */
let active: Run | undefined;

/**
 * The run's Redactor: the inputs' secrets, checkout's credential, every variable whose name marks a secret, and the
 * values in the credential files the agent's shell could read (src/secrets). Every value is masked in the log too.
 */
async function collectSecrets(
  inputs: ActionInputs,
  env: Env,
): Promise<{ redactor: Redactor; sessionEnv: Env; gitConfigSecrets: string[] }> {
  const token = inputs.settings.githubToken;
  const pushHeader = token ? authSecretsFor(token) : [];
  const checkout = await gitConfigSecrets({ dir: inputs.config.workdir, env }).catch(() => []);
  const known = knownSecrets({
    env,
    workdir: inputs.config.workdir,
    values: [...inputs.secrets, ...pushHeader, ...checkout],
  });
  for (const value of known.values) core.setSecret(value);
  for (const warning of known.warnings) core.warning(`ci-medic: ${warning}`);
  inputs.config.secrets = known.values;
  return { redactor: known.redactor, sessionEnv: known.sessionEnv, gitConfigSecrets: checkout };
}

function readEventPayload(env: Env): Record<string, unknown> {
  const path = env.GITHUB_EVENT_PATH;
  if (!path) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    core.warning(`ci-medic could not read the event payload at ${path}: ${(error as Error).message}`);
    return {};
  }
}

function runUrl(env: Env): string | undefined {
  if (!env.GITHUB_SERVER_URL || !env.GITHUB_REPOSITORY || !env.GITHUB_RUN_ID) return undefined;
  return `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
}

/** The loop names its settings by neutral keys; the Action's user knows them by the input names. */
const INPUT_NAMES: Record<ConfigKey, string> = {
  check: 'check',
  workdir: 'working-directory',
  apiKey: 'anthropic-api-key',
  model: 'model',
  maxTurns: 'max-turns',
  timeBudget: 'time-budget',
  maxCost: 'max-cost',
  commandTimeout: 'command-timeout',
  transcript: 'transcript-path',
  provider: 'provider',
};

const asInputError = (error: unknown): unknown => (error instanceof ConfigError ? error.named(INPUT_NAMES) : error);

async function stopSession(name: string): Promise<void> {
  try {
    await (await AgentSession.find(name))?.stop();
  } catch (error) {
    core.debug(`the agent session ${name} was not stopped: ${(error as Error).message}`);
  }
}

/** A deep copy with every string redacted (for the summary and PR body). */
function redactResult(result: RepairResult, redactor: Redactor): RepairResult {
  return redactor.redactDeep(result);
}

/** Cancellation did not unwind in time: finish the step now (see survive.ts). */
export function backstop(signal: CancelSignal): never {
  const state = active;
  const redact = (text: string): string => state?.redactor.redact(text) ?? text;
  const outputs: Record<string, string> = { ...(state?.outputs ?? {}) };
  return finishCancelledNow(signal, state?.journal, outputs, process.env.GITHUB_STEP_SUMMARY, redact);
}

export async function run(env: Env = process.env, cancel?: Cancellation): Promise<void> {
  let inputs: ActionInputs;
  try {
    inputs = readInputs(
      (name) => core.getInput(name),
      {
        workspace: env.GITHUB_WORKSPACE || process.cwd(),
        runnerTemp: env.RUNNER_TEMP || tmpdir(),
        defaultSessionName: uniqueSessionName({ id: env.GITHUB_RUN_ID, attempt: env.GITHUB_RUN_ATTEMPT }),
      },
      env,
    );
  } catch (error) {
    // Validated before anything is installed or started.
    core.setOutput('result', 'error');
    core.setFailed(error instanceof ConfigError ? error.message : `ci-medic: ${(error as Error).message}`);
    return;
  }

  const { redactor, sessionEnv, gitConfigSecrets } = await collectSecrets(inputs, env);
  const state: Run = {
    inputs,
    env,
    outputs: emptyOutputs(),
    summary: { result: 'error', reason: '', runUrl: runUrl(env) },
    redactor,
    sessionEnv,
    gitConfigSecrets,
    cancel,
  };
  state.outputs['session-name'] = inputs.config.sessionName;
  active = state;

  try {
    const payload = readEventPayload(env);
    inputs.config.changeRange = changeRangeOf(env.GITHUB_EVENT_NAME ?? '', payload);
    const decision = decideEvent(
      {
        eventName: env.GITHUB_EVENT_NAME ?? '',
        payload,
        ref: env.GITHUB_REF ?? '',
        repository: env.GITHUB_REPOSITORY ?? '',
      },
      {
        branchPrefix: inputs.settings.branchPrefix,
        allowPullRequestTarget: inputs.settings.allowPullRequestTarget,
        baseOverride: inputs.settings.base,
      },
    );
    if (decision.action === 'run') {
      await repairAndDeliver(state, decision);
    } else {
      setResult(state, decision.action === 'skip' ? 'skipped' : 'error', decision.reason);
      if (decision.action === 'skip') core.notice(redactor.redact(decision.reason), { title: 'ci-medic skipped' });
      else state.failure = decision.reason;
    }
  } catch (thrown) {
    const error = asInputError(thrown);
    const message = error instanceof Error ? error.message : String(error);
    setResult(state, 'error', message);
    state.failure = error instanceof ConfigError ? message : `ci-medic: ${message}`;
  } finally {
    if (cancel?.received) {
      const reason = cancelledReason(cancel.received);
      setResult(state, 'cancelled', reason);
      state.failure = `ci-medic: ${reason}`;
      // Nobody is left to rescue a cancelled run (also when the cancel came during a hosted rescue).
      const session = state.journal?.record.session;
      if (session) await stopSession(session.name);
      if (session) state.journal?.sessionStopped();
    }
    await finish(state);
    state.journal?.close();
  }
}

/** Stops at the next step boundary once the job is cancelled (the steps that take signals stop sooner). */
function throwIfCancelled(state: Run): void {
  if (state.cancel?.signal.aborted) throw new Error('cancelled');
}

/** Outputs, summary and the step's status: always, whatever happened. Everything written passes the Redactor. */
async function finish(state: Run): Promise<void> {
  const redact = (text: string): string => state.redactor.redact(text);
  for (const [name, value] of Object.entries(state.outputs)) core.setOutput(name, redact(String(value)));
  try {
    await core.summary.addRaw(redact(renderSummary(state.summary))).write();
  } catch (error) {
    // No GITHUB_STEP_SUMMARY outside the runner: the log already has everything.
    core.debug(`job summary not written: ${(error as Error).message}`);
  }
  if (state.failure) core.setFailed(redact(state.failure));
}

/** The sandbox for the agent's shell (apt installs what is missing); `auto` without one warns loudly, twice. */
async function actionSandbox(state: Run): Promise<SandboxLauncher | null> {
  const { config } = state.inputs;
  const settings = config.sandbox ?? { mode: 'off', allowDomains: [], allowWrite: [], denyRead: [] };
  const runnerTemp = state.env.RUNNER_TEMP || undefined;
  const { launcher, warning } = await prepareSandbox({
    settings,
    workspace: config.workdir,
    home: state.env.HOME || undefined,
    protectedPaths: config.policy.protectedPaths,
    runnerTemp,
    runnerDirs: runnerPrivatePaths(runnerTemp, process.ppid),
    // The CLI bundle beside this one hosts the sandbox in the pane.
    hostCommand: [process.execPath, join(dirname(process.argv[1] ?? ''), 'cli', 'index.js')],
    path: state.env.PATH ?? '',
    install: true,
  }).catch((error: unknown) => {
    throw error instanceof SandboxUnavailableError ? new ConfigError('sandbox', error.message) : error;
  });
  state.summary.sandbox = launcher
    ? { on: true, domains: launcher.domains, ecosystems: launcher.ecosystems.map((e) => e.name) }
    : { on: false, warning: warning ?? undefined };
  if (warning) core.warning(`ci-medic: ${warning}`);
  else if (launcher)
    core.info(`ci-medic: the agent's shell runs in the sandbox; network: ${launcher.domains.join(', ') || 'none'}`);
  return launcher;
}

async function repairAndDeliver(state: Run, decision: Extract<EventDecision, { action: 'run' }>): Promise<void> {
  const { config } = state.inputs;
  const redact = (text: string): string => state.redactor.redact(text);

  // Everything that can be checked without tmux is checked before tmux is installed or started, once.
  const policy = await validateRepairConfig(config, state.sessionEnv).catch((error: unknown) => {
    throw asInputError(error);
  });
  checkDelivery(state.inputs.settings);
  await ensureSessionFree(config.sessionName, state.inputs.settings.sessionNameGiven);
  await ensureTmux({ log: (line) => core.info(line) });
  throwIfCancelled(state);

  // Written before anything changes, so the post step can undo it if this process dies without a chance to.
  const journal = openJournal(state.env.RUNNER_TEMP || tmpdir(), config.workdir);
  state.journal = journal;
  journal.keepGitConfig(gitConfigPath(config.workdir));
  // The session must not reach the job's token: checkout's persisted credential leaves .git/config for the loop.
  const credentials = await removeCheckoutCredentials(config.workdir, state.env);
  if (credentials.removed.length > 0) {
    core.info('ci-medic removed the persisted checkout credentials from .git/config for the length of the repair.');
  }
  const sandbox = await actionSandbox(state);
  const progress = progressReporter(core, redact);
  const socketPath = socketPathFor(config.sessionName);
  core.info(
    `ci-medic: the agent session is "${config.sessionName}"; join it with: ${joinCommandFor(socketPath, config.sessionName)}`,
  );
  journal.sessionStarting(config.sessionName, socketPath);
  let result: RepairResult;
  try {
    result = await repair(config, {
      redactor: state.redactor,
      baseEnv: state.sessionEnv,
      onEvent: progress.onEvent,
      launcher: sandbox ?? undefined,
      signal: state.cancel?.signal,
      pipeOutput: sessionRecorder(config.sessionName, (m) => core.warning(m), config.transcriptPath),
      policy,
      gitConfigSecrets: state.gitConfigSecrets,
    });
  } finally {
    progress.close();
    if (await credentials.restore()) {
      core.warning(
        'The repair changed .git/config; ci-medic put back the configuration from before the loop, so nothing the ' +
          'session wrote there takes part in the push.',
      );
    }
    journal.gitConfigRestored();
  }
  if (!config.keepSession) journal.sessionStopped();

  const outputs = state.outputs;
  outputs.turns = String(result.turns);
  outputs['cost-usd'] = String(Number(result.costUsd.toFixed(6)));
  outputs['input-tokens'] = String(result.inputTokens);
  outputs['output-tokens'] = String(result.outputTokens);
  outputs['transcript-path'] = result.transcriptPath;
  setResult(state, result.result, result.reason);
  state.summary.repair = redactResult(result, state.redactor);
  // Cancelled: the fix (if any) is not pushed, and run() stops the session.
  if (state.cancel?.received) return;
  if (state.inputs.settings.uploadArtifact) await uploadArtifact(state, result);

  // The session was kept for a rescue; with nothing left to rescue, it goes.
  if ((result.result === 'fixed' || result.result === 'already-passing') && config.keepSession) {
    await stopSession(result.sessionName);
    journal.sessionStopped();
  } else if (config.keepSession) {
    journal.keptForRescue();
  }
  if (result.result === 'fixed') return deliverFix(state, decision, result);
  if (result.result === 'flaky') return reportFlaky(state, result);
  if (result.result === 'already-passing') {
    core.notice(redact(`\`${config.check}\` passes: nothing to repair.`), { title: 'ci-medic' });
    return;
  }
  return reportNotFixed(state, decision, result);
}
