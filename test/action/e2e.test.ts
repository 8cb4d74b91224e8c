// The Action end to end, run the way the runner runs it (test/helpers/action.ts): `node dist/index.js` with INPUT_*
// variables, the file commands, and GITHUB_API_URL pointing at the loopback GitHub stand-in,
// a bare repository as `origin`, and the scripted Messages API stand-in. Real tmux, bash, git and SDK.
// CI_MEDIC_ACTION_ENTRY may point at another build of the entry (a development bundle); the default is dist/index.js.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bash, say, startFakeAnthropic, text, type FakeAnthropic, type FakeStep } from '../fakes/anthropic.js';
import { FAKE_GITHUB_TOKEN, startFakeGitHub, type FakeGitHub } from '../fakes/github.js';
import { repairInputs, runAction as runStep, type ActionOptions, type ActionRun } from '../helpers/action.js';
import { cleanUpAfterEach, sessionName as uniqueSessionName } from '../helpers/cleanup.js';
import { BROKEN_PROJECT_FIX, brokenProjectFiles, git, makeRepo, makeTempDir, removeTempDirs } from '../helpers/repo.js';

// Planted secrets: none of them may appear in anything the Action writes.
const API_KEY = 'sk-ant-api03-plantedAnthropicKey-0123456789abcdef';
const CHECKOUT_TOKEN = 'ghs_plantedCheckoutPersistedToken0123456789';
const ENV_SECRET = 'planted-environment-secret-0123456789';
const CHECKOUT_BASIC = Buffer.from(`x-access-token:${CHECKOUT_TOKEN}`).toString('base64');
const SECRETS = [API_KEY, FAKE_GITHUB_TOKEN, CHECKOUT_TOKEN, CHECKOUT_BASIC, ENV_SECRET];
const EXTRAHEADER_KEY = 'http.https://github.com/.extraheader';
const EXTRAHEADER = `AUTHORIZATION: basic ${CHECKOUT_BASIC}`;

/** Runs the entry as the runner does, with a secret-named variable in the step's environment (it must leak nowhere). */
function runAction(options: ActionOptions): Promise<ActionRun> {
  return runStep({ ...options, env: { MY_SERVICE_TOKEN: ENV_SECRET, ...options.env } });
}

/** The broken fixture as a checkout: bare origin, and checkout's persisted credential in .git/config. */
function makeCheckout(): { dir: string; origin: string } {
  const repo = makeRepo(brokenProjectFiles(), 'broken fixture');
  git(repo.dir, 'config', EXTRAHEADER_KEY, EXTRAHEADER);
  return repo;
}

/** The scripted repair: try to read the credential (it must be gone), look, fix with sed, run the check, explain. */
function repairScript(): FakeStep[] {
  return [
    say(text('Looking at the failure.'), bash('cat .git/config; cat math.js')),
    // Denied by the policy too (it can print credentials); the summary records the decision.
    say(bash('git config --local --list')),
    say(text('The loop stops one item early.'), bash(BROKEN_PROJECT_FIX)),
    say(text('Root cause: total() looped to items.length - 1 and skipped the last item. Fix: loop over every item.')),
  ];
}

const sessionName = (): string => uniqueSessionName('e2e');

function baseInputs(anthropic: FakeAnthropic, extra: Record<string, string> = {}): Record<string, string> {
  return repairInputs(API_KEY, anthropic.url, {
    'time-budget': '60s',
    'command-timeout': '30s',
    'session-name': sessionName(),
    labels: 'ci-medic, automated',
    ...extra,
  });
}

/** A model that never fixes anything: it only talks. */
function giveUpScript(turns: number): FakeStep[] {
  return Array.from({ length: turns }, () => say(text('I do not know how to fix this.')));
}

const socketOf = (session: string): string => `/tmp/ci-medic-${process.getuid?.() ?? 0}/${session}.sock`;
const RESCUE_BIN = resolve('test/rescue/bin');
const ACTOR_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOctocatOctocatOctocatOctocatOctocat00000 octocat';

