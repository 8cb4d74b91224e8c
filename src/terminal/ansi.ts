// Terminal escape sequences out of text a program printed: for the model's view of a log and for parsing what a
// rescue host printed. The one place that knows their shapes.

// CSI (ESC [ … final), OSC (ESC ] … BEL or ST), DCS/SOS/PM/APC strings, two-character escapes, 8-bit CSI.
// An unterminated string sequence ends at the end of its line: a stray ESC ] must not swallow the rest of the log.
const ANSI =
  /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\n]*?(?:\x07|\x1b\\|(?=\n)|$)|\x1b[PX^_][^\n]*?(?:\x1b\\|(?=\n)|$)|\x1b[ -/]*[0-~]|\x9b[0-?]*[ -/]*[@-~]/g;

/** Escape sequences, overstrikes and other control characters removed; newlines, tabs and carriage returns kept. */
export function stripAnsi(text: string): string {
  return text
    .replace(ANSI, '')
    .replace(/[^\n\x08]\x08/g, '') // "x\bx" overstrike (man pages, some progress output)
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, '');
}
