import { EXIT_USAGE, type CliIo } from '../io.js';

// Placeholder until the 'run' command lands.
export async function main(_argv: string[], io: CliIo): Promise<number> {
  io.stderr('ci-medic run: not implemented yet\n');
  return EXIT_USAGE;
}
