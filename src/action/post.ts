// The Action's post step (runs.post: dist/post/index.js, post-if: always()): finishes what a main step that died
// without a chance to clean up (SIGKILL, an OOM kill, a runner crash) could not, from the journal it wrote: puts
// .git/config back as it was and stops an orphaned agent session (not one kept for a rescue). Silent when the main
// step cleaned up after itself.
import * as core from '@actions/core';
import { recoverJournal } from '../survival/recover.js';
import { JOURNAL_STATE } from './survive.js';

export function post(): void {
  const path = core.getState(JOURNAL_STATE);
  if (!path) return;
  try {
    const recovery = recoverJournal(path);
    for (const line of recovery.repaired)
      core.warning(`ci-medic post step: ${line}.`, { title: 'ci-medic cleaned up' });
    for (const line of recovery.left) core.info(`ci-medic post step: ${line}.`);
  } catch (error) {
    core.warning(`ci-medic post step could not finish the clean-up from ${path}: ${(error as Error).message}`);
  }
}

post();
