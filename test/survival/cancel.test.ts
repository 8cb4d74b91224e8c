// Faults delivered for real to the real bundles: SIGINT and SIGTERM to `node dist/index.js` and
// `node dist/cli/index.js repair` mid-command (a check that sleeps) and mid-request (the Messages stand-in stalls),
// then .git/config compared byte for byte, the outputs, summary and exit code checked, and the process table searched
// for the agent's tmux server and the interrupted command.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stall, startFakeAnthropic, type FakeAnthropic } from '../fakes/anthropic.js';
import { makeTempDir, removeTempDirs } from '../helpers/repo.js';
import {
  API_KEY,
  CHECKOUT_TOKEN,
  makeCheckout,
  processesWith,
  socketOf,
  startStep,
  stepInputs,
  waitFor,
} from './harness.js';
import { startCli } from '../helpers/cli.js';
import type { Running } from '../helpers/process.js';

let anthropic: FakeAnthropic;
const running: Running[] = [];

beforeAll(async () => {
  anthropic = await startFakeAnthropic([], { expectedKey: API_KEY });
});
afterEach(() => {
  for (const r of running.splice(0)) r.child.kill('SIGKILL');
});
afterAll(async () => {
  await anthropic.close();
  removeTempDirs();
});

const inputs = (extra: Record<string, string>): Record<string, string> => stepInputs(anthropic.url, extra);

/** What must hold after any cancel: config as before, no server, no command left, the journal gone. */
function expectCleanedUp(
  checkout: { configPath: string; configBytes: Buffer },
  session: string,
  command: string,
): void {
  expect(readFileSync(checkout.configPath).equals(checkout.configBytes), '.git/config is byte-for-byte as before').toBe(
    true,
  );
  expect(processesWith(socketOf(session)), 'tmux processes on the session socket').toEqual([]);
  expect(processesWith(command, true), 'the interrupted command').toEqual([]);
}

