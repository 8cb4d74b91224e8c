// The pattern every CLI command repeats, once: flags that do not parse and configuration errors are usage errors
// (`ci-medic <command>: <flag>: <what to do>`, exit 2), naming the flag the user typed.
import { ConfigError } from '../config.js';
import { EXIT_USAGE, type CliIo } from './io.js';

/** A parseArgs failure as the ConfigError every command gives, pointing at the command's help. */
export function argumentsError(command: string, error: unknown): ConfigError {
  return new ConfigError('arguments', `${(error as Error).message}; see 'ci-medic ${command} --help'`);
}

/**
 * Runs a command's body; a ConfigError it throws (from anywhere below, named by a neutral key) is printed under the
 * flag name from `flags` and ends the command with exit code 2. Anything else propagates.
 */
export async function withUsageErrors(
  command: string,
  io: CliIo,
  flags: Readonly<Partial<Record<string, string>>>,
  body: () => Promise<number>,
): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr(`ci-medic ${command}: ${error.named(flags).message}\n`);
    return EXIT_USAGE;
  }
}
