// What the loop does with what real projects do (issue 11): checks that exit, cd, set -e and trap; a setup that
// never passes; flaky checks; a model that gives up or repeats itself; test-only fixes; what changed per event; a
// dirty tree. Real loop, tmux, git and policy; the scripted Messages API stand-in plays the model.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { repair } from '../../src/agent/loop.js';
import { bash, say, text, toolUse } from '../fakes/anthropic.js';
import { git, makeTempDir, writeFiles } from '../helpers/repo.js';
import {
  BROKEN_FILES,
  brokenRepo,
  configFor,
  FIX_EDIT,
  FIXED_MATH as FIXED,
  lastUserText,
  useScriptedModel,
} from '../helpers/scenario.js';

const model = useScriptedModel();

/**
 * A project whose test fails on the runs a seeded schedule marks `F` (the check counts its runs in a file outside
 * the repository), so it is flaky in a reproducible way. The fix removes the schedule from total().
 */
function flakyProject(schedule: string): { dir: string; check: string } {
  const counter = join(makeTempDir('ci-medic-flaky-'), 'runs');
  const dir = brokenRepo({
    ...BROKEN_FILES,
    'math.js': `export function total(items) {\n  if ('${schedule}'[Number(process.env.RUN) - 1] === 'F') return -1;\n  let sum = 0;\n  for (const item of items) sum += item;\n  return sum;\n}\n`,
  });
  const check = `n=$(( $(cat ${counter} 2>/dev/null || echo 0) + 1 )); echo $n > ${counter}; RUN=$n node --test`;
  return { dir, check };
}

const FLAKY_FIX = toolUse('edit', {
  file_path: 'math.js',
  old_string: `  if ('`,
  new_string: `  if (false && '`,
});

describe('the check is a program', () => {
  test('exit, cd, set -e and a trap in the check touch only the check; its exit code is exact', async () => {
    const dir = brokenRepo();
    const check = "set -e; trap 'echo CHECK-TRAP-RAN' EXIT; cd test; node --test math.test.js || exit 7";
    const api = await model(say(bash('pwd; echo shell-alive')), say(FIX_EDIT), say(text('Fixed the bound.')));
    const result = await repair(configFor(dir, api, { check }));
    expect(api.problems).toEqual([]);
    expect(result.initialFailure.exitCode).toBe(7);
    expect(result.initialFailure.excerpt).toContain('CHECK-TRAP-RAN');
    // The model's shell is where it started, alive, and without the check's trap.
    const pwd = lastUserText(api, 1);
    expect(pwd).toContain(`${dir}\\n`);
    expect(pwd).not.toContain(`${dir}/test`);
    expect(pwd).toContain('shell-alive');
    expect(pwd).not.toContain('CHECK-TRAP-RAN');
    expect(result.result).toBe('fixed');
    expect(result.verification?.exitCode).toBe(0);
  });
});

describe('setup is proven before it judges', () => {
  test('a setup that fails on the base commit too: judged by the in-place re-run, verification was partial', async () => {
    const dir = brokenRepo();
    const setup = 'echo "npm ERR! the lockfile does not match package.json" >&2; exit 1';
    const api = await model(say(FIX_EDIT), say(text('Fixed the bound.')));
    const result = await repair(configFor(dir, api, { setup }));
    expect(api.problems).toEqual([]);
    expect(result.result).toBe('fixed');
    // No model turn spent on the setup: the two the fix needs.
    expect(result.turns).toBe(2);
    expect(result.partialVerification).toMatch(/^verification was partial: setup .* fails on the base commit too/);
    expect(result.partialVerification).toContain('the lockfile does not match package.json');
    expect(result.reason).toContain('verification was partial');
    expect(api.requests).toHaveLength(2);
    expect(JSON.stringify(api.requests.map((r) => r.body.messages))).not.toContain('fails with your diff applied');
  });

  test('a setup that fails only with the diff applied: the model gets its error and fixes it', async () => {
    const dir = brokenRepo();
    const setup = 'if [ -f scratch.txt ]; then echo "setup: scratch.txt breaks the build" >&2; exit 4; fi';
    const api = await model(
      say(FIX_EDIT, toolUse('write', { file_path: 'scratch.txt', content: 'notes\n' })),
      say(text('Fixed the bound.')),
      say(bash('rm scratch.txt')),
      say(text('Removed the scratch file.')),
    );
    const result = await repair(configFor(dir, api, { setup }));
    expect(api.problems).toEqual([]);
    const told = lastUserText(api, 2);
    expect(told).toContain('fails with your diff applied');
    expect(told).toContain('exit code 4');
    expect(told).toContain('scratch.txt breaks the build');
    expect(result.result).toBe('fixed');
    expect(result.partialVerification).toBeUndefined();
    expect(result.changedFiles).toEqual(['math.js']);
  });

  test('without a setup the check alone runs in a clean worktree: a fix relying on a file untracked before the loop is caught', async () => {
    const dir = brokenRepo();
    writeFileSync(join(dir, 'local-helper.js'), 'export const add = (a, b) => a + b;\n');
    const api = await model(
      say(
        toolUse('write', {
          file_path: 'math.js',
          content:
            "import { add } from './local-helper.js';\nexport function total(items) {\n  return items.reduce(add, 0);\n}\n",
        }),
      ),
      say(text('Done.')),
      say(toolUse('write', { file_path: 'math.js', content: FIXED })),
      say(text('Inlined the addition.')),
    );
    const result = await repair(configFor(dir, api));
    expect(api.problems).toEqual([]);
    expect(lastUserText(api, 2)).toContain('failed in the clean worktree');
    expect(result.result).toBe('fixed');
    expect(result.changedFiles).toEqual(['math.js']);
  });
});

