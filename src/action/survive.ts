// What the Action does to survive the runner: the journal a post step can finish from, the check that an explicit
// session name is free, and the backstop that ends a cancelled step synchronously when unwinding takes too long.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import * as core from '@actions/core';
import { Journal, runJournalPath } from '../survival/journal.js';
import { recoverJournal } from '../survival/recover.js';
import { ensureSessionFree as ensureFree } from '../survival/session-free.js';
import type { CancelSignal } from '../survival/signals.js';

/** The name under which the main step hands its journal's path to the post step (core.saveState). */
export const JOURNAL_STATE = 'journal';

/** The journal, in RUNNER_TEMP (the job's own temporary directory), its path saved for the post step at once. */
export function openJournal(runnerTemp: string, workdir: string): Journal {
  const journal = Journal.create(runJournalPath(join(runnerTemp, 'ci-medic')), workdir);
  core.saveState(JOURNAL_STATE, journal.path);
  return journal;
}

/** An explicit session-name that another run is using fails now, naming the input, before anything costs money. */
export const ensureSessionFree = (name: string, given: boolean): Promise<void> =>
  ensureFree(name, given, {
    input: 'session-name',
    holder: "another run's agent session",
    omit: 'leave session-name empty',
  });

export function cancelledReason(signal: CancelSignal): string {
  return (
    `the job was cancelled (${signal}): ci-medic aborted the model request and the running command, put ` +
    '.git/config back as it was and stopped the agent session; the changes so far are left in the working tree'
  );
}

/**
 * The backstop: unwinding did not finish in time, so finish now, synchronously: undo what the journal lists, write
 * the outputs and a short summary, and exit non-zero.
 */
export function finishCancelledNow(
  signal: CancelSignal,
  journal: Journal | undefined,
  outputs: Record<string, string>,
  summaryFile: string | undefined,
  redact: (text: string) => string,
): never {
  const done = journal ? recoverJournal(journal.path, { stopKeptSession: true }) : { repaired: [], left: [] };
  for (const line of done.repaired) core.info(`ci-medic: ${line}`);
  const reason = cancelledReason(signal);
  for (const [name, value] of Object.entries({ ...outputs, result: 'cancelled' })) {
    core.setOutput(name, redact(value));
  }
  if (summaryFile) {
    try {
      appendFileSync(summaryFile, `## ci-medic was cancelled\n\n**Result:** \`cancelled\` — ${redact(reason)}\n`);
    } catch {
      // no summary file: the log has it
    }
  }
  core.setFailed(redact(`ci-medic: ${reason}`));
  process.exit(1);
}
