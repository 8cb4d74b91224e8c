// Flaky is a result: a failing check is re-run (each time in a fresh shell) before the model starts. A pass among
// the re-runs means the failure is not reproducible: `flaky`, no code change, unless `on-flaky: repair`.
import { DEFAULT_FLAKY_RERUNS } from '../config.js';
import { passed } from './check.js';
import type { LoopRun } from './run.js';
import { rerunCheck } from './verify.js';

export interface FlakyEvidence {
  runs: number;
  passes: number;
  failures: number;
}

/** Re-run the check `flaky-reruns` times after its first failure; the count includes the first run. */
export async function rerunFailingCheck(run: LoopRun): Promise<FlakyEvidence> {
  const reruns = run.config.flakyReruns ?? DEFAULT_FLAKY_RERUNS;
  const evidence: FlakyEvidence = { runs: 1, passes: 0, failures: 1 };
  for (let i = 1; i <= reruns && !run.budget.signal.aborted; i++) {
    run.emit('check', `re-running the failing check to tell a real failure from a flaky one (${i} of ${reruns})`);
    const { result } = await rerunCheck(run, `flaky re-run ${i} of ${reruns}`);
    evidence.runs++;
    if (passed(result)) evidence.passes++;
    else evidence.failures++;
  }
  return evidence;
}
