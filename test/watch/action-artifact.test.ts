// The Action uploads the session's recording and the transcript as one workflow artifact to the loopback stand-in
// of the artifact service, links it from the job summary and the pull request, and treats a failed upload as a
// warning. Run the way the runner runs it: `node dist/index.js` (npm run bundle first).
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bash, say, startFakeAnthropic, text, type FakeAnthropic, type FakeStep } from '../fakes/anthropic.js';
import { startFakeArtifactService, type FakeArtifactService } from '../fakes/artifact.js';
import { FAKE_GITHUB_TOKEN, startFakeGitHub, type FakeGitHub } from '../fakes/github.js';
import { GIT_ENV, makeRepo, makeTempDir, removeTempDirs } from '../helpers/repo.js';
import { parseCast } from '../../src/watch/asciicast.js';
import { readZip } from './zip.js';

const ENTRY = resolve('dist/index.js');
const FIXTURE = resolve('test/fixtures/broken-project');
const API_KEY = 'sk-ant-api03-plantedAnthropicKey-artifact-0123456789';
const ENV_SECRET = 'planted-environment-secret-artifact-0123456789';
const SECRETS = [API_KEY, FAKE_GITHUB_TOKEN, ENV_SECRET];

function fixtureFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string, prefix: string): void => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full, `${prefix}${name}/`);
      else if (name !== 'script.json') files[`${prefix}${name}`] = readFileSync(full, 'utf8');
    }
  };
  walk(FIXTURE, '');
  return files;
}

function repairScript(): FakeStep[] {
  return [
    say(text('Looking at the failure.'), bash('cat math.js')),
    say(
      text('The loop stops one item early.'),
      bash("sed -i 's/i < items.length - 1/i < items.length/' math.js && npm test"),
    ),
    say(text('Root cause: total() skipped the last item. Fix: loop over every item.')),
  ];
}

const sessions: string[] = [];
const socketOf = (session: string): string => `/tmp/ci-medic-${process.getuid?.() ?? 0}/${session}.sock`;

