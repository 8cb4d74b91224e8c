// Run a real Node program the way its caller would and watch it: its output as it arrives, its exit, and real
// signals. The Action, its post step and the CLI are all run through this (see action.ts and cli.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { GIT_ENV } from './repo.js';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Milliseconds from the last `signal()` (or the start) to the exit: how long a cancel took. */
  afterMs: number;
}

export interface Running {
  child: ChildProcess;
  /** stdout and stderr, interleaved as they came. */
  log(): string;
  stdout(): string;
  stderr(): string;
  /** Settles when the process has exited and its output is read; rejects when it could not be started. */
  exited: Promise<Exit>;
  /** Sends a real signal and notes when, for `afterMs`. */
  signal(name: NodeJS.Signals): void;
}

/**
 * This test process's environment without what a runner or a person's shell would set for ci-medic (INPUT_*,
 * GITHUB_*, RUNNER_*, ACTIONS_*, STATE_*, ANTHROPIC_*, NODE_OPTIONS), with deterministic git, and `extra` on top.
 */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(INPUT_|GITHUB_|RUNNER_|ACTIONS_|STATE_|ANTHROPIC_|NODE_OPTIONS$)/.test(name)) env[name] = value;
  }
  return { ...env, ...GIT_ENV, ...extra };
}

/** Starts `node ARGS` (or another Node binary) without waiting; SIGKILLed after `timeoutMs` as a safety net. */
export function startNode(
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; node?: string; timeoutMs?: number },
): Running {
  const child = spawn(options.node ?? process.execPath, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    log += d.toString();
    stdout += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    log += d.toString();
    stderr += d.toString();
  });
  let signalledAt = Date.now();
  const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  const exited = new Promise<Exit>((done, fail) => {
    child.on('error', (error) => {
      clearTimeout(killer);
      fail(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      done({ code, signal, afterMs: Date.now() - signalledAt });
    });
  });
  // A caller that only signals never awaits: a failed start then surfaces where it awaits, not as an unhandled one.
  exited.catch(() => undefined);
  return {
    child,
    log: () => log,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    signal(name) {
      signalledAt = Date.now();
      child.kill(name);
    },
  };
}
