// `ci-medic repair` end to end (in-process: the command's main with a real environment): a small broken npm
// project is repaired through the real loop, tmux, git and SDK against the stand-in; bad configuration exits 2
// before tmux starts.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { main } from '../../src/cli/commands/repair.js';
import { socketPathFor } from '../../src/terminal/tmux.js';
import { say, startFakeAnthropic, text, toolUse } from '../fakes/anthropic.js';
import { makeTempDir } from '../helpers/repo.js';
import { API_KEY, brokenRepo, FIXED_MATH, sessionName } from '../helpers/scenario.js';
import { cleanUpAfterEach } from '../helpers/cleanup.js';
import { captureIo } from '../helpers/cli.js';

const closeLater = cleanUpAfterEach();

describe('ci-medic repair', () => {
  test('repairs a broken npm project and exits 0 with the fix in the tree', async () => {
    const dir = brokenRepo();
    const fake = closeLater(
      await startFakeAnthropic([
        say(
          text('The loop stops early.'),
          toolUse('edit', { file_path: 'math.js', old_string: 'items.length - 1', new_string: 'items.length' }),
        ),
        say(text('Root cause: an off-by-one loop bound in total(); fixed it.')),
      ]),
    );
    const name = sessionName();
    const transcript = join(makeTempDir(), 't.jsonl');
    const cli = captureIo({ ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: fake.url }, dir);
    const code = await main(
      ['--check', 'npm test', '--session', name, '--transcript', transcript, '--max-turns', '5'],
      cli,
    );
    expect(fake.problems).toEqual([]);
    expect(code).toBe(0);
    expect(readFileSync(join(dir, 'math.js'), 'utf8')).toBe(FIXED_MATH);
    expect(cli.out).toContain('ci-medic: fixed');
    expect(cli.out).toContain('changed files: math.js');
    expect(cli.out).toContain(transcript);
    expect(cli.out).not.toContain(API_KEY);
    expect(cli.err).toContain('[turn] turn 1');
  });

  test('--json prints the whole result', async () => {
    const dir = brokenRepo();
    const fake = closeLater(await startFakeAnthropic([say(text('I could not find the cause.'))]));
    const cli = captureIo({ ANTHROPIC_API_KEY: API_KEY }, dir);
    const code = await main(
      [
        '--check',
        'npm test',
        '--json',
        '--base-url',
        fake.url,
        '--session',
        sessionName(),
        '--max-turns',
        '1',
        '--transcript',
        join(makeTempDir(), 't.jsonl'),
      ],
      cli,
    );
    expect(code).toBe(1);
    const result = JSON.parse(cli.out) as { result: string; turns: number };
    expect(result).toMatchObject({ result: 'budget-exhausted', turns: 1 });
  });

  test.each([
    [['--check', 'npm test', '--max-turns', 'lots'], {}, '--max-turns: "lots" is not a positive whole number'],
    [['--check', 'npm test', '--time-budget', 'soon'], {}, '--time-budget: "soon" is not a duration'],
    [['--check', 'npm test', '--max-cost', '-1'], {}, '--max-cost'],
    [['--check', 'npm test', '--frobnicate'], {}, "Unknown option '--frobnicate'"],
    [['--max-turns', '3'], {}, '--check: is required'],
    [['--check', 'npm test', '--session', 'bad name!'], {}, '--session: "bad name!" is not a valid session name'],
    [['--check', 'npm test', '--base-url', 'ftp://x'], {}, '--base-url: "ftp://x" is not an http(s) URL'],
    [
      ['--check', 'npm test', '--relax-tamper', 'everything'],
      {},
      '--relax-tamper: "everything" is not a tamper-guard rule',
    ],
    [['--check', 'npm test'], { ANTHROPIC_API_KEY: undefined }, 'ANTHROPIC_API_KEY: is not set'],
    [['--check', 'npm test', '--disable-rule', 'everything'], {}, '--disable-rule: "everything" is not a default rule'],
    [['--check', 'npm test', '--protected-path', 'src/*'], {}, '--protected-path: "src/*" is not a path'],
    [
      ['--check', 'npm test', '--flaky-reruns', 'many'],
      {},
      '--flaky-reruns: "many" is not a whole number from 0 to 20',
    ],
    [['--check', 'npm test', '--on-flaky', 'ignore'], {}, '--on-flaky: "ignore" is not accepted; use report or repair'],
    [['--check', 'npm test', '--fail-on-flaky', 'maybe'], {}, '--fail-on-flaky: "maybe" is not true or false'],
    [['--check', 'npm test', '--push-range', 'main..HEAD'], {}, '--push-range: "main..HEAD" is not BEFORE..AFTER'],
    [
      ['--check', 'npm test', '--pr-base', 'abc1234', '--push-range', 'abc1234..def5678'],
      {},
      '--pr-base: and --push-range',
    ],
  ])('bad configuration %j exits 2 naming what is wrong, before tmux starts', async (argv, env, message) => {
    const dir = brokenRepo();
    const name = sessionName();
    const cli = captureIo({ ANTHROPIC_API_KEY: API_KEY, ...env }, dir);
    const code = await main(argv.includes('--session') ? argv : [...argv, '--session', name], cli);
    expect(code).toBe(2);
    expect(cli.err).toContain(message);
    expect(existsSync(socketPathFor(name))).toBe(false);
  });

  test('a flaky check: exit 1 by default, 0 with --fail-on-flaky false; no model call', async () => {
    const dir = brokenRepo();
    const fake = closeLater(await startFakeAnthropic([]));
    // In the workspace: the sandboxed shell writes nowhere else but its own temp dir.
    const marker = join(dir, '.ran-once');
    const check = `if [ -f ${marker} ]; then exit 0; fi; touch ${marker}; echo "FAIL first run"; exit 1`;
    const run = async (extra: string[]) => {
      const cli = captureIo({ ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: fake!.url }, dir);
      const args = ['--check', check, '--session', sessionName(), '--transcript', join(makeTempDir(), 't.jsonl')];
      return { code: await main([...args, ...extra], cli), cli };
    };
    const strict = await run([]);
    expect(strict.code).toBe(1);
    expect(strict.cli.out).toContain('ci-medic: flaky');
    rmSync(marker);
    const lenient = await run(['--fail-on-flaky', 'false', '--flaky-reruns', '1']);
    expect(lenient.code).toBe(0);
    expect(lenient.cli.out).toContain('failed 1 and passed 1 of 2 runs');
    expect(fake.requests).toHaveLength(0);
  });

  test('an unknown model exits 2 naming it, before tmux starts', async () => {
    const dir = brokenRepo();
    const fake = closeLater(await startFakeAnthropic([], { knownModels: ['claude-sonnet-5-5'] }));
    const name = sessionName();
    const cli = captureIo({ ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: fake.url }, dir);
    const code = await main(['--check', 'npm test', '--model', 'claude-sonet-5-5', '--session', name], cli);
    expect(code).toBe(2);
    expect(cli.err).toContain("model: 'claude-sonet-5-5' not found: check --model / the model input");
    expect(existsSync(socketPathFor(name))).toBe(false);
    expect(fake.requests).toHaveLength(0);
  });

  test('an unwritable transcript path exits 2 naming it, before tmux starts', async () => {
    const dir = brokenRepo();
    const fake = closeLater(await startFakeAnthropic([]));
    const name = sessionName();
    const cli = captureIo({ ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: fake.url }, dir);
    const code = await main(
      ['--check', 'npm test', '--session', name, '--transcript', join(dir, 'package.json', 't.jsonl')],
      cli,
    );
    expect(code).toBe(2);
    expect(cli.err).toContain(`transcript: cannot write "${join(dir, 'package.json', 't.jsonl')}"`);
    expect(existsSync(socketPathFor(name))).toBe(false);
  });

  test('a workdir that is not a repository exits 2 before tmux starts', async () => {
    const name = sessionName();
    const cli = captureIo({ ANTHROPIC_API_KEY: API_KEY }, makeTempDir());
    const code = await main(['--check', 'npm test', '--session', name], cli);
    expect(code).toBe(2);
    expect(cli.err).toContain('workdir');
    expect(existsSync(socketPathFor(name))).toBe(false);
  });
});
