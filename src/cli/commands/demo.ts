// `ci-medic demo`: a scripted repair of a small broken project, end to end, with nothing to set up. The example project
// goes to a temporary git repository with a local bare repository standing in for GitHub; a scripted model answers on
// loopback (no API key needed); the loop, tmux, the policy and git are the real ones. Prints the join command so you
// can watch, and ends with the branch a pull request would be opened from.
import { sessionRecorder } from '../../watch/command.js';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repair, type RepairEvent, type RepairResult } from '../../agent/index.js';
import { DEFAULT_PROTECTED_PATHS, parseDuration, type RepairConfig } from '../../config.js';
import { DEMO_CHECK, DEMO_PROJECT } from '../../demo/project.js';
import { formatDuration } from '../../format.js';
import { SCRIPTED_MODEL_NAME, startScriptedModel } from '../../demo/scripted-model.js';
import { createGit } from '../../git/index.js';
import { pushFixBranch } from '../../github/fix-branch.js';
import { joinCommandFor } from '../../rescue/instructions.js';
import { knownSecrets } from '../../secrets/index.js';
import { socketPathFor } from '../../terminal/tmux.js';
import { defineCommand } from '../command.js';

const HELP = `Usage: ci-medic demo [--pace 2s] [--keep] [--dir DIR]

Repairs a small broken example project with a scripted model (no API key needed; nothing leaves this machine).
The repair loop, tmux session, command policy and git are real: attach with the printed command to watch.

Options:
  --pace DURATION  pause before each scripted model answer, so you can follow along (default 2s; 0 for none)
  --keep           keep the tmux session and the temporary project afterwards
  --dir DIR        create the project under DIR instead of a new temporary directory
  -h, --help       this help

Examples:
  ci-medic demo             # pauses 2s before each model answer; attach with the printed command to watch
  ci-medic demo --pace 0 --keep
`;

const DEMO_AUTHOR = { name: 'ci-medic demo', email: 'demo@ci-medic.invalid' };
/** A fixed git identity for the demo repository, independent of the user's configuration. */
const GIT_ENV = {
  GIT_AUTHOR_NAME: DEMO_AUTHOR.name,
  GIT_AUTHOR_EMAIL: DEMO_AUTHOR.email,
  GIT_COMMITTER_NAME: DEMO_AUTHOR.name,
  GIT_COMMITTER_EMAIL: DEMO_AUTHOR.email,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

async function git(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]): Promise<string> {
  const { stdout } = await createGit(cwd, { baseEnv: env, env: GIT_ENV, timeoutMs: 30_000 }).exec(args);
  return stdout.trim();
}

/** The example project as a repository whose `origin` is a local bare repository. */
export async function createDemoRepository(
  root: string,
  env: NodeJS.ProcessEnv,
): Promise<{ workdir: string; origin: string }> {
  const workdir = join(root, 'shop');
  const origin = join(root, 'github-stand-in.git');
  await git(root, env, 'init', '-q', '--bare', '-b', 'main', origin);
  await mkdir(workdir, { recursive: true });
  for (const [path, content] of Object.entries(DEMO_PROJECT)) {
    await mkdir(dirname(join(workdir, path)), { recursive: true });
    await writeFile(join(workdir, path), content);
  }
  await git(workdir, env, 'init', '-q', '-b', 'main');
  await git(workdir, env, 'add', '-A');
  await git(workdir, env, 'commit', '-q', '-m', 'demo shop: cart total');
  await git(workdir, env, 'remote', 'add', 'origin', origin);
  await git(workdir, env, 'push', '-q', 'origin', 'main');
  return { workdir, origin };
}

const DEMO_OPTIONS = { pace: { type: 'string' }, keep: { type: 'boolean' }, dir: { type: 'string' } } as const;

