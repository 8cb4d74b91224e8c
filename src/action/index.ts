// Action entry (runs.using: node24, main: dist/index.js). Thin: the algorithm lives in main.ts.
import * as core from '@actions/core';
import { run } from './main.js';

run().catch((error: unknown) => {
  core.setFailed(`ci-medic: ${error instanceof Error ? error.message : String(error)}`);
});
