// The shell side of the terminal protocol: the text of the files the live shell sources. Pure string builders.
//
// Command N:  N.sh   the command, verbatim
//             N.run  sourced by the fixed line typed into the pane: runs N.sh in the live shell (so cd/export
//                    persist), stdin from /dev/null, stdout+stderr through tee to N.log and the pane, then writes an
//                    end marker through the same pipe (tee writes asynchronously: the marker tells the reader the log
//                    holds everything the command wrote).
//             N.rc   "<status> done" (or "<status>" when the command was cut short), written by the prompt hook
//
// The prompt hook (PROMPT_COMMAND, set again by every N.run) runs whenever the shell comes back to its prompt:
// after a normal end, and also after C-c aborts the typed line (bash then skips the rest of the line, so the
// status and the wait-for signal cannot live in N.run alone).

/** Quote a string for bash with single quotes. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Marker written after the command's output; an OSC sequence, so a terminal shows nothing for it. */
export function endMarker(token: string, n: number): string {
  return `\u001b]7777;cm-end-${token}-${n}\u0007`;
}

export function channelName(token: string, n: number): string {
  return `cm-${token}-${n}`;
}

export interface ProtocolPaths {
  stateDir: string;
  socketPath: string;
  /** Absolute path of the tmux binary (the shell's PATH, aliases and functions must not matter). */
  tmux: string;
  /** Random per-server token: channels and markers never collide with other output or earlier servers. */
  token: string;
}

export const commandFile = (stateDir: string, n: number) => `${stateDir}/${n}.sh`;
export const runFile = (stateDir: string, n: number) => `${stateDir}/${n}.run`;
export const logFile = (stateDir: string, n: number) => `${stateDir}/${n}.log`;
export const rcFile = (stateDir: string, n: number) => `${stateDir}/${n}.rc`;
export const cwdFile = (stateDir: string) => `${stateDir}/cwd`;
/** A fifo through which each command's tee tells the shell it is done (created once per session). */
export const teeFifo = (stateDir: string) => `${stateDir}/tee.fifo`;

/** How long the shell waits for tee to finish drawing a command's output before it draws the prompt. */
export const TEE_SETTLE_SECONDS = '0.5';

/**
 * The prompt hook: reports the pending command's status, records the cwd, signals the command's channel.
 * `>|` writes even under the command's `set -o noclobber`.
 */
export function promptHook(p: ProtocolPaths): string {
  const dir = p.stateDir;
  return (
    `__cm_rc=$?; if [ -n "\${__cm_n-}" ]; then ` +
    `[ -n "\${__cm_s-}" ] && __cm_rc=$__cm_s; ` +
    // tee draws asynchronously, and only sees the end of its input once the shell closed the pipe (when the typed
    // line is done, i.e. here): wait, bounded (a background job may hold the pipe), until it has drawn everything,
    // so the prompt comes after the output for a person watching. Lines of earlier commands are skipped.
    `[ -n "\${__cm_fd-}" ] && while builtin read -t ${TEE_SETTLE_SECONDS} -r __cm_t <&$__cm_fd && [ "$__cm_t" != "$__cm_n" ]; do :; done; ` +
    `builtin printf '%s' "$PWD" >| ${shellQuote(`${dir}/cwd`)}; ` +
    // Detached: waiting for a tmux client to start, connect and exit would delay every command by milliseconds.
    `(${shellQuote(p.tmux)} -S ${shellQuote(p.socketPath)} wait-for -S "cm-${p.token}-$__cm_n" &); ` +
    // N.rc last: it wakes the waiting side, which may type the next line at once; by now the prompt is next.
    `builtin printf '%s %s\\n' "$__cm_rc" "\${__cm_s:+done}" >| ${shellQuote(dir)}/"$__cm_n".rc; ` +
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

/** The text of N.run; `command` is shown in the pane before it runs. */
export function runScript(p: ProtocolPaths, n: number, command = ''): string {
  const marker = endMarker(p.token, n).replace('\u001b', '\\033').replace('\u0007', '\\007');
  const fifo = shellQuote(teeFifo(p.stateDir));
  return (
    `__cm_n=${n}; __cm_s=; PROMPT_COMMAND=${shellQuote(promptHook(p))}\n` +
    // The recorder turns this mark into an asciicast marker (src/watch/recorder.ts); a terminal shows nothing for it.
    `builtin printf '\\033]7777;cm-mark;command ${n}\\007'\n` +
    // Leave an alternate screen a killed full-screen program left behind (else the next hang check sees it).
    `builtin printf '\\033[?1049l\\033[2m$ %s\\033[0m\\n' ${shellQuote(shownCommand(command))}\n` +
    // The shell keeps the fifo open (read-write: never blocks) for tee to say it is done (see promptHook).
    `[ -n "\${__cm_fd-}" ] || { [ -p ${fifo} ] && exec {__cm_fd}<>${fifo}; } 2>/dev/null\n` +
    `{ . ${shellQuote(commandFile(p.stateDir, n))}; __cm_s=$?; builtin printf '${marker}'; }` +
    // tee runs in the background of the process substitution, which exits at once: a bare `wait` in the command
    // would otherwise wait for tee, which waits for the shell to close the pipe. `<&0` keeps the pipe as tee's
    // stdin (a background job's stdin is /dev/null otherwise).
    ` </dev/null > >({ tee ${shellQuote(logFile(p.stateDir, n))}; [ -n "\${__cm_fd-}" ] && builtin echo ${n} >&$__cm_fd; } <&0 &) 2>&1\n`
  );
}

/** The fixed ASCII line typed into the pane for command N (never ends in ';', which tmux would take as a separator). */
export function typedLine(p: ProtocolPaths, n: number): string {
  const path = runFile(p.stateDir, n);
  return /^[A-Za-z0-9_./-]+$/.test(path) ? `. ${path}` : `. ${shellQuote(path)}`;
}
