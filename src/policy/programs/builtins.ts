// Builtins that change the agent's shell itself (evaluation, aliases, traps, options, variables) or print its state.
// The agent's shell lives across commands: what one command changes there, the next one inherits.
import { deny, denyOutsideSandbox, hasFlag, nestedCode, positionals, type CheckContext } from '../context.js';
import { checkAssignment } from '../assignments.js';
import { clip } from '../walk.js';
import type { Arg } from '../words.js';
import { program } from './program.js';

const VIRTUALENV_ACTIVATE = /^(?!-)([^\s$`]*\/)?bin\/activate$/;

export const evaluation = program('eval source . exec fc', ({ name, args }, cx) => {
  switch (name) {
    case 'eval':
      deny(cx, 'hidden-evaluation', 'eval runs text as a command, hiding it from the policy; write the command itself');
      return nestedCode(args, cx);
    case 'source':
    case '.':
      // A virtualenv's activate script only puts its bin/ first on PATH and defines `deactivate`: harmless with or
      // without the sandbox (running the same file with bash is allowed anyway), and what agents do first.
      if (args.length >= 1 && args[0].literal && VIRTUALENV_ACTIVATE.test(args[0].value)) return;
      return deny(
        cx,
        'hidden-evaluation',
        `${name} runs a file inside the agent's shell, changing its state; run scripts with bash FILE, and call a virtualenv's programs by path (.venv/bin/pytest)`,
      );
    case 'exec':
      return deny(
        cx,
        'hidden-evaluation',
        "exec replaces the agent's shell (or rewires its file descriptors); run the command without exec",
      );
    default:
      return deny(cx, 'hidden-evaluation', 'fc re-runs history or opens an editor; write the command out');
  }
});

export const shellHooks = program('alias trap enable bind hash complete compgen', ({ name, args }, cx) => {
  switch (name) {
    case 'alias':
      return deny(cx, 'shell-state', 'alias changes what a command name runs; write the full command each time');
    case 'trap':
      deny(
        cx,
        'shell-state',
        "trap installs a handler that runs later, outside the policy's view; run the cleanup as its own command",
      );
      return nestedCode(positionals(args).slice(0, 1), cx);
    case 'enable':
      return deny(
        cx,
        'shell-state',
        'enable changes which builtins exist (or loads new ones); use the commands as they are',
      );
    case 'bind':
      return deny(cx, 'shell-state', 'bind changes key bindings of the shell ci-medic types into; leave them alone');
    case 'hash':
      if (hasFlag(args, 'p'))
        deny(
          cx,
          'shell-state',
          'hash -p points a command name at another program; call the program by its path instead',
        );
      return;
    default:
      if (hasFlag(args, 'C') || hasFlag(args, 'F'))
        deny(cx, 'hidden-evaluation', `${name} -C/-F runs a command or function later; not needed for a repair`);
      return;
  }
});

export const variables = program('mapfile readarray read printf getopts let unset', ({ name, args }, cx) => {
  switch (name) {
    case 'mapfile':
    case 'readarray':
      if (args.some((a) => /^-[a-zA-Z]*C/.test(a.value))) {
        deny(cx, 'hidden-evaluation', `${name} -C runs a callback as code; read the lines and loop over them instead`);
        return nestedCode(args.slice(args.findIndex((a) => /^-[a-zA-Z]*C/.test(a.value)) + 1).slice(0, 1), cx);
      }
      return checkVariableNames(lastNames(args, 1), cx);
    case 'read':
      return checkVariableNames(readNames(args), cx);
    case 'printf': {
      const v = args.findIndex((a) => a.value === '-v');
      if (v >= 0 && args[v + 1]) checkVariableNames([args[v + 1].value.replace(/\[.*$/, '')], cx);
      return;
    }
    case 'getopts':
      return checkVariableNames(
        positionals(args)
          .slice(1, 2)
          .map((a) => a.value),
        cx,
      );
    case 'let':
      return checkVariableNames(
        args.map((a) => /^([A-Za-z_][A-Za-z0-9_]*)(\[.*\])?[^=]?=/.exec(a.value)?.[1]).filter((n): n is string => !!n),
        cx,
      );
    default:
      return checkVariableNames(
        positionals(args).map((a) => a.value),
        cx,
      );
  }
});

export const testVariable = program('test [', ({ args }, cx) => {
  const v = args.findIndex((a) => a.value === '-v');
  if (v >= 0 && args[v + 1] && !args[v + 1].literal)
    deny(
      cx,
      'hidden-evaluation',
      `test -v ${clip(args[v + 1].value)} evaluates a variable name known only at run time (a subscript in it runs its $( )); write the name literally`,
    );
});

export const declarations = program('export declare typeset local readonly', ({ name, args }, cx) =>
  checkDeclaration(name, args, cx),
);

export const set = program('set', ({ args }, cx) => checkSet(args, cx));

export const shopt = program('shopt', ({ args }, cx) => {
  if (hasFlag(args, 's') && args.some((a) => /^(dotglob|nocaseglob|cdable_vars)$/.test(a.value))) {
    deny(
      cx,
      'shell-state',
      'dotglob, nocaseglob and cdable_vars change what globs and cd reach (.git among them); leave the shell options as they are',
    );
  }
});

export const printenv = program('printenv', ({ args }, cx) => {
  // One named variable is what echo "$NAME" prints too. In the sandbox the shell's environment holds no secret (the
  // seal) and every output is redacted; without it the evasion corpus keeps it denied, as any variable may hold one.
  const named = args.length > 0 && args.every((a) => a.literal && /^[A-Za-z_][A-Za-z0-9_]*$/.test(a.value));
  (named ? denyOutsideSandbox : deny)(
    cx,
    'secrets',
    'printenv prints the environment; to see one setting use echo "$NAME" for that variable only',
  );
});

function checkVariableNames(names: string[], cx: CheckContext): void {
  for (const n of names) {
    if (/[$`]/.test(n)) {
      deny(
        cx,
        'shell-state',
        `the variable name ${clip(n)} is built at run time (it could be PATH); write variable names literally`,
      );
    } else {
      checkAssignment(n.replace(/\[.*$/, ''), null, true, cx.findings);
    }
  }
}

