// What the Action reports when there is no fix to deliver (flaky, not fixed, with the rescue), and the artifact.
import { DefaultArtifactClient } from '@actions/artifact';
import { artifactName, uploadRepairArtifact } from '../watch/artifact.js';
import { keepRecording } from '../watch/command.js';
import { dirname } from 'node:path';
import * as core from '@actions/core';
import type { RepairResult } from '../agent/index.js';
import { rescueInstructions } from '../rescue/instructions.js';
import { type EventDecision } from './event.js';
import { hostRescueFromAction } from './rescue-host.js';
import { stepId, type Run } from './run-state.js';

/** Flaky: no fix proposed; an annotation names what failed, and `fail-on-flaky` decides the step's status. */
export function reportFlaky(state: Run, result: RepairResult): void {
  const { config, settings } = state.inputs;
  const counts = result.flaky
    ? ` (failed ${result.flaky.failures}, passed ${result.flaky.passes} of ${result.flaky.runs} runs)`
    : '';
  const what = result.initialFailure.firstErrorLine || `${config.check} failed`;
  core.warning(state.redactor.redact(`${what}${counts}`), { title: `${config.check} is flaky` });
  if (settings.failOnFlaky) state.failure = state.redactor.redact(`ci-medic: ${result.reason}`);
}

export async function reportNotFixed(
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
export async function uploadArtifact(state: Run, result: RepairResult): Promise<void> {
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
