// The Action uploads the session's recording and the transcript as one workflow artifact to the loopback stand-in
// of the artifact service, links it from the job summary and the pull request, and treats a failed upload as a
// warning. Run the way the runner runs it: `node dist/index.js` (npm run bundle first).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bash, say, startFakeAnthropic, text, type FakeAnthropic, type FakeStep } from '../fakes/anthropic.js';
import { startFakeArtifactService, type FakeArtifactService } from '../fakes/artifact.js';
import { FAKE_GITHUB_TOKEN, startFakeGitHub, type FakeGitHub } from '../fakes/github.js';
import { repairInputs, runAction } from '../helpers/action.js';
import { cleanUpAfterEach, sessionName } from '../helpers/cleanup.js';
import { BROKEN_PROJECT_FIX, brokenProjectFiles, makeRepo, removeTempDirs } from '../helpers/repo.js';
import { parseCast } from '../../src/watch/asciicast.js';
import { readZip } from './zip.js';

const API_KEY = 'sk-ant-api03-plantedAnthropicKey-artifact-0123456789';
const ENV_SECRET = 'planted-environment-secret-artifact-0123456789';
const SECRETS = [API_KEY, FAKE_GITHUB_TOKEN, ENV_SECRET];

function repairScript(): FakeStep[] {
  return [
    say(text('Looking at the failure.'), bash('cat math.js')),
    say(text('The loop stops one item early.'), bash(BROKEN_PROJECT_FIX)),
    say(text('Root cause: total() skipped the last item. Fix: loop over every item.')),
  ];
}

let anthropic: FakeAnthropic;
let github: FakeGitHub;
let artifacts: FakeArtifactService;

beforeAll(async () => {
  anthropic = await startFakeAnthropic([], { expectedKey: API_KEY });
  artifacts = await startFakeArtifactService();
});

const closeLater = cleanUpAfterEach({ tempDirs: false });

afterAll(async () => {
  await anthropic?.close();
  await artifacts?.close();
  removeTempDirs();
});

async function repairOnce(extraInputs: Record<string, string> = {}) {
  const checkout = makeRepo(brokenProjectFiles(), 'broken fixture');
  github = closeLater(await startFakeGitHub({ token: FAKE_GITHUB_TOKEN, gitDir: checkout.origin }));
  anthropic.push(...repairScript());
  const session = sessionName('artifact');
  const run = await runAction({
    workspace: checkout.dir,
    inputs: repairInputs(API_KEY, anthropic.url, {
      'time-budget': '60s',
      'session-name': session,
      rescue: 'off',
      ...extraInputs,
    }),
    apiUrl: github.url,
    env: { MY_SERVICE_TOKEN: ENV_SECRET, ACTIONS_RESULTS_URL: artifacts.url, ACTIONS_RUNTIME_TOKEN: artifacts.token },
  });
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
