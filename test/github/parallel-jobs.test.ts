// Four matrix jobs that hit the same failure at the same moment: four real Action processes (`node dist/index.js`, as
// the runner runs them), each in its own checkout of one bare origin, each with its own Messages stand-in, all
// against one GitHub stand-in. All succeed; one fix branch, one pull request.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bash, say, startFakeAnthropic, text, type FakeAnthropic } from '../fakes/anthropic.js';
import { FAKE_GITHUB_TOKEN, startFakeGitHub, type FakeGitHub } from '../fakes/github.js';
import { repairInputs, runAction } from '../helpers/action.js';
import { killSessions, sessionName } from '../helpers/cleanup.js';
import {
  BROKEN_PROJECT_FIX,
  brokenProjectFiles,
  GIT_ENV,
  git,
  makeRepo,
  makeTempDir,
  removeTempDirs,
} from '../helpers/repo.js';

const API_KEY = 'sk-ant-api03-parallelJobsKey-0123456789abcdef';
const JOBS = 4;

const servers: Array<FakeAnthropic | FakeGitHub> = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  killSessions();
  removeTempDirs();
});

/** One matrix job: the runner's environment and `node dist/index.js` in its own checkout. */
function startJob(workspace: string, anthropic: FakeAnthropic, apiUrl: string) {
  return runAction({
    workspace,
    // The same job of one workflow run, as a matrix runs it: only the matrix values differ.
    inputs: repairInputs(API_KEY, anthropic.url, {
      'max-turns': '4',
      'time-budget': '90s',
      'command-timeout': '30s',
      // Unique session names per process (until the default is unique per run and process).
      'session-name': sessionName('parallel'),
      'trigger-ci': 'ci.yml',
    }),
    event: { ref: 'refs/heads/main', repository: { full_name: 'acme/shop' } },
    apiUrl,
    timeoutMs: 150_000,
  });
}

describe('parallel jobs with the same failure', () => {
  it('four Action processes at once: all succeed, one fix branch, one pull request', async () => {
    const repo = makeRepo(brokenProjectFiles(), 'broken fixture');
    const github = await startFakeGitHub({ token: FAKE_GITHUB_TOKEN, gitDir: repo.origin });
    servers.push(github);
    const jobs = await Promise.all(
      Array.from({ length: JOBS }, async (_, i) => {
        const dir = join(makeTempDir(), `job-${i}`);
        execFileSync('git', ['clone', '-q', repo.origin, dir], { env: { ...process.env, ...GIT_ENV } });
        const anthropic = await startFakeAnthropic(
          [
            say(text('The loop stops one item early.'), bash(BROKEN_PROJECT_FIX)),
            say(text('Root cause: total() skipped the last item. Fix: loop over every item.')),
          ],
          { expectedKey: API_KEY },
        );
        servers.push(anthropic);
        return { dir, anthropic };
      }),
    );

    const runs = await Promise.all(jobs.map((job) => startJob(job.dir, job.anthropic, github.url)));

    for (const run of runs) {
      expect(run.status, run.stdout).toBe(0);
      expect(run.outputs.result, run.stdout).toBe('fixed');
    }
    const branches = git(repo.origin, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/ci-medic/');
    expect(branches.split('\n')).toEqual([runs[0].outputs.branch]);
    expect(new Set(runs.map((r) => r.outputs.branch)).size).toBe(1);
    expect(github.pulls).toHaveLength(1);
    expect(new Set(runs.map((r) => r.outputs['pr-number']))).toEqual(new Set([String(github.pulls[0].number)]));
    expect(github.pulls[0].head.ref).toBe(runs[0].outputs.branch);
    // The jobs that did not push said why: another job pushed the same fix.
    expect(
      runs.filter((r) => /another job pushed the same fix|already holds this same fix/.test(r.stdout)).length,
    ).toBe(JOBS - 1);
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
