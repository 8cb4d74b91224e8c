// Action entry (runs.using: node24, main: dist/index.js). Thin: the algorithm lives in main.ts.
import * as core from '@actions/core';
import { sealEnvironment, unsealedRefusal } from '../seal-environment.js';
import { cancelOnSignals } from '../survival/signals.js';
import { backstop, run } from './main.js';

// First: re-execute without the tokens in this process's /proc environ, which the agent's shell could read.
// Where it cannot (no process.execve), the Action refuses to start: there is no unsealed mode for it.
if (sealEnvironment(process.env, process.cwd()) === 'unsupported') {
  core.setOutput('result', 'error');
  core.setFailed(`ci-medic: ${unsealedRefusal()}`);
} else {
  // The runner cancels with SIGINT, then SIGTERM: both abort the run from here down; the backstop ends it in time.
  const cancel = cancelOnSignals({
    onSignal: (signal) => core.info(`ci-medic: ${signal} received: cancelling the repair and cleaning up.`),
    onBackstop: backstop,
  });

  run(process.env, cancel)
    .catch((error: unknown) => {
      core.setFailed(`ci-medic: ${error instanceof Error ? error.message : String(error)}`);
    })
    .finally(() => {
      // A cancelled run ends now: nothing it started may keep the process alive past the runner's patience.
      if (cancel.received) process.exit(process.exitCode || 1);
      cancel.dispose();
    });
}
