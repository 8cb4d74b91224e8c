// The first failing line: what the PR title, the commit subject, the annotation and the summary's "What failed" say.
// It is the failed assertion with its values where the output has one ("sum adds two numbers: expected 5 to be 4"),
// not the runner's line that threw it (`throw new AssertionError(obj);`). One reader per runner's report format,
// tried in turn; the generic first-error-looking line when none recognises the output.
import { cleanOutput, firstErrorLine } from './shape.js';

/** Characters of the summary (it becomes a PR title and a commit subject). */
export const FAILURE_SUMMARY_MAX = 300;

type Reader = (lines: string[]) => string | null;

const oneLine = (parts: string[]): string =>
  parts
    .map((p) => p.trim())
    .filter(Boolean)
    .join(' ')
    .replace(/\s+/g, ' ');

const named = (name: string | undefined, message: string): string =>
  name && !message.includes(name) ? `${name.trim()}: ${message}` : message;

/** Drop a matcher's trailing comment (`// Object.is equality`). */
const uncomment = (line: string): string => line.replace(/\s+\/\/ [^'"`]*$/, '').trim();

/** The `actual`/`expected` properties node's AssertionError prints (inspect or YAML form). */
function actualExpected(lines: string[], from: number, to = lines.length): string {
  let actual: string | undefined;
  let expected: string | undefined;
  for (let i = from; i < Math.min(to, from + 60); i++) {
    const m = /^\s*(actual|expected):\s*(.+?),?$/.exec(lines[i]);
    if (m?.[1] === 'actual') actual ??= m[2];
    if (m?.[1] === 'expected') expected ??= m[2];
  }
  return actual !== undefined && expected !== undefined ? `actual ${actual}, expected ${expected}` : '';
}

/** A node AssertionError message: its first line plus value lines up to the diff, stack or properties. */
function nodeAssertionMessage(lines: string[], at: number): string {
  const first = lines[at].trim().replace(/^AssertionError \[ERR_ASSERTION\]/, 'AssertionError');
  const rest: string[] = [];
  for (let i = at + 1; i < lines.length && rest.length < 4; i++) {
    const t = lines[i].trim();
    if (/^(?:at |\+ actual|\+ expected|[+-] |\{|generatedMessage:|code:)/.test(t) || /^\s*\.\.\.$/.test(lines[i]))
      break;
    if (t) rest.push(t);
  }
  // A diff instead of values (deep equality): the actual/expected properties say it shortly.
  const values = rest.length === 0 ? actualExpected(lines, at) : '';
  return oneLine([first, ...rest, values && `(${values})`]);
}

const readers: Array<[string, Reader]> = [
  [
    'cargo test',
    (lines) => {
      const at = lines.findIndex((l) => /^---- \S+ stdout ----$/.test(l));
      if (at < 0) return null;
      const name = /^---- (\S+) stdout/.exec(lines[at])![1];
      const panic = lines.findIndex((l, i) => i > at && /panicked at /.test(l));
      if (panic < 0) return null;
      const inline = /panicked at [^:]+:\d+:\d+:\s*(.+)$/.exec(lines[panic])?.[1];
      const message = inline ?? lines[panic + 1]?.trim() ?? '';
      const values = lines
        .slice(panic + 1, panic + 5)
        .map((l) => /^\s*(left|right):\s*(.+)$/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => `${m[1]}: ${m[2]}`);
      return named(name, values.length ? `${message} (${values.join(', ')})` : message);
    },
  ],
  [
    'go test',
    (lines) => {
      const at = lines.findIndex((l) => /^\s*--- FAIL: \S+/.test(l));
      if (at < 0) return null;
      const name = /--- FAIL: (\S+)/.exec(lines[at])![1];
      const message = lines.slice(at + 1, at + 4).find((l) => /^\s+\S+\.go:\d+: /.test(l));
      // Go prints a failure's messages after its --- FAIL line; panics and build errors come before it.
      return named(name, (message ?? lines[at]).trim());
    },
  ],
  [
    'pytest',
    (lines) => {
      const summary = lines.map((l) => /^(?:FAILED|ERROR) (\S+?)(?:::(\S+))? - (.+)$/.exec(l)).find(Boolean);
      if (summary) return named(summary[2] ?? summary[1], summary[3].trim());
      const e = lines.findIndex((l) => /^E\s{2,}\S/.test(l));
      if (e < 0) return null;
      const title = lines
        .slice(0, e)
        .reverse()
        .map((l) => /^_{3,} (\S.*?) _{3,}$/.exec(l))
        .find(Boolean);
      return named(title?.[1], lines[e].replace(/^E\s+/, ''));
    },
  ],
  [
    'unittest',
    (lines) => {
      const at = lines.findIndex((l) => /^(?:FAIL|ERROR): \w+ \(/.test(l));
      if (at < 0) return null;
      const name = /^(?:FAIL|ERROR): (\w+)/.exec(lines[at])![1];
      const end = lines.findIndex((l, i) => i > at + 1 && /^-{20,}$|^={20,}$/.test(l));
      const block = lines.slice(at + 2, end < 0 ? undefined : end);
      const error = block.find((l) => /^\w+(?:\.\w+)*(?:Error|Exception|Exit)\b/.test(l));
      return error ? named(name, error.trim()) : null;
    },
  ],
  [
    'jest',
    (lines) => {
      const at = lines.findIndex((l) => /^\s*● (?!Console\b)(.+)$/.test(l) && !/Test suite failed to run/.test(l));
      if (at < 0) return null;
      const name = lines[at].trim().slice(2).replace(/ › /g, ' > ');
      const body = lines.slice(at + 1, at + 30);
      const matcher = body.find((l) => l.trim());
      if (!matcher) return null;
      const value = (key: string) => body.map((l) => new RegExp(`^\\s*${key}:\\s+(.+)$`).exec(l)).find(Boolean)?.[1];
      const expected = value('Expected');
      const received = value('Received');
      const values =
        expected !== undefined && received !== undefined ? `: expected ${expected}, received ${received}` : '';
      return named(name, `${uncomment(matcher)}${values}`);
    },
  ],
  [
    'vitest',
    (lines) => {
      const at = lines.findIndex((l) => /^\s*FAIL\s+\S.* > /.test(l));
      if (at < 0) return null;
      const name = lines[at].replace(/^\s*FAIL\s+\S+\s+>\s+/, '').trim();
      const message = lines.slice(at + 1, at + 6).find((l) => l.trim());
      return message ? named(name, uncomment(message)) : null;
    },
  ],
  [
    'mocha',
    (lines) => {
      const failing = lines.findIndex((l) => /^\s*\d+ failing$/.test(l));
      if (failing < 0) return null;
      const start = lines.findIndex((l, i) => i > failing && /^\s*1\) \S/.test(l));
      if (start < 0) return null;
      const title: string[] = [lines[start].trim().replace(/^1\)\s*/, '')];
      let i = start;
      while (!title[title.length - 1].endsWith(':') && ++i < lines.length && i < start + 8) title.push(lines[i].trim());
      const error = lines.findIndex((l, j) => j > i && l.trim() !== '');
      if (error < 0) return null;
      return named(oneLine(title).replace(/:$/, ''), nodeAssertionMessage(lines, error));
    },
  ],
  [
    'node --test',
    (lines) => {
      // The spec reporter's summary of failures, else the TAP reporter's `not ok` with its YAML error block.
      const list = lines.findIndex((l) => /^✖ failing tests:/.test(l.trim()));
      if (list >= 0) {
        const at = lines.findIndex((l, i) => i > list && /^\s*✖ .+ \([\d.]+m?s\)$/.test(l));
        const error = lines.findIndex((l, i) => i > at && l.trim() !== '');
        if (at < 0 || error < 0) return null;
        const name = lines[at]
          .trim()
          .replace(/^✖ /, '')
          .replace(/ \([\d.]+m?s\)$/, '');
        return named(name, nodeAssertionMessage(lines, error));
      }
      const tap = lines.findIndex((l) => /^\s*not ok \d+ - /.test(l) && !/ - \/\S+$/.test(l));
      if (tap < 0) return null;
      const name = lines[tap].replace(/^\s*not ok \d+ - /, '').trim();
      const end = lines.findIndex((l, i) => i > tap && /^\s*\.\.\.$/.test(l));
      const yaml = lines.slice(tap + 1, end < 0 ? undefined : end);
      const errorAt = yaml.findIndex((l) => /^\s*error:/.test(l));
      if (errorAt < 0) return null;
      const inlineError = /^\s*error:\s*'(.*)'$/.exec(yaml[errorAt])?.[1];
      const block: string[] = [];
      const indent = /^(\s*)/.exec(yaml[errorAt])![1].length;
      for (const l of yaml.slice(errorAt + 1)) {
        if (l.trim() && /^(\s*)/.exec(l)![1].length <= indent) break;
        block.push(l);
      }
      // A deep-equality diff instead of values: the actual/expected properties say it shortly.
      const diff = block.findIndex((l) => /^\s*\+ actual - expected/.test(l));
      const message =
        inlineError ??
        (diff >= 0 ? oneLine([...block.slice(0, diff), `(${actualExpected(yaml, 0)})`]) : oneLine(block.slice(0, 4)));
      // The error's class is a YAML property of its own (`name: 'AssertionError'`): put it in front, as node prints it.
      const kind = yaml.map((l) => /^\s*name:\s*'?(\w*(?:Error|Exception))'?\s*$/.exec(l)?.[1]).find(Boolean);
      const full = kind && message && !message.startsWith(kind) ? `${kind}: ${message}` : message;
      return named(name, full || yaml[errorAt].trim());
    },
  ],
  [
    'node:assert',
    (lines) => {
      const at = lines.findIndex((l) => /^\s*AssertionError(?: \[ERR_ASSERTION\])?: /.test(l));
      return at < 0 ? null : nodeAssertionMessage(lines, at);
    },
  ],
  [
    'tsc',
    (lines) => {
      const line = lines.find((l) => /\(\d+,\d+\): error TS\d+: |:\d+:\d+ - error TS\d+: /.test(l));
      return line?.trim() ?? null;
    },
  ],
  [
    'eslint',
    (lines) => {
      const at = lines.findIndex((l) => /^\s+\d+:\d+\s+error\s+\S/.test(l));
      if (at < 0) return null;
      const file = lines
        .slice(0, at)
        .reverse()
        .find((l) => /^\S/.test(l));
      const m = /^\s+(\d+:\d+)\s+error\s+(.+?)(?:\s{2,}(\S+))?\s*$/.exec(lines[at])!;
      const where = file ? `${file.trim().split('/').pop()}:${m[1]}` : m[1];
      return `${where} ${m[2]}${m[3] ? ` (${m[3]})` : ''}`;
    },
  ],
];

/** The failing assertion (with its values) or first error of a check's output; '' when the output is empty. */
export function failureSummary(raw: string): string {
  const lines = cleanOutput(raw).split('\n');
  for (const [, read] of readers) {
    const found = read(lines);
    if (found?.trim()) return clip(found.trim());
  }
  return clip(firstErrorLine(raw));
}

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > FAILURE_SUMMARY_MAX ? `${flat.slice(0, FAILURE_SUMMARY_MAX - 1)}…` : flat;
}