function lastNames(args: Arg[], count: number): string[] {
  return positionals(args)
    .slice(-count)
    .map((a) => a.value);
}

function readNames(args: Arg[]): string[] {
  const names: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const v = args[i].value;
    if (/^-[a-zA-Z]*[adinNptu]$/.test(v)) {
      if (v.endsWith('a')) names.push(args[i + 1]?.value ?? '');
      i++;
    } else if (!v.startsWith('-')) names.push(v);
  }
  return names;
}

function checkDeclaration(name: string, args: Arg[], cx: CheckContext): void {
  const names = args.filter((a) => !a.value.startsWith('-') && !a.value.startsWith('+'));
  const flags = args.filter((a) => a.value.startsWith('-') || a.value.startsWith('+')).map((a) => a.value);
  if (names.length === 0 && !flags.some((f) => /[fF]/.test(f))) {
    return deny(
      cx,
      'secrets',
      `${name} without names prints every variable (and their values); to see one use echo "$NAME" or declare -p NAME`,
    );
  }
  if (flags.some((f) => /^-[a-zA-Z]*n/.test(f)) && name !== 'export') {
    return deny(
      cx,
      'shell-state',
      `${name} -n makes a variable a reference to another (PATH, for instance); assign the variable you mean directly`,
    );
  }
  for (const a of names) {
    if (a.assigns === undefined && /[$`]/.test(a.value.split('=')[0])) {
      deny(
        cx,
        'shell-state',
        `${name} ${clip(a.value)}: the variable name is built at run time (it could be PATH); write it literally`,
      );
      continue;
    }
    const n = a.assigns ?? /^([A-Za-z_][A-Za-z0-9_]*)/.exec(a.value)?.[1];
    if (!n) continue;
    const isAssignment = a.assigns !== undefined || a.value.includes('=');
    const value: Arg | null = isAssignment ? { ...a, value: a.value.slice(a.value.indexOf('=') + 1) } : null;
    if (isAssignment) checkAssignment(n, value, true, cx.findings);
  }
}

function checkSet(args: Arg[], cx: CheckContext): void {
  if (args.length === 0)
    return deny(
      cx,
      'secrets',
      'set without arguments prints every variable and function; use echo "$NAME" for the one you need',
    );
  for (let i = 0; i < args.length; i++) {
    const v = args[i].value;
    if (v === '--' || v === '-') return;
    if (v === '-o' || v === '+o') {
      const opt = args[i + 1]?.value;
      i++;
      if (v === '-o' && opt && /^(errexit|noexec|onecmd)$/.test(opt)) denySetOption(cx, opt);
      continue;
    }
    if (/^-[a-zA-Z]+$/.test(v)) {
      if (v.includes('n')) return denySetOption(cx, 'noexec');
      if (v.includes('t')) return denySetOption(cx, 'onecmd');
      if (v.includes('e')) denySetOption(cx, 'errexit');
      if (v.includes('o')) i++; // -euo pipefail: the option name follows
    }
  }
}

function denySetOption(cx: CheckContext, opt: string): void {
  const what =
    opt === 'errexit'
      ? "set -e makes the agent's shell exit at the first failing command, ending the session"
      : opt === 'noexec'
        ? 'set -n stops the shell from running any further command'
        : 'set -t makes the shell exit after one more command';
  // set -e before a command (`set -euo pipefail; npm test`) is what agents write. Its cost is the shell, not safety:
  // the terminal respawns a shell that exited, in the same directory. Where the sandbox runs, the terminal's recovery
  // is the tested configuration, so it is allowed there; standing alone the policy keeps explaining it. -n and -t stop
  // every later command, with or without a sandbox.
  (opt === 'errexit' ? denyOutsideSandbox : deny)(
    cx,
    'session',
    `${what}; check exit codes with && or $? instead (inside a script file, set -e is fine)`,
  );
}
