// The rules on one changed file: skip markers, deleted tests and assertions, suppressions, CI configuration and
// lockfiles; and `checkTamper`, which runs every rule not relaxed over a whole diff.
import { posix } from 'node:path';
import { checkDefinitionViolations } from './check-definition.js';
import { added, parseUnifiedDiff, pathOf, removed, type FileDiff } from './diff.js';
import {
  ASSERTION,
  CI_PATHS,
  hunkLooksLikeTests,
  isTestFile,
  LINTER_IGNORE_FILE,
  LOCKFILES,
  SKIP_MARKERS,
  CODE_FILE,
  SUPPRESSIONS,
  TEST_DEFINITION,
  type Marker,
} from './tables.js';
import type { TamperOptions, TamperViolation } from './types.js';

export function countMatches(lines: string[], re: RegExp): { count: number; first?: string } {
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
export function linesOf(f: FileDiff, testsOnly: boolean): { plus: string[]; minus: string[] } {
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

/** A file the failing output names (by path or by file name): its tests are the failing ones. */
function namedIn(output: string, path: string): boolean {
  return output.includes(path) || output.includes(posix.basename(path));
}

/**
 * `test-only`: the diff changes test code and no code under test, and it changes the assertions or expected values
 * of the failing tests — making the test agree with the bug. A test changed together with the code stays allowed.
 */
export function testOnlyViolations(files: FileDiff[], failureOutput: string | undefined): TamperViolation[] {
  const code = files.filter((f) => CODE_FILE.test(pathOf(f)) || posix.basename(pathOf(f)) === 'Makefile');
  if (code.length === 0 || code.some((f) => !isTestFile(pathOf(f)))) return [];
  // The failing tests' files, when the output names them; otherwise every changed test file.
  const named = failureOutput ? code.filter((f) => namedIn(failureOutput, pathOf(f))) : [];
  const out: TamperViolation[] = [];
  for (const f of named.length ? named : code) {
    const { plus, minus } = linesOf(f, false);
    const before = minus.filter((l) => ASSERTION.test(l)).map((l) => l.trim());
    const after = new Set(plus.filter((l) => ASSERTION.test(l)).map((l) => l.trim()));
    const changed = before.find((l) => !after.has(l));
    if (!changed) continue;
    const into = plus.find((l) => ASSERTION.test(l))?.trim();
    out.push({
      rule: 'test-only',
      file: pathOf(f),
      line: changed,
      message: `${pathOf(f)}: the change touches only tests, and rewrites the failing test's assertion \`${changed}\`${into ? ` into \`${into}\`` : ''}. Making a test agree with the code it tests is not a fix: restore the assertion and fix the code under test. (If the expectation itself is wrong, fix it together with the code, or ask for the \`test-only\` rule to be relaxed.)`,
    });
  }
  return out;
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
  // Only when nothing else was found: a removed assertion is already a `deleted-tests` violation.
  if (!relaxed.has('test-only') && out.length === 0) out.push(...testOnlyViolations(files, opts.failureOutput));
  return out;
}
