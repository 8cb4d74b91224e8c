// What counts as a test file, a skip marker, an assertion, a suppression, CI configuration, a lockfile and the
// configuration of a tool the check runs. Tables only: the rules that use them are in rules.ts and check-definition.ts.
import type { Hunk } from './diff.js';

export const TEST_PATH = [
  /\.(?:test|spec|e2e)\.[cm]?[jt]sx?$/i,
  /(?:^|\/)test_[^/]*\.py$/,
  /_test\.py$/,
  /(?:^|\/)conftest\.py$/,
  /_test\.go$/,
  /(?:Tests?|Spec|IT)\.(?:java|kt|scala|cs|swift|groovy)$/,
  /_(?:test|spec)\.(?:rb|exs?|dart|php)$/,
  /Test\.php$/,
];

export const TEST_DIR = /(?:^|\/)(?:tests?|__tests__|specs?|testing|e2e|integration-tests?)\//i;
export const CODE_FILE =
  /\.(?:[cm]?[jt]sx?|py|go|rs|rb|java|kt|scala|cs|swift|php|exs?|dart|c|cc|cpp|h|hpp|sh|bats|lua|pl)$/;

/** A file of test code: by its name, or a code file under a test directory (fixtures and data are not tests). */
export function isTestFile(path: string): boolean {
  return TEST_PATH.some((re) => re.test(path)) || (TEST_DIR.test(path) && CODE_FILE.test(path));
}

/** A hunk of a non-test file that is nonetheless test code (Rust unit tests live in `mod tests` beside the code). */
export function hunkLooksLikeTests(h: Hunk): boolean {
  return /#\[(?:test|cfg\(test\)|tokio::test)\]|\bmod tests\b|\bfn test_|\bdef test_|\bfunc Test|\bdescribe\(|\bit\(/.test(
    h.header + '\n' + h.lines.join('\n'),
  );
}

export interface Marker {
  name: string;
  re: RegExp;
  /** Only counted in test files / test hunks (too generic elsewhere). */
  testsOnly?: boolean;
}

export const SKIP_MARKERS: Marker[] = [
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

export const ASSERTION =
  /\bexpect\s*\(|\bassert\w*\s*[(!]|\bassert\s|\bassert_(?:eq|ne)!|\bdebug_assert\w*!|\b[bt]\.(?:Error|Errorf|Fatal|Fatalf|Fail|FailNow)\b|\bself\.assert\w*\s*\(|\b(?:require|assert)\.\w+\s*\(|\bAssert\.\w+\s*\(|\bassertThat\s*\(|\.should\b|\bshould\.\w+/;

/** Definitions the runner collects: removing or renaming one (`def test_x` -> `def _test_x`) drops a test. */
export const TEST_DEFINITION =
  /#\[(?:tokio::|async_std::)?test\]|^\s*(?:async\s+)?def test_\w*|^func (?:Test|Benchmark|Example|Fuzz)\w*\(|\b(?:x|f)?(?:it|test|specify)(?:\.\w+)*(?:\.each\([^)]*\))?\s*\(\s*['"`]|@(?:Test|ParameterizedTest|RepeatedTest)\b|\[(?:Fact|Theory|Test|TestMethod)\]/;

export const SUPPRESSIONS: Marker[] = [
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
export const LINTER_IGNORE_FILE = /(?:^|\/)\.(?:eslintignore|prettierignore|stylelintignore|rubocop_todo\.yml)$/;

export const CI_PATHS = [
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

export const LOCKFILES = new Set([
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
export const RUNNER_CONFIG = [
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
export const TOOL_CONFIG: Array<{ tool: RegExp; file: RegExp; section?: RegExp }> = [
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

export const PYTEST_KEYS =
  /^\s*(?:addopts|testpaths|python_files|python_classes|python_functions|norecursedirs|markers|filterwarnings|xfail_strict|minversion|required_plugins)\s*=/;
