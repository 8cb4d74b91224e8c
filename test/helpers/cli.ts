// The CLI two ways: a command's main(argv, io) in this process with its output captured, and the bundle
// `node dist/cli/index.js` as a person's shell runs it (for signals, exits and what another process can see).
import { resolve } from 'node:path';
import type { CliIo } from '../../src/cli/io.js';
import { cleanEnv, startNode, type Running } from './process.js';

export const CLI_ENTRY = resolve('dist/cli/index.js');

/**
 * An io for a command's main(): this process's environment without ANTHROPIC_* (a developer's key must not leak into
 * a test), `env` on top (undefined unsets), and stdout/stderr collected in `out`/`err`.
 */
export function captureIo(env: Record<string, string | undefined>, cwd: string): CliIo & { out: string; err: string } {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('ANTHROPIC_')));
  const self = {
    out: '',
    err: '',
    env: { ...inherited, ...env },
    cwd,
    stdout: (t: string) => void (self.out += t),
    stderr: (t: string) => void (self.err += t),
  };
  return self;
}

/** Starts `node dist/cli/index.js ARGS` with a clean environment (see cleanEnv) and `env` on top. */
export function startCli(args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs?: number): Running {
  return startNode([CLI_ENTRY, ...args], { cwd, env: cleanEnv(env), timeoutMs });
}
