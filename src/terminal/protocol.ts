// The shell side of the terminal protocol: the text of the files the live shell sources. Pure string builders.
//
// Command N:  N.sh   the command, verbatim
//             N.run  sourced by the fixed line typed into the pane: shows the command, marks its start, runs N.sh
//                    in the live shell (so cd/export persist) with stdin from /dev/null and stdout+stderr to N.log
//                    only: the pane shows the output through ci-medic's redacting feed (feed.ts), never directly
//             N.rc   "<status> done" (or "<status>" when the command was cut short), written by the prompt hook
//
// The prompt hook (PROMPT_COMMAND, set again by every N.run) runs whenever the shell comes back to its prompt:
// after a normal end, and also after C-c aborts the typed line (bash then skips the rest of the line, so the
// status cannot live in N.run alone). After writing N.rc it waits, bounded, until ci-medic says on the drawn fifo
// that the feed has drawn the output, so the prompt comes after the output for a person watching.
import { shellQuote } from './quote.js';

export interface ProtocolPaths {
  stateDir: string;
  socketPath: string;
  /** Absolute path of the tmux binary (the shell's PATH, aliases and functions must not matter). */
  tmux: string;
  /** Random per-server token: channels and markers never collide with other output or earlier servers. */
  token: string;
}

/** The shell's rc file (`bash --rcfile`): the prompt, which the environment cannot carry through `sh -c`. */
export const shellRcFile = (stateDir: string) => `${stateDir}/shell.rc`;
export const PROMPT = '[ci-medic] \\w \\$ ';

export function shellRc(): string {
  return `PS1=${shellQuote(PROMPT)}\n`;
}

export const commandFile = (stateDir: string, n: number) => `${stateDir}/${n}.sh`;
export const runFile = (stateDir: string, n: number) => `${stateDir}/${n}.run`;
export const logFile = (stateDir: string, n: number) => `${stateDir}/${n}.log`;
export const rcFile = (stateDir: string, n: number) => `${stateDir}/${n}.rc`;
export const cwdFile = (stateDir: string) => `${stateDir}/cwd`;
/** A fifo through which ci-medic tells the shell that command N's output is drawn (created once per session). */
export const drawnFifo = (stateDir: string) => `${stateDir}/drawn.fifo`;

/** How long the shell waits for ci-medic to draw a command's output before it draws the prompt. */
export const DRAWN_WAIT_SECONDS = '2';

/**
 * The prompt hook: reports the pending command's status, records the cwd, then waits for the drawn signal.
 * `>|` writes even under the command's `set -o noclobber`.
 */
export function promptHook(p: ProtocolPaths): string {
  const dir = p.stateDir;
  return (
    `__cm_rc=$?; if [ -n "\${__cm_n-}" ]; then ` +
    `[ -n "\${__cm_s-}" ] && __cm_rc=$__cm_s; ` +
    `builtin printf '%s' "$PWD" >| ${shellQuote(`${dir}/cwd`)}; ` +
    // N.rc wakes the waiting side, which draws the rest of the output and then answers on the fifo.
    `builtin printf '%s %s\\n' "$__cm_rc" "\${__cm_s:+done}" >| ${shellQuote(dir)}/"$__cm_n".rc; ` +
    `[ -n "\${__cm_fd-}" ] && while builtin read -t ${DRAWN_WAIT_SECONDS} -r __cm_t <&$__cm_fd && [ "$__cm_t" != "$__cm_n" ]; do :; done; ` +
    `__cm_n=; fi`
  );
}

/** Lines and characters of the command shown to a person watching the pane (the full text is in N.sh). */
const SHOWN_LINES = 20;
const SHOWN_CHARS = 2_000;

/** The command as shown in the pane: control characters removed (they would drive the terminal), long text cut. */
export function shownCommand(command: string): string {
  let text = command.replace(/\n+$/, '').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '?');
  const lines = text.split('\n');
  if (lines.length > SHOWN_LINES)
    text = `${lines.slice(0, SHOWN_LINES).join('\n')}\n… (${lines.length - SHOWN_LINES} more lines)`;
  if (text.length > SHOWN_CHARS) text = `${text.slice(0, SHOWN_CHARS)}… (${command.length} characters in all)`;
  return text;
}

/** The text of N.run; `command` is shown in the pane before it runs (already redacted by the caller). */
export function runScript(p: ProtocolPaths, n: number, command = ''): string {
  const fifo = shellQuote(drawnFifo(p.stateDir));
  return (
    `__cm_n=${n}; __cm_s=; PROMPT_COMMAND=${shellQuote(promptHook(p))}\n` +
    // Leave an alternate screen a killed full-screen program left behind (else the next hang check sees it); mark
    // the command's start for a recording; show the command dimmed.
    `builtin printf '\\033[?1049l\\033]7777;cm-mark;command ${n}\\007\\033[2m$ %s\\033[0m\\n' ${shellQuote(shownCommand(command))}\n` +
    // The shell keeps the fifo open (read-write: never blocks) to hear that the output is drawn (see promptHook).
    `[ -n "\${__cm_fd-}" ] || { [ -p ${fifo} ] && exec {__cm_fd}<>${fifo}; } 2>/dev/null\n` +
    `{ . ${shellQuote(commandFile(p.stateDir, n))}; __cm_s=$?; } </dev/null >| ${shellQuote(logFile(p.stateDir, n))} 2>&1\n`
  );
}

/** The fixed ASCII line typed into the pane for command N (never ends in ';', which tmux would take as a separator). */
export function typedLine(p: ProtocolPaths, n: number): string {
  const path = runFile(p.stateDir, n);
  return /^[A-Za-z0-9_./-]+$/.test(path) ? `. ${path}` : `. ${shellQuote(path)}`;
}