function expectNoSecrets(where: string, content: string): void {
  // `::add-mask::VALUE` is how a secret is masked: the runner consumes those lines and never shows them.
  content = content.replace(/^::add-mask::.*$/gm, '');
  for (const secret of SECRETS) expect(content.includes(secret), `${where} contains a planted secret`).toBe(false);
}

let anthropic: FakeAnthropic;
let github: FakeGitHub;
let checkout: { dir: string; origin: string };

beforeAll(async () => {
  checkout = makeCheckout();
  anthropic = await startFakeAnthropic([], { expectedKey: API_KEY });
  github = await startFakeGitHub({ token: FAKE_GITHUB_TOKEN, gitDir: checkout.origin });
});

// The terminal layer keeps a session's state directory (logs) until the name is used again: these never are.
cleanUpAfterEach({ tempDirs: false });

afterAll(async () => {
  await anthropic?.close();
  await github?.close();
  removeTempDirs();
});

// Each test is a whole Action run (model turns, checks in a session, a clean worktree, a push): minutes on a busy machine.
describe('node dist/index.js, as the runner runs it', { timeout: 180_000 }, () => {
  it('without inputs fails fast with a clear message about check', async () => {
    const run = await runAction({ workspace: makeTempDir(), inputs: {} });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain("Input 'check' is required");
    expect(run.outputs.result).toBe('error');
  });

  it('repairs on push: outputs, summary, a pull request, a branch that passes in a fresh clone, credentials restored, no secret written', async () => {
    anthropic.push(...repairScript());
    const inputs = baseInputs(anthropic);
    const baseSession = inputs['session-name'];
    const run = await runAction({
      workspace: checkout.dir,
      inputs,
      apiUrl: github.url,
    });
    expect(run.stdout).not.toMatch(/::error::/);
    expect(run.status, run.stdout).toBe(0);
    expect(anthropic.problems).toEqual([]);
    // One collapsible log group per model turn.
    expect(run.stdout).toMatch(/^::group::ci-medic turn 1$/m);
    expect(run.stdout).toMatch(/^::group::ci-medic turn 2$/m);

    // Outputs: every output action.yml declares is set.
    const { outputs } = run;
    const declared = Object.keys(parse(readFileSync('action.yml', 'utf8')).outputs as object);
    expect(Object.keys(outputs).sort()).toEqual(declared.sort());
    expect(outputs.result).toBe('fixed');
    expect(outputs.branch).toMatch(/^ci-medic\/[0-9a-f]{12}$/);
    expect(Number(outputs.turns)).toBeGreaterThanOrEqual(2);
    expect(Number(outputs['input-tokens'])).toBeGreaterThan(0);
    expect(Number(outputs['output-tokens'])).toBeGreaterThan(0);
    expect(Number(outputs['cost-usd'])).toBeGreaterThan(0);
    expect(outputs['pr-number']).toBe(String(github.pulls[0].number));
    expect(outputs['pr-url']).toBe(github.pulls[0].html_url);
    expect(existsSync(outputs['transcript-path'])).toBe(true);
    expect(outputs['rescue-command']).toBe('');

    // The pull request: from the fix branch into main, labelled.
    expect(github.pulls).toHaveLength(1);
    expect(github.pulls[0]).toMatchObject({
      state: 'open',
      draft: false,
      head: { ref: outputs.branch },
      base: { ref: 'main' },
    });
    expect(github.pulls[0].labels.map((l) => l.name).sort()).toEqual(['automated', 'ci-medic']);
    expect(run.stdout).toContain(
      `::notice title=ci-medic fixed the failure::ci-medic created pull request #${outputs['pr-number']}`,
    );

    // The summary: result, the figures table, commands with their policy decision and exit code, the diff, the PR.
    expect(run.summary).toContain('`fixed`');
    expect(run.summary).toMatch(
      /\| Turns \| Time \| Input tokens \| Output tokens \| Cache read \| Cache write \| Cost \|/,
    );
    expect(run.summary).toMatch(/\| 1 \| `cat \.git\/config; cat math\.js` \| denied[^|]*\| — \|/);
    expect(run.summary).toMatch(/\| 2 \| `git config --local --list` \| denied[^|]*\| — \|/);
    expect(run.summary).toMatch(/\| 3 \| `sed -i [^|]*&& npm test` \| allowed[^|]*\| 0 \|/);
    expect(run.summary).toContain('math.js');
    expect(run.summary).toContain(outputs['pr-url']);

    // Nothing to rescue: the agent's tmux server is gone.
    expect(spawnSync('tmux', ['-S', socketOf(baseSession), 'has-session']).status).not.toBe(0);

    // The credential was back after the run, and the session never saw it.
    expect(git(checkout.dir, 'config', '--get', EXTRAHEADER_KEY)).toBe(EXTRAHEADER);
    const sentToModel = anthropic.requests.map((r) => r.raw).join('\n');
    expect(run.stdout).toMatch(new RegExp(`^::add-mask::${API_KEY}$`, 'm'));

    // The pushed branch: only math.js changed, by github-actions[bot], and it passes the check in a fresh clone.
    const clone = join(makeTempDir(), 'clone');
    git(checkout.origin, 'log', '-1', outputs.branch);
    git(resolve(clone, '..'), 'clone', '-q', '--branch', outputs.branch, checkout.origin, clone);
    expect(git(clone, 'diff', '--name-only', 'origin/main', 'HEAD')).toBe('math.js');
    expect(git(clone, 'log', '-1', '--format=%an <%ae>')).toBe(
      'github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>',
    );
    expect(spawnSync('npm', ['test'], { cwd: clone, encoding: 'utf8' }).status).toBe(0);

    // No planted secret anywhere the Action wrote.
    expectNoSecrets('stdout', run.stdout);
    expectNoSecrets('outputs', JSON.stringify(run.outputs));
    expectNoSecrets('saved state', JSON.stringify(run.state));
    expectNoSecrets('summary', run.summary);
    expectNoSecrets('transcript', readFileSync(outputs['transcript-path'], 'utf8'));
    const markdown = outputs['transcript-path'].replace(/\.jsonl$/, '.md');
    if (existsSync(markdown)) expectNoSecrets('transcript markdown', readFileSync(markdown, 'utf8'));
    expectNoSecrets('pull request', JSON.stringify(github.pulls));
    expectNoSecrets('model requests', sentToModel);
    expectNoSecrets('pushed commit', git(clone, 'log', '-p', '--format=%an%n%ae%n%B', 'origin/main..HEAD'));

    // A second run of the same failure updates that pull request instead of opening another.
    git(checkout.dir, 'checkout', '-q', '--', 'math.js');
    anthropic.push(...repairScript());
    const again = await runAction({
      workspace: checkout.dir,
      inputs: baseInputs(anthropic),
      apiUrl: github.url,
    });
    expect(again.status, again.stdout).toBe(0);
    expect(again.outputs.result).toBe('fixed');
    expect(again.outputs.branch).toBe(outputs.branch);
    expect(again.outputs['pr-number']).toBe(outputs['pr-number']);
    expect(github.pulls).toHaveLength(1);
    expect(again.stdout).toContain(`ci-medic updated pull request #${outputs['pr-number']}`);
  });

  it('a 403 on creating the pull request names the setting and the permissions block to change', async () => {
    const repo = makeCheckout();
    const fake = await startFakeGitHub({ token: FAKE_GITHUB_TOKEN, gitDir: repo.origin });
    fake.setFailure('create-pull', 403);
    try {
      anthropic.push(...repairScript());
      const run = await runAction({
        workspace: repo.dir,
        inputs: baseInputs(anthropic),
        apiUrl: fake.url,
      });
      expect(run.status).toBe(1);
      expect(run.outputs.result).toBe('error');
      expect(run.outputs.branch).toMatch(/^ci-medic\//);
      expect(run.stdout).toMatch(/::error::.*pull-requests: write/s);
      expect(run.stdout).toContain('Allow GitHub Actions to create and approve pull requests');
      expectNoSecrets('stdout', run.stdout);
    } finally {
      await fake.close();
    }
  });

  it('a pull request from a fork is skipped with a notice and succeeds', async () => {
    const run = await runAction({
      workspace: checkout.dir,
      inputs: { check: 'npm test', 'github-token': FAKE_GITHUB_TOKEN },
      eventName: 'pull_request',
      ref: 'refs/pull/7/merge',
      event: {
        pull_request: {
          number: 7,
          head: { ref: 'feature', repo: { full_name: 'stranger/shop' } },
          base: { ref: 'main' },
        },
        sender: { login: 'stranger' },
      },
    });
    expect(run.status, run.stdout).toBe(0);
    expect(run.outputs.result).toBe('skipped');
    expect(run.stdout).toMatch(/::notice title=ci-medic skipped::.*fork.*no secrets/);
    expect(run.summary).toContain('`skipped`');
  });

  it('pull_request_target is refused with the reason', async () => {
    const run = await runAction({
      workspace: checkout.dir,
      inputs: { check: 'npm test', 'github-token': FAKE_GITHUB_TOKEN },
      eventName: 'pull_request_target',
      event: { pull_request: { head: { ref: 'feature', repo: { full_name: 'acme/shop' } } } },
    });
    expect(run.status).toBe(1);
    expect(run.outputs.result).toBe('error');
    expect(run.stdout).toMatch(/::error::.*pull_request_target.*untrusted code/);
    expect(run.stdout).toContain('allow-pull-request-target: true');
  });

  it('a ci-medic branch is skipped: no repair of a repair', async () => {
    const run = await runAction({
      workspace: checkout.dir,
      inputs: { check: 'npm test' },
      eventName: 'push',
      ref: 'refs/heads/ci-medic/0123456789ab',
      event: { ref: 'refs/heads/ci-medic/0123456789ab' },
    });
    expect(run.status).toBe(0);
    expect(run.outputs.result).toBe('skipped');
  });

  it('a bad input fails before anything starts, naming the input, value and what is accepted', async () => {
    const run = await runAction({
      workspace: checkout.dir,
      inputs: { check: 'npm test', 'pull-request': 'sometimes' },
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('pull-request: "sometimes" is not accepted; use one of: create, draft, none');
  });

  it('not fixed: the step fails with the reason, annotates the first failing line, prints the rescue and keeps the session', async () => {
    const repo = makeCheckout();
    anthropic.push(...giveUpScript(2));
    const inputs = baseInputs(anthropic, { 'max-turns': '2' });
    const run = await runAction({ workspace: repo.dir, inputs });
    expect(run.status).toBe(1);
    // The second "done" with no change to the diff ends the run (issue 11) before the turn budget does.
    expect(run.outputs.result).toBe('not-fixed');
    expect(run.outputs.branch).toBe('');
    expect(run.outputs.turns).toBe('2');
    expect(run.stdout).toMatch(/^::error title=npm test fails::.*AssertionError/m);
    expect(run.stdout).toMatch(/^::error::ci-medic did not fix `npm test` \(not-fixed\): .*done twice/m);
    const session = inputs['session-name'];
    expect(run.outputs['rescue-command']).toBe(`tmux -S ${socketOf(session)} attach -t ${session}`);
    expect(run.stdout).toContain('::notice title=ci-medic%3A take over the agent session::');
    expect(run.summary).toMatch(/^### ci-medic: rescue shell/m); // the rescue's own heading, nested under the summary's
    expect(run.summary).toContain('owenthereal/action-upterm');
    expect(run.summary).toContain(run.outputs['rescue-command']);
    // The agent's session is still there to be joined.
    expect(spawnSync('tmux', ['-S', socketOf(session), 'has-session', '-t', session]).status).toBe(0);
    expect(git(repo.dir, 'config', '--get', EXTRAHEADER_KEY)).toBe(EXTRAHEADER);
    expectNoSecrets('stdout', run.stdout);
    expectNoSecrets('summary', run.summary);
  });

  it('flaky: no model call, a warning naming the failing test, the step fails unless fail-on-flaky is false', async () => {
    for (const failOnFlaky of ['true', 'false']) {
      const repo = makeCheckout();
      // In the workspace: the sandboxed shell writes nowhere else but its own temp dir.
      const marker = join(repo.dir, '.flaky-ran');
      const check = `if [ -f ${marker} ]; then exit 0; fi; touch ${marker}; npm test`;
      const requests = anthropic.requests.length;
      const inputs = baseInputs(anthropic, { check, 'fail-on-flaky': failOnFlaky, rescue: 'off' });
      const run = await runAction({ workspace: repo.dir, inputs });
      expect(run.status, run.stdout).toBe(failOnFlaky === 'true' ? 1 : 0);
      expect(run.outputs.result).toBe('flaky');
      expect(run.outputs.branch).toBe('');
      expect(anthropic.requests.length).toBe(requests);
      expect(run.stdout).toMatch(/^::warning title=.* is flaky::.*AssertionError.*\(failed 1, passed 2 of 3 runs\)/m);
      expect(run.summary).toContain('found the check flaky');
      expect(run.summary).toContain('**Flaky:** failed 1 and passed 2 of 3 runs with no change');
      expectNoSecrets('stdout', run.stdout);
    }
  });

  it('not fixed with fail-on-not-fixed: false and rescue: upterm: hosts the rescue for the actor, publishes it, succeeds', async () => {
    const repo = makeCheckout();
    const fake = await startFakeGitHub({ token: FAKE_GITHUB_TOKEN, keys: { octocat: [{ id: 1, key: ACTOR_KEY }] } });
    try {
      anthropic.push(...giveUpScript(1));
      const inputs = baseInputs(anthropic, {
        'max-turns': '1',
        'fail-on-not-fixed': 'false',
        rescue: 'upterm',
        'rescue-connect-timeout': '2s',
        'rescue-max-minutes': '1',
      });
      const run = await runAction({
        workspace: repo.dir,
        inputs,
        apiUrl: fake.url,
        env: { PATH: `${RESCUE_BIN}:${process.env.PATH}` },
      });
      expect(run.status, run.stdout).toBe(0);
      expect(run.outputs.result).toBe('budget-exhausted');
      expect(run.stdout).toMatch(/^::warning::ci-medic did not fix/m);
      // The key lookup went to the API for the actor, and the connection string was published.
      expect(fake.requests.some((r) => r.path === '/users/octocat/keys')).toBe(true);
      expect(run.outputs['rescue-command']).toMatch(/^ssh /);
      expect(run.stdout).toContain(`Rescue shell ready: ${run.outputs['rescue-command']}`);
      expect(run.summary).toContain('**Hosted rescue:** no-connection');
      // Only the rescue host was stopped: the agent's session lives on.
      const session = inputs['session-name'];
      expect(spawnSync('tmux', ['-S', socketOf(session), 'has-session', '-t', session]).status).toBe(0);
      expectNoSecrets('stdout', run.stdout);
    } finally {
      await fake.close();
    }
  });

  it('same-repository pull_request from a shallow, detached checkout: a draft pull request into the pull request branch', async () => {
    const upstream = makeCheckout();
    git(upstream.dir, 'push', '-q', 'origin', 'main:feature');
    // actions/checkout's way: a depth-1 fetch of one commit, detached HEAD.
    const dir = join(makeTempDir(), 'checkout');
    git(resolve(dir, '..'), 'init', '-q', dir);
    git(dir, 'remote', 'add', 'origin', upstream.origin);
    git(dir, 'fetch', '-q', '--depth=1', 'origin', '+refs/heads/feature:refs/remotes/origin/feature');
    git(dir, 'checkout', '-q', '--detach', 'origin/feature');
    git(dir, 'config', EXTRAHEADER_KEY, EXTRAHEADER);
    const fake = await startFakeGitHub({ token: FAKE_GITHUB_TOKEN, gitDir: upstream.origin });
    try {
      anthropic.push(...repairScript());
      const run = await runAction({
        workspace: dir,
        inputs: baseInputs(anthropic, { 'pull-request': 'draft', labels: '' }),
        eventName: 'pull_request',
        ref: 'refs/pull/3/merge',
        event: {
          pull_request: {
            number: 3,
            head: { ref: 'feature', repo: { full_name: 'acme/shop' } },
            base: { ref: 'main' },
          },
          sender: { login: 'octocat' },
        },
        apiUrl: fake.url,
      });
      expect(run.status, run.stdout).toBe(0);
      expect(run.outputs.result).toBe('fixed');
      expect(fake.pulls).toHaveLength(1);
      expect(fake.pulls[0]).toMatchObject({ draft: true, base: { ref: 'feature' }, head: { ref: run.outputs.branch } });
      expect(git(dir, 'config', '--get', EXTRAHEADER_KEY)).toBe(EXTRAHEADER);
    } finally {
      await fake.close();
    }
  });

  it('a push refused for lack of permission names the contents: write permission', async () => {
    const repo = makeCheckout();
    // The server's refusal, as GitHub words it, from the stand-in remote's pre-receive hook.
    const hook = join(repo.origin, 'hooks', 'pre-receive');
    writeFileSync(
      hook,
      '#!/bin/sh\necho "Permission to acme/shop.git denied to github-actions[bot]." >&2\necho "fatal: unable to access: The requested URL returned error: 403" >&2\nexit 1\n',
      { mode: 0o755 },
    );
    anthropic.push(...repairScript());
    const run = await runAction({
      workspace: repo.dir,
      inputs: baseInputs(anthropic),
      apiUrl: github.url,
    });
    expect(run.status).toBe(1);
    expect(run.outputs.result).toBe('error');
    expect(run.outputs['pr-url']).toBe('');
    expect(run.stdout).toMatch(/::error::Pushing the fix was refused.*permissions:.*contents: write/s);
    expect(run.summary).toContain('the fix was verified but not pushed');
    expect(git(repo.dir, 'config', '--get', EXTRAHEADER_KEY)).toBe(EXTRAHEADER);
  });

  it('a check that already passes: already-passing, no model call, success', async () => {
    const repo = makeRepo({ 'package.json': '{"scripts":{"test":"node -e 0"}}\n' });
    const before = anthropic.requests.length;
    const run = await runAction({
      workspace: repo.dir,
      inputs: baseInputs(anthropic),
      eventName: 'workflow_dispatch',
      event: {},
      apiUrl: github.url,
    });
    expect(run.status, run.stdout).toBe(0);
    expect(run.outputs.result).toBe('already-passing');
    expect(run.outputs.turns).toBe('0');
    expect(anthropic.requests.length).toBe(before);
    expect(run.summary).toContain('`already-passing`');
  });

  it('no process the session can read holds a token of the step: the check scans every /proc/<pid>/environ', async () => {
    // The check runs in the agent's session; it passes only when none of the values is in any environment block.
    const repo = makeRepo({ 'README.md': 'scan\n' });
    const hashes = [API_KEY, FAKE_GITHUB_TOKEN, ENV_SECRET].map((v) => createHash('sha256').update(v).digest('hex'));
    const run = await runAction({
      workspace: repo.dir,
      inputs: baseInputs(anthropic, { check: `node ${resolve('test/fixtures/scan-environ.cjs')} ${hashes.join(' ')}` }),
      eventName: 'workflow_dispatch',
      event: {},
      apiUrl: github.url,
    });
    expect(run.outputs.result, run.stdout).toBe('already-passing');
    expect(run.status).toBe(0);
  });

  it('configuration the loop cannot work with fails before tmux starts, named by its input', async () => {
    const noKey = await runAction({
      workspace: checkout.dir,
      inputs: { check: 'npm test', 'session-name': sessionName() },
    });
    expect(noKey.status).toBe(1);
    expect(noKey.stdout).toMatch(/^::error::anthropic-api-key: no API key/m);
    const missing = await runAction({
      workspace: checkout.dir,
      inputs: { check: 'npm test', 'anthropic-api-key': API_KEY, 'working-directory': 'no/such/dir' },
    });
    expect(missing.status).toBe(1);
    expect(missing.stdout).toMatch(/^::error::working-directory: ".*no\/such\/dir" is not a directory/m);
    expect(missing.stdout).not.toContain('[check]');
  });
});
