// The tamper guard: a fix that makes the check pass by weakening the check is not a fix. Each rule looks at the diff
// of the working tree against the commit the loop began from; a violation is reported to the model with what to do
// instead, and a tampering diff is never reported as fixed. Rules may be relaxed by configuration (TAMPER_RULES).
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, posix } from 'node:path';
import { promisify } from 'node:util';
import type { TamperRule } from '../config.js';
import { scrubEnvironment } from '../terminal/env.js';

export type { TamperRule } from '../config.js';

export interface TamperViolation {
  rule: TamperRule;
  file: string;
  /** The offending line (added or removed), when the rule is about a line. */
  line?: string;
  /** What was wrong and what to do instead, written for the model. */
  message: string;
}

export interface TamperOptions {
  /** The check command the loop must make pass. */
  check: string;
  relaxed?: TamperRule[];
  /** The package.json the check's npm/yarn/pnpm script lives in, before and after the change (exact scripts compare). */
  packageJsonBefore?: string;
  packageJsonAfter?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Unified diff parsing

export interface FileDiff {
  oldPath: string | null;
  newPath: string | null;
  status: 'added' | 'deleted' | 'modified' | 'renamed';
  binary: boolean;
  hunks: Hunk[];
}

export interface Hunk {
  header: string;
  /** Lines with their diff prefix (' ', '+', '-'). */
  lines: string[];
}

/** Undo git's C-style quoting of unusual paths ("a/caf\303\251.txt"). */
function unquote(path: string): string {
  if (!path.startsWith('"')) return path;
  const body = path.slice(1, -1);
  const bytes: number[] = [];
  const simple: Record<string, number> = { n: 10, t: 9, r: 13, '"': 34, '\\': 92, a: 7, b: 8, f: 12, v: 11 };
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      bytes.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const next = body[++i];
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(body.slice(i, i + 3), 8));
      i += 2;
    } else bytes.push(simple[next] ?? next.charCodeAt(0));
  }
  return Buffer.from(bytes).toString('utf8');
}

