// find: what -exec/-execdir run is checked with what find may put in place of {} for each starting point; -delete
// and -fprint write; -ok asks at the terminal.
import { posix } from 'node:path';
import { checkWrite, deny, inner, type CheckContext } from '../context.js';
import { isInside, resolvePath } from '../paths.js';
import { clip, type SimpleCommand } from '../walk.js';
import type { Arg } from '../words.js';
import { checkRm } from './files.js';
import { program } from './program.js';

const FIND_EXEC = new Set(['-exec', '-execdir', '-ok', '-okdir']);

export const find = program('find', ({ args, cmd, depth }, cx) => checkFind(args, cmd, cx, depth));

function checkFind(args: Arg[], cmd: SimpleCommand, cx: CheckContext, depth: number): void {
  let i = 0;
  while (i < args.length && /^-[HLPO]|^-D$/.test(args[i].value)) i += args[i].value === '-D' ? 2 : 1;
  const starts: Arg[] = [];
  while (i < args.length && !/^[-(!,]/.test(args[i].value)) starts.push(args[i++]);
  if (starts.length === 0) starts.push({ value: '.', literal: true, pattern: false });
  const found = starts.map((s) => foundPath(s, args.slice(i), cx));
  for (; i < args.length; i++) {
    const v = args[i].value;
    if (FIND_EXEC.has(v)) {
      const body: Arg[] = [];
      let j = i + 1;
      while (j < args.length && args[j].value !== ';' && !(args[j].value === '+' && args[j - 1]?.value === '{}'))
        body.push(args[j++]);
      i = j;
      if (v === '-ok' || v === '-okdir')
        deny(cx, 'interactive', `find ${v} asks at the terminal for every file; use ${v.replace('ok', 'exec')}`);
      if (body.length === 0) continue;
      // `{}` stands for each file found: check the command with what it may find in its place.
      cx.unwrapped.push(inner(body, cmd, `find ${v}`, { stdin: false }));
      for (const f of found) {
        const argv = body.map((a) =>
          a.value.includes('{}') ? { ...f.arg, value: a.value.split('{}').join(f.arg.value) } : a,
        );
        cx.check(inner(argv, cmd, `find ${v}`, { stdin: false }), depth + 1);
      }
    } else if (v === '-delete') {
      for (const f of found) {
        if (f.whole) checkRm([{ value: '-r', literal: true, pattern: false }, f.arg], cmd, cx);
        else checkWrite(f.arg, cx, false, `find ${clip(f.arg.value)} -delete`);
      }
    } else if (/^-f(print0?|printf|ls)$/.test(v) && args[i + 1]) {
      checkWrite(args[i + 1], cx, false, `find ${v} ${clip(args[i + 1].value)}`);
      i++;
    }
  }
}

const FIND_NAME_TESTS = new Set(['-name', '-iname']);
/** Names found inside the default protected directories, to test a find -name pattern against. */
const PROTECTED_SAMPLES: Record<string, string[]> = {
  '.git': [
    'HEAD',
    'ORIG_HEAD',
    'FETCH_HEAD',
    'config',
    'description',
    'index',
    'packed-refs',
    'exclude',
    'COMMIT_EDITMSG',
    'pre-commit',
    'pre-commit.sample',
    'post-checkout',
    'commit-msg',
    'main',
    'pack-1a2b.pack',
    'pack-1a2b.idx',
    'hooks',
    'objects',
    'refs',
    'info',
  ],
  '.github': [
    'ci.yml',
    'ci.yaml',
    'workflows',
    'dependabot.yml',
    'CODEOWNERS',
    'action.yml',
    'ci-medic.md',
    'PULL_REQUEST_TEMPLATE.md',
  ],
};
const FIND_PATH_TESTS = new Set(['-path', '-ipath', '-wholename', '-iwholename']);

/**
 * What find may hand to -exec/-delete for one starting point: a protected path when a -name/-path test can match
 * one, a path below the start when the tests keep away from them, or the whole start when nothing filters.
 */
function foundPath(start: Arg, expr: Arg[], cx: CheckContext): { arg: Arg; whole: boolean } {
  const names: string[] = [];
  const paths: string[] = [];
  let opaque = false;
  for (let k = 0; k < expr.length; k++) {
    const v = expr[k].value;
    const negated = k > 0 && (expr[k - 1].value === '-not' || expr[k - 1].value === '!');
    if (FIND_NAME_TESTS.has(v) && expr[k + 1]) {
      if (!negated) names.push(expr[k + 1].value);
      k++;
    } else if (FIND_PATH_TESTS.has(v) && expr[k + 1]) {
      if (!negated) paths.push(expr[k + 1].value);
      k++;
    } else if (/^-i?regex$/.test(v) || v === '-o' || v === '-or' || v === ',') opaque = true;
  }
  const root = start.literal ? resolvePath(start, cx.paths) : null;
  if (opaque || (names.length === 0 && paths.length === 0) || root === null) {
    // Nothing (known) filters: find reaches every protected path below the start.
    const below = root === null ? undefined : cx.paths.protectedPaths.find((p) => isInside(p, root) && p !== root);
    if (below && root !== null) {
      const asFound = `${start.value.replace(/\/+$/, '')}/${below.slice(root.length).replace(/^\//, '')}`;
      return { arg: { value: asFound, literal: true, pattern: false }, whole: true };
    }
    return { arg: start, whole: true };
  }
  for (const p of cx.paths.protectedPaths) {
    if (!isInside(p, root) || p === root) continue;
    const rel = p.slice(root.length).replace(/^\//, '');
    const asFound = `${start.value.replace(/\/+$/, '')}/${rel}`;
    const samples = [
      posix.basename(p),
      ...(Object.hasOwn(PROTECTED_SAMPLES, posix.basename(p)) ? PROTECTED_SAMPLES[posix.basename(p)] : []),
    ];
    const nameHit = names.some((n) => samples.some((f) => globMatch(n, f)));
    const pathHit = paths.some((n) => [asFound, ...samples.map((f) => `${asFound}/${f}`)].some((f) => globMatch(n, f)));
    if (nameHit || pathHit) return { arg: { value: asFound, literal: true, pattern: false }, whole: false };
  }
  return {
    arg: { value: `${start.value.replace(/\/+$/, '')}/found-file`, literal: true, pattern: false },
    whole: false,
  };
}

/** fnmatch without FNM_PERIOD, as find uses it: `*` matches a leading dot too. */
function globMatch(pattern: string, text: string): boolean {
  let re = '';
  for (let k = 0; k < pattern.length; k++) {
    const c = pattern[k];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', k + 2);
      if (end < 0) re += '\\[';
      else {
        re += `[${pattern
          .slice(k + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        k = end;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's').test(text);
}
