// The check and the setup are programs, not keystrokes: each runs in a child bash of the session's shell, so `exit`,
// `cd`, `set -e` and traps in them end or move only that child. The child inherits the shell's exported environment
// and its output shows in the pane as it runs; its output and exit status are the program's own.
import type { CommandResult, RunOptions } from '../terminal/types.js';
import { scrubbed, type LoopRun } from './run.js';
import { excerpt } from './shape.js';

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The line typed into the session to run `command` as its own program. */
export function asProgram(command: string): string {
  return `bash -c ${quote(command)}`;
}

export const passed = (r: CommandResult): boolean => r.exitCode === 0 && !r.timedOut;

export interface ProgramRun {
  result: CommandResult;
  /** The output, redacted. */
  output: string;
}

/**
 * Run the check (or setup) as a program in the session; record it in the transcript under `phase` with a bounded,
 * redacted excerpt. Counted for the bench (`run.stats`).
 */
export async function runProgram(
  run: LoopRun,
  which: 'check' | 'setup',
  phase: string,
  options: RunOptions = {},
): Promise<ProgramRun> {
  const command = which === 'check' ? run.config.check : (run.config.setup ?? '');
  const result = await run.session.run(asProgram(command), {
    timeoutMs: run.config.commandTimeoutMs,
    signal: run.budget.signal,
    // The user's check decides the verdict: never stop it on the guess that it is a server.
    detectServers: false,
    ...options,
  });
  const output = await scrubbed(run, result);
  run.stats[which].runs++;
  run.stats[which].ms += result.durationMs;
  run.record({
    type: 'check',
    phase: which === 'setup' ? `setup, ${phase}` : phase,
    command,
    exitCode: result.exitCode,
    durationMs: result.durationMs,
    timedOut: result.timedOut,
    outputChars: result.output.length,
    logPath: result.outputPath,
    excerpt: excerpt(output),
  });
  return { result, output };
}
