// Markdown for what people read (the pull request body, the job summary, the transcript): fences that the content cannot close, and
// bounds on every piece of text the model or a command wrote, so a huge explanation or log never breaks a limit
// (PR body: 65,536 characters; job summary: 1 MiB per step) or the markdown around it.

/** A fenced block whose fence is longer than any backtick run inside, so the content cannot close it. */
export function codeBlock(text: string, language = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text.replace(/\n$/, '')}\n${fence}`;
}

/** Inline code that a backtick inside cannot end: a longer backtick run around it. */
export function inlineCode(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return longest === 0 ? `${ticks}${text}${ticks}` : `${ticks} ${text} ${ticks}`;
}

/** Markdown table cell: pipes and newlines would break the row. */
export function tableCell(text: string, maxChars = 300): string {
  return clip(text.replace(/\r?\n/g, ' '), maxChars).replace(/\|/g, '\\|');
}

/** At most `maxChars` characters, cut with an ellipsis that says how much was left out. */
export function clip(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const note = `… (${text.length - maxChars} more characters)`;
  return `${text.slice(0, Math.max(0, maxChars - note.length))}${note}`;
}

/**
 * The last `maxLines` lines, each at most `maxLineChars`, and at most `maxChars` in all (the end is what matters in a
 * log: the error and the summary line).
 */
export function tail(text: string, options: { maxLines: number; maxChars: number; maxLineChars?: number }): string {
  const lineCap = options.maxLineChars ?? 500;
  let lines = text.replace(/\s+$/, '').split('\n');
  let dropped = 0;
  if (lines.length > options.maxLines) {
    dropped = lines.length - options.maxLines;
    lines = lines.slice(-options.maxLines);
  }
  lines = lines.map((l) => clip(l, lineCap));
  while (lines.length > 1 && lines.reduce((n, l) => n + l.length + 1, 0) > options.maxChars) {
    lines.shift();
    dropped++;
  }
  if (lines.length === 1) lines[0] = clip(lines[0], options.maxChars);
  return dropped > 0 ? [`… (${dropped} earlier lines)`, ...lines].join('\n') : lines.join('\n');
}

/**
 * The first `maxChars` characters of a prose text (the model's explanation), cut at a line end, with any code fence
 * the cut left open closed again.
 */
export function head(text: string, maxChars: number, more = 'see the transcript for the rest'): string {
  if (text.length <= maxChars) return text;
  const note = `\n\n_(${text.length - maxChars} more characters left out: ${more})_`;
  let cut = text.slice(0, Math.max(0, maxChars - note.length - 20));
  const lastNewline = cut.lastIndexOf('\n');
  if (lastNewline > cut.length / 2) cut = cut.slice(0, lastNewline);
  const open = openFence(cut);
  return `${cut}${open ? `\n${open}` : ''}${note}`;
}

/** The fence a markdown text leaves open at its end (to close it with), or undefined. */
function openFence(text: string): string | undefined {
  let open: string | undefined;
  for (const line of text.split('\n')) {
    const match = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (!match) continue;
    if (!open) open = match[1];
    else if (match[1][0] === open[0] && match[1].length >= open.length && line.trim() === match[1]) open = undefined;
  }
  return open;
}

/** At most `maxBytes` of UTF-8, cut as `head` cuts. */
export function headBytes(text: string, maxBytes: number, more?: string): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  // Characters are 1–4 bytes: cut by characters until the bytes fit.
  let chars = Math.min(text.length, maxBytes);
  let out = head(text, chars, more);
  while (Buffer.byteLength(out) > maxBytes && chars > 0) {
    chars = Math.floor(chars * 0.9);
    out = head(text, chars, more);
  }
  return out;
}