describe('flaky is a result', () => {
  test('a check that fails, then passes on a re-run ends flaky without a model turn', async () => {
    const { dir, check } = flakyProject('FPF');
    const api = await model();
    const result = await repair(configFor(dir, api, { check }));
    expect(result.result).toBe('flaky');
    expect(api.requests).toHaveLength(0);
    expect(result.turns).toBe(0);
    expect(result.flaky).toEqual({ runs: 3, passes: 1, failures: 2 });
    expect(result.reason).toContain('failed 2 and passed 1 of 3 runs');
    expect(result.changedFiles).toEqual([]);
    expect(result.initialFailure.firstErrorLine).not.toBe('');
  });

  test('on-flaky: repair needs flaky-reruns + 1 passes in a row', async () => {
    // Runs 1-3 before the model (F P F); the first "done" is verified by runs 4 (P) and 5 (F): rejected.
    const { dir, check } = flakyProject('FPFPFFFFFF');
    const api = await model(say(text('Done.')), say(FLAKY_FIX), say(text('Removed the schedule from total().')));
    const result = await repair(configFor(dir, api, { check, onFlaky: 'repair', flakyReruns: 2 }));
    expect(api.problems).toEqual([]);
    expect(JSON.stringify(api.requests[0].body.messages)).toContain('The check is flaky');
    const told = lastUserText(api, 1);
    expect(told).toContain('passed 1 time(s) first');
    expect(told).toContain('3 times in a row');
    expect(result.result).toBe('fixed');
    // 3 before the model, 2 for the rejected "done", 3 in a row, 1 in the clean worktree.
    expect(result.verificationCost?.checkRuns).toBe(9);
  });
});

describe('the model can give up; loops end', () => {
  test('the give_up tool ends the run not-fixed with its explanation', async () => {
    const dir = brokenRepo();
    const reason = 'The test needs a database server that CI does not start; add a service container.';
    const api = await model(say(bash('cat math.js')), say(toolUse('give_up', { reason })));
    const result = await repair(configFor(dir, api));
    expect(api.problems).toEqual([]);
    expect(result.result).toBe('not-fixed');
    expect(result.explanation).toBe(reason);
    expect(result.turns).toBe(2);
    expect(result.reason).toContain('gave up');
  });

  test('a final answer starting CANNOT FIX: ends the run without a verification', async () => {
    const dir = brokenRepo();
    const api = await model(say(text('CANNOT FIX: the expected value comes from a service I cannot reach.')));
    const result = await repair(configFor(dir, api));
    expect(result.result).toBe('not-fixed');
    expect(result.explanation).toContain('service I cannot reach');
    // The initial run and the flaky re-runs only.
    expect(result.verificationCost?.checkRuns).toBe(3);
  });

  test('two "done" answers with no change to the diff end not-fixed after one verification', async () => {
    const dir = brokenRepo();
    const api = await model(say(text('Done.')), say(bash('ls')), say(text('Done, really.')), say(text('unused')));
    const result = await repair(configFor(dir, api));
    expect(api.problems).toEqual([]);
    expect(result.result).toBe('not-fixed');
    expect(result.turns).toBe(3);
    expect(result.reason).toContain('done twice with no change to the diff');
    expect(result.verificationCost?.checkRuns).toBe(4);
  });
});

describe('the tamper guard sees test-only fixes', () => {
  test("changing the failing test's expected value to the bug's is rejected; fixing the code is accepted", async () => {
    const dir = brokenRepo();
    const api = await model(
      say(toolUse('edit', { file_path: 'test/math.test.js', old_string: '6);', new_string: '3);' })),
      say(text('Updated the expectation.')),
      say(toolUse('edit', { file_path: 'test/math.test.js', old_string: '3);', new_string: '6);' }), FIX_EDIT),
      say(text('Restored the test and fixed total().')),
    );
    const result = await repair(configFor(dir, api));
    expect(api.problems).toEqual([]);
    const told = lastUserText(api, 2);
    expect(told).toContain('[test-only]');
    expect(told).toContain('assert.equal(total([1, 2, 3]), 6);');
    expect(result.result).toBe('fixed');
    expect(result.changedFiles).toEqual(['math.js']);
  });
});

