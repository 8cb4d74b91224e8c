import { EXIT_USAGE, type CliIo } from '../io.js';

// Placeholder until the 'demo' command lands.
export async function main(_argv: string[], io: CliIo): Promise<number> {
  io.stderr('ci-medic demo: not implemented yet\n');
  return EXIT_USAGE;
}