describe('the Action, cancelled', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('ends cleanly within 5 s on %s mid-command', async (signal) => {
    const checkout = makeCheckout();
    const sleeper = `sleep 61.${signal === 'SIGINT' ? 11 : 12}`;
    const session = `cancel-cmd-${signal.toLowerCase()}-${process.pid}`;
    const step = startStep(checkout.dir, inputs({ check: sleeper, 'session-name': session }));
    running.push(step);
    await waitFor('the check to be running', () => processesWith(sleeper, true).length > 0);
    // Mid-loop, the credential is out of .git/config (the state a cancel must undo).
    expect(readFileSync(checkout.configPath, 'utf8')).not.toContain('extraheader');
    step.signal(signal);
    const exit = await step.exited;
    expect(exit.afterMs).toBeLessThan(5_000);
    expect(exit.code).not.toBe(0);
    expect(exit.code).not.toBeNull();
    expectCleanedUp(checkout, session, sleeper);
    expect(step.outputs().result).toBe('cancelled');
    expect(step.outputs()['session-name']).toBe(session);
    expect(step.summary()).toContain('`cancelled`');
    expect(step.summary()).toContain(signal);
    expect(step.log()).toMatch(/^::error::ci-medic: the job was cancelled/m);
    // Nothing left for a post step: the journal is gone.
    expect(readdirSync(join(step.runnerTemp, 'ci-medic')).filter((f) => f.endsWith('.json'))).toEqual([]);
    // `::add-mask::VALUE` is how a value is masked: the runner consumes those lines.
    expect(step.log().replace(/^::add-mask::.*$/gm, '')).not.toContain(CHECKOUT_TOKEN);
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('ends cleanly within 5 s on %s mid-request', async (signal) => {
    const checkout = makeCheckout();
    const before = anthropic.requests.length;
    anthropic.push(stall());
    // No session-name: the unique default, which the log and the outputs name.
    const step = startStep(checkout.dir, inputs({ check: 'echo broken; exit 3' }));
    running.push(step);
    await waitFor('the model request', () => anthropic.requests.length > before);
    step.signal(signal);
    const exit = await step.exited;
    expect(exit.afterMs).toBeLessThan(5_000);
    expect(exit.code).not.toBe(0);
    const session = step.outputs()['session-name'];
    expect(session).toMatch(/^ci-medic-4242-2-[0-9a-f]{6}$/);
    expect(step.log()).toContain(`the agent session is "${session}"`);
    expectCleanedUp(checkout, session, 'echo broken; exit 3');
    expect(step.outputs().result).toBe('cancelled');
    expect(step.summary()).toContain('was cancelled');
    expect(anthropic.remaining()).toBe(0);
  });
});

describe('a command that ignores SIGINT and SIGQUIT', () => {
  it('still ends the Action within 5 s of SIGTERM, cleaned up', async () => {
    const checkout = makeCheckout();
    const sleeper = 'sleep 65.51';
    const session = `cancel-stubborn-${process.pid}`;
    const step = startStep(checkout.dir, inputs({ check: `trap '' INT QUIT; ${sleeper}`, 'session-name': session }));
    running.push(step);
    await waitFor('the check to be running', () => processesWith(sleeper, true).length > 0);
    step.signal('SIGTERM');
    const exit = await step.exited;
    expect(exit.afterMs).toBeLessThan(5_000);
    expect(exit.code).not.toBe(0);
    expect(step.outputs().result).toBe('cancelled');
    expect(step.outputs()['session-name']).toBe(session);
    expect(step.summary()).toContain('`cancelled`');
    expect(readFileSync(checkout.configPath).equals(checkout.configBytes)).toBe(true);
    expect(processesWith(socketOf(session))).toEqual([]);
    await waitFor('the stubborn command to end', () => processesWith(sleeper, true).length === 0, 3_000);
  });
});

describe('ci-medic repair, cancelled', () => {
  const cliEnv = (): NodeJS.ProcessEnv => ({
    ANTHROPIC_API_KEY: API_KEY,
    XDG_STATE_HOME: makeTempDir('ci-medic-state-'),
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('ends cleanly within 5 s on %s mid-command', async (signal) => {
    const checkout = makeCheckout();
    const sleeper = `sleep 62.${signal === 'SIGINT' ? 11 : 12}`;
    const session = `cli-cancel-${signal.toLowerCase()}-${process.pid}`;
    const env = cliEnv();
    const cli = startCli(
      ['repair', '--check', sleeper, '--base-url', anthropic.url, '--session', session, '--keep-session'],
      checkout.dir,
      env,
    );
    running.push(cli);
    await waitFor('the check to be running', () => processesWith(sleeper, true).length > 0);
    expect(readFileSync(checkout.configPath, 'utf8')).not.toContain('extraheader');
    cli.signal(signal);
    const exit = await cli.exited;
    expect(exit.afterMs).toBeLessThan(5_000);
    expect(exit.code).toBe(signal === 'SIGINT' ? 130 : 143);
    expectCleanedUp(checkout, session, sleeper);
    expect(cli.log()).toContain(`ci-medic: cancelled - cancelled by ${signal}`);
    expect(readdirSync(join(env.XDG_STATE_HOME!, 'ci-medic', 'journals'))).toEqual([]);
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('ends cleanly within 5 s on %s mid-request', async (signal) => {
    const checkout = makeCheckout();
    const before = anthropic.requests.length;
    anthropic.push(stall());
    const cli = startCli(
      ['repair', '--check', 'echo broken; exit 4', '--base-url', anthropic.url, '--json'],
      checkout.dir,
      cliEnv(),
    );
    running.push(cli);
    await waitFor('the model request', () => anthropic.requests.length > before);
    const session = /agent session "([^"]+)"/.exec(cli.log())?.[1] ?? '';
    expect(session).toMatch(/^ci-medic-[0-9a-f]{6}$/);
    cli.signal(signal);
    const exit = await cli.exited;
    expect(exit.afterMs).toBeLessThan(5_000);
    expect(exit.code).toBe(signal === 'SIGINT' ? 130 : 143);
    expectCleanedUp(checkout, session, 'exit 4');
    expect(JSON.parse(cli.log().slice(cli.log().indexOf('\n{'))).result).toBe('cancelled');
  });
});
