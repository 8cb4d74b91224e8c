// Output shaping: what the model sees of a command's output. The full bytes stay in a log file the model can grep;
// the model gets a clean, bounded excerpt: no terminal escapes, no progress-bar churn, the head, the tail and the
// lines that look like the failure from the middle.
import { stripAnsi } from '../terminal/ansi.js';

export const DEFAULT_SHAPE_BUDGET = 10_000;

/** Lines kept in the excerpt are cut to this many characters (minified bundles, one-line JSON dumps). */
const MAX_LINE_CHARS = 400;
/** Lines of context kept before an error-looking line, and the most kept after it when they continue it. */
const CONTEXT_BEFORE = 2;
const CONTEXT_AFTER = 3;
const CONTINUATION_MAX = 14;
/** How far back a failure report is followed (Go's messages before `--- FAIL`, pytest's code before `E` lines). */
const LEAD_IN_MAX = 8;

export interface ShapeOptions {
  /** Characters the result may hold, markers included. Default 10,000. */
  budgetChars?: number;
  /** Where the full output is, named in the omission markers so the model can grep it. */
  logPath?: string;
  /**
   * Secret masking, applied after cleaning and before anything is cut: a secret split by a line clip or hidden by an
   * escape sequence in the raw bytes would otherwise slip past a redaction applied to the result.
   */
  redact?: (text: string) => string;
}

export { stripAnsi };

/** A line rewritten with `\r` shows only its last state in a terminal: keep that (the last non-empty segment). */
export function collapseCarriageReturns(text: string): string {
  if (!text.includes('\r')) return text;
  return text
    .replace(/\r+\n/g, '\n')
    .split('\n')
    .map((line) => {
      if (!line.includes('\r')) return line;
      const parts = line.split('\r');
      for (let i = parts.length - 1; i >= 0; i--) if (parts[i].trim() !== '') return parts[i];
      return '';
    })
    .join('\n');
}

export function cleanOutput(raw: string): string {
  return collapseCarriageReturns(stripAnsi(raw));
}

// Lines that carry the failure, across the common runners and compilers. Strong ones are kept first.
const STRONG_ERROR = new RegExp(
  [
    String.raw`\bFAIL(?:ED|URE|URES)?\b`,
    String.raw`\b[A-Za-z]*(?:Error|Exception)\b`,
    String.raw`\berror(?:\[[A-Z]?\d*\]|:| TS\d+)`,
    String.raw`\bTraceback\b`,
    String.raw`\bpanicked\b`,
    String.raw`\bassert(?:ion)?\b`,
    String.raw`\bassert_(?:eq|ne)!`,
    String.raw`^\s*(?:Expected|Received|expected|received|actual|Actual)\b`,
    String.raw`^E {2,}\S`,
    String.raw`^\s*--- FAIL:`,
    String.raw`^\s+\S+_test\.go:\d+:`,
    String.raw`^\s*(?:left|right)\s*:`,
    String.raw`^\s*[×✗✕❌]`,
    String.raw`^\s*> \d+ \|`,
  ].join('|'),
);
/** The lines that say a test or build failed, as opposed to lines that merely mention errors: kept before all others. */
const DEFINITE_FAILURE = new RegExp(
  [
    String.raw`^\s*--- FAIL:`,
    String.raw`^\s*FAIL\b`,
    String.raw`\bFAILED\b`,
    String.raw`\bpanicked at\b`,
    String.raw`\bAssertionError\b`,
    String.raw`^E {2,}\S`,
    String.raw`^Traceback \(most recent call last\)`,
    String.raw`\berror(?:\[E\d+\]| TS\d+)`,
    String.raw`^\s*[×✗✕❌]`,
    String.raw`\bassertion\b.*\bfailed\b`,
    String.raw`^\s*(?:[A-Za-z]+\.)*(?:[A-Z][A-Za-z]*)?(?:Error|Exception):`,
  ].join('|'),
);
const WEAK_ERROR = /\b(?:failed|failure|error|fatal|cannot|unable)\b|\bERR!/i;
/** Lines that report a pass: never worth keeping for their own sake, even when a test's name says "error". */
const PASS_LINE =
  /^\s*(?:[✓√✔]|ok\b|PASS\b|--- PASS|=== (?:RUN|PAUSE|CONT|NAME)|test \S+ \.\.\. ok\b)|\bPASSED\b|\.\.\. ok$/;

/** Lines that continue a failure report: diffs, code frames, carets, indented details. */
const CONTINUATION = /^(?:[-+] |[-+]{3} |[-+]$|@@ |\s*[>|^❯→]|\s*\d+\s*\||\s{2,}\S|\t)/;

