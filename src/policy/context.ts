// What every check shares: the findings so far, the path context, and the helpers for options and writes.
import { mayHitProtected, protectedHit, resolvePath, type PathContext } from './paths.js';
import type { Finding, FindingRule } from './rules.js';
import type { SimpleCommand } from './walk.js';
import type { Arg } from './words.js';

export interface CheckContext {
  paths: PathContext;
  /** The shell runs inside the OS sandbox (PolicyConfig.sandboxed). */
  sandboxed: boolean;
  /** The credential files (src/secrets/locations.ts) for this home and workspace. */
  credentials: { path: string; home: boolean }[];
  findings: Finding[];
  /** Commands found by unwrapping wrappers, added to the Decision's `commands`. */
  unwrapped: SimpleCommand[];
  /** Parses and checks code given as a string (eval, trap, bash -c): its commands join the Decision's. */
  nested: (code: string, asScript?: boolean) => void;
  /** Some word of the line names a protected path (checked for commands that xargs feeds paths to). */
  mentionsProtected?: boolean;
  /** Checks a command found inside another (a wrapper's inner command) with all the rules. */
  check: (cmd: SimpleCommand, depth: number) => void;
  /** The work this decision has done so far, against WORK_LIMITS. */
  budget: WorkBudget;
}

export function deny(cx: CheckContext, rule: FindingRule, reason: string): void {
  cx.findings.push({ rule, reason });
}

/** A denial that only stands without the OS sandbox: the boundary already stops what the rule guards against. */
export function denyOutsideSandbox(cx: CheckContext, rule: FindingRule, reason: string): void {
  cx.findings.push({ rule, reason, outsideSandboxOnly: true });
}

export function positionals(args: Arg[]): Arg[] {
  const out: Arg[] = [];
  let options = true;
  for (const a of args) {
    if (options && a.value === '--') options = false;
    else if (options && a.value.startsWith('-') && a.value !== '-') continue;
    else out.push(a);
  }
  return out;
}

export /** Short option letters anywhere in `-abc` words (before `--`), and long options by name. */
function hasFlag(args: Arg[], short: string, long?: string): boolean {
  for (const a of args) {
    const v = a.value;
    if (v === '--') return false;
    if (long && (v === long || v.startsWith(`${long}=`))) return true;
    if (short && /^-[A-Za-z0-9]+$/.test(v) && v.includes(short)) return true;
  }
  return false;
}

const SAFE_WRITE_TARGETS = /^\/dev\/(null|stdout|stderr|fd\/[12])$/;