function stripPrefix(path: string): string | null {
  const p = unquote(path.trim());
  if (p === '/dev/null') return null;
  return p.replace(/^[ab]\//, '');
}

/** Paths from `diff --git a/x b/y` when there are no ---/+++ lines (binary files, pure renames, mode changes). */
function pathsFromGitHeader(rest: string): [string, string] | null {
  const quoted = /^("(?:[^"\\]|\\.)*"|\S+) ("(?:[^"\\]|\\.)*"|\S+)$/.exec(rest);
  if (quoted && !rest.includes(' b/', 2)) return [stripPrefix(quoted[1])!, stripPrefix(quoted[2])!];
  // Unquoted paths with spaces: "a/x y b/x y" — split at the middle " b/" that gives equal halves.
  const half = (rest.length - 1) / 2;
  if (Number.isInteger(half) && rest.slice(half, half + 3) === ' b/') {
    return [rest.slice(2, half), rest.slice(half + 3)];
  }
  const at = rest.indexOf(' b/');
  if (at > 0) return [rest.slice(0, at).replace(/^a\//, ''), rest.slice(at + 3)];
  return null;
}

export function parseUnifiedDiff(diff: string): FileDiff[] {
  const files: FileDiff[] = [];
  let file: FileDiff | null = null;
  let hunk: Hunk | null = null;
  let oldLeft = 0;
  let newLeft = 0;
  const finish = () => {
    if (file) files.push(file);
    file = null;
    hunk = null;
  };
  for (const line of diff.split('\n')) {
    if (hunk && (oldLeft > 0 || newLeft > 0)) {
      const h: Hunk = hunk;
      if (line.startsWith('+')) newLeft--;
      else if (line.startsWith('-')) oldLeft--;
      else if (line.startsWith(' ') || line === '') {
        oldLeft--;
        newLeft--;
      } else if (line.startsWith('\\')) continue; // "\ No newline at end of file"
      h.lines.push(line === '' ? ' ' : line);
      continue;
    }
    if (line.startsWith('diff --git ')) {
      finish();
      const paths = pathsFromGitHeader(line.slice('diff --git '.length));
      file = { oldPath: paths?.[0] ?? null, newPath: paths?.[1] ?? null, status: 'modified', binary: false, hunks: [] };
      continue;
    }
    if (!file) {
      // A diff without git headers (plain `diff -u`): start a file at its --- line.
      if (line.startsWith('--- ')) {
        file = {
          oldPath: stripPrefix(line.slice(4).split('\t')[0]),
          newPath: null,
          status: 'modified',
          binary: false,
          hunks: [],
        };
      }
      continue;
    }
    const f: FileDiff = file;
    if (line.startsWith('new file mode')) f.status = 'added';
    else if (line.startsWith('deleted file mode')) f.status = 'deleted';
    else if (line.startsWith('rename from ')) {
      f.status = 'renamed';
      f.oldPath = unquote(line.slice('rename from '.length));
    } else if (line.startsWith('rename to ')) f.newPath = unquote(line.slice('rename to '.length));
    else if (line.startsWith('Binary files ') || line.startsWith('GIT binary patch')) f.binary = true;
    else if (line.startsWith('--- ')) {
      f.oldPath = stripPrefix(line.slice(4).split('\t')[0]);
      if (f.oldPath === null) f.status = 'added';
    } else if (line.startsWith('+++ ')) {
      f.newPath = stripPrefix(line.slice(4).split('\t')[0]);
      if (f.newPath === null) f.status = 'deleted';
    } else if (line.startsWith('@@')) {
      const m = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/.exec(line);
      oldLeft = m ? Number(m[1] ?? 1) : 0;
      newLeft = m ? Number(m[2] ?? 1) : 0;
      hunk = { header: line, lines: [] };
      f.hunks.push(hunk);
    }
  }
  finish();
  for (const f of files) {
    if (f.status === 'added') f.oldPath = null;
    if (f.status === 'deleted') f.newPath = null;
  }
  return files;
}

function pathOf(f: FileDiff): string {
  return f.newPath ?? f.oldPath ?? '';
}

function added(f: FileDiff): string[] {
  return f.hunks.flatMap((h) => h.lines.filter((l) => l.startsWith('+')).map((l) => l.slice(1)));
}

function removed(f: FileDiff): string[] {
  return f.hunks.flatMap((h) => h.lines.filter((l) => l.startsWith('-')).map((l) => l.slice(1)));
}

// ---------------------------------------------------------------------------------------------------------------
// What counts as a test file, a skip marker, an assertion, a suppression

const TEST_PATH = [
  /\.(?:test|spec|e2e)\.[cm]?[jt]sx?$/i,
  /(?:^|\/)test_[^/]*\.py$/,
  /_test\.py$/,
  /(?:^|\/)conftest\.py$/,
  /_test\.go$/,
  /(?:Tests?|Spec|IT)\.(?:java|kt|scala|cs|swift|groovy)$/,
  /_(?:test|spec)\.(?:rb|exs?|dart|php)$/,
  /Test\.php$/,
];

const TEST_DIR = /(?:^|\/)(?:tests?|__tests__|specs?|testing|e2e|integration-tests?)\//i;
const CODE_FILE = /\.(?:[cm]?[jt]sx?|py|go|rs|rb|java|kt|scala|cs|swift|php|exs?|dart|c|cc|cpp|h|hpp|sh|bats|lua|pl)$/;

/** A file of test code: by its name, or a code file under a test directory (fixtures and data are not tests). */
export function isTestFile(path: string): boolean {
  return TEST_PATH.some((re) => re.test(path)) || (TEST_DIR.test(path) && CODE_FILE.test(path));
}

/** A hunk of a non-test file that is nonetheless test code (Rust unit tests live in `mod tests` beside the code). */
function hunkLooksLikeTests(h: Hunk): boolean {
  return /#\[(?:test|cfg\(test\)|tokio::test)\]|\bmod tests\b|\bfn test_|\bdef test_|\bfunc Test|\bdescribe\(|\bit\(/.test(
    h.header + '\n' + h.lines.join('\n'),
  );
}

interface Marker {
  name: string;
  re: RegExp;
  /** Only counted in test files / test hunks (too generic elsewhere). */
  testsOnly?: boolean;
}

const SKIP_MARKERS: Marker[] = [
  {
    name: '.skip/.only/.todo on a test',
    re: /\b(?:it|test|describe|suite|context|specify|bench)(?:\.concurrent|\.each\([^)]*\))?\.(?:skip|only|todo|skipIf|runIf|fails)\b/,
  },
  { name: 'xit/xdescribe/fit/fdescribe', re: /\b(?:xit|xtest|xdescribe|xcontext|xspecify|fit|fdescribe)\s*\(/ },
  { name: '.skip( / .only(', re: /\.(?:skip|only)\s*\(/, testsOnly: true },
  { name: 'this.skip()', re: /\bthis\.skip\s*\(/, testsOnly: true },
  { name: '@pytest.mark.skip/skipif/xfail', re: /@pytest\.mark\.(?:skip|skipif|xfail)\b/ },
  { name: 'pytest.skip()/pytest.xfail()', re: /\bpytest\.(?:skip|xfail|importorskip)\s*\(/ },
  {
    name: 'unittest.skip',
    re: /\bunittest\.(?:skip|skipIf|skipUnless|expectedFailure)\b|@(?:skip|skipIf|skipUnless|expectedFailure)\b/,
  },
  { name: 'self.skipTest()', re: /\bself\.skipTest\s*\(/ },
  { name: '#[ignore]', re: /#\[ignore\b/ },
  { name: 't.Skip()', re: /\b[bt]\.Skip(?:f|Now)?\s*\(/ },
  { name: '@Disabled/@Ignore', re: /@(?:Disabled\w*|Ignore)\b/ },
  { name: 'pending/skip in RSpec', re: /^\s*(?:pending|skip)\b(?:\s|\(|$)|\bxit\b/, testsOnly: true },
  { name: '[Ignore]/[Fact(Skip', re: /\[(?:Ignore|Fact\(Skip|Theory\(Skip)/ },
  {
    name: 'pytest collection filter',
    re: /\bcollect_ignore(?:_glob)?\b|\bpytest_(?:ignore_collect|collection_modifyitems|deselected)\b/,
  },
  { name: 'build constraint that drops the file', re: /^\s*\/\/\s*(?:go:build|\+build)\b/, testsOnly: true },
  { name: 'cfg that compiles tests out', re: /#\[cfg\((?:any\(\)|all\(\s*any\(\)\s*\)|FALSE|false|not\(test\))\)\]/ },
];

const ASSERTION =
  /\bexpect\s*\(|\bassert\w*\s*[(!]|\bassert\s|\bassert_(?:eq|ne)!|\bdebug_assert\w*!|\b[bt]\.(?:Error|Errorf|Fatal|Fatalf|Fail|FailNow)\b|\bself\.assert\w*\s*\(|\b(?:require|assert)\.\w+\s*\(|\bAssert\.\w+\s*\(|\bassertThat\s*\(|\.should\b|\bshould\.\w+/;

/** Definitions the runner collects: removing or renaming one (`def test_x` -> `def _test_x`) drops a test. */
const TEST_DEFINITION =
  /#\[(?:tokio::|async_std::)?test\]|^\s*(?:async\s+)?def test_\w*|^func (?:Test|Benchmark|Example|Fuzz)\w*\(|\b(?:x|f)?(?:it|test|specify)(?:\.\w+)*(?:\.each\([^)]*\))?\s*\(\s*['"`]|@(?:Test|ParameterizedTest|RepeatedTest)\b|\[(?:Fact|Theory|Test|TestMethod)\]/;

const SUPPRESSIONS: Marker[] = [
  { name: 'eslint-disable', re: /eslint-disable/ },
  { name: '@ts-ignore', re: /@ts-ignore/ },
  { name: '@ts-expect-error', re: /@ts-expect-error/ },
  { name: '@ts-nocheck', re: /@ts-nocheck/ },
  { name: '# noqa', re: /#\s*noqa\b/i },
  { name: '# type: ignore', re: /#\s*type:\s*ignore/ },
  { name: '# pyright: ignore', re: /#\s*pyright:\s*(?:ignore|basic)/ },
  { name: '# mypy: ignore-errors', re: /#\s*mypy:\s*ignore-errors/ },
  { name: '# pylint: disable', re: /#\s*pylint:\s*disable/ },
  { name: '#[allow(...)]', re: /#!?\[allow\(/ },
  { name: '//nolint', re: /\/\/\s*nolint\b/ },
  { name: '@SuppressWarnings', re: /@SuppressWarnings\b/ },
  { name: 'rubocop:disable', re: /rubocop:disable/ },
  { name: 'biome-ignore', re: /biome-ignore/ },
  { name: 'istanbul/c8 ignore', re: /(?:istanbul|c8|v8)\s+ignore/ },
  { name: 'shellcheck disable', re: /#\s*shellcheck\s+disable/ },
];

/** Linter ignore files: a line added to one switches the check off for those paths. */
const LINTER_IGNORE_FILE = /(?:^|\/)\.(?:eslintignore|prettierignore|stylelintignore|rubocop_todo\.yml)$/;

const CI_PATHS = [
  /^\.github\//,
  /^\.gitlab-ci\.ya?ml$/,
  /^\.gitlab\//,
  /^\.circleci\//,
  /(?:^|\/)Jenkinsfile[^/]*$/,
  /^azure-pipelines[^/]*\.ya?ml$/,
  /^\.azure-pipelines\//,
  /^\.travis\.ya?ml$/,
  /^bitbucket-pipelines\.ya?ml$/,
  /^\.buildkite\//,
  /^\.drone\.ya?ml$/,
  /^\.woodpecker(?:\.ya?ml|\/)/,
  /^appveyor\.ya?ml$/,
  /^\.appveyor\.ya?ml$/,
  /^cloudbuild\.ya?ml$/,
  /^\.ci\//,
  /^\.teamcity\//,
];

const LOCKFILES = new Set([
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'bun.lockb',
  'bun.lock',
  'Cargo.lock',
  'go.sum',
  'poetry.lock',
  'Pipfile.lock',
  'uv.lock',
  'pdm.lock',
  'Gemfile.lock',
  'composer.lock',
  'mix.lock',
  'pubspec.lock',
  'Podfile.lock',
  'packages.lock.json',
  'gradle.lockfile',
  'flake.lock',
]);

// Test-runner configuration: a change here can change which tests run, or how a failure is reported.
const RUNNER_CONFIG = [
  /(?:^|\/)(?:jest|vitest|vite|vitest\.workspace|karma|playwright|cypress|ava|wdio|nightwatch)\.config\.[cm]?[jt]s(?:on)?$/,
  /(?:^|\/)vitest\.workspace\.[cm]?[jt]s(?:on)?$/,
  /(?:^|\/)\.mocharc(?:\.[a-z]+)?$/,
  /(?:^|\/)\.nycrc(?:\.[a-z]+)?$/,
  /(?:^|\/)\.c8rc(?:\.[a-z]+)?$/,
  /(?:^|\/)jest\.setup\.[cm]?[jt]s$/,
  /(?:^|\/)pytest\.ini$/,
  /(?:^|\/)tox\.ini$/,
  /(?:^|\/)noxfile\.py$/,
  /(?:^|\/)\.coveragerc$/,
  /(?:^|\/)phpunit\.xml(?:\.dist)?$/,
  /(?:^|\/)\.rspec$/,
];

/**
 * Configuration of the tools a check runs (found by name in the check and in the npm scripts it runs): a change to
 * it can switch off the very diagnostics the check reports (`"strict": false`, a rule turned off, a path excluded).
 * `section` names the part of a shared file (pyproject.toml, setup.cfg, tox.ini) that belongs to the tool.
 */
const TOOL_CONFIG: Array<{ tool: RegExp; file: RegExp; section?: RegExp }> = [
  { tool: /\b(?:tsc|vue-tsc|tsgo)\b/, file: /(?:^|\/)tsconfig[^/]*\.json$/ },
  {
    tool: /\b(?:eslint|next lint)\b/,
    file: /(?:^|\/)(?:\.eslintrc(?:\.[a-z]+)?|eslint\.config\.[cm]?[jt]s)$/,
  },
  { tool: /\bprettier\b/, file: /(?:^|\/)(?:\.prettierrc(?:\.[a-z]+)?|prettier\.config\.[cm]?[jt]s)$/ },
  { tool: /\bbiome\b/, file: /(?:^|\/)biome\.jsonc?$/ },
  { tool: /\bruff\b/, file: /(?:^|\/)\.?ruff\.toml$/, section: /\bruff\b/ },
  { tool: /\bflake8\b/, file: /(?:^|\/)\.flake8$/, section: /\bflake8\b/ },
  { tool: /\bmypy\b/, file: /(?:^|\/)\.?mypy\.ini$/, section: /\bmypy\b/ },
  { tool: /\bpylint\b/, file: /(?:^|\/)\.?pylintrc$/, section: /\bpylint\b/ },
  { tool: /\bpyright\b/, file: /(?:^|\/)pyrightconfig\.json$/, section: /\bpyright\b/ },
  { tool: /\bgolangci-lint\b/, file: /(?:^|\/)\.golangci\.(?:ya?ml|toml|json)$/ },
  { tool: /\bclippy\b/, file: /(?:^|\/)\.?clippy\.toml$/ },
  { tool: /\brubocop\b/, file: /(?:^|\/)\.rubocop\.yml$/ },
  { tool: /\bstylelint\b/, file: /(?:^|\/)\.stylelintrc(?:\.[a-z]+)?$/ },
];

const PYTEST_KEYS =
  /^\s*(?:addopts|testpaths|python_files|python_classes|python_functions|norecursedirs|markers|filterwarnings|xfail_strict|minversion|required_plugins)\s*=/;

// ---------------------------------------------------------------------------------------------------------------
// The check command: what it runs, so its own definition can be protected

export interface CheckTargets {
  /** Directory the check runs in, relative to the workspace ('' for the root). */
  dir: string;
  /** npm/yarn/pnpm/bun scripts the check runs (with their pre/post hooks). */
  scripts: string[];
  /** Files whose change redefines the check (scripts run directly, Makefiles, justfiles). */
  files: string[];
  /** True when the check runs make (any Makefile under dir is its definition). */
  make: boolean;
  cargo: boolean;
}

const INTERPRETERS = new Set([
  'bash',
  'sh',
  'zsh',
  'dash',
  'node',
  'python',
  'python3',
  'ruby',
  'perl',
  'pwsh',
  'deno',
  'bun',
  'tsx',
  'ts-node',
  'php',
]);
const WRAPPERS = new Set(['env', 'timeout', 'nice', 'nohup', 'time', 'command', 'exec', 'xvfb-run', 'stdbuf']);

function shellWords(command: string): string[][] {
  // Good enough for check commands: split on && || ; | and newlines, then on blanks, honouring simple quotes.
  const segments = command.split(/&&|\|\||;|\||\n/);
  return segments.map((seg) => {
    const words: string[] = [];
    for (const m of seg.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)) words.push(m[1] ?? m[2] ?? m[3]);
    return words;
  });
}

function looksLikeFile(word: string): boolean {
  return !word.startsWith('-') && (/\//.test(word) || /\.(?:sh|bash|js|mjs|cjs|ts|mts|py|rb|pl|ps1)$/.test(word));
}

function joinDir(dir: string, path: string): string {
  const joined = posix.normalize(posix.join(dir, path));
  return joined.replace(/^\.\//, '');
}

export function checkTargets(check: string): CheckTargets {
  const t: CheckTargets = { dir: '', scripts: [], files: [], make: false, cargo: false };
  const addScript = (name: string) => {
    for (const s of [name, `pre${name}`, `post${name}`]) if (!t.scripts.includes(s)) t.scripts.push(s);
  };
  for (let words of shellWords(check)) {
    while (words.length && (/^\w+=/.test(words[0]) || WRAPPERS.has(words[0]))) {
      words = words.slice(words[0] === 'timeout' && words[1] && !words[1].startsWith('-') ? 2 : 1);
    }
    if (!words.length) continue;
    const [cmd, ...args] = words;
    const base = posix.basename(cmd);
    if (cmd === 'cd' && args[0]) {
      t.dir = joinDir(t.dir, args[0]);
      continue;
    }
    const prefixAt = args.findIndex((a) => a === '--prefix' || a === '-C' || a === '--cwd' || a === '--dir');
    const dir = prefixAt >= 0 && args[prefixAt + 1] ? joinDir(t.dir, args[prefixAt + 1]) : t.dir;
    // Positional arguments, without options and the directory that follows a --prefix-like option.
    const rest = args.filter((a, i) => !a.startsWith('-') && !(prefixAt >= 0 && i === prefixAt + 1));
    if (base === 'npm' || base === 'yarn' || base === 'pnpm' || base === 'bun') {
      const sub = rest[0];
      if (prefixAt >= 0) t.dir = dir;
      if (!sub) {
        if (base === 'yarn') addScript('install');
        continue;
      }
      if (['test', 't', 'tst'].includes(sub)) addScript('test');
      else if (['start', 'stop', 'restart'].includes(sub)) addScript(sub);
      else if (['run', 'run-script', 'rum', 'urn'].includes(sub) && rest[1]) addScript(rest[1]);
      else if (base !== 'npm' && !['install', 'add', 'exec', 'dlx', 'x'].includes(sub)) addScript(sub);
    } else if (base === 'make' || base === 'gmake') {
      t.make = true;
      if (prefixAt >= 0) t.dir = dir;
      const fileAt = args.findIndex((a) => a === '-f' || a === '--file');
      if (fileAt >= 0 && args[fileAt + 1]) t.files.push(joinDir(t.dir, args[fileAt + 1]));
    } else if (base === 'just' || base === 'task' || base === 'rake') {
      const file = { just: 'justfile', task: 'Taskfile.yml', rake: 'Rakefile' }[base];
      t.files.push(joinDir(dir, file), joinDir(dir, file.toLowerCase()));
    } else if (base === 'cargo') {
      t.cargo = true;
    } else if (base === 'tox' || base === 'nox') {
      t.files.push(joinDir(dir, base === 'tox' ? 'tox.ini' : 'noxfile.py'));
    } else if (INTERPRETERS.has(base)) {
      // Test files named on the command line are guarded by the test rules, not frozen as the check's definition.
      const script = args.find((a) => looksLikeFile(a));
      if (script && !isTestFile(script)) t.files.push(joinDir(t.dir, script));
    } else if (looksLikeFile(cmd) && !isAbsolute(cmd)) {
      t.files.push(joinDir(t.dir, cmd));
    }
  }
  return t;
}

/** Files an npm script's text runs directly (`node scripts/test.js`, `./ci/test.sh`, `bash run-tests.sh`). */
function filesInScript(script: string, dir: string): string[] {
  const files: string[] = [];
  for (const words of shellWords(script)) {
    for (const w of words) {
      if (looksLikeFile(w) && !/^https?:/.test(w) && !w.includes('*') && !isAbsolute(w) && !isTestFile(w)) {
        files.push(joinDir(dir, w));
      }
    }
  }
  return files;
}

function parsePackageJson(json: string | undefined): Record<string, unknown> | undefined {
  if (json === undefined) return undefined;
  try {
    const parsed = JSON.parse(json) as { scripts?: Record<string, unknown> };
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The rules

function countMatches(lines: string[], re: RegExp): { count: number; first?: string } {
  let count = 0;
  let first: string | undefined;
  for (const l of lines) {
    if (re.test(l)) {
      count++;
      first ??= l.trim();
    }
  }
  return { count, first };
}

/** Added and removed lines of `f`, restricted to test code when `testsOnly` and the file is not a test file. */
function linesOf(f: FileDiff, testsOnly: boolean): { plus: string[]; minus: string[] } {
  const hunks = testsOnly && !isTestFile(pathOf(f)) ? f.hunks.filter(hunkLooksLikeTests) : f.hunks;
  const plus: string[] = [];
  const minus: string[] = [];
  for (const h of hunks) {
    for (const l of h.lines) {
      if (l.startsWith('+')) plus.push(l.slice(1));
      else if (l.startsWith('-')) minus.push(l.slice(1));
    }
  }
  return { plus, minus };
}

/**
 * Added lines that match a marker, net of removed lines matching the same marker (moving or re-indenting a marker
 * that was already there is not adding one), one entry per offending line, in the order they appear.
 */
function addedMarkerLines(f: FileDiff, markers: Marker[]): Array<{ marker: Marker; line: string }> {
  const inTestFile = isTestFile(pathOf(f));
  const plus = new Map<Marker, string[]>();
  const minus = new Map<Marker, number>();
  const order: string[] = [];
  for (const h of f.hunks) {
    const testCode = inTestFile || hunkLooksLikeTests(h);
    for (const l of h.lines) {
      if (l[0] !== '+' && l[0] !== '-') continue;
      const body = l.slice(1);
      const marker = markers.find((m) => (!m.testsOnly || testCode) && m.re.test(body));
      if (!marker) continue;
      if (l[0] === '+') {
        plus.set(marker, [...(plus.get(marker) ?? []), body]);
        order.push(body);
      } else minus.set(marker, (minus.get(marker) ?? 0) + 1);
    }
  }
  const out: Array<{ marker: Marker; line: string; at: number }> = [];
  for (const [marker, lines] of plus) {
    const net = lines.length - (minus.get(marker) ?? 0);
    for (const line of lines.slice(0, Math.max(0, net))) out.push({ marker, line, at: order.indexOf(line) });
  }
  return out.sort((x, y) => x.at - y.at).map(({ marker, line }) => ({ marker, line }));
}

function skipMarkerViolations(f: FileDiff): TamperViolation[] {
  return addedMarkerLines(f, SKIP_MARKERS).map(({ marker, line }) => ({
    rule: 'skip-markers',
    file: pathOf(f),
    line: line.trim(),
    message: `${pathOf(f)}: added a test skip marker (${marker.name}): \`${line.trim()}\`. Skipping or focusing tests hides the failure instead of fixing it. Remove the marker and fix the code under test so the test passes as written.`,
  }));
}

function deletedTestViolations(f: FileDiff): TamperViolation[] {
  const oldPath = f.oldPath ?? '';
  const newPath = f.newPath ?? '';
  // A test renamed to a name the runner does not pick up (`sum.test.js` -> `sum.test.js.bak`) is gone as well.
  const renamedAway =
    f.status === 'renamed' &&
    isTestFile(oldPath) &&
    (!isTestFile(newPath) || posix.extname(newPath) !== posix.extname(oldPath));
  if ((f.status === 'deleted' && isTestFile(oldPath)) || renamedAway) {
    return [
      {
        rule: 'deleted-tests',
        file: oldPath,
        message: `${oldPath}: the test file was ${f.status === 'deleted' ? 'deleted' : `renamed to ${f.newPath}, where the runner no longer finds it`}. Deleting tests is not a fix: restore it (\`git checkout -- ${oldPath}\`) and fix the code it tests.`,
      },
    ];
  }
  const { plus, minus } = linesOf(f, true);
  const defsGone = countMatches(minus, TEST_DEFINITION);
  const defsAdded = countMatches(plus, TEST_DEFINITION).count;
  if (defsGone.count > defsAdded) {
    return [
      {
        rule: 'deleted-tests',
        file: pathOf(f),
        line: defsGone.first,
        message: `${pathOf(f)}: ${defsGone.count - defsAdded} test definition(s) removed or renamed so the runner no longer collects them (for example \`${defsGone.first}\`). Dropping a test is not a fix: restore it and fix the code it tests.`,
      },
    ];
  }
  const gone = countMatches(minus, ASSERTION);
  const added = countMatches(plus, ASSERTION).count;
  if (gone.count > added) {
    return [
      {
        rule: 'deleted-tests',
        file: pathOf(f),
        line: gone.first,
        message: `${pathOf(f)}: ${gone.count - added} assertion line(s) removed (for example \`${gone.first}\`). Removing assertions weakens the check instead of fixing the failure. Put them back and change the code under test; if an expectation is genuinely wrong, correct its expected value without dropping the assertion.`,
      },
    ];
  }
  return [];
}

function suppressionViolations(f: FileDiff): TamperViolation[] {
  const out: TamperViolation[] = [];
  const plus = added(f);
  const minus = removed(f);
  if (LINTER_IGNORE_FILE.test(pathOf(f))) {
    const fresh = plus.filter((l) => l.trim() && !l.trim().startsWith('#') && !minus.includes(l));
    if (fresh.length) {
      out.push({
        rule: 'suppressions',
        file: pathOf(f),
        line: fresh[0].trim(),
        message: `${pathOf(f)}: added \`${fresh[0].trim()}\` to a linter ignore file, which hides the problem from the check. Remove it and fix the code the linter reports.`,
      });
    }
    return out;
  }
  for (const { marker, line } of addedMarkerLines(f, SUPPRESSIONS)) {
    out.push({
      rule: 'suppressions',
      file: pathOf(f),
      line: line.trim(),
      message: `${pathOf(f)}: added a suppression (${marker.name}): \`${line.trim()}\`. Suppressing the diagnostic hides the problem the check reports. Remove it and fix the underlying code.`,
    });
  }
  return out;
}

function ciViolation(f: FileDiff): TamperViolation[] {
  const paths = [f.oldPath, f.newPath].filter((p): p is string => !!p);
  const hit = paths.find((p) => CI_PATHS.some((re) => re.test(p)));
  if (!hit) return [];
  return [
    {
      rule: 'ci-config',
      file: hit,
      message: `${hit}: CI configuration was changed. The fix must make the check pass under the existing CI setup; revert this file (\`git checkout -- ${hit}\`, or delete it if it is new) and change the project's code instead.`,
    },
  ];
}

function lockfileViolation(f: FileDiff): TamperViolation[] {
  const paths = [f.oldPath, f.newPath].filter((p): p is string => !!p);
  const hit = paths.find((p) => LOCKFILES.has(posix.basename(p)));
  if (!hit) return [];
  return [
    {
      rule: 'lockfiles',
      file: hit,
      message: `${hit}: the lockfile was changed. Dependency versions are pinned on purpose; revert it (\`git checkout -- ${hit}\`) and fix the code to work with the locked versions.`,
    },
  ];
}

function definitionMessage(file: string, what: string): string {
  return `${file}: ${what} — this is the check's own definition. Changing what the check runs is not a fix: revert it (\`git checkout -- ${file}\`) and make the code pass the check as it was defined.`;
}

function checkDefinitionViolations(files: FileDiff[], opts: TamperOptions): TamperViolation[] {
  const out: TamperViolation[] = [];
  const t = checkTargets(opts.check);
  const pkgPath = joinDir(t.dir, 'package.json');
  const definitionFiles = new Set(t.files);
  // Everything the check runs, as text: the command and the scripts it reaches (both versions), to spot tool names.
  const runText: string[] = [opts.check];

  // npm scripts: compare exactly when both versions of package.json are given, else look at the diff lines.
  if (t.scripts.length) {
    const before = parsePackageJson(opts.packageJsonBefore);
    const after = parsePackageJson(opts.packageJsonAfter);
    const pkgDiff = files.find((f) => pathOf(f) === pkgPath || f.oldPath === pkgPath);
    if (before && after) {
      const sb = (before.scripts ?? {}) as Record<string, unknown>;
      const sa = (after.scripts ?? {}) as Record<string, unknown>;
      for (const name of t.scripts) {
        if (JSON.stringify(sb[name]) !== JSON.stringify(sa[name])) {
          out.push({
            rule: 'check-definition',
            file: pkgPath,
            line: `"${name}": ${JSON.stringify(sa[name] ?? null)}`,
            message: definitionMessage(
              pkgPath,
              `the "${name}" script changed from ${JSON.stringify(sb[name] ?? null)} to ${JSON.stringify(sa[name] ?? null)}`,
            ),
          });
        }
        for (const s of [sb[name], sa[name]]) {
          if (typeof s === 'string') runText.push(s);
          if (typeof s === 'string') for (const file of filesInScript(s, t.dir)) definitionFiles.add(file);
        }
      }
      for (const key of ['jest', 'mocha', 'ava', 'c8', 'nyc', 'vitest']) {
        if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
          out.push({
            rule: 'check-definition',
            file: pkgPath,
            message: definitionMessage(pkgPath, `the "${key}" test-runner configuration changed`),
          });
        }
      }
    } else if (pkgDiff) {
      const scriptLine = new RegExp(
        `^\\s*"(?:${t.scripts.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})"\\s*:`,
      );
      const changed = [...added(pkgDiff), ...removed(pkgDiff)].find((l) => scriptLine.test(l));
      if (changed) {
        out.push({
          rule: 'check-definition',
          file: pkgPath,
          line: changed.trim(),
          message: definitionMessage(pkgPath, `the script the check runs changed (\`${changed.trim()}\`)`),
        });
      }
    }
  }

  for (const f of files) {
    const paths = [f.oldPath, f.newPath].filter((p): p is string => !!p);
    const path = pathOf(f);
    if (paths.some((p) => definitionFiles.has(p))) {
      out.push({
        rule: 'check-definition',
        file: path,
        message: definitionMessage(path, 'a script the check runs was changed'),
      });
      continue;
    }
    if (t.make && paths.some((p) => /(?:^|\/)(?:GNUmakefile|[Mm]akefile|[^/]+\.mk)$/.test(p))) {
      out.push({
        rule: 'check-definition',
        file: path,
        message: definitionMessage(path, 'the Makefile the check runs was changed'),
      });
      continue;
    }
    if (paths.some((p) => RUNNER_CONFIG.some((re) => re.test(p)))) {
      out.push({
        rule: 'check-definition',
        file: path,
        message: definitionMessage(path, 'the test runner configuration was changed'),
      });
      continue;
    }
    const tools = TOOL_CONFIG.filter((c) => runText.some((text) => c.tool.test(text)));
    const tool = tools.find((c) => paths.some((p) => c.file.test(p)));
    if (tool) {
      out.push({
        rule: 'check-definition',
        file: path,
        message: definitionMessage(path, 'the configuration of a tool the check runs was changed'),
      });
      continue;
    }
    const base = posix.basename(path);
    if (base === 'pyproject.toml' || base === 'setup.cfg' || base === 'tox.ini') {
      const sections = [/pytest/, ...tools.flatMap((c) => (c.section ? [c.section] : []))];
      const hit = sectionChange(f, sections);
      if (hit) {
        out.push({
          rule: 'check-definition',
          file: path,
          line: hit,
          message: definitionMessage(path, `the check's tool configuration changed (\`${hit}\`)`),
        });
      }
    }
    if (base === 'Cargo.toml' && t.cargo) {
      const hit = [...added(f), ...removed(f)].find((l) =>
        /^\s*(?:\[\[test\]\]|\[\[bench\]\]|test\s*=|harness\s*=|doctest\s*=)/.test(l),
      );
      if (hit) {
        out.push({
          rule: 'check-definition',
          file: path,
          line: hit.trim(),
          message: definitionMessage(path, `a test target setting changed (\`${hit.trim()}\`)`),
        });
      }
    }
  }
  return out;
}

/**
 * A changed line of pyproject.toml/setup.cfg/tox.ini inside a section one of `sections` matches (`[tool.pytest.ini_options]`,
 * `[tool:pytest]`, `[tool.ruff.lint]`). A hunk that shows no section header is judged by pytest's own key names.
 */
function sectionChange(f: FileDiff, sections: RegExp[]): string | undefined {
  for (const h of f.hunks) {
    let section: string | undefined;
    for (const l of h.lines) {
      const body = l.slice(1);
      const header = /^\s*\[([^\]]+)\]/.exec(body);
      if (header) section = header[1];
      if (l[0] !== '+' && l[0] !== '-') continue;
      const inside =
        section !== undefined
          ? sections.some((re) => re.test(section!))
          : PYTEST_KEYS.test(body) || /pytest/.test(h.header);
      if (inside && body.trim()) return body.trim();
    }
  }
  return undefined;
}

/**
 * The violations in `diff` (unified, `git diff --no-color`, deleted and renamed files included) for the check
 * `opts.check`, leaving out the rules in `opts.relaxed`.
 */
export function checkTamper(diff: string, opts: TamperOptions): TamperViolation[] {
  const relaxed = new Set(opts.relaxed ?? []);
  const files = parseUnifiedDiff(diff);
  const out: TamperViolation[] = [];
  for (const f of files) {
    if (!relaxed.has('skip-markers')) out.push(...skipMarkerViolations(f));
    if (!relaxed.has('deleted-tests')) out.push(...deletedTestViolations(f));
    if (!relaxed.has('ci-config')) out.push(...ciViolation(f));
    if (!relaxed.has('lockfiles')) out.push(...lockfileViolation(f));
    if (!relaxed.has('suppressions')) out.push(...suppressionViolations(f));
  }
  if (!relaxed.has('check-definition')) out.push(...checkDefinitionViolations(files, opts));
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the workspace with real git

const execFileAsync = promisify(execFile);
const GIT_DIFF_CONFIG = [
  '-c',
  'core.quotepath=off',
  '-c',
  'diff.noprefix=false',
  '-c',
  'diff.mnemonicPrefix=false',
  '-c',
  'diff.external=',
];

async function git(workdir: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await execFileAsync('git', [...GIT_DIFF_CONFIG, ...args], {
    cwd: workdir,
    // Not the process's secrets: the session could have planted config that runs programs (fsmonitor, filters).
    env: scrubEnvironment(env ?? process.env),
    maxBuffer: 256 * 1024 * 1024,
    encoding: 'utf8',
  });
  return stdout;
}

export interface WorkspaceTamperOptions {
  /**
   * Untracked files to leave out: those that were already there when the loop began (see `untrackedFiles`), which
   * are the user's, not the model's — and can be a whole unignored node_modules.
   */
  skipUntracked?: Iterable<string>;
}

/** Untracked, non-ignored files of the workspace (relative paths), to snapshot before the loop begins. */
export async function untrackedFiles(workdir: string): Promise<string[]> {
  return (await git(workdir, ['ls-files', '-z', '--others', '--exclude-standard'])).split('\0').filter(Boolean);
}

/**
 * The diff of the working tree (tracked changes and new untracked, non-ignored files) against `baseCommit`, read with
 * a temporary index so the user's index is left exactly as it was.
 */
export async function workspaceDiff(
  workdir: string,
  baseCommit: string,
  opts: WorkspaceTamperOptions = {},
): Promise<string> {
  const scratch = mkdtempSync(join(tmpdir(), 'ci-medic-tamper-'));
  try {
    const indexFile = join(scratch, 'index');
    const realIndex = (await git(workdir, ['rev-parse', '--path-format=absolute', '--git-path', 'index'])).trim();
    const env = { ...process.env, GIT_INDEX_FILE: indexFile };
    if (existsSync(realIndex)) copyFileSync(realIndex, indexFile);
    else await git(workdir, ['read-tree', baseCommit], env);
    const skip = new Set(opts.skipUntracked ?? []);
    const untracked = (await git(workdir, ['ls-files', '-z', '--others', '--exclude-standard'], env))
      .split('\0')
      .filter((p) => p && !skip.has(p));
    // In batches: a fresh project can have thousands of new files, and argv has a limit.
    for (let i = 0; i < untracked.length; i += 500) {
      await git(
        workdir,
        ['add', '--intent-to-add', '--', ...untracked.slice(i, i + 500).map((p) => `:(literal)${p}`)],
        env,
      );
    }
    return await git(
      workdir,
      [
        'diff',
        '--no-ext-diff',
        '--no-textconv',
        '--no-color',
        '-U3',
        '--find-renames',
        '--src-prefix=a/',
        '--dst-prefix=b/',
        baseCommit,
        '--',
      ],
      env,
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The violations in the workspace's changes since `baseCommit`, for the check `check`. */
export async function checkWorkspaceTamper(
  workdir: string,
  baseCommit: string,
  check: string,
  relaxed: TamperRule[],
  opts: WorkspaceTamperOptions = {},
): Promise<TamperViolation[]> {
  const diff = await workspaceDiff(workdir, baseCommit, opts);
  const t = checkTargets(check);
  let packageJsonBefore: string | undefined;
  let packageJsonAfter: string | undefined;
  if (t.scripts.length) {
    const pkgPath = joinDir(t.dir, 'package.json');
    try {
      packageJsonBefore = await git(workdir, ['show', `${baseCommit}:${pkgPath}`]);
    } catch {
      packageJsonBefore = undefined; // no package.json at the base: nothing to compare
    }
    try {
      packageJsonAfter = readFileSync(join(workdir, pkgPath), 'utf8');
    } catch {
      packageJsonAfter = packageJsonBefore === undefined ? undefined : '{}';
    }
  }
  return checkTamper(diff, { check, relaxed, packageJsonBefore, packageJsonAfter });
}
