// A person's mistakes and a broken world, through the CLI commands' main(argv, io) with real tmux, bash, git and the
// real SDK: each gives an error that names what is wrong and what to do, with the documented exit code, and loses
// nothing (the working tree is untouched, the session keeps working).
import { existsSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main as policy } from '../../src/cli/commands/policy.js';
import { main as repair } from '../../src/cli/commands/repair.js';
import { main as run } from '../../src/cli/commands/run.js';
import { AgentSession } from '../../src/terminal/session.js';
import { socketPathFor, stateDirFor } from '../../src/terminal/tmux.js';
import { startFakeAnthropic } from '../fakes/anthropic.js';
import { git, makeTempDir, removeTempDirs } from '../helpers/repo.js';
import { API_KEY, BROKEN_FILES, brokenRepo, sessionName } from '../helpers/scenario.js';
import { cleanUpAfterEach } from '../helpers/cleanup.js';
import { captureIo } from '../helpers/cli.js';
import { closedPort } from '../helpers/net.js';

const RUN_SESSION = `cbi${process.pid}`;
const closeLater = cleanUpAfterEach({ tempDirs: false });

afterAll(async () => {
  await (await AgentSession.find(RUN_SESSION))?.stop();
  rmSync(stateDirFor(RUN_SESSION), { recursive: true, force: true });
  removeTempDirs();
});

describe('ci-medic repair, bad input', () => {
  it.each([
    ['--max-cost', 'abc', '--max-cost: "abc" is not an amount in US dollars greater than zero, like 3 or 0.50'],
    ['--time-budget', '5x', '--time-budget: "5x" is not a duration; use a number with a unit, like 90s, 20m or 1h'],
    ['--max-turns', '0', '--max-turns: "0" is not a positive whole number'],
  ])('%s %s is reported (exit 2) even before the missing API key, and tmux never starts', async (flag, value, said) => {
    const dir = brokenRepo();
    const name = sessionName();
    const cli = captureIo({}, dir);
    expect(await repair(['--check', 'npm test', flag, value, '--session', name], cli)).toBe(2);
    expect(cli.err).toBe(`ci-medic repair: ${said}\n`);
    expect(existsSync(socketPathFor(name))).toBe(false);
  });

  it('a missing API key says which variable to export (exit 2)', async () => {
    const cli = captureIo({}, brokenRepo());
    expect(await repair(['--check', 'npm test', '--session', sessionName()], cli)).toBe(2);
    expect(cli.err).toBe(
      'ci-medic repair: ANTHROPIC_API_KEY: is not set: export your Anthropic API key (or ANTHROPIC_AUTH_TOKEN for a gateway)\n',
    );
  });

  it('an unknown model is named with the flag to change, before a token is spent (exit 2)', async () => {
    const fake = closeLater(await startFakeAnthropic([], { knownModels: ['claude-sonnet-5-5'] }));
    const cli = captureIo({ ANTHROPIC_API_KEY: API_KEY }, brokenRepo());
    const code = await repair(
      ['--check', 'npm test', '--model', 'claude-opus-9', '--base-url', fake.url, '--session', sessionName()],
      cli,
    );
    expect(code).toBe(2);
    expect(cli.err).toContain("'claude-opus-9' not found: check --model");
    expect(fake.problems).toEqual([]);
  });

  it('an API outage ends with error (exit 1) naming the URL and what to check, and the tree is untouched', async () => {
    const dir = brokenRepo();
    const url = `http://127.0.0.1:${await closedPort()}`;
    const cli = captureIo({ ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: url }, dir);
    const transcript = join(makeTempDir(), 't.jsonl');
    const code = await repair(
      ['--check', 'npm test', '--session', sessionName(), '--transcript', transcript, '--max-turns', '3'],
      cli,
    );
    expect(code).toBe(1);
    expect(cli.out).toContain(
      `ci-medic: error - could not reach the API at ${url} (Connection error.) after 4 retries: check --base-url / ANTHROPIC_BASE_URL`,
    );
    expect(cli.err).toContain('[check] the check failed (exit 1)');
    expect(git(dir, 'status', '--porcelain')).toBe('');
    expect(readFileSync(join(dir, 'math.js'), 'utf8')).toBe(BROKEN_FILES['math.js']);
    expect(cli.out + cli.err).not.toContain(API_KEY);
  }, 60_000);
});

describe('ci-medic run and policy: what the agent may not or cannot do', () => {
  const cwd = realpathSync(makeTempDir());
  const s = ['--session', RUN_SESSION, '--cwd', cwd];

  it('a denied command exits 126 with the rule and what to do instead; nothing runs', async () => {
    const cli = captureIo({}, cwd);
    expect(await run([...s, '--', 'curl x > fetched'], cli)).toBe(126);
    expect(cli.err).toMatch(
      /^ci-medic run: denied by the command policy \(default:network-egress\): curl reaches the network; the repair works offline/,
    );
    expect(existsSync(join(cwd, 'fetched'))).toBe(false);
  });

  it('policy sees through quotes that split a command name (c""url)', async () => {
    const cli = captureIo({}, cwd);
    expect(await policy(['--', 'c""url x'], cli)).toBe(1);
    expect(cli.out).toMatch(/^denied \(default:network-egress\): curl reaches the network/);
    expect(cli.out).toContain('command: ["curl","x"]');
  });

  it('a hung command is stopped at --timeout (exit 124), saying so, and the session goes on', async () => {
    const cli = captureIo({}, cwd);
    expect(await run([...s, '--timeout', '2s', '--', 'sleep 100'], cli)).toBe(124);
    expect(cli.err).toBe('ci-medic run: the command hit its 2s timeout and was stopped (recovery: C-c)\n');
    const next = captureIo({}, cwd);
    expect(await run([...s, '--', 'echo still here'], next)).toBe(0);
    expect(next.out).toBe('still here\n');
  });

  it('a shell that dies under a command exits 125, says a new one was started, and the next command runs', async () => {
    writeFileSync(join(cwd, 'kill-shell.sh'), 'kill -9 $PPID\n');
    expect(await run([...s, '--', 'mkdir -p kept && cd kept'], captureIo({}, cwd))).toBe(0);
    const cli = captureIo({}, cwd);
    expect(await run([...s, '--', 'bash ../kill-shell.sh'], cli)).toBe(125);
    expect(cli.err).toContain('the shell exited; a new one was started in the same directory');
    const next = captureIo({}, cwd);
    expect(await run([...s, '--', 'pwd'], next)).toBe(0);
    expect(next.out).toBe(`${cwd}/kept\n`);
  });
});
