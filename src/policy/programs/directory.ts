// The one rule for directory changes: cd/pushd/popd move the agent's shell, and options that run a program in
// another directory (env -C, git -C, make -C, npm --prefix, ...) move it for that one command. Either way, moving into
// a protected path is refused, and paths after the move resolve against the new directory (unknown when the
// directory is known only at run time, which makes relative writes uncheckable).
import { deny, positionals, type CheckContext } from '../context.js';
import { protectedHit, resolvePath } from '../paths.js';
import { clip } from '../walk.js';
import type { Arg } from '../words.js';
import { program } from './program.js';

export const cd = program('cd', ({ args }, cx) => checkCd(args, cx));

export const pushd = program('pushd', ({ args }, cx) => {
  (cx.paths.dirStack ??= []).push(cx.paths.cwd);
  checkCd(args, cx);
});

export const popd = program('popd', (_inv, cx) => {
  // Back to where the matching pushd was, or to a directory this line does not show.
  cx.paths.cwd = cx.paths.dirStack?.length ? (cx.paths.dirStack.pop() ?? null) : null;
});

function checkCd(args: Arg[], cx: CheckContext): void {
  const target = positionals(args)[0] ?? args.find((a) => /^[-+]\d+$/.test(a.value));
  if (target && /^[-+]\d+$/.test(target.value)) {
    cx.paths.cwd = null; // pushd +N / -N rotates the directory stack
    return;
  }
  if (!target) {
    cx.paths.cwd = cx.paths.home ?? null;
    return;
  }
  cx.paths.cwd = enter(target.value === '-' ? { ...target, literal: false } : target, cx, 'cd');
}

/** Where a move to `dir` lands (null when only known at run time); a move into a protected path is refused. */
function enter(dir: Arg, cx: CheckContext, how: 'cd' | 'run'): string | null {
  const path = dir.literal ? resolvePath(dir, cx.paths) : null;
  if (path !== null && protectedHit(path, cx.paths, false)) {
    deny(
      cx,
      'protected-paths',
      how === 'cd'
        ? `cd ${clip(dir.value)} moves into a protected path; read files there with their path (cat .git/HEAD) instead`
        : `running a command inside ${clip(dir.value)}, a protected path, could change it; stay in the workspace`,
    );
  }
  return path;
}

/** Runs a check with the shell's directory moved to `dir` (env -C, git -C), then moves it back. */
export function withDirectory(dir: Arg | undefined, cx: CheckContext, check: () => void): void {
  if (!dir) return check();
  const saved = cx.paths.cwd;
  cx.paths.cwd = enter(dir, cx, 'run');
  try {
    check();
  } finally {
    cx.paths.cwd = saved;
  }
}

/** Options that run a program in another directory, like a cd for that one command: short and long spellings. */
const DIRECTORY_OPTIONS: Record<string, { short?: string; long?: string[] }> = {
  git: { short: 'C' },
  make: { short: 'C', long: ['--directory'] },
  gmake: { short: 'C', long: ['--directory'] },
  ninja: { short: 'C' },
  meson: { short: 'C' },
  go: { short: 'C' },
  cargo: { short: 'C' },
  npm: { short: 'C', long: ['--prefix'] },
  npx: { long: ['--prefix'] },
  pnpm: { short: 'C', long: ['--dir'] },
  yarn: { long: ['--cwd'] },
  bun: { long: ['--cwd'] },
  uv: { long: ['--directory'] },
  poetry: { short: 'C', long: ['--directory'] },
};

/** Options that take a value, so a following word is not mistaken for the program's first argument. */
const GIT_VALUE_OPTIONS = new Set(['-c', '--git-dir', '--work-tree', '--namespace', '--super-prefix', '--attr-source']);

/**
 * The directories a command moves to before it runs, in order (`git -C a -C b` is a/b). Read up to the first
 * argument that is not an option (for git, its subcommand): later `-C` belong to the subcommand.
 */
export function directoryArguments(name: string, args: Arg[]): Arg[] {
  const spec = Object.hasOwn(DIRECTORY_OPTIONS, name) ? DIRECTORY_OPTIONS[name] : undefined;
  if (!spec) return [];
  const dirs: Arg[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const v = a.value;
    if (v === '--' || !v.startsWith('-')) {
      // npm, make and the like take options after their first word too (`npm test --prefix app`).
      if (name === 'git' || v === '--') break;
      continue;
    }
    if (spec.short && v === `-${spec.short}` && args[i + 1]) dirs.push(args[++i]);
    else if (spec.short && v.startsWith(`-${spec.short}`) && name !== 'git') dirs.push({ ...a, value: v.slice(2) });
    else if (spec.long?.includes(v) && args[i + 1]) dirs.push(args[++i]);
    else if (spec.long?.some((l) => v.startsWith(`${l}=`))) dirs.push({ ...a, value: v.slice(v.indexOf('=') + 1) });
    else if (name === 'git' && GIT_VALUE_OPTIONS.has(v)) i++;
  }
  return dirs;
}

/** Runs a check with the shell's directory moved through each of `dirs`, then moves it back. */
export function withDirectories(dirs: Arg[], cx: CheckContext, check: () => void): void {
  if (dirs.length === 0) return check();
  withDirectory(dirs[0], cx, () => withDirectories(dirs.slice(1), cx, check));
}
