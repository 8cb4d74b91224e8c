// What every check shares: the findings so far, the path context, and the helpers for options and writes.
import { mayHitProtected, protectedHit, resolvePath, type PathContext } from './paths.js';
import type { Finding, FindingRule } from './rules.js';
import type { SimpleCommand } from './walk.js';
import type { Arg } from './words.js';

export interface CheckContext {
  paths: PathContext;
  findings: Finding[];
  /** Commands found by unwrapping wrappers, added to the Decision's `commands`. */
  unwrapped: SimpleCommand[];
  /** Parses and checks code given as a string (eval, trap, bash -c): its commands join the Decision's. */
  nested: (code: string, asScript?: boolean) => void;
  /** Some word of the line names a protected path (checked for commands that xargs feeds paths to). */
  mentionsProtected?: boolean;
}

export function deny(cx: CheckContext, rule: FindingRule, reason: string): void {
  cx.findings.push({ rule, reason });
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
