// Four matrix jobs that hit the same failure at the same moment: four real Action processes (`node dist/index.js`, as
// the runner runs them), each in its own checkout of one bare origin, each with its own Messages stand-in, all
// against one GitHub stand-in. All succeed; one fix branch, one pull request.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bash, say, startFakeAnthropic, text, type FakeAnthropic } from '../fakes/anthropic.js';
import { FAKE_GITHUB_TOKEN, startFakeGitHub, type FakeGitHub } from '../fakes/github.js';
import { GIT_ENV, git, makeRepo, makeTempDir, removeTempDirs } from '../helpers/repo.js';

const ENTRY = resolve(process.env.CI_MEDIC_ACTION_ENTRY || 'dist/index.js');
const FIXTURE = resolve('test/fixtures/broken-project');
const API_KEY = 'sk-ant-api03-parallelJobsKey-0123456789abcdef';
const JOBS = 4;

const servers: Array<FakeAnthropic | FakeGitHub> = [];
const sessions: string[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  for (const name of sessions) {
    const socket = `/tmp/ci-medic-${process.getuid?.() ?? 0}/${name}.sock`;
    try {
      execFileSync('tmux', ['-S', socket, 'kill-server'], { stdio: 'ignore' });
    } catch {
      /* already gone */
    }
    rmSync(socket.replace(/\.sock$/, '.d'), { recursive: true, force: true });
  }
  removeTempDirs();
});

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

function parseOutputs(file: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^<=]+)<<(.+)$/.exec(lines[i]);
    if (!heredoc) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) value.push(lines[i]);
    outputs[heredoc[1]] = value.join('\n');
  }
  return outputs;
}

/** One matrix job: the runner's environment and `node dist/index.js` in its own checkout. */
function startJob(
  index: number,
  workspace: string,
  anthropic: FakeAnthropic,
  apiUrl: string,
): Promise<{ status: number | null; log: string; outputs: Record<string, string> }> {
  const runnerTemp = makeTempDir('ci-medic-runner-');
  const outputFile = join(runnerTemp, 'output');
  const eventFile = join(runnerTemp, 'event.json');
  writeFileSync(outputFile, '');
  writeFileSync(join(runnerTemp, 'summary.md'), '');
  writeFileSync(eventFile, JSON.stringify({ ref: 'refs/heads/main', repository: { full_name: 'acme/shop' } }));
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(INPUT_|GITHUB_|RUNNER_|ACTIONS_)/.test(name)) env[name] = value;
  }
  const session = `parallel-${process.pid}-${index}`;
  sessions.push(session);
  Object.assign(env, GIT_ENV, {
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: join(runnerTemp, 'summary.md'),
    GITHUB_EVENT_PATH: eventFile,
    GITHUB_EVENT_NAME: 'push',
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_API_URL: apiUrl,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_WORKSPACE: workspace,
    GITHUB_WORKFLOW: 'CI',
    // The same job of one workflow run, as a matrix runs it: only the matrix values differ.
    GITHUB_JOB: 'test',
    GITHUB_RUN_ID: '4242',
    GITHUB_ACTION: 'medic',
    GITHUB_ACTOR: 'octocat',
    RUNNER_TEMP: runnerTemp,
    INPUT_CHECK: 'npm test',
    'INPUT_ANTHROPIC-API-KEY': API_KEY,
    'INPUT_ANTHROPIC-BASE-URL': anthropic.url,
    'INPUT_GITHUB-TOKEN': FAKE_GITHUB_TOKEN,
    'INPUT_MAX-TURNS': '4',
    'INPUT_TIME-BUDGET': '90s',
    'INPUT_COMMAND-TIMEOUT': '30s',
    // Unique session names per process (until the default is unique per run and process).
    'INPUT_SESSION-NAME': session,
    'INPUT_TRIGGER-CI': 'ci.yml',
  });
  const child = spawn(process.execPath, [ENTRY], { cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
  return new Promise((done) =>
    child.on('close', (status) => {
      clearTimeout(timer);
      done({ status, log, outputs: parseOutputs(outputFile) });
    }),
  );
}

describe('parallel jobs with the same failure', () => {
  it('four Action processes at once: all succeed, one fix branch, one pull request', async () => {
    const repo = makeRepo(fixtureFiles(), 'broken fixture');
    const github = await startFakeGitHub({ token: FAKE_GITHUB_TOKEN, gitDir: repo.origin });
    servers.push(github);
    const jobs = await Promise.all(
      Array.from({ length: JOBS }, async (_, i) => {
        const dir = join(makeTempDir(), `job-${i}`);
        execFileSync('git', ['clone', '-q', repo.origin, dir], { env: { ...process.env, ...GIT_ENV } });
        const anthropic = await startFakeAnthropic(
          [
            say(
              text('The loop stops one item early.'),
              bash("sed -i 's/i < items.length - 1/i < items.length/' math.js && npm test"),
            ),
            say(text('Root cause: total() skipped the last item. Fix: loop over every item.')),
          ],
          { expectedKey: API_KEY },
        );
        servers.push(anthropic);
        return { dir, anthropic };
      }),
    );

    const runs = await Promise.all(jobs.map((job, i) => startJob(i, job.dir, job.anthropic, github.url)));

    for (const run of runs) {
      expect(run.status, run.log).toBe(0);
      expect(run.outputs.result, run.log).toBe('fixed');
    }
    const branches = git(repo.origin, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/ci-medic/');
    expect(branches.split('\n')).toEqual([runs[0].outputs.branch]);
    expect(new Set(runs.map((r) => r.outputs.branch)).size).toBe(1);
    expect(github.pulls).toHaveLength(1);
    expect(new Set(runs.map((r) => r.outputs['pr-number']))).toEqual(new Set([String(github.pulls[0].number)]));
    expect(github.pulls[0].head.ref).toBe(runs[0].outputs.branch);
    // The jobs that did not push said why: another job pushed the same fix.
    expect(runs.filter((r) => /another job pushed the same fix|already holds this same fix/.test(r.log)).length).toBe(
      JOBS - 1,
    );
    for (const job of jobs) expect(job.anthropic.problems).toEqual([]);
    // CI on the fix: the verify status on the branch's commit, and one dispatch (by the job that pushed).
    const tip = git(repo.origin, 'rev-parse', `refs/heads/${runs[0].outputs.branch}`);
    expect(github.statuses.length).toBeGreaterThan(0);
    for (const status of github.statuses) {
      expect(status).toMatchObject({ sha: tip, state: 'success', context: 'ci-medic/verify' });
      expect(status.description).toContain('npm test exited 0');
      expect(status.target_url).toBe('https://github.com/acme/shop/actions/runs/4242');
    }
    expect(github.runs.map((r) => r.head_branch)).toEqual([runs[0].outputs.branch]);
  }, 240_000);
});
