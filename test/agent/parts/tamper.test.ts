import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkTamper,
  checkTargets,
  checkWorkspaceTamper,
  isTestFile,
  parseUnifiedDiff,
  untrackedFiles,
  workspaceDiff,
} from '../../../src/agent/tamper/index.js';
import { git, makeRepo, removeTempDirs, writeFiles } from '../../helpers/repo.js';
import { IT_ONLY, IT_SKIP, XIT } from '../../fixtures/markers.js';

afterAll(removeTempDirs);

const PKG =
  JSON.stringify({ name: 'app', scripts: { test: 'vitest run', lint: 'eslint .', build: 'tsc' } }, null, 2) + '\n';

const BASE_FILES: Record<string, string> = {
  'package.json': PKG,
  'package-lock.json': '{"lockfileVersion":3}\n',
  'src/sum.js': 'export function sum(a, b) {\n  return a - b;\n}\n',
  'test/sum.test.js': [
    "import { expect, it } from 'vitest';",
    "import { sum } from '../src/sum.js';",
    '',
    "it('adds', () => {",
    '  expect(sum(1, 2)).toBe(3);',
    '  expect(sum(2, 2)).toBe(4);',
    '});',
    '',
  ].join('\n'),
  'test/other.test.js': "import { it, expect } from 'vitest';\nit('x', () => expect(1).toBe(1));\n",
  '.github/workflows/ci.yml': 'on: push\njobs: {}\n',
  Makefile: 'test:\n\tnpm test\n',
  'scripts/ci.sh': '#!/bin/sh\nnpm test\n',
  'pyproject.toml':
    '[project]\nname = "x"\n\n[tool.pytest.ini_options]\naddopts = "-q"\n\n[tool.black]\nline-length = 100\n',
  'src/lib.rs':
    'pub fn one() -> u32 { 1 }\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn it_works() {\n        assert_eq!(super::one(), 1);\n    }\n}\n',
  'pkg/add_test.go':
    'package pkg\n\nimport "testing"\n\nfunc TestAdd(t *testing.T) {\n\tif 1+1 != 2 {\n\t\tt.Fatal("bad")\n\t}\n}\n',
  'tests/test_calc.py': 'def test_calc():\n    assert 1 + 1 == 2\n',
};

function repo(): { dir: string; base: string } {
  const { dir } = makeRepo(BASE_FILES);
  return { dir, base: git(dir, 'rev-parse', 'HEAD') };
}

function edit(dir: string, path: string, from: string | RegExp, to: string): void {
  const full = join(dir, path);
  const text = readFileSync(full, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`edit of ${path} changed nothing`);
  writeFileSync(full, next);
}

function rules(v: Array<{ rule: string }>): string[] {
  return [...new Set(v.map((x) => x.rule))].sort();
}