export const main = defineCommand({ name: 'demo', help: HELP, options: DEMO_OPTIONS }, async ({ values }, io) => {
  const paceMs =
    values.pace === undefined ? 2000 : /^\s*0+\s*$/.test(values.pace) ? 0 : parseDuration('--pace', values.pace);
  const root = values.dir
    ? await mkdtemp(join(values.dir, 'ci-medic-demo-'))
    : await mkdtemp(join(tmpdir(), 'ci-medic-demo-'));
  const { workdir, origin } = await createDemoRepository(root, io.env);
  io.stdout(`Example project: ${workdir}\n(origin is ${origin}, a local bare repository standing in for GitHub)\n\n`);

  const model = await startScriptedModel({ paceMs });
  io.stdout(`Scripted model, no API key needed: ${model.url} (canned answers; nothing leaves this machine)\n\n`);

  const sessionName = `ci-medic-demo-${process.pid}`;
  const config: RepairConfig = {
    check: DEMO_CHECK,
    workdir,
    model: SCRIPTED_MODEL_NAME,
    baseUrl: model.url,
    apiKey: 'scripted-model-needs-no-key',
    maxTurns: 8,
    timeBudgetMs: 5 * 60_000,
    maxCostUsd: 1,
    commandTimeoutMs: 60_000,
    policy: { allow: [], deny: [], protectedPaths: [...DEFAULT_PROTECTED_PATHS], disabledRules: [] },
    sessionName,
    transcriptPath: join(root, 'transcript.jsonl'),
    relaxedTamperRules: [],
    secrets: [],
    keepSession: Boolean(values.keep),
  };

  let announced = false;
  const onEvent = (event: RepairEvent): void => {
    if (!announced) {
      // The loop emits its first event once the session is up: now there is something to attach to.
      announced = true;
      io.stdout(
        `Watch the agent's shell (read-only): ${joinCommandFor(socketPathFor(sessionName), sessionName, true)}\n\n`,
      );
    }
    io.stdout(`  [${event.type}] ${event.message}\n`);
  };

  // The demo's session runs in the user's own HOME: their credential files are masked as in a real repair.
  const secrets = knownSecrets({ env: io.env, workdir });
  let code: number;
  let result: RepairResult | undefined;
  try {
    const pipeOutput = sessionRecorder(config.sessionName, undefined, config.transcriptPath);
    result = await repair(config, {
      redactor: secrets.redactor,
      baseEnv: secrets.sessionEnv,
      onEvent,
      pipeOutput,
    });
    io.stdout(`\nResult: ${result.result} — ${result.reason}\n`);
    if (result.result !== 'fixed') return 1;
    // Delivered as the Action delivers a fix, to the stand-in remote: the failure's branch, the pull request's title.
    const pushed = await pushFixBranch({
      result,
      check: DEMO_CHECK,
      workdir,
      env: secrets.sessionEnv,
      workflow: 'demo',
      job: 'test',
      baseBranch: 'main',
      branchPrefix: 'ci-medic/',
      author: DEMO_AUTHOR,
      remote: 'origin',
      redactor: secrets.redactor,
    });
    io.stdout(
      `\n${result.diffStat}\n` +
        `Pushed ${pushed.commit.slice(0, 12)} to ${pushed.branch} on the stand-in remote.\n` +
        `On GitHub, ci-medic would now open a pull request from ${pushed.branch} into main.\n` +
        (values.keep
          ? `Look at it: git -C ${origin} show --stat ${pushed.branch}\n`
          : 'Run with --keep to look at the repository, the branch and the session afterwards.\n'),
    );
    code = 0;
  } catch (error) {
    io.stderr(`ci-medic demo: ${(error as Error).message}\n`);
    code = 1;
  } finally {
    await model.close();
    if (values.keep) {
      io.stdout(
        `\nKept: ${root} and the tmux session (stop it with: tmux -S ${socketPathFor(sessionName)} kill-server)\n` +
          (result?.transcriptMarkdownPath ? `Transcript: ${result.transcriptMarkdownPath}\n` : ''),
      );
    } else {
      // The transcript goes with the temporary project, so its path is not printed (--keep keeps both).
      await rm(root, { recursive: true, force: true });
    }
    if (result) io.stdout(`\n${runLine(result)}\n`);
  }
  return code;
});

/** The demo's last line: how it ended and what it cost, as the job summary reports them. */
function runLine(result: RepairResult): string {
  const turns = `${result.turns} model turn${result.turns === 1 ? '' : 's'}`;
  return `Done: ${result.result} in ${turns}, ${formatDuration(result.durationMs)}, cost $${result.costUsd.toFixed(4)}`;
}
