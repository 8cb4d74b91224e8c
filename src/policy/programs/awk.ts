// awk: programs that run commands (system(), pipes, getline from a command), open sockets, load code, read the
// environment, or print into files.
import { checkWrite, deny, type CheckContext } from '../context.js';
import { credentialInCode } from '../credentials.js';
import { clip } from '../walk.js';
import type { Arg } from '../words.js';
import { program } from './program.js';

export const awk = program('awk gawk mawk nawk busybox-awk', ({ args }, cx) => checkAwk(args, cx));

function checkAwk(args: Arg[], cx: CheckContext): void {
  let program: Arg | undefined;
  for (let i = 0; i < args.length; i++) {
    const v = args[i].value;
    if (v === '--') {
      program ??= args[i + 1];
      break;
    }
    if (v === '-f' || v.startsWith('--file') || /^-f./.test(v) || v === '-E' || v.startsWith('--exec')) {
      return deny(
        cx,
        'code-in-arguments',
        'awk -f runs a program file the policy cannot check; pass the program inline',
      );
    }
    if (v === '-e' || v === '--source') {
      program = args[i + 1];
      break;
    }
    if (v === '-F' || v === '-v' || v === '--assign' || v === '--field-separator') {
      i++;
      continue;
    }
    if (v.startsWith('-') && v.length > 1) continue;
    program = args[i];
    break;
  }
  if (!program) return;
  if (!program.literal)
    return deny(
      cx,
      'code-in-arguments',
      `the awk program ${clip(program.value)} is built at run time; write it literally`,
    );
  const code = program.value;
  if (/\bsystem\s*\(/.test(code))
    return deny(
      cx,
      'code-in-arguments',
      'awk system() runs shell commands; do the work in awk or run the command yourself',
    );
  const printStatements = statementsThatPrint(code);
  if (
    /\|\s*&?\s*getline|\|&/.test(code) ||
    printStatements.some((st) => st.includes('|')) ||
    /"[^"]*"\s*\|\s*getline/.test(code)
  ) {
    return deny(
      cx,
      'code-in-arguments',
      'awk piping to or from a command runs it in a shell; run the command yourself and pipe its output into awk',
    );
  }
  if (/\/inet[46]?\//.test(code))
    return deny(cx, 'network-egress', 'awk /inet/ special files open network connections; the repair works offline');
  if (/@load|@include/.test(code))
    return deny(
      cx,
      'code-in-arguments',
      'awk @load/@include brings in code the policy cannot check; keep the program inline',
    );
  const credential = credentialInCode(code);
  if (credential) return deny(cx, 'secrets', `the awk program names ${credential}, a credential file; leave it alone`);
  if (/\bENVIRON\b|\bPROCINFO\b/.test(code))
    return deny(cx, 'secrets', 'awk ENVIRON reads the environment; use echo "$NAME" for the one variable you need');
  const redirect = printStatements.map((st) => />>?\s*("[^"]*")/.exec(st)).find((m) => m !== null);
  if (redirect)
    checkWrite(
      { value: redirect[1].slice(1, -1), literal: true, pattern: false },
      cx,
      false,
      `awk print > ${redirect[1]}`,
    );
}

/** `;`, braces and newlines end an awk statement. */
const endsStatement = (c: number) => c === 59 || c === 123 || c === 125 || c === 10;

/**
 * The statements (between `;`, braces and newlines) that hold print or printf: found from each match outwards, each
 * statement once, so the cost stays linear in the program (splitting it all, or one regular expression over it, costs
 * far more at length).
 */
function statementsThatPrint(code: string): string[] {
  const out: string[] = [];
  const print = /\bprintf?\b/g;
  let until = 0;
  for (let m = print.exec(code); m; m = print.exec(code)) {
    if (m.index < until) continue;
    let start = m.index;
    while (start > until && !endsStatement(code.charCodeAt(start - 1))) start--;
    let end = m.index;
    while (end < code.length && !endsStatement(code.charCodeAt(end))) end++;
    out.push(code.slice(start, end));
    until = end;
    print.lastIndex = end;
  }
  return out;
}