describe('checkWorkspaceTamper on real repositories', () => {
  it('accepts an honest fix of the code under test', async () => {
    const { dir, base } = repo();
    edit(dir, 'src/sum.js', 'a - b', 'a + b');
    writeFiles(dir, { 'src/new-helper.js': 'export const x = 1;\n' });
    expect(await checkWorkspaceTamper(dir, base, 'npm test', [])).toEqual([]);
  });

  it('rejects an added .skip, .only, xit and a pytest skip, with advice for the model', async () => {
    const { dir, base } = repo();
    edit(dir, 'test/sum.test.js', "it('adds'", `${IT_SKIP}'adds'`);
    edit(dir, 'test/other.test.js', "it('x'", `${XIT}'x'`);
    edit(
      dir,
      'tests/test_calc.py',
      'def test_calc',
      'import pytest\n\n@pytest.mark.skip(reason="flaky")\ndef test_calc',
    );
    const v = await checkWorkspaceTamper(dir, base, 'npm test', []);
    expect(rules(v)).toEqual(['skip-markers']);
    expect(v.map((x) => x.file).sort()).toEqual(['test/other.test.js', 'test/sum.test.js', 'tests/test_calc.py']);
    const skip = v.find((x) => x.file === 'test/sum.test.js')!;
    expect(skip.line).toBe(`${IT_SKIP}'adds', () => {`);
    expect(skip.message).toMatch(/Remove the marker and fix the code under test/);
  });

  it('rejects #[ignore] in a Rust test module inside a source file, and t.Skip in Go', async () => {
    const { dir, base } = repo();
    edit(dir, 'src/lib.rs', '    #[test]\n', '    #[test]\n    #[ignore]\n');
    edit(dir, 'pkg/add_test.go', 'func TestAdd(t *testing.T) {\n', 'func TestAdd(t *testing.T) {\n\tt.Skip("later")\n');
    const v = await checkWorkspaceTamper(dir, base, 'cargo test && go test ./...', []);
    expect(v.map((x) => `${x.rule} ${x.file}`).sort()).toEqual([
      'skip-markers pkg/add_test.go',
      'skip-markers src/lib.rs',
    ]);
  });

  it('rejects deleted test files (also when untracked-renamed away) and removed assertions', async () => {
    const { dir, base } = repo();
    rmSync(join(dir, 'test/other.test.js'));
    edit(dir, 'test/sum.test.js', '  expect(sum(2, 2)).toBe(4);\n', '');
    edit(dir, 'src/lib.rs', '        assert_eq!(super::one(), 1);\n', '');
    const v = await checkWorkspaceTamper(dir, base, 'npm test', []);
    expect(v.map((x) => `${x.rule} ${x.file}`).sort()).toEqual([
      'deleted-tests src/lib.rs',
      'deleted-tests test/other.test.js',
      'deleted-tests test/sum.test.js',
    ]);
    expect(v.find((x) => x.file === 'test/sum.test.js')!.line).toBe('expect(sum(2, 2)).toBe(4);');

    const { dir: dir2, base: base2 } = repo();
    renameSync(join(dir2, 'test/sum.test.js'), join(dir2, 'test/sum.js.bak'));
    const renamed = await checkWorkspaceTamper(dir2, base2, 'npm test', []);
    expect(renamed.map((x) => `${x.rule} ${x.file}`)).toEqual(['deleted-tests test/sum.test.js']);
  });

  it('rejects tests renamed out of collection, compiled out, or filtered by conftest', async () => {
    const { dir, base } = repo();
    edit(dir, 'tests/test_calc.py', 'def test_calc', 'def _test_calc');
    edit(dir, 'pkg/add_test.go', 'package pkg', '//go:build never\n\npackage pkg');
    edit(dir, 'src/lib.rs', '#[cfg(test)]', '#[cfg(any())]');
    writeFiles(dir, { 'conftest.py': 'collect_ignore = ["tests/test_calc.py"]\n' });
    const v = await checkWorkspaceTamper(dir, base, 'pytest', []);
    expect(v.map((x) => `${x.rule} ${x.file}`).sort()).toEqual([
      'deleted-tests tests/test_calc.py',
      'skip-markers conftest.py',
      'skip-markers pkg/add_test.go',
      'skip-markers src/lib.rs',
    ]);
    expect(v.find((x) => x.file === 'tests/test_calc.py')!.line).toBe('def test_calc():');
  });

  it('allows changing an expected value without dropping the assertion', async () => {
    const { dir, base } = repo();
    edit(dir, 'test/sum.test.js', 'toBe(4)', 'toEqual(4)');
    // Not a deleted test; a test-only change of an assertion is its own rule (relaxed here, tested below).
    expect(await checkWorkspaceTamper(dir, base, 'npm test', ['test-only'])).toEqual([]);
  });

  it('test-only: rejects a diff that only rewrites the failing test to agree with the bug; test and code together pass', async () => {
    const failure = 'FAIL test/sum.test.js > adds\nAssertionError: expected -1 to be 3';
    const onlyTest = repo();
    edit(onlyTest.dir, 'test/sum.test.js', 'toBe(3)', 'toBe(-1)');
    const v = await checkWorkspaceTamper(onlyTest.dir, onlyTest.base, 'npm test', [], { failureOutput: failure });
    expect(v).toMatchObject([{ rule: 'test-only', file: 'test/sum.test.js', line: 'expect(sum(1, 2)).toBe(3);' }]);
    expect(v[0].message).toContain('expect(sum(1, 2)).toBe(-1);');
    // Relaxed by name.
    expect(await checkWorkspaceTamper(onlyTest.dir, onlyTest.base, 'npm test', ['test-only'])).toEqual([]);

    // The same test change with the code under test changed too: allowed.
    const withCode = repo();
    edit(withCode.dir, 'test/sum.test.js', 'toBe(3)', 'toBe(-1)');
    edit(withCode.dir, 'src/sum.js', 'a - b', 'a - b + 0');
    expect(await checkWorkspaceTamper(withCode.dir, withCode.base, 'npm test', [], { failureOutput: failure })).toEqual(
      [],
    );

    // A test-only change to a test file the failure does not name, and one that adds a test: allowed.
    const other = repo();
    edit(other.dir, 'test/other.test.js', 'toBe(1)', 'toBe(2 - 1)');
    edit(other.dir, 'test/sum.test.js', '});\n', "});\nit('adds more', () => expect(sum(0, 0)).toBe(0));\n");
    expect(await checkWorkspaceTamper(other.dir, other.base, 'npm test', [], { failureOutput: failure })).toEqual([]);
  });

  it("rejects a change to the check's own npm script, but not to other scripts", async () => {
    const { dir, base } = repo();
    edit(dir, 'package.json', '"lint": "eslint ."', '"lint": "eslint src"');
    expect(await checkWorkspaceTamper(dir, base, 'npm test', [])).toEqual([]);
    edit(dir, 'package.json', '"test": "vitest run"', '"test": "vitest run || true"');
    const v = await checkWorkspaceTamper(dir, base, 'npm test', []);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ rule: 'check-definition', file: 'package.json' });
    expect(v[0].message).toContain('"test" script changed from "vitest run" to "vitest run || true"');
    expect(rules(await checkWorkspaceTamper(dir, base, 'npm run lint', []))).toEqual(['check-definition']);
    expect(await checkWorkspaceTamper(dir, base, 'npm run build', [])).toEqual([]);
  });

  it('rejects changes to the Makefile for make, a script the check runs, and the pytest section', async () => {
    const { dir, base } = repo();
    edit(dir, 'Makefile', 'npm test', 'true');
    edit(dir, 'scripts/ci.sh', 'npm test', 'exit 0');
    edit(dir, 'pyproject.toml', 'addopts = "-q"', 'addopts = "-q -k not_slow"');
    expect((await checkWorkspaceTamper(dir, base, 'make test', [])).map((x) => x.file).sort()).toEqual([
      'Makefile',
      'pyproject.toml',
    ]);
    expect((await checkWorkspaceTamper(dir, base, 'bash scripts/ci.sh', [])).map((x) => x.file).sort()).toEqual([
      'pyproject.toml',
      'scripts/ci.sh',
    ]);
    expect((await checkWorkspaceTamper(dir, base, './scripts/ci.sh', [])).map((x) => x.file)).toContain(
      'scripts/ci.sh',
    );
    // Another section of pyproject.toml is not the check's definition.
    const { dir: d2, base: b2 } = repo();
    edit(d2, 'pyproject.toml', 'line-length = 100', 'line-length = 120');
    expect(await checkWorkspaceTamper(d2, b2, 'python -m pytest', [])).toEqual([]);
  });

  it("rejects changes to the configuration of a tool the check's script runs", async () => {
    const { dir } = repo();
    writeFiles(dir, { 'tsconfig.json': '{ "compilerOptions": { "strict": true } }\n' });
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'tsconfig');
    const head = git(dir, 'rev-parse', 'HEAD');
    edit(dir, 'tsconfig.json', '"strict": true', '"strict": false');
    edit(dir, 'pyproject.toml', 'line-length = 100', 'line-length = 100\n\n[tool.ruff.lint]\nignore = ["F401"]');
    // `npm run build` runs tsc: its tsconfig is the check's definition; ruff is not involved.
    expect((await checkWorkspaceTamper(dir, head, 'npm run build', [])).map((x) => x.file)).toEqual(['tsconfig.json']);
    // `npm test` runs vitest: neither file defines it.
    expect(await checkWorkspaceTamper(dir, head, 'npm test', [])).toEqual([]);
    expect((await checkWorkspaceTamper(dir, head, 'ruff check .', [])).map((x) => x.line)).toEqual([
      '[tool.ruff.lint]',
    ]);
  });

  it('rejects CI configuration (new untracked files included) and lockfiles', async () => {
    const { dir, base } = repo();
    writeFiles(dir, { '.github/workflows/extra.yml': 'on: push\n', 'yarn.lock': '# yarn\n' });
    edit(dir, 'package-lock.json', '3', '2');
    const v = await checkWorkspaceTamper(dir, base, 'npm test', []);
    expect(v.map((x) => `${x.rule} ${x.file}`).sort()).toEqual([
      'ci-config .github/workflows/extra.yml',
      'lockfiles package-lock.json',
      'lockfiles yarn.lock',
    ]);
  });

  it('rejects added suppressions but not ones that were already there', async () => {
    const { dir, base } = repo();
    edit(
      dir,
      'src/sum.js',
      'export function',
      '// eslint-disable-next-line no-unused-vars\n// @ts-ignore\nexport function',
    );
    writeFiles(dir, { 'app/main.py': 'import os  # noqa: F401\nx: int = "s"  # type: ignore\n' });
    const v = await checkWorkspaceTamper(dir, base, 'npm run lint', []);
    expect(rules(v)).toEqual(['suppressions']);
    expect(v.map((x) => x.line)).toEqual([
      'import os  # noqa: F401',
      'x: int = "s"  # type: ignore',
      '// eslint-disable-next-line no-unused-vars',
      '// @ts-ignore',
    ]);
  });

  it('leaves out relaxed rules', async () => {
    const { dir, base } = repo();
    edit(dir, 'test/sum.test.js', "it('adds'", `${IT_ONLY}'adds'`);
    edit(dir, 'package-lock.json', '3', '2');
    expect(rules(await checkWorkspaceTamper(dir, base, 'npm test', ['lockfiles']))).toEqual(['skip-markers']);
    expect(await checkWorkspaceTamper(dir, base, 'npm test', ['lockfiles', 'skip-markers'])).toEqual([]);
  });

  it("reads untracked files through a temporary index and leaves the user's index exactly as it was", async () => {
    const { dir, base } = repo();
    writeFiles(dir, {
      'test/new.test.js': `${IT_SKIP}'x', () => {});\n`,
      'ignored.log': `${IT_SKIP}\n`,
      '.gitignore': '*.log\n',
    });
    edit(dir, 'src/sum.js', 'a - b', 'a + b');
    git(dir, 'add', 'src/sum.js');
    const indexBefore = readFileSync(join(dir, '.git/index'));
    const statusBefore = git(dir, 'status', '--porcelain');
    const v = await checkWorkspaceTamper(dir, base, 'npm test', []);
    expect(v.map((x) => `${x.rule} ${x.file}`)).toEqual(['skip-markers test/new.test.js']);
    expect(readFileSync(join(dir, '.git/index')).equals(indexBefore)).toBe(true);
    expect(git(dir, 'status', '--porcelain')).toBe(statusBefore);
  });

  it('leaves out files that were untracked before the loop began', async () => {
    const { dir, base } = repo();
    writeFiles(dir, { 'scratch/user.test.js': `${IT_ONLY}'mine', () => {});\n` });
    const before = await untrackedFiles(dir);
    expect(before).toEqual(['scratch/user.test.js']);
    writeFiles(dir, { 'test/model.test.js': `${IT_ONLY}'model', () => {});\n` });
    const v = await checkWorkspaceTamper(dir, base, 'npm test', [], { skipUntracked: before });
    expect(v.map((x) => x.file)).toEqual(['test/model.test.js']);
  });

  it('handles paths with spaces and non-ASCII characters', async () => {
    const { dir, base } = repo();
    writeFiles(dir, { 'test/café spaces.test.js': `${IT_ONLY}'x', () => {});\n` });
    const diff = await workspaceDiff(dir, base);
    expect(diff).toContain('café spaces.test.js');
    const v = await checkWorkspaceTamper(dir, base, 'npm test', []);
    expect(v.map((x) => x.file)).toEqual(['test/café spaces.test.js']);
  });

  it("fails with git's own message for a base commit that does not exist", async () => {
    const { dir } = repo();
    await expect(checkWorkspaceTamper(dir, 'f'.repeat(40), 'npm test', [])).rejects.toThrow(
      /bad revision|unknown revision|bad object/,
    );
  });
});

