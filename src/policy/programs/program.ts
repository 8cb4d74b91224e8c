// What a program family exports: the names it handles and its check. The registry (index.ts) runs, for one command,
// every family that handles its name, in the registry's order.
import type { CheckContext } from '../context.js';
import type { SimpleCommand } from '../walk.js';
import type { Arg } from '../words.js';

/** One program invocation as a check sees it. */
export interface Invocation {
  /** The program's base name (`/usr/bin/git` is `git`). */
  name: string;
  /** The arguments after the name. */
  args: Arg[];
  cmd: SimpleCommand;
  /** How many wrappers deep this command stands (`timeout 5 env nice CMD` is 3). */
  depth: number;
}

/** `stop`: the invocation is denied as a whole, no later family needs to look at it. */
export type CheckResult = void | 'stop';

export interface Program {
  /** Base names this family handles. */
  names: readonly string[];
  /** Names recognised by their form rather than listed (`mkfs.ext4`, `python3.12`). */
  matches?: (name: string) => boolean;
  check: (inv: Invocation, cx: CheckContext) => CheckResult;
}

export function program(
  names: readonly string[] | string,
  check: Program['check'],
  matches?: Program['matches'],
): Program {
  return { names: typeof names === 'string' ? names.split(' ') : names, check, ...(matches ? { matches } : {}) };
}
