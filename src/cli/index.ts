// CLI entry: argv -> a subcommand. Thin: each subcommand lives in commands/ and turns its flags into config.
import { EXIT_USAGE, processIo, type CliIo, type CommandMain } from './io.js';
import { sealEnvironment } from '../seal-environment.js';
import { main as capture } from './commands/capture.js';
import { main as demo } from './commands/demo.js';
import { main as policy } from './commands/policy.js';
import { main as repair } from './commands/repair.js';
import { main as rescue } from './commands/rescue.js';
import { main as run } from './commands/run.js';
import { main as session } from './commands/session.js';
import { HOST_ARGUMENT, hostMain } from '../sandbox/host.js';
import { main as replay } from './commands/replay.js';
import { main as report } from './commands/report.js';
import { main as watch } from './commands/watch.js';
import { main as recordPane } from './commands/record.js';
import { RECORD_SUBCOMMAND } from '../watch/command.js';

const COMMANDS: Record<string, { main: CommandMain; summary: string }> = {
  repair: { main: repair, summary: 'run the repair loop on a failing check command' },
  demo: { main: demo, summary: 'watch a scripted repair of a small broken project (no API key needed)' },
  session: { main: session, summary: 'start, stop or list the agent tmux sessions' },
  run: { main: run, summary: 'run one command in the agent session and print its exact output' },
  capture: { main: capture, summary: "print the agent session's screen with scrollback" },
  policy: { main: policy, summary: 'show how the command policy decides on a command' },
  rescue: { main: rescue, summary: "print or host a rescue shell into the agent's session" },
  watch: { main: watch, summary: 'serve a live, read-only dashboard of the agent sessions on this machine' },
  replay: { main: replay, summary: 'play a session recording (.cast) in this terminal' },
  report: { main: report, summary: 'turn a transcript and its recording into one self-contained HTML page' },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: ci-medic <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nOptions:\n  -h, --help     this help\n  -V, --version  print the version\n\nRun 'ci-medic <command> --help' for a command's options.\n\nExample:\n  ANTHROPIC_API_KEY=sk-ant-... ci-medic repair --check 'npm test'\n`;
}

export async function cli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return name ? 0 : EXIT_USAGE;
  }
  if (name === '--version' || name === '-V') {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  // Not a command: the pane of a sandboxed session runs this bundle as the sandbox's host.
  if (name === HOST_ARGUMENT) return hostMain(rest[0] ?? '', io.env, io.cwd);
  if (name === RECORD_SUBCOMMAND) return recordPane(rest, io); // hidden: started by tmux to record a pane
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`ci-medic: unknown command '${name}'\n\n${usage()}`);
    return EXIT_USAGE;
  }
  return command.main(rest, io);
}

export const VERSION = '0.1.0';

// First: re-execute without secrets (API key, tokens) in this process's /proc environ, which the agent's shell could read.
// A Node that cannot seal is refused by the commands that need the seal (repair), named in their message.
const seal = sealEnvironment(process.env, process.cwd());

// `ci-medic policy … | head -1`: a reader that goes away early is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

cli(process.argv.slice(2), processIo(seal)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`ci-medic: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