/** A write to `arg`: refused inside a protected path (or, recursive, above one), or when the path cannot be known. */
export function checkWrite(arg: Arg, cx: CheckContext, recursive: boolean, what: string): void {
  if (SAFE_WRITE_TARGETS.test(arg.value)) return;
  if (!arg.literal && /^[<>]\(/.test(arg.value) && arg.value.endsWith(')')) return; // a process substitution: a pipe, not a file
  const path = arg.literal ? resolvePath(arg, cx.paths) : null;
  if (path !== null) {
    const hit = protectedHit(path, cx.paths, recursive);
    if (hit)
      deny(
        cx,
        'protected-paths',
        `${what} writes into ${hit}, a protected path; the repair may read it but not change it`,
      );
    return;
  }
  if (cx.paths.cwd === null && arg.literal && !arg.value.startsWith('/') && !arg.value.startsWith('~')) {
    deny(
      cx,
      'protected-paths',
      `${what}: after a cd to a directory known only at run time, a relative path cannot be checked; cd to a literal path or write the path in full`,
    );
    return;
  }
  const hit = mayHitProtected(arg, cx.paths, recursive);
  if (hit) {
    deny(
      cx,
      'protected-paths',
      `${what} writes to a path the policy cannot know before it runs (it may be under ${hit}, which is protected); write the path literally`,
    );
  }
}

/** Code given as words (eval, trap, bash -c): parsed and checked as well, when it is literal. */
export function nestedCode(words: Arg[], cx: CheckContext, asScript = false): void {
  if (words.length > 0 && words.every((w) => w.literal)) cx.nested(words.map((w) => w.value).join(' '), asScript);
}

/** A program's options, getopt style: short letters that take a value, long names that take one. */
export interface OptionSpec {
  short: string;
  long: string[];
}

/**
 * Index of the first argument after the options (getopt style): `-abc` clusters where a value-taking letter takes
 * the rest of the word or, at the end, the next word; `--name=value` or `--name value`; `--` ends the options.
 */
export function skipOptions(args: Arg[], spec: OptionSpec, start = 0): number {
  let i = start;
  while (i < args.length) {
    const v = args[i].value;
    if (v === '--') return i + 1;
    if (!v.startsWith('-') || v === '-') return i;
    if (v.startsWith('--')) {
      i += !v.includes('=') && spec.long.includes(v) ? 2 : 1;
      continue;
    }
    let takesNext = false;
    for (let k = 1; k < v.length; k++) {
      if (spec.short.includes(v[k])) {
        takesNext = k === v.length - 1;
        break;
      }
    }
    i += takesNext ? 2 : 1;
  }
  return i;
}

/** A command run by a wrapper (`timeout 5 CMD`, `xargs CMD`, `find -exec CMD`), with the wrapper's surroundings. */
export function inner(args: Arg[], cmd: SimpleCommand, via: string, extra: Partial<SimpleCommand> = {}): SimpleCommand {
  return { argv: args, env: [], stdin: cmd.stdin, extraArgs: cmd.extraArgs, via, redirects: [], ...extra };
}

/** Checks a wrapper's inner command like any other, and adds it to the Decision's commands. */
export function runInner(sub: SimpleCommand, cx: CheckContext, depth: number): void {
  cx.unwrapped.push(sub);
  cx.check(sub, depth + 1);
}

/**
 * Bounds on the work of one decision, so no command (up to MAX_COMMAND_LENGTH) can stall the loop: past one, the
 * command is denied with a reason that says which bound it met. The numbers are far above what real commands need
 * (a repair's longest lines hold tens of simple commands) and keep the worst case within the bench's 100 ms.
 */
export const WORK_LIMITS = {
  /**
   * Words, operators and expansions, counted before parsing (size.ts) over the command and every piece of code
   * nested in it: what parsing, walking and checking cost grows with. Real commands hold a few hundred at most.
   */
  tokens: { max: 12_000, what: 'words and operators' },
  /** Simple commands checked: nested code, wrapped commands and each find start point's -exec all count. */
  commands: { max: 500, what: 'simple commands (counting wrapped, nested and find -exec ones)' },
  /** Words of the simple commands checked (each is resolved as a path and tested against the secret places). */
  arguments: { max: 10_000, what: 'arguments' },
  /** Syntax nodes visited, over the command and all the code nested in it. */
  nodes: { max: 40_000, what: 'syntax nodes' },
  /** Characters of nested code (eval, bash -c, trap strings, scripts written with a here-document) parsed. */
  nestedSource: { max: 512 * 1024, what: 'characters of nested code' },
  /** Pattern tests of find's -name/-path filters against the protected paths. */
  patternTests: { max: 100_000, what: 'find filter tests' },
  /** Characters of find -exec commands with `{}` filled in for each start point. */
  expandedText: { max: 1024 * 1024, what: 'characters of find -exec commands with {} filled in' },
} as const;

export type WorkKind = keyof typeof WORK_LIMITS;

export interface WorkBudget {
  spent: Record<WorkKind, number>;
  /** The first bound met, once met: every later check is skipped. */
  exceeded: WorkKind | null;
}

export function newBudget(): WorkBudget {
  return {
    spent: { tokens: 0, commands: 0, arguments: 0, nodes: 0, nestedSource: 0, patternTests: 0, expandedText: 0 },
    exceeded: null,
  };
}

/** Spends `units` of one kind of work; false (and a denial, once) when that goes past its bound. */
export function spend(cx: CheckContext, kind: WorkKind, units = 1): boolean {
  const budget = cx.budget;
  if (budget.exceeded) return false;
  budget.spent[kind] += units;
  if (budget.spent[kind] <= WORK_LIMITS[kind].max) return true;
  budget.exceeded = kind;
  deny(
    cx,
    'parse',
    `the command is too large to check: it needs more than ${WORK_LIMITS[kind].max} ${WORK_LIMITS[kind].what}; split it into smaller commands (or write long content with the edit tool)`,
  );
  return false;
}
