// The pattern every CLI command shares, once: parse the flags, answer --help, turn bad usage into one error line
// (`ci-medic <command>: <flag>: <what to do>`, exit 2) naming the flag the user typed, then run the command's body.
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { ConfigError } from '../config.js';
import { EXIT_USAGE, type CliIo, type CommandMain } from './io.js';

const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

type ParseConfig<O extends ParseArgsOptionsConfig> = {
  args: string[];
  options: O & typeof HELP_OPTION;
  allowPositionals: boolean;
  strict: true;
};

/** What parseArgs makes of a command's options (with -h/--help), typed from the option set. */
export type CommandArgs<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<ParseConfig<O>>>;

export interface CommandSpec<O extends ParseArgsOptionsConfig> {
  /** The subcommand as typed (`run`; `__record` for the hidden one). */
  name: string;
  /** What --help prints; a hidden command has none (and takes no --help). */
  help?: string;
  /** The command's flags; -h/--help is added. Shared sets live in options.ts. */
  options: O;
  /** Takes positional arguments (COMMAND after --, FILE.cast); otherwise one is a usage error. */
  positionals?: boolean;
  /** Neutral ConfigError keys from below the entry (RepairConfig's) -> the flags that set them. */
  flagNames?: Readonly<Partial<Record<string, string>>>;
}

/**
 * Bad usage that is not about one flag's value (a missing COMMAND, flags that exclude each other, a value in a form
 * the command words itself): printed as it is after `ci-medic <command>: `, exit 2.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The command's arguments, or 'help'; a parseArgs failure is a ConfigError pointing at the command's help. */
export function parseCommand<O extends ParseArgsOptionsConfig>(
  spec: CommandSpec<O>,
  argv: string[],
): CommandArgs<O> | 'help' {
  let parsed: CommandArgs<O>;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...spec.options, ...(spec.help ? HELP_OPTION : {}) } as O & typeof HELP_OPTION,
      allowPositionals: spec.positionals ?? false,
      strict: true,
    });
  } catch (error) {
    const see = spec.help ? `; see 'ci-medic ${spec.name} --help'` : '';
    throw new ConfigError('arguments', `${(error as Error).message}${see}`);
  }
  return spec.help && (parsed.values as { help?: boolean }).help ? 'help' : parsed;
}

/**
 * A command's entry: parse -> --help -> body. A ConfigError (named by a flag, or by a neutral key that `flagNames`
 * maps) or a UsageError from the parse or the body ends the command with one line on stderr and exit code 2.
 */
export function defineCommand<O extends ParseArgsOptionsConfig>(
  spec: CommandSpec<O>,
  body: (args: CommandArgs<O>, io: CliIo) => Promise<number>,
): CommandMain {
  return (argv, io) =>
    withUsageErrors(spec.name, io, spec.flagNames ?? {}, async () => {
      const parsed = parseCommand(spec, argv);
      if (parsed === 'help') {
        io.stdout(spec.help ?? '');
        return 0;
      }
      return body(parsed, io);
    });
}

/** Runs `body`; a ConfigError or UsageError it throws is printed under the command's name, and exit code 2. */
export async function withUsageErrors(
  name: string,
  io: CliIo,
  flagNames: Readonly<Partial<Record<string, string>>>,
  body: () => Promise<number>,
): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof ConfigError) io.stderr(`ci-medic ${name}: ${error.named(flagNames).message}\n`);
    else if (error instanceof UsageError) io.stderr(`ci-medic ${name}: ${error.message}\n`);
    else throw error;
    return EXIT_USAGE;
  }
}
