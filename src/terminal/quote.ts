// Quoting for the two command languages the terminal speaks: bash and tmux. Both read `'…'` literally and join
// adjacent words, so one rule serves both: single quotes, with `'\''` for a quote inside.

const BARE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One word for bash or a tmux command/config line: bare when it is plainly safe, single-quoted otherwise. */
export function shellQuote(value: string): string {
  return BARE.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * One argument for a tmux control-mode command line (one command per line): shellQuote, or null when the value
 * holds a line break, which no quoting carries through (the caller spawns a tmux client instead).
 */
export function controlArg(value: string): string | null {
  return /[\n\r]/.test(value) ? null : shellQuote(value);
}