async function runAction(workspace: string, inputs: Record<string, string>, extraEnv: NodeJS.ProcessEnv) {
  const runnerTemp = makeTempDir('ci-medic-runner-');
  const summaryFile = join(runnerTemp, 'summary.md');
  const eventFile = join(runnerTemp, 'event.json');
  writeFileSync(join(runnerTemp, 'output'), '');
  writeFileSync(summaryFile, '');
  writeFileSync(
    eventFile,
    JSON.stringify({ ref: 'refs/heads/main', sender: { login: 'octocat' }, repository: { full_name: 'acme/shop' } }),
  );
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(INPUT_|GITHUB_|RUNNER_|ACTIONS_)/.test(name)) env[name] = value;
  }
  Object.assign(env, GIT_ENV, {
    GITHUB_OUTPUT: join(runnerTemp, 'output'),
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_EVENT_PATH: eventFile,
    GITHUB_EVENT_NAME: 'push',
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_WORKSPACE: workspace,
    GITHUB_WORKFLOW: 'CI',
    GITHUB_JOB: 'test',
    GITHUB_RUN_ID: '4242',
    GITHUB_ACTION: 'medic',
    GITHUB_ACTOR: 'octocat',
    RUNNER_TEMP: runnerTemp,
    MY_SERVICE_TOKEN: ENV_SECRET,
    ...extraEnv,
  });
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  const child = spawn(process.execPath, [ENTRY], { cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stdout += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const status = await new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  clearTimeout(timer);
  return { status, stdout, summary: readFileSync(summaryFile, 'utf8') };
}

let anthropic: FakeAnthropic;
let github: FakeGitHub;
let artifacts: FakeArtifactService;
let counter = 0;

beforeAll(async () => {
  anthropic = await startFakeAnthropic([], { expectedKey: API_KEY });
  artifacts = await startFakeArtifactService();
});

afterEach(async () => {
  await github?.close();
  for (const name of sessions.splice(0)) {
    spawnSync('tmux', ['-S', socketOf(name), 'kill-server'], { stdio: 'ignore' });
    rmSync(socketOf(name).replace(/\.sock$/, '.d'), { recursive: true, force: true });
  }
});

afterAll(async () => {
  await anthropic?.close();
  await artifacts?.close();
  removeTempDirs();
});

async function repairOnce(extraInputs: Record<string, string> = {}) {
  const checkout = makeRepo(fixtureFiles(), 'broken fixture');
  github = await startFakeGitHub({ token: FAKE_GITHUB_TOKEN, gitDir: checkout.origin });
  anthropic.push(...repairScript());
  const session = `artifact-${process.pid}-${++counter}`;
  sessions.push(session);
  const run = await runAction(
    checkout.dir,
    {
      check: 'npm test',
      'anthropic-api-key': API_KEY,
      'anthropic-base-url': anthropic.url,
      'github-token': FAKE_GITHUB_TOKEN,
      'max-turns': '6',
      'time-budget': '60s',
      'session-name': session,
      rescue: 'off',
      ...extraInputs,
    },
    { GITHUB_API_URL: github.url, ACTIONS_RESULTS_URL: artifacts.url, ACTIONS_RUNTIME_TOKEN: artifacts.token },
  );
  return { run, session };
}

describe('the workflow artifact', () => {
  it('holds the recording and the transcript; the summary and the pull request link to it', async () => {
    const { run, session } = await repairOnce();
    expect(run.status, run.stdout).toBe(0);
    expect(artifacts.problems).toEqual([]);
    const artifact = artifacts.artifacts.find((a) => a.name === `ci-medic-${session}`);
    expect(artifact?.finalized, run.stdout).toBe(true);
    const files = readZip(artifact!.content);
    expect([...files.keys()].sort()).toEqual(['transcript.cast', 'transcript.jsonl', 'transcript.md']);

    // The recording: valid asciicast v2, the commands' output, a marker per command, no planted secret.
    const castText = files.get('transcript.cast')!.toString('utf8');
    const cast = parseCast(castText);
    const output = cast.events
      .filter((e) => e[1] === 'o')
      .map((e) => e[2])
      .join('');
    expect(output).toContain('function total'); // cat math.js
    expect(output).toMatch(/pass|ok/i); // npm test after the fix
    const marks = cast.events.filter((e) => e[1] === 'm').map((e) => e[2]);
    const transcript = files.get('transcript.jsonl')!.toString('utf8');
    const commandsRun = transcript
      .split('\n')
      .filter((l) => l.includes(`"type":"command-result"`) || l.includes(`"type":"check"`)).length;
    expect(marks.filter((m) => /^command \d+$/.test(m)).length).toBeGreaterThanOrEqual(Math.max(3, commandsRun));
    for (const file of files.values()) {
      for (const secret of SECRETS) expect(file.toString('utf8')).not.toContain(secret);
    }

    const url = `https://github.com/acme/shop/actions/runs/4242/artifacts/${artifact!.id}`;
    expect(run.summary).toContain(url);
    expect(github.pulls[0]?.body).toContain(url);
  });

  it('a failed upload is a warning and the repair still succeeds', async () => {
    artifacts.failWith('CreateArtifact', 400);
    try {
      const { run, session } = await repairOnce();
      expect(run.status, run.stdout).toBe(0);
      expect(run.stdout).toMatch(/::warning::ci-medic could not upload the recording and transcript/);
      expect(run.summary).not.toContain('/artifacts/');
      expect(artifacts.artifacts.some((a) => a.name === `ci-medic-${session}`)).toBe(false);
    } finally {
      artifacts.failWith('CreateArtifact', null);
    }
  });

  it('upload-artifact: false uploads nothing', async () => {
    const before = artifacts.artifacts.length;
    const { run } = await repairOnce({ 'upload-artifact': 'false' });
    expect(run.status, run.stdout).toBe(0);
    expect(artifacts.artifacts.length).toBe(before);
  });
});
