// Where the GitHub Actions runner keeps what the agent's shell must not read: found from values the entry passes in.
import { existsSync, readlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Files of a runner installation that hold its registration and credentials, and its logs. */
const RUNNER_PRIVATE = ['.credentials', '.credentials_rsaparams', '.runner', '.env', '.path', '_diag'];

/**
 * The runner's private files and the actions it downloaded (ci-medic among them), for the sandbox's read denials.
 * `parentPid` is the process that started the entry (the runner's worker when run as an Action).
 */
export function runnerPrivatePaths(runnerTemp: string | undefined, parentPid: number | undefined): string[] {
  const out: string[] = [];
  if (runnerTemp) out.push(join(dirname(runnerTemp), '_actions'));
  if (parentPid) {
    try {
      const exe = readlinkSync(`/proc/${parentPid}/exe`);
      // <root>/bin/Runner.Worker (or a versioned bin.2.x directory)
      if (basename(exe) === 'Runner.Worker') {
        const root = dirname(dirname(exe));
        out.push(...RUNNER_PRIVATE.map((f) => join(root, f)).filter((p) => existsSync(p)));
      }
    } catch {
      // not Linux, or not ours to read: nothing to add
    }
  }
  return out;
}
