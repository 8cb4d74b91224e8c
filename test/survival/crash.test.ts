// Deaths nobody can catch, and what comes after: SIGKILL of the Action's main step, then the post step run as the
// runner runs it (the saved state as STATE_* variables); SIGKILL of `ci-medic repair`, then its next start in the same
// workspace. Also what fails fast, before anything costs money: a busy explicit session name, an empty github-token.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AgentSession } from '../../src/terminal/session.js';
import { startFakeAnthropic, type FakeAnthropic } from '../fakes/anthropic.js';
import { makeTempDir, removeTempDirs } from '../helpers/repo.js';
import { API_KEY, makeCheckout, processesWith, socketOf, startStep, stepInputs, waitFor } from './harness.js';
import { POST_ENTRY, startPost } from '../helpers/action.js';
import { startCli } from '../helpers/cli.js';
import type { Running } from '../helpers/process.js';

let anthropic: FakeAnthropic;
const running: Running[] = [];
const sessions: AgentSession[] = [];

beforeAll(async () => {
  anthropic = await startFakeAnthropic([], { expectedKey: API_KEY });
});
afterEach(async () => {
  for (const r of running.splice(0)) r.child.kill('SIGKILL');
  for (const s of sessions.splice(0)) await s.stop({ removeState: true }).catch(() => undefined);
});
afterAll(async () => {
  await anthropic.close();
  removeTempDirs();
});

const inputs = (extra: Record<string, string>): Record<string, string> => stepInputs(anthropic.url, extra);

describe('after a SIGKILL of the main step, the post step', () => {
  it('restores .git/config byte for byte, stops the orphaned session and says so', async () => {
    const checkout = makeCheckout();
    const sleeper = 'sleep 64.21';
    const session = `killed-${process.pid}`;
    const step = startStep(checkout.dir, inputs({ check: sleeper, 'session-name': session }));
    running.push(step);
    await waitFor('the check to be running', () => processesWith(sleeper, true).length > 0);
    const journal = step.state().journal;
    expect(journal).toMatch(new RegExp(`^${step.runnerTemp}/ci-medic/run-\\d+-[0-9a-f]{8}\\.json$`));
    expect(statSync(journal).mode & 0o777).toBe(0o600);
    step.signal('SIGKILL');
    await step.exited;
    // What the death left: the credential out of .git/config, the agent's server and its command still running.
    expect(readFileSync(checkout.configPath).equals(checkout.configBytes)).toBe(false);
    expect(processesWith(socketOf(session)).length).toBeGreaterThan(0);

    const post = startPost(step, checkout.dir);
    const ended = await post.exited;
    expect(ended.code).toBe(0);
    expect(readFileSync(checkout.configPath).equals(checkout.configBytes), '.git/config as before').toBe(true);
    expect(processesWith(socketOf(session))).toEqual([]);
    await waitFor('the orphaned command to end', () => processesWith(sleeper, true).length === 0, 5_000);
    expect(post.log()).toMatch(/^::warning title=ci-medic cleaned up::ci-medic post step: restored .*\.git\/config/m);
    expect(post.log()).toContain(`stopped the agent session "${session}" that was left running`);

    // Run again (as a re-run of the step would): nothing left to do, and nothing said.
    const again = startPost(step, checkout.dir);
    expect((await again.exited).code).toBe(0);
    expect(again.log()).toBe('');
  });

  it('says nothing after a main step that cleaned up after itself', async () => {
    const checkout = makeCheckout();
    const step = startStep(checkout.dir, inputs({ check: 'true', 'session-name': `clean-${process.pid}` }));
    running.push(step);
    expect((await step.exited).code).toBe(0);
    expect(step.outputs().result).toBe('already-passing');
    const post = startPost(step, checkout.dir);
    expect((await post.exited).code).toBe(0);
    expect(post.log()).toBe('');
    expect(readFileSync(checkout.configPath).equals(checkout.configBytes)).toBe(true);
  });
});

