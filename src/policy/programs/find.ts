// find: what -exec/-execdir run is checked with what find may put in place of {} for each starting point; -delete
// and -fprint write; -ok asks at the terminal.
import { posix } from 'node:path';
import { checkWrite, deny, inner, spend, type CheckContext } from '../context.js';
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
  const filters = findFilters(args.slice(i));
  const found: Found[] = [];
  for (const s of starts) {
    const f = foundPath(s, filters, cx);
    if (!f) return; // past a work bound: already denied
    found.push(f);
  }
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
      cx.unwrapped.push(inner(body, cmd, `find ${v}`, { stdin: false }));
      // `{}` stands for each file found: check the command with what it may find in its place. Without `{}` the
      // command is the same for every start point, and is checked once.
      const perStart = body.some((a) => a.value.includes('{}'));
      for (const f of perStart ? found : found.slice(0, 1)) {
        if (
          perStart &&
          !spend(
            cx,
            'expandedText',
            body.reduce((n, a) => n + a.value.length, 0),
          )
        )
          return;
        const argv = perStart
          ? body.map((a) => (a.value.includes('{}') ? { ...f.arg, value: a.value.split('{}').join(f.arg.value) } : a))
          : body;
        cx.check(inner(argv, cmd, `find ${v}`, { stdin: false }), depth + 1);
        if (cx.budget.exceeded) return;
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

interface Found {
  arg: Arg;
  /** Nothing filters what find hands on: the whole tree below the start. */
  whole: boolean;
}

interface Filters {
  /** Unnegated -name/-iname patterns, and -path/-wholename ones. */
  names: string[];
  paths: string[];
  /** A filter the policy does not model (-regex, -o, a comma): anything may be found. */
  opaque: boolean;
}

/** The expression's filters, read once for all the start points. */
function findFilters(expr: Arg[]): Filters {
  const names = new Set<string>();
  const paths = new Set<string>();
  let opaque = false;
  for (let k = 0; k < expr.length; k++) {
    const v = expr[k].value;
    const negated = k > 0 && (expr[k - 1].value === '-not' || expr[k - 1].value === '!');
    if (FIND_NAME_TESTS.has(v) && expr[k + 1]) {
      if (!negated) names.add(expr[k + 1].value);
      k++;
    } else if (FIND_PATH_TESTS.has(v) && expr[k + 1]) {
      if (!negated) paths.add(expr[k + 1].value);
      k++;
    } else if (/^-i?regex$/.test(v) || v === '-o' || v === '-or' || v === ',') opaque = true;
  }
  return { names: [...names], paths: [...paths], opaque };
}

function samplesOf(protectedPath: string): string[] {
  const base = posix.basename(protectedPath);
  return [base, ...(Object.hasOwn(PROTECTED_SAMPLES, base) ? PROTECTED_SAMPLES[base] : [])];
}

/**
 * What find may hand to -exec/-delete for one starting point: a protected path when a -name/-path test can match
 * one, a path below the start when the tests keep away from them, or the whole start when nothing filters. Null
 * when the filter tests went past their work bound (the command is then denied).
 */
function foundPath(start: Arg, filters: Filters, cx: CheckContext): Found | null {
  const { names, paths, opaque } = filters;
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
    const samples = samplesOf(p);
    if (!spend(cx, 'patternTests', (names.length + paths.length) * (samples.length + 1))) return null;
    const nameHit = names.some((n) => samples.some((f) => globMatch(n, f)));
    const pathHit = paths.some((n) => [asFound, ...samples.map((f) => `${asFound}/${f}`)].some((f) => globMatch(n, f)));
    if (nameHit || pathHit) return { arg: { value: asFound, literal: true, pattern: false }, whole: false };
  }
  return {
    arg: { value: `${start.value.replace(/\/+$/, '')}/found-file`, literal: true, pattern: false },
    whole: false,
  };
}

/**
 * fnmatch without FNM_PERIOD, as find uses it: `*` matches a leading dot too. Iterative, backtracking only to the
 * last star, so a pattern of many stars costs O(pattern x text), never more (a regular expression could backtrack).
 */
function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    const step = p < pattern.length && pattern[p] !== '*' ? matchOne(pattern, p, text[t]) : -1;
    if (step > 0) {
      p += step;
      t++;
    } else if (pattern[p] === '*') {
      starP = p++;
      starT = t;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/** How many pattern characters match one text character at `p` (`?`, a class, an escape, a literal), or 0. */
function matchOne(pattern: string, p: number, c: string): number {
  const head = pattern[p];
  if (head === '?') return 1;
  if (head === '\\' && p + 1 < pattern.length) return pattern[p + 1] === c ? 2 : 0;
  if (head === '[') {
    const end = pattern.indexOf(']', p + 2);
    if (end < 0) return c === '[' ? 1 : 0;
    let body = pattern.slice(p + 1, end);
    const negate = body.startsWith('!') || body.startsWith('^');
    if (negate) body = body.slice(1);
    let hit = false;
    for (let k = 0; k < body.length; k++) {
      if (body[k + 1] === '-' && k + 2 < body.length) {
        if (c >= body[k] && c <= body[k + 2]) hit = true;
        k += 2;
      } else if (body[k] === c) hit = true;
    }
    return hit !== negate ? end - p + 1 : 0;
  }
  return head === c ? 1 : 0;
}
