// The tamper guard: a fix that makes the check pass by weakening the check is not a fix. Each rule looks at the diff
// of the working tree against the commit the loop began from; a violation is reported to the model with what to do
// instead, and a tampering diff is never reported as fixed. Rules may be relaxed by configuration (TAMPER_RULES).
import type { TamperRule } from '../../config.js';
import { checkTargets, joinDir } from './check-targets.js';
import type { Repo } from '../git.js';
import { fileAtCommit, fileInWorkspace, workspaceDiff, type WorkspaceTamperOptions } from './git.js';
import { checkTamper } from './rules.js';
import type { TamperViolation } from './types.js';

export { untrackedFiles } from '../git.js';
export { checkTargets, type CheckTargets } from './check-targets.js';
export { parseUnifiedDiff, type FileDiff, type Hunk } from './diff.js';
export { workspaceDiff, type WorkspaceTamperOptions } from './git.js';
export { checkTamper } from './rules.js';
export { isTestFile } from './tables.js';
export type { TamperOptions, TamperRule, TamperViolation } from './types.js';

/** The violations in the workspace's changes since `baseCommit`, for the check `check`. */
export async function checkWorkspaceTamper(
  repo: Repo,
  baseCommit: string,
  check: string,
  relaxed: TamperRule[],
  opts: WorkspaceTamperOptions = {},
): Promise<TamperViolation[]> {
  const diff = await workspaceDiff(repo, baseCommit, opts);
  const t = checkTargets(check);
  let packageJsonBefore: string | undefined;
  let packageJsonAfter: string | undefined;
  if (t.scripts.length) {
    const pkgPath = joinDir(t.dir, 'package.json');
    packageJsonBefore = await fileAtCommit(repo, baseCommit, pkgPath); // none at the base: nothing to compare
    packageJsonAfter = fileInWorkspace(repo.dir, pkgPath) ?? (packageJsonBefore === undefined ? undefined : '{}');
  }
  return checkTamper(diff, { check, relaxed, packageJsonBefore, packageJsonAfter, failureOutput: opts.failureOutput });
}
