// The Action's run, as one readable algorithm: inputs -> event -> tmux -> credentials off -> repair -> credentials back
// -> branch, push, pull request -> outputs, summary, annotations; or, when not fixed, the reason and the rescue.
// This is the entry: the only place (with index.ts) that reads process.env and @actions/core.
import { DefaultArtifactClient } from '@actions/artifact';
import { artifactName, uploadRepairArtifact } from '../watch/artifact.js';
import { keepRecording, sessionRecorder } from '../watch/command.js';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as core from '@actions/core';
import { ConfigError, uniqueSessionName, type ConfigKey } from '../config.js';
import { gitConfigSecrets, repair, validateRepairConfig } from '../agent/index.js';
import type { RepairResult } from '../agent/types.js';
import { commitAndPush } from '../github/branch.js';
import { authSecretsFor, removeCheckoutCredentials } from '../github/credentials.js';
import { failureFingerprint, repairBranchName } from '../github/fingerprint.js';
import { pullRequestTitle, renderPullRequestBody } from '../github/pr-body.js';
import { explainGitHubError, openOrUpdatePullRequest } from '../github/pull-request.js';
import { rescueInstructions } from '../rescue/instructions.js';
import { ensureTmux } from '../terminal/install.js';
import { AgentSession } from '../terminal/session.js';
import type { Redactor } from '../redact.js';
import { knownSecrets } from '../secrets/index.js';
import { prepareSandbox, runnerPrivatePaths, SandboxUnavailableError, type SandboxLauncher } from '../sandbox/index.js';
import { gitConfigPath, type Journal } from '../survival/journal.js';
import type { Cancellation, CancelSignal } from '../survival/signals.js';
import { socketPathFor } from '../terminal/tmux.js';
import { changeRangeOf, decideEvent, type EventDecision } from './event.js';
import { checkDelivery, readInputs, type ActionInputs } from './inputs.js';
import { reproduceCommand } from '../github/reproduce.js';
import { progressReporter } from './progress.js';
import { ciOnFix } from './ci-on-fix.js';
import { hostRescueFromAction } from './rescue-host.js';
import { renderSummary, type ActionResult, type SummaryInput } from './summary.js';
import { cancelledReason, ensureSessionFree, finishCancelledNow, openJournal } from './survive.js';

type Env = NodeJS.ProcessEnv;

/** Every output, always set (empty when it does not apply), so `steps.x.outputs.y` never surprises. */
export interface Outputs {
  result: ActionResult;
  'pr-url': string;
  'pr-number': string;
  branch: string;
  turns: string;
  'cost-usd': string;
  'input-tokens': string;
  'output-tokens': string;
  'transcript-path': string;
  'rescue-command': string;
  'session-name': string;
}

/** What one run carries from step to step. */
interface Run {
  inputs: ActionInputs;
  env: Env;
  outputs: Outputs;
  summary: SummaryInput;
  redactor: Redactor;
  /** The agent session's environment: env minus the variables credential files reference. */
  sessionEnv: Env;
  /** The failure message for the step; unset when the step succeeds. */
  failure?: string;
  /** SIGINT/SIGTERM, as one signal from the entry down. */
  cancel?: Cancellation;
  /** What this run changed outside the process, for the post step (set once something may change). */
  journal?: Journal;
}

/** The run in progress, for the cancel backstop. */
let active: Run | undefined;

function emptyOutputs(): Outputs {
  return {
    result: 'error',
    'pr-url': '',
    'pr-number': '',
    branch: '',
    turns: '0',
    'cost-usd': '0',
    'input-tokens': '0',
    'output-tokens': '0',
    'transcript-path': '',
    'rescue-command': '',
    'session-name': '',
  };
}

/**
 * The run's Redactor: the inputs' secrets, checkout's credential, every variable whose name marks a secret, and the
 * values in the credential files the agent's shell could read (src/secrets). Every value is masked in the log too.
 */
