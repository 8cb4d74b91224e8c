// Shells: a script file is fine (what it runs is the workspace's business, like npm test); code handed over as a
// string, on standard input or through a startup file is hidden from the policy, and a bare shell waits for input.
import { deny, denyOutsideSandbox, nestedCode } from '../context.js';
import { clip } from '../walk.js';
import { program } from './program.js';

const STDIN_SCRIPTS = new Set(['-', '/dev/stdin', '/dev/fd/0', '/proc/self/fd/0']);

export const shells = program('bash sh zsh dash ksh mksh fish csh tcsh rbash ash yash', ({ name, args, cmd }, cx) => {
  let i = 0;
  for (; i < args.length; i++) {
    const v = args[i].value;
    if (v === '--') {
      i++;
      break;
    }
    if (/^[-+]O$|^[-+]o$/.test(v)) {
      i++;
      continue;
    }
    if (v === '--rcfile' || v === '--init-file') {
      deny(cx, 'hidden-evaluation', `${name} ${v} runs a startup file inside the shell; run scripts with ${name} FILE`);
      return 'stop';
    }
    if (!/^[-+]/.test(v)) break;
    if (/^-[a-zA-Z]*c/.test(v) || v === '--command') {
      const code = args
        .slice(i + 1)
        .filter((a) => !a.value.startsWith('-'))
        .slice(0, 1);
      // Literal code is parsed and checked as code either way. Without a boundary a string inside a string is where a
      // parser and bash may disagree, so it stays denied; in the sandbox a disagreement is contained, and the code is
      // checked as the script it is (its own set -e, exit and cd).
      const literal = code.length === 1 && code[0].literal;
      (literal ? denyOutsideSandbox : deny)(
        cx,
        'hidden-evaluation',
        `${name} -c runs a string as a command, hiding it from the policy; run the command itself, or write a script file and run ${name} FILE`,
      );
      nestedCode(code, cx, cx.sandboxed);
      return 'stop';
    }
    if (/^-[a-zA-Z]*s/.test(v)) {
      deny(
        cx,
        'hidden-evaluation',
        `${name} -s reads a script from standard input; write the script to a file and run ${name} FILE`,
      );
      return 'stop';
    }
    if (/^-[a-zA-Z]*i/.test(v) || v === '--login' || /^-[a-zA-Z]*l/.test(v)) {
      deny(
        cx,
        'interactive',
        `${name} ${v} starts an interactive or login shell that waits for input; run the commands directly`,
      );
      return 'stop';
    }
  }
  const script = args[i];
  if (!script) {
    if (cmd.stdin)
      deny(
        cx,
        'hidden-evaluation',
        `${name} reading a script from standard input or a here-string hides the commands; write them to a file and run ${name} FILE, or run them directly`,
      );
    else
      deny(
        cx,
        'interactive',
        `${name} alone starts an interactive shell that waits for input; run the commands directly`,
      );
    return 'stop';
  }
  if (
    !script.literal ||
    script.pattern ||
    STDIN_SCRIPTS.has(script.value) ||
    script.value.startsWith('/dev/fd/') ||
    script.value.startsWith('/proc/')
  ) {
    deny(
      cx,
      'hidden-evaluation',
      `${name} ${clip(script.value)} runs a script the policy cannot see; write the script to a file in the workspace and run ${name} FILE`,
    );
  }
  return 'stop';
});
