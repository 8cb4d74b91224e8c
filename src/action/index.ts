// Action entry (runs.using: node24, main: dist/index.js). Thin: the algorithm lives in main.ts.
import * as core from '@actions/core';
import { sealEnvironment, unsealedRefusal } from '../seal-environment.js';
import { run } from './main.js';

// First: re-execute without the tokens in this process's /proc environ, which the agent's shell could read.
// Where it cannot (no process.execve), the Action refuses to start: there is no unsealed mode for it.
if (sealEnvironment() === 'unsupported') {
  core.setOutput('result', 'error');
  core.setFailed(`ci-medic: ${unsealedRefusal()}`);
} else {
  run().catch((error: unknown) => {
    core.setFailed(`ci-medic: ${error instanceof Error ? error.message : String(error)}`);
  });
}
