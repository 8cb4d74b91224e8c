// What `ci-medic repair` does to survive its caller: a journal per workspace (in RUNNER_TEMP on a runner, else in the
// user's state directory), recovered at the next start in that workspace when a run died without cleaning up, and a
// synchronous backstop for a cancel that does not unwind in time.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../config.js';
import { readJournal, workspaceJournalPath, writerAlive } from '../survival/journal.js';
import { recoverJournal } from '../survival/recover.js';
import { ensureSessionFree as ensureFree } from '../survival/session-free.js';

/** Where the CLI keeps its journals: the runner's per-job temporary directory, else a per-user state directory. */
export function journalDir(env: NodeJS.ProcessEnv): string {
  if (env.RUNNER_TEMP) return join(env.RUNNER_TEMP, 'ci-medic');
  const state = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(state, 'ci-medic', 'journals');
}

/**
 * Before a run starts in `workdir`: a journal left by a run that died is recovered (and what was repaired is
 * returned, to be said); one whose writer still runs means another repair works here, which is an error.
 */
export function recoverWorkspace(journalPath: string, workdir: string): string[] {
  const stale = readJournal(journalPath);
  if (!stale) return [];
  if (writerAlive(stale)) {
    throw new ConfigError(
      '--workdir',
      `another ci-medic repair (process ${stale.pid}, started ${stale.startedAt}) is working in ${workdir}; ` +
        'wait for it to end or stop it first',
    );
  }
  const recovery = recoverJournal(journalPath, { stopKeptSession: !stale.session?.keptForRescue });
  const what = [...recovery.repaired, ...recovery.left];
  if (what.length === 0) return [];
  return [
    `the previous run in this workspace (process ${stale.pid}, started ${stale.startedAt}) did not finish:`,
    ...what,
  ];
}

export { workspaceJournalPath };

/** An explicit --session that another run is using fails now, naming the flag, before anything costs money. */
export const ensureSessionFree = (name: string, given: boolean): Promise<void> =>
  ensureFree(name, given, { input: '--session', holder: 'another agent session', omit: 'leave --session out' });
