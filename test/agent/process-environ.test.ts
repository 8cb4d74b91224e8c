// The session is kept from the secrets, but not from /proc: a command the policy lets through can read the environment
// block of any process of the same user. The ci-medic process re-executes itself without its secret-named variables
// (src/seal-environment.ts), so its own block holds none of them; another process that holds the same value (here a
// planted `sleep`) can still be read, and whatever the session reads must be masked before it reaches the model, the
// transcript or the logs. This needs a real ci-medic process started with the planted variable (a variable set in this
// worker later never shows in /proc/<pid>/environ), so the CLI is compiled to a scratch directory under node_modules
// (where its imports resolve) and run as a child.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bash, say, startFakeAnthropic, text } from '../fakes/anthropic.js';
import { makeTempDir } from '../helpers/repo.js';
import { API_KEY, brokenRepo, CHECK, lastUserText, sessionLogs, sessionName } from '../helpers/scenario.js';
import { cleanUpAfterEach } from '../helpers/cleanup.js';
import { startNode } from '../helpers/process.js';

const BUILD = resolve('node_modules', '.cache', `ci-medic-environ-test-${process.pid}`);

beforeAll(() => {
  execFileSync(process.execPath, [
    resolve('node_modules/typescript/bin/tsc'),
    '-p',
    'tsconfig.build.json',
    '--outDir',
    BUILD,
  ]);
  // A full tsc build: over a minute on a loaded machine (the providers' SDKs made it larger).
}, 240_000);
afterAll(() => rmSync(BUILD, { recursive: true, force: true }));
const closeLater = cleanUpAfterEach();

/** The freshly built CLI's `repair`, with exactly `env` (not this process's environment). */
async function runCli(args: string[], env: Record<string, string>, cwd: string): Promise<{ out: string }> {
  const cli = startNode([join(BUILD, 'cli', 'index.js'), 'repair', ...args], { cwd, env, timeoutMs: 50_000 });
  await cli.exited;
  return { out: cli.log() };
}

describe("the ci-medic process's own environment, read through /proc", () => {
  test('a secret-named variable of the ci-medic process read by the session reaches no request, transcript or log', async () => {
    const planted = 'planted-deploy-pw-9c4e1b7a2d';
    const dir = brokenRepo();
    // Code the policy cannot follow, reading every process's environment: the ci-medic node process is one of them.
    const read =
      `node -e "const fs=require('fs');for(const p of fs.readdirSync('/proc')){try{` +
      `const m=fs.readFileSync('/proc/'+p+'/envir'+'on','latin1').match(/CIM_DEPLOY_PASSWORD=[^\\0]*/);` +
      `if(m)console.log('pid '+p+': '+m[0])}catch{}}"`;
    const fake = closeLater(await startFakeAnthropic([say(bash(read)), say(text('Nothing to fix here.'))]));
    const name = sessionName();
    const transcript = join(makeTempDir(), 't.jsonl');
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      ANTHROPIC_API_KEY: API_KEY,
      ANTHROPIC_BASE_URL: fake.url,
      CIM_DEPLOY_PASSWORD: planted,
    };
    const holder = spawn('sleep', ['60'], { env: { CIM_DEPLOY_PASSWORD: planted }, stdio: 'ignore' });
    const cli = await runCli(
      // Without the sandbox (where bubblewrap cannot run) the shell sees other processes: redaction is the wall.
      ['--check', CHECK, '--session', name, '--transcript', transcript, '--max-turns', '2', '--sandbox', 'off'],
      env,
      dir,
    ).finally(() => holder.kill('SIGKILL'));

    expect(fake.problems).toEqual([]);
    expect(fake.requests.length, cli.out).toBeGreaterThanOrEqual(2);
    // The command really read the environments: the holder's variable came back with its value masked, and the
    // ci-medic process (sealed) was not among the processes that hold it.
    const seen = lastUserText(fake, 1);
    expect(seen, seen).toContain(`pid ${holder.pid}: CIM_DEPLOY_PASSWORD=[REDACTED]`);
    expect(seen.match(/CIM_DEPLOY_PASSWORD=/g), seen).toHaveLength(1);
    const everywhere = [
      ...fake.requests.map((r) => r.raw),
      readFileSync(transcript, 'utf8'),
      existsSync(transcript.replace(/\.jsonl$/, '.md'))
        ? readFileSync(transcript.replace(/\.jsonl$/, '.md'), 'utf8')
        : '',
      sessionLogs(name),
      cli.out,
    ].join('\n');
    expect(everywhere.includes(planted), 'the planted value leaked').toBe(false);
    expect(everywhere.includes(API_KEY), 'the API key leaked').toBe(false);
  });
});
