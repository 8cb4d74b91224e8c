// Secrets the runner keeps in files never leave the process. Every credential file src/secrets/locations.ts lists is
// planted in a temporary HOME (and the project's own .npmrc in the checkout), holding values no token pattern knows;
// the real bundles run the real loop against the scripted Messages API stand-in, whose model reads them through
// allowed-looking commands (grep -r, node -e, python3 -c, npm config list, git config --list --show-origin, env) and
// then repeats what it saw, and the credentials themselves, in its final answer. No planted value may appear in any
// request body, the log, the outputs, the summary, the pull request, the commit, the transcript or the state directory.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDENTIAL_FILES } from '../../src/secrets/locations.js';
import {
  bash,
  say,
  startFakeAnthropic,
  text,
  type FakeAnthropic,
  type FakeRequest,
  type FakeStep,
} from '../fakes/anthropic.js';
import { FAKE_GITHUB_TOKEN, startFakeGitHub, type FakeGitHub } from '../fakes/github.js';
import { repairInputs, runAction } from '../helpers/action.js';
import { cleanUpAfterEach, sessionName } from '../helpers/cleanup.js';
import { CLI_ENTRY, startCli } from '../helpers/cli.js';
import { PLANTED, plantCredentials, plantedForms, plantedIn, REFERENCED_VARIABLE } from '../helpers/credentials.js';
import { cleanEnv } from '../helpers/process.js';
import {
  BROKEN_PROJECT_FIX,
  brokenProjectFiles,
  git,
  makeRepo,
  makeTempDir,
  readTree,
  removeTempDirs,
} from '../helpers/repo.js';

const API_KEY = 'sk-ant-api03-plantedFilesTestKey-0123456789abcdef';
const socketDir = `/tmp/ci-medic-${process.getuid?.() ?? 0}`;

// The file names travel base64-encoded, so the reads below do not depend on what the policy recognises in a command:
// whatever the policy lets through, the redactor is what keeps the values out.
const HOME_FILES = CREDENTIAL_FILES.filter((f) => f.base === 'home').map((f) => f.path);
const NAMES = Buffer.from(JSON.stringify(HOME_FILES)).toString('base64');
const NODE_DUMP = `node -e 'const fs=require("fs"),os=require("os");for(const n of JSON.parse(Buffer.from("${NAMES}","base64")))try{console.log("== "+n+"\\n"+fs.readFileSync(os.homedir()+"/"+n,"utf8"))}catch{}'`;
const PYTHON_DUMP = `python3 -c 'import os,json,base64;h=os.path.expanduser("~");[print("== "+n+"\\n"+open(os.path.join(h,n)).read()) for n in json.loads(base64.b64decode("${NAMES}")) if os.path.isfile(os.path.join(h,n))]'`;
const PROJECT_NPMRC = `node -e 'process.stdout.write(require("fs").readFileSync(".np"+"mrc","utf8"))'`;
const READS = [
  'grep -r _authToken ~ 2>/dev/null; true',
  'grep -rhiE "token|password|secret|auth" "$HOME" 2>/dev/null | head -100; true',
  NODE_DUMP,
  `node -e 'console.log(require("fs").readFileSync(require("os").homedir()+"/.npmrc","utf8"))'`,
  PYTHON_DUMP,
  PROJECT_NPMRC,
  'npm config list 2>&1; true',
  'git config --list --show-origin 2>&1; true',
  'env',
];

/** Everything the model was shown in its tool results so far: what it "saw" and will repeat. */
function seen(request: FakeRequest): string {
  const messages = request.body.messages as Array<{ role: string; content: unknown }>;
  return messages
    .filter((m) => m.role === 'user' && Array.isArray(m.content))
    .flatMap((m) => m.content as Array<{ type: string; content?: unknown }>)
    .filter((block) => block.type === 'tool_result')
    .map((block) => (typeof block.content === 'string' ? block.content : JSON.stringify(block.content)))
    .join('\n');
}

/** The final answer: what the tools showed, and the planted values themselves, as a model that kept them would. */
const repeatEverything: FakeStep = {
  respond: (request) => ({
    content: [
      {
        type: 'text',
        text: `Fixed the off-by-one. For the record, the credentials on this runner are: ${plantedForms().join(', ')}.\n\nWhat I saw:\n${seen(request).slice(0, 20_000)}`,
      },
    ],
  }),
};

const FIX = BROKEN_PROJECT_FIX;

