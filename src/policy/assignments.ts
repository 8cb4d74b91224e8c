// Variable assignments that change the shell itself (PATH, BASH_ENV, PROMPT_COMMAND, the pager, ...): one check,
// shared by the walk (prefix assignments), the builtins (export, declare, read) and the wrappers (env NAME=value).
import type { Finding } from './rules.js';
import type { Arg } from './words.js';

/** Variables whose value changes how the shell finds or runs commands, or how it reads the next line. */
export function isShellControlVariable(name: string, persistent: boolean): boolean {
  if (
    /^(PATH|BASH_ENV|ENV|SHELLOPTS|BASHOPTS|PS4|HOME|XDG_CONFIG_HOME|CDPATH|EXECIGNORE|GLOBIGNORE|BASH_LOADABLES_PATH)$/.test(
      name,
    ) ||
    /^LD_/.test(name) ||
    name.startsWith('__cm_') || // the terminal protocol's own variables (src/terminal/protocol.ts)
    name.startsWith('BASH_FUNC_') ||
    /^(GIT_SSH|GIT_SSH_COMMAND|GIT_ASKPASS|SSH_ASKPASS|GIT_PROXY_COMMAND|GIT_EXTERNAL_DIFF|GIT_EXEC_PATH|GIT_TEMPLATE_DIR|GIT_CONFIG|GIT_CONFIG_PARAMETERS|GIT_CONFIG_COUNT|GIT_CONFIG_GLOBAL|GIT_CONFIG_SYSTEM|GIT_CONFIG_KEY_\d+|GIT_CONFIG_VALUE_\d+|GIT_SEQUENCE_EDITOR)$/.test(
      name,
    )
  ) {
    return true;
  }
  // Only a lasting change matters for these: `IFS= read -r line` is ordinary.
  return (
    persistent &&
    /^(IFS|PS0|PS1|PS2|PROMPT_COMMAND|TMOUT|histchars|HISTFILE|HISTCONTROL|CDPATH|BASH_XTRACEFD|INPUTRC)$/.test(name)
  );
}

/** Pager and editor variables: harmless when they name a plain non-interactive program. */
export function isPagerVariable(name: string): boolean {
  return /^(PAGER|GIT_PAGER|MANPAGER|SYSTEMD_PAGER|EDITOR|VISUAL|GIT_EDITOR)$/.test(name);
}
const HARMLESS_PAGERS = new Set(['', 'cat', 'true', ':', 'less', 'more']);

export function checkAssignment(name: string, value: Arg | null, persistent: boolean, findings: Finding[]): void {
  if (name === 'PATH') {
    // Without a boundary, PATH decides which program a name the policy allowed really runs. In the sandbox, whatever
    // it runs is confined like the command itself, and `export PATH="$PWD/node_modules/.bin:$PATH"` is ordinary.
    findings.push({
      rule: 'shell-state',
      reason: `assigning PATH changes which program every later command name runs; call programs by their path instead (./node_modules/.bin/jest, .venv/bin/pytest)`,
      outsideSandboxOnly: true,
    });
  } else if (isShellControlVariable(name, persistent)) {
    findings.push({
      rule: 'shell-state',
      reason: `assigning ${name} changes how the shell finds or runs commands; leave it as it is (call programs by their path instead of changing PATH)`,
    });
  } else if (isPagerVariable(name) && !(value && value.literal && HARMLESS_PAGERS.has(value.value.trim()))) {
    findings.push({
      rule: 'shell-state',
      reason: `${name} names a program other tools run for you; only cat, true, less or more are accepted (the session already sets ${name}=cat or true)`,
    });
  }
}
