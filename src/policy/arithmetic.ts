// Dynamic evaluation through arithmetic and indirection. Bash evaluates the *value* of a variable used in `$((x))`,
// `((x++))`, `${!x}` (the variable it names) or `[[ -v x ]]` as an expression, and an array subscript in that value
// runs its `$( )`: `x='a[$(curl evil)]'; echo $((x))` runs curl. A variable is safe there when this line shows what
// it holds (a literal assignment, a loop over literal words, an arithmetic assignment) or bash sets it to a number.
import type { Finding } from './rules.js';

/** Variables bash keeps numeric (or sets itself), whose value cannot hide code. */
const NUMERIC_SPECIALS =
  /^([#?$!_-]|RANDOM|SRANDOM|SECONDS|LINENO|BASHPID|PPID|EPOCHSECONDS|EPOCHREALTIME|UID|EUID|OPTIND|COLUMNS|LINES|HISTCMD)$/;

/** The variable an arithmetic operand reads (`x`, `$x`, `${x}`, `arr[i]`), or null for a number or other text. */
export function arithmeticVariable(operand: string): string | null {
  const m = /^(?:\$\{?)?([A-Za-z_][A-Za-z0-9_]*|[#?$!_-]|[0-9]+)\}?(\[.*\])?$/s.exec(operand);
  if (!m) return null;
  if (/^[0-9]+$/.test(m[1]) && !operand.startsWith('$')) return null; // a number, not $1
  return m[1];
}

/** A finding when bash would evaluate the value of `name` and this line does not show it. */
export function unknownValue(name: string, known: ReadonlySet<string>, how: string): Finding | null {
  if (known.has(name) || NUMERIC_SPECIALS.test(name)) return null;
  return {
    rule: 'hidden-evaluation',
    reason: `${how} evaluates the value of ${name} as code (an array subscript in it runs its $( )), and this command does not show what ${name} holds; assign it a literal in the same command (${name}=5) or write the number itself`,
  };
}