function continues(line: string): boolean {
  return (CONTINUATION.test(line) || isStrong(line)) && !PASS_LINE.test(line);
}

function isStrong(line: string): boolean {
  return STRONG_ERROR.test(line) && !PASS_LINE.test(line);
}

function isDefinite(line: string): boolean {
  return DEFINITE_FAILURE.test(line) && !PASS_LINE.test(line);
}

function isWeak(line: string): boolean {
  return WEAK_ERROR.test(line) && !PASS_LINE.test(line);
}

function clip(line: string): string {
  if (line.length <= MAX_LINE_CHARS) return line;
  return `${line.slice(0, MAX_LINE_CHARS)}… [+${line.length - MAX_LINE_CHARS} chars]`;
}

function marker(omitted: number, logPath: string | undefined): string {
  const where = logPath ? `; full log: ${logPath} — use grep` : '';
  return `… [${omitted} line${omitted === 1 ? '' : 's'} omitted${where}] …`;
}

/** Inclusive line ranges in the middle worth keeping: each error-looking line with a little context. */
function errorBlocks(
  lines: string[],
  from: number,
  to: number,
  wanted: (line: string) => boolean,
): Array<[number, number]> {
  const blocks: Array<[number, number]> = [];
  for (let i = from; i < to; i++) {
    if (!wanted(lines[i])) continue;
    let start = Math.max(from, i - CONTEXT_BEFORE);
    if (start > from && i - start < LEAD_IN_MAX && continues(lines[start - 1])) {
      while (start > from && i - start < LEAD_IN_MAX && continues(lines[start - 1])) start--;
      // Plus the line that opens the report (`=== RUN TestX`, `---- tests::x stdout ----`): it names the test.
      if (start > from) start--;
    }
    let end = Math.min(to - 1, i + CONTEXT_AFTER);
    // Follow a diff or code frame that goes on past the fixed context (Expected/Received blocks, left/right).
    let j = end + 1;
    while (j < to && j - i <= CONTINUATION_MAX) {
      // A blank line inside a report (between "- Expected / + Received" and the values) does not end it.
      const next = lines[j].trim() === '' && j + 1 < to ? j + 1 : j;
      if (!continues(lines[next])) break;
      end = next;
      j = next + 1;
    }
    const last = blocks[blocks.length - 1];
    if (last && start <= last[1] + 1) last[1] = Math.max(last[1], end);
    else blocks.push([start, end]);
    i = Math.max(i, end - CONTEXT_AFTER);
  }
  return blocks;
}

/**
 * What the model sees of a command's output: ANSI stripped, progress lines collapsed, and when longer than the budget,
 * the head, the tail and the error-looking lines of the middle, with a marker for each gap that names the full log.
 * The result never exceeds `budgetChars` (markers included).
 */
