// Action entry (placeholder until the Action lands): fails clearly without inputs.
import * as core from '@actions/core';

async function main(): Promise<void> {
  const check = core.getInput('check');
  if (!check) {
    core.setFailed("Input 'check' is required: the command whose failure ci-medic repairs, for example `npm test`.");
    return;
  }
  core.setFailed('ci-medic: the Action is not implemented yet');
}

void main();