describe('the pure parts', () => {
  it('parses git diffs: added, deleted, renamed, binary and C-quoted paths', () => {
    const diff = [
      'diff --git a/new.txt b/new.txt',
      'new file mode 100644',
      'index 0000000..e69de29',
      '--- /dev/null',
      '+++ b/new.txt',
      '@@ -0,0 +1 @@',
      '+hello',
      'diff --git a/gone.test.ts b/gone.test.ts',
      'deleted file mode 100644',
      '--- a/gone.test.ts',
      '+++ /dev/null',
      '@@ -1,2 +0,0 @@',
      '-expect(1).toBe(1);',
      '--- looks like a header but is content',
      'diff --git a/old name.js b/new name.js',
      'similarity index 100%',
      'rename from old name.js',
      'rename to new name.js',
      'diff --git a/img.png b/img.png',
      'Binary files a/img.png and b/img.png differ',
      'diff --git "a/caf\\303\\251.txt" "b/caf\\303\\251.txt"',
      '--- "a/caf\\303\\251.txt"',
      '+++ "b/caf\\303\\251.txt"',
      '@@ -1 +1 @@',
      '-a',
      '+b',
      '',
    ].join('\n');
    const files = parseUnifiedDiff(diff);
    expect(files.map((f) => [f.status, f.oldPath, f.newPath, f.binary])).toEqual([
      ['added', null, 'new.txt', false],
      ['deleted', 'gone.test.ts', null, false],
      ['renamed', 'old name.js', 'new name.js', false],
      ['modified', 'img.png', 'img.png', true],
      ['modified', 'café.txt', 'café.txt', false],
    ]);
    expect(files[1].hunks[0].lines).toEqual(['-expect(1).toBe(1);', '--- looks like a header but is content']);
  });

  it('finds what a check command runs', () => {
    expect(checkTargets('npm test')).toMatchObject({ dir: '', scripts: ['test', 'pretest', 'posttest'] });
    expect(checkTargets('cd web && CI=1 npm run test:unit -- --runInBand')).toMatchObject({
      dir: 'web',
      scripts: ['test:unit', 'pretest:unit', 'posttest:unit'],
    });
    expect(checkTargets('npm --prefix packages/api test').dir).toBe('packages/api');
    expect(checkTargets('yarn lint && pnpm run build').scripts).toEqual([
      'lint',
      'prelint',
      'postlint',
      'build',
      'prebuild',
      'postbuild',
    ]);
    expect(checkTargets('timeout 600 ./ci/test.sh --fast').files).toEqual(['ci/test.sh']);
    expect(checkTargets('make -C sub check')).toMatchObject({ make: true, dir: 'sub' });
    expect(checkTargets('python3 tools/run_tests.py').files).toEqual(['tools/run_tests.py']);
    expect(checkTargets('node --test test/sum.test.js').files).toEqual([]);
  });

  it('reads the check with the bash parser: quotes, nested bash -c, wrappers and comments', () => {
    // Quoted operators are words, not separators; code given to `bash -c` is parsed too; `nice`/`env` unwrap.
    expect(checkTargets(`bash -c 'cd "web app" && nice -n 5 npm run "test:ci"'`)).toMatchObject({
      dir: 'web app',
      scripts: ['test:ci', 'pretest:ci', 'posttest:ci'],
    });
    expect(checkTargets(`env FOO='a && b' ./ci/run.sh # && ./ci/other.sh`).files).toEqual(['ci/run.sh']);
    expect(checkTargets('echo "npm run lint; make" | cat').scripts).toEqual([]);
  });

  it('protects a script file that the npm script runs', () => {
    const before = JSON.stringify({ scripts: { test: 'node scripts/run-tests.mjs' } });
    const diff = [
      'diff --git a/scripts/run-tests.mjs b/scripts/run-tests.mjs',
      '--- a/scripts/run-tests.mjs',
      '+++ b/scripts/run-tests.mjs',
      '@@ -1 +1 @@',
      '-process.exit(run())',
      '+process.exit(0)',
      '',
    ].join('\n');
    const v = checkTamper(diff, { check: 'npm test', packageJsonBefore: before, packageJsonAfter: before });
    expect(v.map((x) => `${x.rule} ${x.file}`)).toEqual(['check-definition scripts/run-tests.mjs']);
    // A test file the script names is not frozen: fixing an expectation in it is allowed (the test rules guard it).
    const named = JSON.stringify({ scripts: { test: 'jest test/sum.test.js' } });
    const testEdit = diff.replaceAll('scripts/run-tests.mjs', 'test/sum.test.js');
    expect(checkTamper(testEdit, { check: 'npm test', packageJsonBefore: named, packageJsonAfter: named })).toEqual([]);
    expect(
      checkTamper(diff, {
        check: 'npm test',
        packageJsonBefore: before,
        packageJsonAfter: before,
        relaxed: ['check-definition'],
      }),
    ).toEqual([]);
  });

  it('falls back to the diff lines for package.json when its contents are not given', () => {
    const diff = [
      'diff --git a/package.json b/package.json',
      '--- a/package.json',
      '+++ b/package.json',
      '@@ -2,3 +2,3 @@',
      '   "scripts": {',
      '-    "test": "jest",',
      '+    "test": "jest --passWithNoTests --testPathIgnorePatterns sum",',
      '     "lint": "eslint ."',
      '',
    ].join('\n');
    expect(checkTamper(diff, { check: 'npm test' }).map((x) => x.rule)).toEqual(['check-definition']);
    expect(checkTamper(diff, { check: 'npm run lint' })).toEqual([]);
  });

  it('recognises test files across ecosystems', () => {
    for (const p of [
      'test/a.js',
      'src/__tests__/a.ts',
      'a.spec.tsx',
      'tests/test_x.py',
      'x_test.py',
      'pkg/x_test.go',
      'src/test/java/FooTest.java',
      'spec/foo_spec.rb',
      'conftest.py',
    ]) {
      expect(isTestFile(p), p).toBe(true);
    }
    for (const p of [
      'test/fixtures/data.json',
      'src/a.js',
      'src/testing.py',
      'lib/contest.go',
      'README.md',
      'src/attestation.ts',
    ]) {
      expect(isTestFile(p), p).toBe(false);
    }
  });
});
