// The shell's environment: what the agent's commands can see. Secrets never reach the tmux server (panes inherit
// the server's global environment), so the environment is scrubbed before the server starts.
import { isSecretName } from '../secrets/names.js';

export { isSecretName } from '../secrets/names.js';

/**
 * Variables that would change how our shell starts or runs commands behind our back (startup files, prompt hooks,
 * exported functions, a parent tmux), dropped as well.
 */
const SHELL_CONTROL = new Set([
  'BASH_ENV',
  'ENV',
  'PROMPT_COMMAND',
  'PS0',
  'PS1',
  'PS2',
  'PS4',
  'TMUX',
  'TMUX_PANE',
  'HISTFILE',
  'SHELLOPTS',
  'BASHOPTS',
  'CDPATH',
  'GLOBIGNORE',
  'IFS',
]);

/** Settings that keep programs from waiting for a person (pagers, editors, prompts). */
export const NON_INTERACTIVE_ENV: Readonly<Record<string, string>> = {
  PAGER: 'cat',
  GIT_PAGER: 'cat',
  MANPAGER: 'cat',
  SYSTEMD_PAGER: 'cat',
  GIT_EDITOR: 'true',
  EDITOR: 'true',
  VISUAL: 'true',
  GIT_TERMINAL_PROMPT: '0',
  DEBIAN_FRONTEND: 'noninteractive',
  CI: 'true',
  // An empty HISTFILE keeps the agent's shell out of the user's ~/.bash_history.
  HISTFILE: '',
};

/** Used when the caller gives no base environment: enough to find bash, tmux and the usual tools. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/opt/homebrew/bin';

function isDropped(name: string): boolean {
  return isSecretName(name) || SHELL_CONTROL.has(name) || name.startsWith('BASH_FUNC_') || name.includes('=');
}

/**
 * The environment minus every variable whose name looks like a secret or would steer the shell; undefined values
 * are dropped. Pure: returns a new object.
 */
export function scrubEnvironment(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || isDropped(name)) continue;
    out[name] = value;
  }
  return out;
}

/**
 * The shell's full environment: the scrubbed base, the caller's extras (scrubbed too: they must never be secrets),
 * then the non-interactive settings, which win.
 */
export function shellEnvironment(
  baseEnv: Record<string, string | undefined> | undefined,
  extra: Record<string, string> | undefined,
): Record<string, string> {
  const env = { ...scrubEnvironment(baseEnv ?? {}), ...scrubEnvironment(extra ?? {}), ...NON_INTERACTIVE_ENV };
  if (!env.PATH) env.PATH = DEFAULT_PATH;
  return env;
}