export function shapeOutput(raw: string, opts: ShapeOptions = {}): string {
  const budget = Math.max(200, Math.floor(opts.budgetChars ?? DEFAULT_SHAPE_BUDGET));
  const cleaned = cleanOutput(raw);
  const text = opts.redact ? opts.redact(cleaned) : cleaned;
  if (text.length <= budget) return text;

  const lines = text.split('\n');
  const n = lines.length;
  const keep = new Uint8Array(n);
  const cost = (i: number) => clip(lines[i]).length + 1;
  const markerCost = marker(n, opts.logPath).length + 1;
  // Worst case the excerpt alternates kept runs and markers; reserve for the markers as runs are added.
  let used = 0;
  let runs = 0;
  const fits = (extra: number, newRuns: number) => used + extra + (runs + newRuns + 1) * markerCost <= budget;

  // Head first (the command, the first lines of context), then the tail (summaries, the last error).
  const headBudget = Math.floor(budget * 0.15);
  const tailBudget = Math.floor(budget * 0.3);
  let head = 0;
  while (head < n && used + cost(head) <= headBudget) used += cost(head++);
  for (let i = 0; i < head; i++) keep[i] = 1;
  if (head > 0) runs++;
  let tailStart = n;
  let tailUsed = 0;
  while (tailStart - 1 >= head && tailUsed + cost(tailStart - 1) <= tailBudget) tailUsed += cost(--tailStart);
  for (let i = tailStart; i < n; i++) keep[i] = 1;
  used += tailUsed;
  if (tailStart < n) runs++;

  // Then the error-looking blocks of the middle: definite failures first, then lines that look like errors, then
  // lines that merely mention one; within each kind, first ones first (the first failure is usually the cause).
  // A block overlapping one already kept only adds its new lines.
  const blocks = [isDefinite, isStrong, isWeak].flatMap((kind) => errorBlocks(lines, head, tailStart, kind));
  for (const [start, end] of blocks) {
    let blockCost = 0;
    let fresh = 0;
    for (let i = start; i <= end; i++) {
      if (keep[i]) continue;
      blockCost += cost(i);
      fresh++;
    }
    if (fresh === 0) continue;
    if (fits(blockCost, 1)) {
      keep.fill(1, start, end + 1);
      used += blockCost;
      runs++;
      continue;
    }
    // Too big whole: keep as much of its beginning as fits, then stop looking (budget is nearly spent).
    let partial = start;
    let partialCost = 0;
    while (partial <= end && fits(partialCost + (keep[partial] ? 0 : cost(partial)), 1)) {
      if (!keep[partial]) partialCost += cost(partial);
      partial++;
    }
    if (partial > start) {
      for (let i = start; i < partial; i++) keep[i] = 1;
      used += partialCost;
      runs++;
    }
    break;
  }

  // Leftover budget: grow the tail backwards, then the head forwards, line by line.
  for (let i = tailStart - 1; i >= head && !keep[i] && fits(cost(i), 0); i--) {
    keep[i] = 1;
    used += cost(i);
  }
  for (let i = head; i < n && !keep[i] && fits(cost(i), 0); i++) {
    keep[i] = 1;
    used += cost(i);
  }

  const out: string[] = [];
  let omitted = 0;
  for (let i = 0; i < n; i++) {
    if (keep[i]) {
      if (omitted) out.push(marker(omitted, opts.logPath));
      omitted = 0;
      out.push(clip(lines[i]));
    } else omitted++;
  }
  if (omitted) out.push(marker(omitted, opts.logPath));
  let result = out.join('\n');
  // The reservation above makes this unreachable in practice; it keeps the promise if a marker grew longer than planned.
  if (result.length > budget) result = result.slice(0, budget - 1) + '…';
  return result;
}

const FIRST_ERROR_STRONG = new RegExp(
  [
    String.raw`\bAssertionError\b`,
    String.raw`^E {2,}\S`,
    String.raw`\bpanicked at\b`,
    String.raw`\bassertion\b.*\bfailed\b`,
    String.raw`^\s+\S+_test\.go:\d+:`,
    String.raw`\berror(?:\[E\d+\]| TS\d+)`,
    String.raw`^\s*(?:[A-Za-z]+\.)*(?:[A-Z][A-Za-z]*)?(?:Error|Exception):`,
    String.raw`^\s*error:`,
    String.raw`\bTraceback\b`,
  ].join('|'),
);
const FIRST_ERROR_WEAK = /\bFAIL(?:ED)?\b|\berror\b|\bfailed\b|\bERR!/i;

const YAML_BLOCK_HEADER = /:\s*[|>][-+]?\s*$/;

/** The first line that looks like the failure (for the `::error` annotation), trimmed; the last line if none does. */
export function firstErrorLine(raw: string): string {
  const lines = cleanOutput(raw).split('\n');
  const pick = (line: string) => clip(line.trim()).slice(0, 300);
  // TAP reporters (node --test in CI) put the message in a YAML block under `error: |-`: the next line says it.
  const atIndex = (i: number) => {
    if (YAML_BLOCK_HEADER.test(lines[i])) {
      const message = lines.slice(i + 1).find((l) => l.trim());
      if (message) return pick(message);
    }
    return pick(lines[i]);
  };
  const strong = lines.findIndex((l) => FIRST_ERROR_STRONG.test(l));
  if (strong >= 0) return atIndex(strong);
  const weak = lines.findIndex((l) => FIRST_ERROR_WEAK.test(l));
  if (weak >= 0) return atIndex(weak);
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i].trim()) return pick(lines[i]);
  return '';
}

/** Characters of a command's output kept in the transcript. */
export const TRANSCRIPT_EXCERPT_CHARS = 2_000;

/** A short excerpt (head, tail, error lines) for the transcript; the input is already redacted. */
export function excerpt(output: string): string {
  return shapeOutput(output, { budgetChars: TRANSCRIPT_EXCERPT_CHARS });
}

/** The last `lines` lines of the cleaned output (trailing blank lines dropped). */
export function tail(raw: string, lines: number): string {
  if (lines <= 0) return '';
  const all = cleanOutput(raw).replace(/\s+$/, '').split('\n');
  return all.slice(Math.max(0, all.length - lines)).join('\n');
}
