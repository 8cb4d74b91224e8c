// The CLI's view of the outside world, passed to every command so tests can run commands in-process.
import type { SealOutcome } from '../seal-environment.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** What the environment seal did at start (unset in-process: tests run on a Node that seals). */
  seal?: SealOutcome;
}

export const processIo = (seal?: SealOutcome): CliIo => ({
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
  cwd: process.cwd(),
  seal,
});

/** A command's entry: argv after the subcommand name; resolves to the process exit code. */
export type CommandMain = (argv: string[], io: CliIo) => Promise<number>;

/** Exit code for bad usage or configuration, shared by every command. */
export const EXIT_USAGE = 2;
