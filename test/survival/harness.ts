// Runs the real bundles the way their callers do, without waiting: `node dist/index.js` as the runner runs it (INPUT_*
// variables, GITHUB_OUTPUT, GITHUB_STATE, GITHUB_STEP_SUMMARY, RUNNER_TEMP), `node dist/post/index.js` with the saved
// state as STATE_* variables, and `node dist/cli/index.js repair`; plus what the fault tests look at: processes by
// their command line, the file-command formats, and a checkout holding both forms of checkout's persisted credential.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { git, GIT_ENV, makeRepo, makeTempDir } from '../helpers/repo.js';

export const ACTION_ENTRY = resolve('dist/index.js');
export const POST_ENTRY = resolve('dist/post/index.js');
export const CLI_ENTRY = resolve('dist/cli/index.js');
export const API_KEY = 'sk-ant-api03-plantedSurvivalKey-0123456789abcdef';
export const CHECKOUT_TOKEN = 'ghs_plantedSurvivalCheckoutToken012345678';
const BASIC = Buffer.from(`x-access-token:${CHECKOUT_TOKEN}`).toString('base64');

/**
 * A checkout as actions/checkout leaves it: v4's extraheader in .git/config and v5's includeIf to a credentials file
 * under the runner's temporary directory (with odd spacing and a comment, so a rewrite would show).
 */
export function makeCheckout(files: Record<string, string> = { 'README.md': 'hello\n' }): {
  dir: string;
  configPath: string;
  configBytes: Buffer;
} {
  const repo = makeRepo(files);
  const credentialsDir = makeTempDir('ci-medic-creds-');
  const credentialsFile = join(credentialsDir, 'git-credentials-0b2c7d1e-1111-4222-8333-944455556666.config');
  writeFileSync(credentialsFile, `[http "https://github.com/"]\n\textraheader = AUTHORIZATION: basic ${BASIC}\n`);
  git(repo.dir, 'config', 'http.https://github.com/.extraheader', `AUTHORIZATION: basic ${BASIC}`);
  git(repo.dir, 'config', `includeIf.gitdir:${repo.dir}/.git.path`, credentialsFile);
  const configPath = join(repo.dir, '.git', 'config');
  writeFileSync(configPath, `${readFileSync(configPath, 'utf8')}# kept as written   \n`);
  return { dir: repo.dir, configPath, configBytes: readFileSync(configPath) };
}

export interface Running {
  child: ChildProcess;
  /** stdout and stderr as they arrive. */
  log(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; afterMs: number }>;
  /** When the last signal was sent (for timing how long the exit took). */
  signal(name: NodeJS.Signals): void;
}

function start(args: string[], env: NodeJS.ProcessEnv, cwd: string): Running {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  let signalledAt = Date.now();
  const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; afterMs: number }>((done) =>
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      done({ code, signal, afterMs: Date.now() - signalledAt });
    }),
  );
  return {
    child,
    log: () => log,
    exited,
    signal(name) {
      signalledAt = Date.now();
      child.kill(name);
    },
  };
}

/** The environment of this test process without anything the runner would set itself. */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(INPUT_|GITHUB_|RUNNER_|ACTIONS_|STATE_|ANTHROPIC_)/.test(name)) env[name] = value;
  }
  return { ...env, ...GIT_ENV };
}

export interface ActionStep extends Running {
  runnerTemp: string;
  outputs(): Record<string, string>;
  state(): Record<string, string>;
  summary(): string;
}

export function startAction(
  workspace: string,
  inputs: Record<string, string>,
  runnerTemp = makeTempDir('ci-medic-runner-'),
): ActionStep {
  const files = {
    output: join(runnerTemp, 'output'),
    state: join(runnerTemp, 'state'),
    summary: join(runnerTemp, 'summary.md'),
  };
  const eventFile = join(runnerTemp, 'event.json');
  for (const file of Object.values(files)) writeFileSync(file, '');
  writeFileSync(eventFile, JSON.stringify({ ref: 'refs/heads/main', sender: { login: 'octocat' } }));
  const env: NodeJS.ProcessEnv = {
    ...baseEnv(),
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_EVENT_PATH: eventFile,
    GITHUB_EVENT_NAME: 'push',
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_API_URL: 'http://127.0.0.1:9',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_WORKSPACE: workspace,
    GITHUB_WORKFLOW: 'CI',
    GITHUB_JOB: 'test',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '2',
    GITHUB_ACTION: 'medic',
    RUNNER_TEMP: runnerTemp,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  const running = start([ACTION_ENTRY], env, workspace);
  return {
    ...running,
    runnerTemp,
    outputs: () => parseFileCommand(files.output),
    state: () => parseFileCommand(files.state),
    summary: () => readFileSync(files.summary, 'utf8'),
  };
}

/** The post step as the runner runs it: the main step's saved state as STATE_<name> variables. */
export function startPost(main: ActionStep, workspace: string): Running {
  const env: NodeJS.ProcessEnv = { ...baseEnv(), RUNNER_TEMP: main.runnerTemp, GITHUB_WORKSPACE: workspace };
  for (const [name, value] of Object.entries(main.state())) env[`STATE_${name}`] = value;
  return start([POST_ENTRY], env, workspace);
}

export function startCli(args: string[], cwd: string, env: NodeJS.ProcessEnv): Running {
  return start([CLI_ENTRY, ...args], { ...baseEnv(), ...env }, cwd);
}

/** The GITHUB_OUTPUT / GITHUB_STATE file format: `name<<DELIMITER\nvalue\nDELIMITER\n`. */
export function parseFileCommand(file: string): Record<string, string> {
  const values: Record<string, string> = {};
  if (!existsSync(file)) return values;
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^<=]+)<<(.+)$/.exec(lines[i]);
    if (!heredoc) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) value.push(lines[i]);
    values[heredoc[1]] = value.join('\n');
  }
  return values;
}

/** Live processes whose command line contains `needle`, or is exactly `needle` (zombies excluded). */
export function processesWith(needle: string, exactly = false): Array<{ pid: number; cmdline: string }> {
  const found: Array<{ pid: number; cmdline: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z') continue;
      const match = exactly ? cmdline === needle : cmdline.includes(needle);
      if (match && Number(entry) !== process.pid) found.push({ pid: Number(entry), cmdline });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

export async function waitFor(what: string, ready: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const socketOf = (session: string): string => `/tmp/ci-medic-${process.getuid?.() ?? 0}/${session}.sock`;
