// The Action's entry (dist/index.js, or CI_MEDIC_ACTION_ENTRY) run as the runner runs it, with a person's mistakes
// and a broken world: each fails the step with an ::error that names the input and what to do, sets result=error,
// and leaves the checkout as it was.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startFakeAnthropic } from '../fakes/anthropic.js';
import { runAction as runStep } from '../helpers/action.js';
import { cleanUpAfterEach } from '../helpers/cleanup.js';
import { closedPort } from '../helpers/net.js';
import { git } from '../helpers/repo.js';
import { API_KEY, BROKEN_FILES, brokenRepo, sessionName } from '../helpers/scenario.js';

const closeLater = cleanUpAfterEach();

/** Runs the entry on a push to main of a broken checkout; resolves with its log, outputs file and exit status. */
async function runAction(inputs: Record<string, string>): Promise<{ status: number | null; log: string; dir: string }> {
  const dir = brokenRepo();
  // github-token as the runner always sends it (its default): an empty one is an input error of its own.
  const all = {
    check: 'npm test',
    'session-name': sessionName(),
    rescue: 'off',
    'github-token': 'ghs_runnerDefaultToken0123456789',
    ...inputs,
  };
  const run = await runStep({
    workspace: dir,
    inputs: all,
    event: { ref: 'refs/heads/main', repository: { fork: false } },
    timeoutMs: 60_000,
  });
  const { status, stdout: log } = run;
  expect(readFileSync(join(run.runnerTemp, 'output'), 'utf8')).toMatch(/^result<<(.+)\nerror\n\1$/m);
  expect(git(dir, 'status', '--porcelain')).toBe('');
  expect(readFileSync(join(dir, 'math.js'), 'utf8')).toBe(BROKEN_FILES['math.js']);
  // ::add-mask:: is how the runner learns the secret; nothing else may carry it.
  expect(log.replace(/^::add-mask::.*$/gm, '')).not.toContain(API_KEY);
  return { status, log, dir };
}

describe('the Action with bad input', () => {
  it.each([
    ['max-turns', '0', '::error::max-turns: "0" is not a positive whole number'],
    ['pull-request', 'maybe', '::error::pull-request: "maybe" is not accepted; use one of: create, draft, none'],
    ['max-cost', 'abc', '::error::max-cost: "abc" is not an amount in US dollars greater than zero, like 3 or 0.50'],
    [
      'time-budget',
      '5x',
      '::error::time-budget: "5x" is not a duration; use a number with a unit, like 90s, 20m or 1h',
    ],
  ])('%s: %s fails the step before anything starts', async (input, value, said) => {
    const run = await runAction({ 'anthropic-api-key': API_KEY, [input]: value });
    expect(run.status).toBe(1);
    expect(run.log.split('\n')).toContain(said);
    expect(run.log).not.toContain('[check]');
  });

  it('a missing API key names the input', async () => {
    const run = await runAction({});
    expect(run.status).toBe(1);
    expect(run.log).toMatch(
      /^::error::anthropic-api-key: no API key: set ANTHROPIC_API_KEY \(the anthropic-api-key input\)/m,
    );
    expect(run.log).not.toContain('[check]');
  });

  it('an unknown model names the model input, before a token is spent', async () => {
    const fake = closeLater(await startFakeAnthropic([], { knownModels: ['claude-sonnet-5-5'] }));
    const run = await runAction({
      'anthropic-api-key': API_KEY,
      'anthropic-base-url': fake.url,
      model: 'claude-opus-9',
    });
    expect(run.status).toBe(1);
    expect(run.log).toMatch(/^::error::model: 'claude-opus-9' not found: check --model \/ the model input/m);
    expect(fake.problems).toEqual([]);
  });

  it('an API outage fails the step naming the URL and the anthropic-base-url input', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const run = await runAction({ 'anthropic-api-key': API_KEY, 'anthropic-base-url': url });
    expect(run.status).toBe(1);
    expect(run.log).toContain('::group::ci-medic turn 1');
    expect(run.log).toMatch(
      new RegExp(
        `^::error::ci-medic did not fix \`npm test\` \\(error\\): could not reach the API at ${url.replace(/\./g, '\\.')} \\(Connection error\\.\\) after 4 retries: .*the anthropic-base-url input`,
        'm',
      ),
    );
  }, 60_000);
});
