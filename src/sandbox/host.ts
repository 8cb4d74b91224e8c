// The sandbox host: the process a sandboxed pane runs. It owns the runtime's network proxy for as long as the pane's
// shell lives (so a `ci-medic run` from any other process still gets network through it), starts the shell inside
// bubblewrap with a pty of its own, records what the sandbox blocked, and dies with the pane: a respawn or a
// `session stop` (tmux kills the pane) takes the proxy and every sandboxed process with it.
import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SandboxManager, type SandboxRuntimeConfig } from '@anthropic-ai/sandbox-runtime';
import { shellQuote } from '../terminal/quote.js';

export interface HostConfig {
  runtime: SandboxRuntimeConfig;
  /** The pane's shell command line, run inside the sandbox. */
  shell: string;
  tmpDir: string;
  /** Where each blocked action is appended as one JSON line `{ time, line }`. */
  violations: string;
}

/** The argument that makes a ci-medic bundle act as the sandbox host. */
export const HOST_ARGUMENT = '__sandbox-host';

/**
 * Inside bubblewrap the shell has no controlling terminal (bwrap starts a new session): `script` gives it a pty of
 * its own, so a C-c typed into the pane interrupts the running command, not the whole shell.
 */
export function innerCommand(config: Pick<HostConfig, 'shell' | 'tmpDir'>): string {
  return `export TMPDIR=${shellQuote(config.tmpDir)}; exec script -qfec ${shellQuote(config.shell)} /dev/null`;
}

/**
 * The `__sandbox-host` process's entry (the pane runs the CLI bundle with HOST_ARGUMENT; src/cli/index.ts hands over
 * its environment and working directory): it owns this process, its title, signals and directory.
 */
export async function hostMain(configPath: string, processEnv: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  // The terminal layer takes a pane whose foreground is `bash` as idle: this process stands in for the shell it runs.
  process.title = 'bash';
  // Keys reach the shell through the pty; a C-c or C-\ that arrives before `script` set raw mode must not kill us.
  process.on('SIGINT', () => {});
  process.on('SIGQUIT', () => {});
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as HostConfig;
  // The runtime adds its own write denials (.bashrc, .vscode, .git/hooks, …) under the process's directory, creating
  // empty placeholders for the missing ones: from our private directory they land there, not in the workspace, whose
  // .git/ and protected paths our own rules already cover.
  const shellCwd = cwd;
  process.chdir(dirname(configPath));
  await SandboxManager.initialize(config.runtime);
  let seen = 0;
  const store = SandboxManager.getSandboxViolationStore();
  store.subscribe((all) => {
    const fresh = store.getTotalCount() - seen;
    seen = store.getTotalCount();
    if (fresh <= 0) return;
    const lines = all.slice(-fresh).map((v) => JSON.stringify({ time: Date.now(), line: v.line }));
    try {
      appendFileSync(config.violations, `${lines.join('\n')}\n`, { mode: 0o600 });
    } catch {
      // a full disk must not take the shell down
    }
  });
  const wrapped = await SandboxManager.wrapWithSandboxArgv(
    innerCommand(config),
    '/bin/bash',
    undefined,
    undefined,
    shellCwd,
  );
  const { argv, env } = wrapped;
  const child = spawn(argv[0] as string, argv.slice(1), {
    stdio: 'inherit',
    cwd: shellCwd,
    env: { ...processEnv, ...env },
  });
  const stop = () => child.kill('SIGKILL'); // bwrap's --die-with-parent and the PID namespace take the rest
  process.on('SIGHUP', stop);
  process.on('SIGTERM', stop);
  const code = await new Promise<number>((resolve) => {
    child.on('exit', (status, signal) => resolve(status ?? (signal ? 128 : 1)));
    child.on('error', () => resolve(127));
  });
  await SandboxManager.reset().catch(() => {});
  return code;
}