/** A checkout of the broken fixture, a temporary HOME with every credential file, the project's own .npmrc. */
function plantedCheckout(): { dir: string; origin: string; home: string; env: Record<string, string> } {
  const repo = makeRepo(brokenProjectFiles(), 'broken fixture');
  const home = makeTempDir('ci-medic-planted-home-');
  plantCredentials(home, repo.dir);
  return { ...repo, home, env: { HOME: home, [REFERENCED_VARIABLE]: PLANTED.npmrcReferenced } };
}

/** No file under `dir` holds a planted value; a failure names the files. */
function expectCleanFiles(where: string, dir: string): void {
  const dirty = [...readTree(dir)]
    .map(([path, content]) => `${join(dir, path)}: ${plantedIn(content).join(', ')}`)
    .filter((line) => !line.endsWith(': '));
  expect(dirty, `${where} holds planted values`).toEqual([]);
}

function expectClean(where: string, content: string): void {
  // `::add-mask::VALUE` is how the Action asks the runner to mask a value: the runner consumes those lines.
  const shown = content.replace(/^::add-mask::.*$/gm, '');
  expect(plantedIn(shown), `${where} holds planted values`).toEqual([]);
}

/** The reads really ran and the redactor, not a denial, kept the values out: the dumps came back masked. */
function expectReadsMasked(requests: FakeRequest[]): void {
  const shown = requests.map(seen).join('\n');
  expect(shown).toContain('== .kube/config');
  expect(shown).toContain('== .docker/config.json');
  expect(shown).toContain('[REDACTED]');
}

let anthropic: FakeAnthropic;
beforeAll(async () => {
  anthropic = await startFakeAnthropic([], { expectedKey: API_KEY });
});
cleanUpAfterEach({ tempDirs: false });
afterAll(async () => {
  await anthropic?.close();
  removeTempDirs();
});

function actionInputs(github: FakeGitHub | undefined, session: string): Record<string, string> {
  void github;
  return repairInputs(API_KEY, anthropic.url, {
    'time-budget': '90s',
    'command-timeout': '30s',
    'session-name': session,
    // Redaction is the wall under test: the sandbox and the policy's credential-file rule, which would stop these
    // reads before they print anything, are taken away so the reads run (each has its own tests).
    sandbox: 'off',
    'disable-rules': 'secrets',
  });
}