async function collectSecrets(inputs: ActionInputs, env: Env): Promise<{ redactor: Redactor; sessionEnv: Env }> {
  const token = inputs.settings.githubToken;
  const pushHeader = token ? authSecretsFor(token) : [];
  const checkout = await gitConfigSecrets(inputs.config.workdir).catch(() => []);
  const known = knownSecrets({
    env,
    workdir: inputs.config.workdir,
    values: [...inputs.secrets, ...pushHeader, ...checkout],
  });
  for (const value of known.values) core.setSecret(value);
  for (const warning of known.warnings) core.warning(`ci-medic: ${warning}`);
  inputs.config.secrets = known.values;
  return { redactor: known.redactor, sessionEnv: known.sessionEnv };
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

/** The step id the rescue snippet's `if:` refers to; the runner names anonymous steps `__run` or `__owner_repo`. */
function stepId(env: Env): string | undefined {
  const id = env.GITHUB_ACTION ?? '';
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(id) && !id.startsWith('__') ? id : undefined;
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

  const { redactor, sessionEnv } = await collectSecrets(inputs, env);
  const state: Run = {
    inputs,
    env,
    outputs: emptyOutputs(),
    summary: { result: 'error', reason: '', runUrl: runUrl(env) },
    redactor,
    sessionEnv,
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

function setResult(state: Run, result: ActionResult, reason: string): void {
  state.outputs.result = result;
  state.summary.result = result;
  state.summary.reason = state.redactor.redact(reason);
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

  // Everything that can be checked without tmux is checked before tmux is installed or started.
  await validateRepairConfig(config).catch((error: unknown) => {
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
  const credentials = await removeCheckoutCredentials(config.workdir);
  if (credentials.removed.length > 0) {
    core.info('ci-medic removed the persisted checkout credentials from .git/config for the length of the repair.');
  }
  const sandbox = await actionSandbox(state);
  const progress = progressReporter(core, redact);
  const socketPath = socketPathFor(config.sessionName);
  core.info(`ci-medic: the agent session is "${config.sessionName}"; join it with: tmux -S ${socketPath} attach`);
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

async function deliverFix(
  state: Run,
  decision: Extract<EventDecision, { action: 'run' }>,
  result: RepairResult,
): Promise<void> {
  const { config, settings } = state.inputs;
  const { env, redactor } = state;
  const redact = (text: string): string => redactor.redact(text);
  const [owner = '', repo = ''] = (env.GITHUB_REPOSITORY ?? '').split('/');

  const fingerprint = failureFingerprint({
    workflow: env.GITHUB_WORKFLOW ?? '',
    job: env.GITHUB_JOB ?? '',
    baseBranch: decision.base,
    check: config.check,
    failureText: result.initialFailure.excerpt,
  });
  let branch = repairBranchName(settings.branchPrefix, fingerprint);
  let sha: string;
  let pushedNow: boolean;
  const title = pullRequestTitle({ check: config.check, result, redactor });

  try {
    const pushed = await commitAndPush({
      workdir: config.workdir,
      baseCommit: result.baseCommit,
      files: result.changedFiles,
      branch,
      message: redact(`${title}\n\n${result.explanation}`.trim()),
      author: settings.commitAuthor,
      remote: 'origin',
      token: settings.githubToken || undefined,
      serverUrl: env.GITHUB_SERVER_URL || 'https://github.com',
      redactor,
    });
    // Another job's same fix, a branch that held someone's commits (diverted), a replaced fix: said, never silent.
    for (const note of pushed.notes) core.info(redact(`ci-medic: ${note}.`));
    if (pushed.branch !== branch)
      core.warning(redact(pushed.notes.join('; ')), { title: 'ci-medic used another branch' });
    branch = pushed.branch;
    sha = pushed.commit;
    pushedNow = pushed.pushed;
  } catch (error) {
    setResult(state, 'error', `the fix was verified but not pushed: ${explainGitHubError(error, 'push')}`);
    state.failure = explainGitHubError(error, 'push');
    return;
  }
  state.outputs.branch = branch;
  state.summary.branch = branch;
  state.summary.ciRunUrl = await ciOnFix({
    settings,
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
    serverUrl: env.GITHUB_SERVER_URL || 'https://github.com',
    owner,
    repo,
    branch,
    sha,
    pushed: pushedNow,
    verification: result.verification,
    // Until the loop reports it, the clean-worktree verification runs when a setup command is given.
    cleanWorktree: Boolean(config.setup),
    runUrl: state.summary.runUrl,
    redact,
  });

  if (settings.pullRequest === 'none') {
    core.notice(`ci-medic pushed the verified fix to ${branch} (pull-request: none).`, {
      title: 'ci-medic fixed the failure',
    });
    return;
  }
  let step: 'create-pr' | 'update-pr' = 'create-pr';
  try {
    const body = renderPullRequestBody({
      result,
      check: config.check,
      runUrl: state.summary.runUrl,
      artifactUrl: state.summary.artifactUrl,
      reproduceCommand: reproduceCommand(config),
      baseBranch: decision.base,
      model: config.model,
      fingerprint,
      redactor,
    });
    const pr = await openOrUpdatePullRequest({
      token: settings.githubToken,
      apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
      owner,
      repo,
      head: branch,
      base: decision.base,
      title,
      body,
      labels: settings.labels,
      draft: settings.pullRequest === 'draft',
      client: { log: (message) => core.info(message) },
    });
    step = pr.action === 'updated' ? 'update-pr' : 'create-pr';
    if (pr.labelsError) core.warning(redact(pr.labelsError));
    state.outputs['pr-url'] = pr.url;
    state.outputs['pr-number'] = String(pr.number);
    state.summary.pullRequest = { url: pr.url, number: pr.number, action: pr.action };
    core.notice(`ci-medic ${pr.action} pull request #${pr.number}: ${pr.url}`, { title: 'ci-medic fixed the failure' });
  } catch (error) {
    const why = explainGitHubError(error, step);
    setResult(state, 'error', `the fix was pushed to ${branch} but the pull request failed: ${why}`);
    state.failure = why;
  }
}

/** Flaky: no fix proposed; an annotation names what failed, and `fail-on-flaky` decides the step's status. */
function reportFlaky(state: Run, result: RepairResult): void {
  const { config, settings } = state.inputs;
  const counts = result.flaky
    ? ` (failed ${result.flaky.failures}, passed ${result.flaky.passes} of ${result.flaky.runs} runs)`
    : '';
  const what = result.initialFailure.firstErrorLine || `${config.check} failed`;
  core.warning(state.redactor.redact(`${what}${counts}`), { title: `${config.check} is flaky` });
  if (settings.failOnFlaky) state.failure = state.redactor.redact(`ci-medic: ${result.reason}`);
}

async function reportNotFixed(
  state: Run,
  decision: Extract<EventDecision, { action: 'run' }>,
  result: RepairResult,
): Promise<void> {
  const { config, settings } = state.inputs;
  const redact = (text: string): string => state.redactor.redact(text);
  const firstLine = result.initialFailure.firstErrorLine;
  if (firstLine) core.error(redact(firstLine), { title: `${config.check} fails` });

  if (settings.rescue !== 'off' && result.socketPath) {
    const rescue = rescueInstructions({
      sessionName: result.sessionName,
      socketPath: result.socketPath,
      actor: decision.actor || undefined,
      stepId: stepId(state.env),
      timeoutMinutes: settings.rescueMaxMinutes,
      connectTimeoutMinutes: Math.max(1, Math.round(settings.rescueConnectTimeoutMs / 60_000)),
    });
    state.outputs['rescue-command'] = rescue.joinCommand;
    state.summary.rescueMarkdown = rescue.markdown;
    core.notice(redact(rescue.notice), { title: 'ci-medic: take over the agent session' });
    if (settings.rescue === 'upterm' || settings.rescue === 'tmate') {
      const connection = await hostRescueFromAction({
        provider: settings.rescue,
        settings,
        decision,
        result,
        env: state.sessionEnv,
        log: (line) => core.info(redact(line)),
        signal: state.cancel?.signal,
        publish: async (connection) => {
          state.outputs['rescue-command'] = connection;
          core.setOutput('rescue-command', connection);
          core.notice(redact(`Rescue shell ready: ${connection}`), { title: 'ci-medic rescue' });
        },
      });
      if (connection.detail) state.summary.rescueMarkdown += `\n\n**Hosted rescue:** ${connection.detail}`;
    }
  }

  const why = `ci-medic did not fix \`${config.check}\` (${result.result}): ${result.reason}`;
  if (settings.failOnNotFixed) state.failure = why;
  else core.warning(redact(why));
}

/** The recording and the transcript as one workflow artifact; a failure is a warning, never a failed repair. */
async function uploadArtifact(state: Run, result: RepairResult): Promise<void> {
  const { config } = state.inputs;
  const recording = keepRecording(config.sessionName, result.transcriptPath);
  const files = [recording, result.transcriptPath, result.transcriptMarkdownPath].filter((f): f is string => !!f);
  const outcome = await uploadRepairArtifact(
    new DefaultArtifactClient(),
    { name: artifactName(config.sessionName), files, rootDirectory: dirname(result.transcriptPath) },
    {
      serverUrl: state.env.GITHUB_SERVER_URL || 'https://github.com',
      repository: state.env.GITHUB_REPOSITORY ?? '',
      runId: state.env.GITHUB_RUN_ID ?? '',
    },
  );
  if (outcome.ok) {
    state.summary.artifactUrl = outcome.url;
    core.info(`ci-medic uploaded ${outcome.files.join(', ')} as the artifact ${outcome.url}`);
  } else {
    core.warning(state.redactor.redact(`ci-medic could not upload the recording and transcript: ${outcome.reason}`));
  }
}
