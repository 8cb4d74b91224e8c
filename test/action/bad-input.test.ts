// The Action's entry (dist/index.js, or CI_MEDIC_ACTION_ENTRY) run as the runner runs it, with a person's mistakes
// and a broken world: each fails the step with an ::error that names the input and what to do, sets result=error,
// and leaves the checkout as it was.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from '../fakes/anthropic.js';
import { git, makeTempDir, removeTempDirs } from '../helpers/repo.js';
import { API_KEY, BROKEN_FILES, brokenRepo, killSessions, sessionName } from '../helpers/scenario.js';

const ENTRY = resolve(process.env.CI_MEDIC_ACTION_ENTRY || 'dist/index.js');
let fake: FakeAnthropic | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
  killSessions();
  removeTempDirs();
});

/** Runs the entry on a push to main of a broken checkout; resolves with its log, outputs file and exit status. */
async function runAction(inputs: Record<string, string>): Promise<{ status: number | null; log: string; dir: string }> {
  const dir = brokenRepo();
  const temp = makeTempDir('ci-medic-runner-');
  for (const f of ['output', 'summary.md']) writeFileSync(join(temp, f), '');
  writeFileSync(join(temp, 'event.json'), JSON.stringify({ ref: 'refs/heads/main', repository: { fork: false } }));
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(INPUT_|GITHUB_|RUNNER_|ACTIONS_|ANTHROPIC_)/.test(name)) env[name] = value;
  }
  Object.assign(env, {
    GITHUB_OUTPUT: join(temp, 'output'),
    GITHUB_STEP_SUMMARY: join(temp, 'summary.md'),
    GITHUB_EVENT_PATH: join(temp, 'event.json'),
    GITHUB_EVENT_NAME: 'push',
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_API_URL: 'http://127.0.0.1:9',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_WORKSPACE: dir,
    RUNNER_TEMP: temp,
  });
  // github-token as the runner always sends it (its default): an empty one is an input error of its own.
  const all = {
    check: 'npm test',
    'session-name': sessionName(),
    rescue: 'off',
    'github-token': 'ghs_runnerDefaultToken0123456789',
    ...inputs,
  };
  for (const [name, value] of Object.entries(all)) env[`INPUT_${name.toUpperCase()}`] = value;
  const child = spawn(process.execPath, [ENTRY], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const status = await new Promise<number | null>((done) => child.on('close', done));
  clearTimeout(timer);
  expect(readFileSync(join(temp, 'output'), 'utf8')).toMatch(/^result<<(.+)\nerror\n\1$/m);
  expect(git(dir, 'status', '--porcelain')).toBe('');
  expect(readFileSync(join(dir, 'math.js'), 'utf8')).toBe(BROKEN_FILES['math.js']);
  // ::add-mask:: is how the runner learns the secret; nothing else may carry it.
  expect(log.replace(/^::add-mask::.*$/gm, '')).not.toContain(API_KEY);
  return { status, log, dir };
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
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
    fake = await startFakeAnthropic([], { knownModels: ['claude-sonnet-5-5'] });
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