describe('what changed, on every event', () => {
  test("pull_request: the model gets the pull request's diff against the merge-base, not the merge commit", async () => {
    const dir = brokenRepo({ ...BROKEN_FILES, 'math.js': FIXED }, 'Sum items');
    git(dir, 'checkout', '-q', '-b', 'feature');
    writeFiles(dir, { 'math.js': BROKEN_FILES['math.js'] });
    git(dir, 'commit', '-qam', 'Skip the last item (the bug)');
    git(dir, 'checkout', '-q', 'main');
    writeFiles(dir, { 'README.md': 'docs\n' });
    git(dir, 'add', 'README.md');
    git(dir, 'commit', '-qm', 'Docs on main');
    const mainHead = git(dir, 'rev-parse', 'HEAD');
    git(dir, 'merge', '-q', '--no-ff', '-m', 'Merge feature into main', 'feature');
    const api = await model(say(FIX_EDIT), say(text('Fixed.')));
    const result = await repair(configFor(dir, api, { changeRange: { event: 'pull_request', base: mainHead } }));
    const first = JSON.stringify(api.requests[0].body.messages);
    expect(first).toContain("The pull request's changes");
    // The checkout is the merge commit: its merge-base with the base branch's tip is that tip.
    expect(first).toContain(`merge-base ${mainHead.slice(0, 12)}`);
    expect(first).toContain('Skip the last item (the bug)');
    expect(first).toContain('-  for (let i = 0; i < items.length; i++)');
    expect(first).not.toContain('Docs on main');
    expect(result.result).toBe('fixed');
  });

  test('push: the pushed range before..after; a range the history lacks falls back to the last commit', async () => {
    const dir = brokenRepo({ ...BROKEN_FILES, 'math.js': FIXED }, 'Sum items');
    const before = git(dir, 'rev-parse', 'HEAD');
    writeFiles(dir, { 'math.js': BROKEN_FILES['math.js'] });
    git(dir, 'commit', '-qam', 'First pushed commit (the bug)');
    writeFiles(dir, { 'README.md': 'docs\n' });
    git(dir, 'add', 'README.md');
    git(dir, 'commit', '-qm', 'Second pushed commit');
    const after = git(dir, 'rev-parse', 'HEAD');
    const api = await model(say(FIX_EDIT), say(text('Fixed.')));
    await repair(configFor(dir, api, { changeRange: { event: 'push', before, after } }));
    const first = JSON.stringify(api.requests[0].body.messages);
    expect(first).toContain('The pushed commits');
    expect(first).toContain('First pushed commit (the bug)');
    expect(first).toContain('Second pushed commit');

    git(dir, 'checkout', '-q', '--', '.');
    git(dir, 'reset', '-q', '--hard', after);
    const api2 = await model(say(FIX_EDIT), say(text('Fixed.')));
    const missing = 'f'.repeat(40);
    await repair(configFor(dir, api2, { changeRange: { event: 'push', before: missing, after } }));
    const fallback = JSON.stringify(api2.requests[0].body.messages);
    expect(fallback).toContain('The last commit');
    expect(fallback).not.toContain('First pushed commit');
  });
});

describe('a dirty tree is named', () => {
  test('changes present before the loop are reported, not counted as the fix; the transcript shows the run', async () => {
    const dir = brokenRepo({ ...BROKEN_FILES, 'README.md': 'docs\n', 'package-lock.json': '{"lockfileVersion":3}\n' });
    writeFileSync(join(dir, 'README.md'), 'docs, edited by hand before ci-medic ran\n');
    // A local `npm install` rewrote the lockfile: the user's change, so not a tamper-guard violation of the fix.
    writeFileSync(join(dir, 'package-lock.json'), '{"lockfileVersion":3,"packages":{}}\n');
    const api = await model(say(bash('cat math.js')), say(FIX_EDIT), say(text('Fixed the bound.')));
    const result = await repair(configFor(dir, api, { setup: 'echo SETUP-RAN' }));
    expect(result.result).toBe('fixed');
    expect(result.preexistingChanges).toEqual(['README.md', 'package-lock.json']);
    expect(result.changedFiles).toEqual(['math.js']);
    expect(result.diffStat).not.toContain('README.md');

    const markdown = readFileSync(result.transcriptMarkdownPath, 'utf8');
    expect(markdown).toContain('total adds every item'); // the failing excerpt
    expect(markdown).toContain('items.length - 1'); // the output of `cat math.js`
    expect(markdown).toContain('SETUP-RAN'); // setup's result
    expect(markdown).toContain('## Final diff');
    expect(markdown).toContain('+  for (let i = 0; i < items.length; i++)');
    expect(markdown).not.toContain('edited by hand');
  });
});