describe('credential files planted in HOME, read by the model through allowed-looking commands', () => {
  it('the Action: no planted value in a request, the log, the outputs, the summary, the PR, the commit, the transcript or the state directory', async () => {
    const checkout = plantedCheckout();
    const github = await startFakeGitHub({ token: FAKE_GITHUB_TOKEN, gitDir: checkout.origin });
    const first = anthropic.requests.length;
    const session = sessionName('planted');
    try {
      anthropic.push(
        say(text('Looking around the runner first.'), ...READS.map((c) => bash(c))),
        say(text('The loop stops one item early.'), bash(FIX)),
        repeatEverything,
      );
      const run = await runAction({
        workspace: checkout.dir,
        inputs: actionInputs(github, session),
        apiUrl: github.url,
        env: checkout.env,
      });
      expect(run.status, run.stdout).toBe(0);
      expect(run.outputs.result).toBe('fixed');
      expect(anthropic.problems).toEqual([]);
      const requests = anthropic.requests.slice(first);
      expectReadsMasked(requests);
      // The final answer did repeat the credentials: the paths below are clean because they were masked.
      expect(requests.length).toBe(3);

      expectClean('model requests', requests.map((r) => r.raw).join('\n'));
      expectClean('the log', run.stdout);
      expectClean('outputs', JSON.stringify(run.outputs));
      expectClean('job summary', run.summary);
      expect(github.pulls).toHaveLength(1);
      expectClean('pull request', JSON.stringify(github.pulls));
      expect(github.pulls[0].body).toContain('[REDACTED]');
      const pushed = git(checkout.origin, 'log', '-p', '--format=%an%n%ae%n%B', `main..${run.outputs.branch}`);
      expect(pushed).toContain('math.js');
      expectClean('the commit', pushed);
      expect(git(checkout.origin, 'diff', '--name-only', 'main', run.outputs.branch)).toBe('math.js');
      const transcript = run.outputs['transcript-path'];
      expectClean('transcript', readFileSync(transcript, 'utf8'));
      const markdown = transcript.replace(/\.jsonl$/, '.md');
      if (existsSync(markdown)) expectClean('transcript markdown', readFileSync(markdown, 'utf8'));
      expectCleanFiles('RUNNER_TEMP', run.runnerTemp);
      expectCleanFiles('state directory', `${socketDir}/${session}.d`);
    } finally {
      await github.close();
    }
  });

  it('the Action refuses to commit a fix that carries a value from a credential file, naming the file and not the value', async () => {
    const checkout = plantedCheckout();
    const github = await startFakeGitHub({ token: FAKE_GITHUB_TOKEN, gitDir: checkout.origin });
    const first = anthropic.requests.length;
    try {
      // A fix that "helpfully" hard-codes the registry token it found (no recognisable prefix: only the file knows it).
      anthropic.push(
        say(bash(`${FIX} && printf '// registry: %s\\n' '${PLANTED.npmrcToken}' >> math.js`)),
        say(text('Fixed.')),
      );
      const run = await runAction({
        workspace: checkout.dir,
        inputs: actionInputs(github, sessionName('planted')),
        apiUrl: github.url,
        env: checkout.env,
      });
      expect(run.outputs.result).toBe('error');
      expect(run.stdout).toMatch(/::error::.*math\.js/);
      expect(github.pulls).toHaveLength(0);
      expect(execFileSync('git', ['branch', '--list'], { cwd: checkout.origin, encoding: 'utf8' }).trim()).toBe(
        '* main',
      );
      expectClean('the log', run.stdout);
      expectClean('job summary', run.summary);
      expectClean(
        'model requests',
        anthropic.requests
          .slice(first)
          .map((r) => r.raw)
          .join('\n'),
      );
    } finally {
      await github.close();
    }
  });

  it('ci-medic repair --keep-session: nothing planted in its output, the requests, the transcript, the state directory or the kept pane', async () => {
    const checkout = plantedCheckout();
    const first = anthropic.requests.length;
    const session = sessionName('planted');
    const transcript = join(makeTempDir('ci-medic-transcript-'), 'run.jsonl');
    // Reads, then gives up twice while repeating everything: the run ends not fixed and the session is kept.
    anthropic.push(say(...READS.map((c) => bash(c))), repeatEverything, repeatEverything);
    const cli = startCli(
      [
        'repair',
        '--check',
        'npm test',
        '--max-turns',
        '3',
        '--session',
        session,
        '--keep-session',
        '--transcript',
        transcript,
        // As above: redaction alone stands between the reads and what is shown.
        '--sandbox',
        'off',
        '--disable-rule',
        'secrets',
      ],
      checkout.dir,
      { ...checkout.env, ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: anthropic.url },
      90_000,
    );
    const result = { code: (await cli.exited).code, out: cli.log() };
    expect(result.code, result.out).toBe(1);
    expect(result.out).toMatch(/ci-medic: (not-fixed|budget-exhausted)/);
    const requests = anthropic.requests.slice(first);
    expectReadsMasked(requests);
    expectClean('model requests', requests.map((r) => r.raw).join('\n'));
    expectClean('CLI output', result.out);
    expectClean('transcript', readFileSync(transcript, 'utf8'));
    if (existsSync(transcript.replace(/\.jsonl$/, '.md'))) {
      expectClean('transcript markdown', readFileSync(transcript.replace(/\.jsonl$/, '.md'), 'utf8'));
    }
    // The session is kept for a rescue: it is alive.
    expect(spawnSync('tmux', ['-S', `${socketDir}/${session}.sock`, 'has-session']).status).toBe(0);
    expectCleanFiles('state directory', `${socketDir}/${session}.d`);
    // What a person attaching for a rescue sees: the whole scrollback of the kept pane.
    const pane = execFileSync(
      'tmux',
      ['-S', `${socketDir}/${session}.sock`, 'capture-pane', '-p', '-J', '-S', '-', '-t', session],
      { encoding: 'utf8' },
    );
    expect(pane).toContain('.kube/config'); // the dumps were drawn...
    expect(pane).toContain('[REDACTED]'); // ...masked
    expectClean('tmux capture-pane -p -S - of the kept session', pane);
    expectClean(
      'ci-medic capture',
      execFileSync(process.execPath, [CLI_ENTRY, 'capture', '--session', session, '--lines', '100000'], {
        encoding: 'utf8',
        env: cleanEnv(checkout.env),
      }),
    );
  });
});
