// Run the Action's bundle the way the runner does: `node dist/index.js` with INPUT_* variables (hyphens kept),
// GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_EVENT_PATH and RUNNER_TEMP in a fresh temporary directory.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GIT_ENV, makeTempDir } from './repo.js';

export const ACTION_ENTRY = resolve(process.env.CI_MEDIC_ACTION_ENTRY || 'dist/index.js');

export interface ActionRun {
  status: number | null;
  /** stdout and stderr, interleaved as they came. */
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
  runnerTemp: string;
}

/** The GITHUB_OUTPUT file format: `name<<DELIMITER\nvalue\nDELIMITER\n`. */
export function parseOutputs(file: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  if (!existsSync(file)) return outputs;
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^<=]+)<<(.+)$/.exec(lines[i]);
    if (!heredoc) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) value.push(lines[i]);
    outputs[heredoc[1]] = value.join('\n');
  }
  return outputs;
}

/** Runs the entry as the runner does; resolves when it exits (killed after `timeoutMs`). */
export async function runAction(options: {
  workspace: string;
  inputs: Record<string, string>;
  eventName: string;
  event: unknown;
  ref?: string;
  apiUrl?: string;
  extraEnv?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}): Promise<ActionRun> {
  const runnerTemp = makeTempDir('ci-medic-runner-');
  const outputFile = join(runnerTemp, 'output');
  const summaryFile = join(runnerTemp, 'summary.md');
  const eventFile = join(runnerTemp, 'event.json');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  writeFileSync(eventFile, JSON.stringify(options.event));
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(INPUT_|GITHUB_|RUNNER_|ACTIONS_)/.test(name)) env[name] = value;
  }
  Object.assign(env, GIT_ENV, {
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_EVENT_PATH: eventFile,
    GITHUB_EVENT_NAME: options.eventName,
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
  });
  Object.assign(env, options.extraEnv);
  for (const [name, value] of Object.entries(options.inputs)) env[`INPUT_${name.toUpperCase()}`] = value;

  const child = spawn(process.execPath, [ACTION_ENTRY], {
    cwd: options.workspace,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stdout += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 90_000);
  const status = await new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  clearTimeout(timer);
  return { status, stdout, outputs: parseOutputs(outputFile), summary: readFileSync(summaryFile, 'utf8'), runnerTemp };
}