describe('the post step bundle', () => {
  it('starts and stays silent when the main step saved no journal (it never got that far)', () => {
    const alone = spawnSync(process.execPath, [POST_ENTRY], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(alone.status).toBe(0);
    expect(alone.stdout + alone.stderr).toBe('');
  });
});

describe('ci-medic repair after a SIGKILL', () => {
  it('recovers at its next start in that workspace, and says so', async () => {
    const checkout = makeCheckout();
    const sleeper = 'sleep 64.31';
    const session = `cli-killed-${process.pid}`;
    const env = { ANTHROPIC_API_KEY: API_KEY, XDG_STATE_HOME: makeTempDir('ci-medic-state-') };
    const first = startCli(
      ['repair', '--check', sleeper, '--base-url', anthropic.url, '--session', session],
      checkout.dir,
      env,
    );
    running.push(first);
    await waitFor('the check to be running', () => processesWith(sleeper, true).length > 0);
    first.signal('SIGKILL');
    await first.exited;
    expect(readFileSync(checkout.configPath).equals(checkout.configBytes)).toBe(false);
    expect(processesWith(socketOf(session)).length).toBeGreaterThan(0);

    const next = startCli(['repair', '--check', 'true', '--base-url', anthropic.url], checkout.dir, env);
    running.push(next);
    const ended = await next.exited;
    expect(ended.code).toBe(0);
    expect(next.log()).toMatch(/the previous run in this workspace \(process \d+, started .*\) did not finish:/);
    expect(next.log()).toMatch(/restored .*\.git\/config as it was before the repair/);
    expect(next.log()).toContain(`stopped the agent session "${session}" that was left running`);
    expect(readFileSync(checkout.configPath).equals(checkout.configBytes), '.git/config as before').toBe(true);
    expect(processesWith(socketOf(session))).toEqual([]);
  });

  it('refuses to start beside a repair that is still running in that workspace', async () => {
    const checkout = makeCheckout();
    const sleeper = 'sleep 64.41';
    const env = { ANTHROPIC_API_KEY: API_KEY, XDG_STATE_HOME: makeTempDir('ci-medic-state-') };
    const first = startCli(['repair', '--check', sleeper, '--base-url', anthropic.url], checkout.dir, env);
    running.push(first);
    await waitFor('the check to be running', () => processesWith(sleeper, true).length > 0);
    const second = startCli(['repair', '--check', 'true', '--base-url', anthropic.url], checkout.dir, env);
    const ended = await second.exited;
    expect(ended.code).toBe(2);
    expect(second.log()).toMatch(new RegExp(`--workdir: another ci-medic repair \\(process ${first.child.pid},`));
    first.signal('SIGINT');
    expect((await first.exited).code).toBe(130);
    expect(readFileSync(checkout.configPath).equals(checkout.configBytes)).toBe(true);
  });
});

describe('fails fast, before anything costs money', () => {
  it('an explicit session name that another run uses, naming the input or flag', async () => {
    const checkout = makeCheckout();
    const name = `busy-${process.pid}`;
    sessions.push(await AgentSession.start({ name, cwd: checkout.dir, baseEnv: {}, env: {} }));
    const requests = anthropic.requests.length;
    const lookups = anthropic.modelLookups.length;

    const step = startStep(checkout.dir, inputs({ check: 'false', 'session-name': name }));
    running.push(step);
    expect((await step.exited).code).toBe(1);
    expect(step.log()).toMatch(
      new RegExp(`^::error::session-name: "${name}" is in use by another run's agent session`, 'm'),
    );

    const cli = startCli(['repair', '--check', 'false', '--session', name, '--base-url', anthropic.url], checkout.dir, {
      ANTHROPIC_API_KEY: API_KEY,
      XDG_STATE_HOME: makeTempDir('ci-medic-state-'),
    });
    running.push(cli);
    expect((await cli.exited).code).toBe(2);
    expect(cli.log()).toContain(`--session: "${name}" is in use by another agent session`);

    expect(anthropic.requests.length).toBe(requests);
    expect(anthropic.modelLookups.length).toBe(lookups);
    // The busy session itself is untouched.
    expect(await AgentSession.find(name)).not.toBeNull();
    expect(readFileSync(checkout.configPath).equals(checkout.configBytes)).toBe(true);
  });

  it('an empty github-token while a pull request is wanted, naming the input', async () => {
    const checkout = makeCheckout();
    const requests = anthropic.requests.length;
    const lookups = anthropic.modelLookups.length;
    const step = startStep(checkout.dir, inputs({ check: 'false', 'github-token': '' }));
    running.push(step);
    expect((await step.exited).code).toBe(1);
    expect(step.log()).toMatch(/^::error::github-token: is empty, but pull-request is "create"/m);
    expect(step.outputs().result).toBe('error');
    expect(anthropic.requests.length).toBe(requests);
    expect(anthropic.modelLookups.length).toBe(lookups);
  });
});
