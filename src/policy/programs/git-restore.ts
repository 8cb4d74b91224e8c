// git's commands that put files back: checkout/restore of named files, checkout-index, clean. What they do to the whole
// tree is refused everywhere (it discards the repair's own work). Inside the sandbox `.git` is read-only, and git
// checkout/restore of a file cannot work there: git first takes `.git/index.lock`, and neither a writable index
// (bind mounts cannot make one new file in a read-only directory writable) nor a private copy of it (GIT_INDEX_FILE
// would follow every repository the shell touches, the project's own test fixtures included) is safe. So the policy
// says so at once and names what works: `git checkout-index -f -- FILE` restores the index's version without
// writing the index, `git show REV:./FILE > FILE` a commit's.
import { checkWrite, deny, denyOutsideSandbox, hasFlag, positionals, type CheckContext } from '../context.js';
import { isInside, resolvePath } from '../paths.js';
import { clip } from '../walk.js';
import type { Arg } from '../words.js';

/** How to undo the changes to one file, in the words that work where the shell runs. */
export function restoreHint(cx: CheckContext): string {
  return cx.sandboxed
    ? 'git checkout-index -f -- FILE, or git show HEAD:./FILE > FILE'
    : 'git checkout -- FILE or git restore FILE';
}

/** Refuses a restore of named files inside the sandbox, naming the command that works for that source. */
function denyInSandbox(what: string, files: Arg[], source: string | null, cx: CheckContext): void {
  const file = files.length === 1 ? clip(files[0].value) : 'FILE';
  const instead =
    source === null
      ? `git checkout-index -f -- ${files.length > 1 ? files.map((f) => clip(f.value, 40)).join(' ') : file} (the same content, from the index)`
      : `git show ${clip(source, 40)}:./${file} > ${file}`;
  deny(
    cx,
    'protected-paths',
    `${what} must lock .git/index, and .git is read-only inside the sandbox, so it would fail; restore the file with ${instead}`,
  );
}

export function checkGitCheckout(args: Arg[], cx: CheckContext): void {
  if (args.some((a) => a.value === '-p' || a.value === '--patch')) {
    return deny(cx, 'interactive', `git checkout -p asks at the terminal; use ${restoreHint(cx)}`);
  }
  const dashdash = args.findIndex((a) => a.value === '--');
  const before = dashdash < 0 ? args : args.slice(0, dashdash);
  if (before.some((a) => /^-[a-zA-Z]*[bB]$|^--(orphan|detach)$/.test(a.value))) {
    return deny(cx, 'git-history', 'git checkout -b/--orphan/--detach moves HEAD; ci-medic manages branches itself');
  }
  const pathspecs = dashdash >= 0 ? args.slice(dashdash + 1) : positionals(before);
  const whole = pathspecs.find((a) => wholeTree(a, cx));
  if (whole) return denyWholeTree(`git checkout ${clip(whole.value)}`, cx);
  const pos = positionals(before);
  if (dashdash >= 0) {
    const source = pos[0]?.value ?? null;
    if (cx.sandboxed && pathspecs.length > 0)
      denyInSandbox(source ? `git checkout ${clip(source)} -- FILE` : 'git checkout -- FILE', pathspecs, source, cx);
    return;
  }
  const files = pos.length > 0 && pos.every((a) => a.value.startsWith('./') || looksLikeFile(a.value));
  if (cx.sandboxed && files) return denyInSandbox('git checkout FILE', pos, null, cx);
  if (pos.length > 0 && pos.every((a) => a.value.startsWith('./'))) return;
  // Named files without --: git takes a name that is also a branch as the branch; the policy asks for --.
  (files ? denyOutsideSandbox : deny)(
    cx,
    'git-history',
    `git checkout without -- may switch branches and move HEAD; to undo changes to a file use ${restoreHint(cx)}`,
  );
}

export function checkGitRestore(args: Arg[], cx: CheckContext): void {
  // --staged alone only unstages: the working tree keeps its changes.
  const worktree =
    !args.some((a) => a.value === '--staged' || /^-[a-zA-Z]*S/.test(a.value)) ||
    args.some((a) => a.value === '--worktree' || /^-[a-zA-Z]*W/.test(a.value));
  const afterSource = (i: number) => /^(-s|--source)$/.test(args[i - 1]?.value ?? '');
  const files = positionals(args.filter((_, i) => !afterSource(i)));
  const whole = files.find((a) => wholeTree(a, cx));
  if (worktree && whole) return denyWholeTree(`git restore ${clip(whole.value)}`, cx);
  if (!cx.sandboxed || files.length === 0) return;
  if (!worktree) {
    return deny(
      cx,
      'protected-paths',
      'git restore --staged changes .git/index, and .git is read-only inside the sandbox, so it would fail; leave the index as it is (ci-medic stages and commits the fix itself)',
    );
  }
  denyInSandbox('git restore FILE', files, restoreSource(args), cx);
}

/** The commit `git restore -s REV`/`--source=REV` takes files from, or null for the index. */
function restoreSource(args: Arg[]): string | null {
  for (const [i, a] of args.entries()) {
    if (a.value === '-s' || a.value === '--source') return args[i + 1]?.value ?? null;
    if (a.value.startsWith('--source=')) return a.value.slice('--source='.length);
    if (/^-s./.test(a.value)) return a.value.slice(2);
  }
  return null;
}

/** checkout-index writes files without touching the index (unless -u): `-a -f` overwrites the whole tree. */
export function checkGitCheckoutIndex(args: Arg[], cx: CheckContext): void {
  if (hasFlag(args, 'a', '--all') && hasFlag(args, 'f', '--force'))
    return denyWholeTree('git checkout-index --all --force', cx);
  const prefix = args.find((a) => a.value.startsWith('--prefix='));
  if (prefix)
    checkWrite(
      { ...prefix, value: prefix.value.slice('--prefix='.length) || '.' },
      cx,
      true,
      'git checkout-index --prefix',
    );
}

export function checkGitClean(args: Arg[], cx: CheckContext): void {
  if (args.some((a) => a.value === '--dry-run' || /^-[a-zA-Z]*n/.test(a.value))) return;
  const pathspecs = positionals(args.filter((a, i) => !/^(-e|--exclude)$/.test(args[i - 1]?.value ?? '')));
  if (pathspecs.length === 0) return denyWholeTree('git clean', cx);
  const whole = pathspecs.find((a) => wholeTree(a, cx));
  if (whole) denyWholeTree(`git clean ${clip(whole.value)}`, cx);
}

function looksLikeFile(value: string): boolean {
  return !/[~^@:]/.test(value) && (/\.[A-Za-z0-9]+$/.test(value) || value.includes('/'));
}

/** A pathspec that names the whole working tree: `.` or `*` at the top, `:/`, the workspace itself or above it. */
function wholeTree(arg: Arg, cx: CheckContext): boolean {
  const v = arg.value;
  if (/^:(\/|\(top\))/.test(v) || v === '*' || v === ':' || !arg.literal) return true;
  const path = resolvePath({ ...arg, value: v.replace(/\/\*$/, '') || '.' }, cx.paths);
  return path === null || isInside(cx.paths.workspace, path);
}

export function denyWholeTree(what: string, cx: CheckContext): void {
  // With or without a sandbox: it throws away every change in the tree, the repair's own work included.
  deny(
    cx,
    'destructive-rm',
    `${what} discards changes in the whole working tree, your own fixes included; name the files to restore (${restoreHint(cx)})`,
  );
}
