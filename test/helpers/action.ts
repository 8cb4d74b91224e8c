// Run the Action's bundles the way the runner does: `node dist/index.js` with INPUT_* variables (hyphens kept),
// GITHUB_OUTPUT, GITHUB_STATE, GITHUB_STEP_SUMMARY, GITHUB_EVENT_PATH and RUNNER_TEMP in a fresh temporary directory;
// and `node dist/post/index.js` with the main step's saved state as STATE_* variables.
// CI_MEDIC_ACTION_ENTRY may point at another build of the entry (a development bundle); the default is dist/index.js.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FAKE_GITHUB_TOKEN } from '../fakes/github.js';
import { cleanEnv, startNode, type Running } from './process.js';
import { makeTempDir } from './repo.js';

export const ACTION_ENTRY = resolve(process.env.CI_MEDIC_ACTION_ENTRY || 'dist/index.js');
export const POST_ENTRY = resolve('dist/post/index.js');

/** A push to main of acme/shop by octocat: the event most runs start from. */
export const PUSH_EVENT = {
  ref: 'refs/heads/main',
  sender: { login: 'octocat' },
  repository: { full_name: 'acme/shop' },
};

export interface ActionOptions {
  workspace: string;
  inputs: Record<string, string>;
  /** GITHUB_EVENT_NAME; push by default. */
  eventName?: string;
  /** The event payload; PUSH_EVENT by default. */
  event?: unknown;
  ref?: string;
  /** GITHUB_API_URL; by default a loopback port nobody listens on. */
  apiUrl?: string;
  /** Variables on top of the runner's (they win). */
  env?: NodeJS.ProcessEnv;
  runnerTemp?: string;
  /** SIGKILL after this long (a safety net, not a test of speed). */
  timeoutMs?: number;
}

export interface ActionStep extends Running {
  runnerTemp: string;
  outputs(): Record<string, string>;
  state(): Record<string, string>;
  summary(): string;
}

export interface ActionRun {
  status: number | null;
  /** stdout and stderr, interleaved as they came. */
  stdout: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
  runnerTemp: string;
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

/** The inputs of a repair of `npm test` against the Messages stand-in, with the GitHub stand-in's token; `extra` wins. */
export function repairInputs(
  apiKey: string,
  anthropicUrl: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    check: 'npm test',
    'anthropic-api-key': apiKey,
    'anthropic-base-url': anthropicUrl,
    'github-token': FAKE_GITHUB_TOKEN,
    'max-turns': '6',
    ...extra,
  };
}

/** Starts the main step as the runner does, without waiting: for signals, and for several jobs at once. */
export function startAction(options: ActionOptions): ActionStep {
  const runnerTemp = options.runnerTemp ?? makeTempDir('ci-medic-runner-');
  const files = {
    output: join(runnerTemp, 'output'),
    state: join(runnerTemp, 'state'),
    summary: join(runnerTemp, 'summary.md'),
    event: join(runnerTemp, 'event.json'),
  };
  for (const file of [files.output, files.state, files.summary]) writeFileSync(file, '');
  writeFileSync(files.event, JSON.stringify(options.event ?? PUSH_EVENT));
  const env = cleanEnv({
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_EVENT_NAME: options.eventName ?? 'push',
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_API_URL: options.apiUrl ?? 'http://127.0.0.1:9',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REF: options.ref ?? 'refs/heads/main',
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_WORKFLOW: 'CI',
    GITHUB_JOB: 'test',
    GITHUB_RUN_ID: '4242',
    GITHUB_ACTION: 'medic',
    GITHUB_ACTOR: 'octocat',
    RUNNER_TEMP: runnerTemp,
    ...options.env,
  });
  for (const [name, value] of Object.entries(options.inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  const running = startNode([ACTION_ENTRY], { cwd: options.workspace, env, timeoutMs: options.timeoutMs ?? 90_000 });
  return {
    ...running,
    runnerTemp,
    outputs: () => parseFileCommand(files.output),
    state: () => parseFileCommand(files.state),
    summary: () => readFileSync(files.summary, 'utf8'),
  };
}

/** Runs the main step as the runner does; resolves when it has exited. */
export async function runAction(options: ActionOptions): Promise<ActionRun> {
  const step = startAction(options);
  const { code } = await step.exited;
  return {
    status: code,
    stdout: step.log(),
    outputs: step.outputs(),
    state: step.state(),
    summary: step.summary(),
    runnerTemp: step.runnerTemp,
  };
}

/** The post step as the runner runs it: the main step's saved state as STATE_<name> variables. */
export function startPost(main: ActionStep, workspace: string): Running {
  const env = cleanEnv({ RUNNER_TEMP: main.runnerTemp, GITHUB_WORKSPACE: workspace });
  for (const [name, value] of Object.entries(main.state())) env[`STATE_${name}`] = value;
  return startNode([POST_ENTRY], { cwd: workspace, env });
}
