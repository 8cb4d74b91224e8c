// Programs that write, move or delete the paths they are given: the protected paths stay out of reach, and rm -r
// stays inside the workspace.
import { checkWrite, deny, hasFlag, positionals, type CheckContext } from '../context.js';
import { isInside, mayHitProtected, protectedHit, resolvePath } from '../paths.js';
import { clip, type SimpleCommand } from '../walk.js';
import type { Arg } from '../words.js';
import { program } from './program.js';

const WRITER_NAMES =
  'gzip gunzip bzip2 bunzip2 xz unxz zstd lz4 dos2unix unix2dos tee touch truncate chmod chown chgrp mkdir rmdir unlink shred mv ln cp install mkfifo mknod';
const WRITERS = new Set(WRITER_NAMES.split(' '));

export const writers = program(WRITER_NAMES, ({ name, args }, cx) => {
  let targets = positionals(args);
  const recursive =
    name === 'mv' || ((name === 'chmod' || name === 'chown' || name === 'chgrp') && hasFlag(args, 'R', '--recursive'));
  if (name === 'cp' || name === 'install') {
    const t = args.findIndex((a) => a.value === '-t' || a.value.startsWith('--target-directory'));
    if (t >= 0) {
      const v = args[t].value;
      targets = v.includes('=')
        ? [{ ...args[t], value: v.slice(v.indexOf('=') + 1) }]
        : args[t + 1]
          ? [args[t + 1]]
          : [];
    } else if (
      !args.some((a) => /^-[a-zA-Z]*[sl]/.test(a.value) || a.value === '--symbolic-link' || a.value === '--link')
    ) {
      // A plain copy reads its sources; with -s/-l it makes links to them, which later writes go through.
      targets = targets.slice(-1);
    }
  }
  for (const t of targets) checkWrite(t, cx, recursive, `${name} ${clip(t.value)}`);
});

/** Any program fed paths by xargs: when it writes them and the line names a protected path, it may be fed one. */
export const fedByXargs = program(
  [],
  ({ name, args, cmd }, cx) => {
    if (cmd.extraArgs && cx.mentionsProtected && writesItsArguments(name, args)) {
      deny(
        cx,
        'protected-paths',
        `${name} gets its paths from xargs at run time, and this line names a protected path; list the files to change explicitly`,
      );
    }
  },
  () => true,
);

function writesItsArguments(name: string, args: Arg[]): boolean {
  if (WRITERS.has(name) || name === 'rm' || name === 'dd') return true;
  if (name === 'sed' || name === 'gsed' || name === 'perl') {
    return args.some((a) => /^-[a-zA-Z]*i/.test(a.value) || a.value.startsWith('--in-place'));
  }
  return false;
}

export const rm = program('rm', ({ args, cmd }, cx) => checkRm(args, cmd, cx));

export function checkRm(args: Arg[], cmd: SimpleCommand, cx: CheckContext): void {
  const recursive = hasFlag(args, 'r', '--recursive') || hasFlag(args, 'R');
  const targets = positionals(args);
  if (!recursive) {
    for (const t of targets) checkWrite(t, cx, false, `rm ${clip(t.value)}`);
    return;
  }
  if (cmd.extraArgs) {
    return deny(
      cx,
      'destructive-rm',
      'rm -r of paths read at run time (xargs) cannot be checked; list the directories to delete literally',
    );
  }
  const ws = cx.paths.workspace;
  for (const t of targets) {
    const path = t.literal ? resolvePath(t, cx.paths) : null;
    if (path === null) {
      // A glob under a known directory is fine as long as that directory is in the workspace and .git is out of reach.
      const prefix = t.pattern && !/[$`]/.test(t.value) ? literalDirPrefix(t.value) : null;
      const base =
        prefix !== null ? resolvePath({ value: prefix || '.', literal: true, pattern: false }, cx.paths) : null;
      if (base === null || !isInside(base, ws)) {
        return deny(
          cx,
          'destructive-rm',
          `rm -r ${clip(t.value)}: the path is only known at run time; write the directory to delete literally (inside the workspace)`,
        );
      }
      const hit = mayHitProtected(t, cx.paths, true);
      if (hit)
        return deny(
          cx,
          'destructive-rm',
          `rm -r ${clip(t.value)} could delete ${hit}, which is protected; name the directories to delete`,
        );
      continue;
    }
    if (path === '/' || path === cx.paths.home || !isInside(path, ws) || path === ws) {
      return deny(
        cx,
        'destructive-rm',
        `rm -r ${clip(t.value)} deletes ${path === ws ? 'the whole workspace' : `${path}, outside the workspace`}; delete only build output inside the workspace (rm -rf dist node_modules/.cache)`,
      );
    }
    const hit = protectedHit(path, cx.paths, true);
    if (hit)
      return deny(
        cx,
        'destructive-rm',
        `rm -r ${clip(t.value)} deletes ${hit}, which is protected; the repair may not change it`,
      );
  }
}

function literalDirPrefix(value: string): string {
  const glob = value.search(/[*?[{]/);
  const head = glob < 0 ? value : value.slice(0, glob);
  const slash = head.lastIndexOf('/');
  return slash < 0 ? '' : head.slice(0, slash) || '/';
}

export const dd = program('dd', ({ args }, cx) => {
  for (const a of args) {
    if (!a.value.startsWith('of=')) continue;
    const target: Arg = { ...a, value: a.value.slice(3) };
    if (target.value.startsWith('/dev/') && !/^\/dev\/(null|stdout|stderr)$/.test(target.value)) {
      deny(cx, 'privilege', `dd of=${target.value} writes to a device; write to a file in the workspace`);
    } else {
      checkWrite(target, cx, false, `dd of=${clip(target.value)}`);
    }
  }
});

export const sort = program('sort', ({ args }, cx) => {
  for (let k = 0; k < args.length; k++) {
    const v = args[k].value;
    if ((v === '-o' || v === '--output') && args[k + 1])
      checkWrite(args[k + 1], cx, false, `sort -o ${clip(args[k + 1].value)}`);
    else if (v.startsWith('--output=') || /^-o./.test(v))
      checkWrite({ ...args[k], value: v.replace(/^--output=|^-o/, '') }, cx, false, `sort ${clip(v)}`);
  }
});
