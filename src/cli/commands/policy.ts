// `ci-medic policy`: show how the command policy decides on one command line, or on many (one JSON string a line, or
// the commands of a past run's transcript), with the same configuration the repair loop uses.
// Exit codes: 0 allowed (every command, in batch mode), 1 denied (any), 2 bad usage.
import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseSandboxMode } from '../../config.js';
import { evaluate, listDefaultRules, type PolicyConfig } from '../../policy/index.js';
import { checkSandbox } from '../../sandbox/probe.js';
import { defineCommand, UsageError } from '../command.js';
import { EXIT_USAGE, type CliIo } from '../io.js';
import { POLICY_OPTIONS, policyFromFlags } from '../options.js';

export const HELP = `Usage: ci-medic policy [options] -- COMMAND
       ci-medic policy --json --commands-from FILE|- [options]
       ci-medic policy --from-transcript T.jsonl [options]

Parses COMMAND like bash would and prints whether the repair agent may run it, and why. Quote COMMAND as one
argument (ci-medic policy -- 'grep -rn "x" src | head'); several words after -- are joined with spaces.

Options:
  --allow P             allow pattern (repeatable; any switches to allowlist mode): a glob over the words,
                        like "npm run test:*", or re:REGEX
  --deny P              extra deny pattern (repeatable), same forms
  --protected-path P    path no command may write, on top of .git/ and .github/ (repeatable)
  --disable-rule R      drop a default rule by name (repeatable; see --list-rules)
  --workdir DIR         the workspace the command runs in (default: the current directory)
  --sandbox MODE        auto (default: the rules for a sandboxed shell where the sandbox works on this machine),
                        on (the sandboxed rules whatever this machine can do), required, or off (the stricter
                        rules that stand alone)
  --json                print the decision as JSON: { allowed, reason, rule, commands }
  --commands-from F     batch: read one JSON string (a command line) per line from file F, or - for standard input;
                        print one decision per line (with --json: one JSON object per line, with its command)
  --from-transcript T   batch: replay the commands of a past run's transcript (T.jsonl) under this configuration;
                        what a rule change would have done, one decision per line
  --list-rules          print the default rules and what each denies
  -h, --help            this help

Examples:
  ci-medic policy -- 'npm test -- --grep total'
  ci-medic policy --json --allow 'npm *' -- 'curl https://example.com'
  ci-medic policy --list-rules
  ci-medic policy --sandbox on -- 'curl -s localhost:8000/health'
  printf '%s\\n' '"npm test"' '"git push"' | ci-medic policy --json --commands-from -

Exit codes: 0 allowed, 1 denied, 2 bad usage.
`;

const POLICY_COMMAND_OPTIONS = {
  ...POLICY_OPTIONS,
  workdir: { type: 'string' },
  sandbox: { type: 'string' },
  'commands-from': { type: 'string' },
  'from-transcript': { type: 'string' },
  json: { type: 'boolean' },
  'list-rules': { type: 'boolean' },
} as const;

export const main = defineCommand(
  { name: 'policy', help: HELP, options: POLICY_COMMAND_OPTIONS, positionals: true },
  async ({ values, positionals }, io) => {
    if (values['list-rules']) {
      const rules = listDefaultRules();
      if (values.json) io.stdout(`${JSON.stringify(rules, null, 2)}\n`);
      else {
        const width = Math.max(...rules.map((r) => r.name.length));
        io.stdout(rules.map((r) => `${r.name.padEnd(width)}  ${r.description}`).join('\n') + '\n');
      }
      return 0;
    }
    const sandbox = values.sandbox ?? 'auto';
    const batch = values['commands-from'] ?? values['from-transcript'];
    if (values['commands-from'] !== undefined && values['from-transcript'] !== undefined) {
      throw new UsageError('give --commands-from or --from-transcript, not both');
    }
    const command = positionals.join(' ');
    if (batch !== undefined && command.trim()) {
      throw new UsageError(
        `COMMAND after -- and ${values['commands-from'] !== undefined ? '--commands-from' : '--from-transcript'} exclude each other; give one`,
      );
    }
    if (batch === undefined && !command.trim()) {
      throw new UsageError("COMMAND is required after --, like: ci-medic policy -- 'npm test'");
    }
    let config = policyFromFlags(values, resolve(io.cwd, values.workdir ?? '.'), io.env.HOME || undefined);
    // The default configuration is the one repair would run under on this machine.
    const mode = sandbox === 'on' ? 'on' : parseSandboxMode('--sandbox', sandbox);
    const sandboxed = mode === 'on' || (mode !== 'off' && (await checkSandbox({ PATH: io.env.PATH })).available);
    config = { ...config, sandboxed };
    if (batch !== undefined) {
      const from = values['commands-from'] !== undefined ? 'commands-from' : 'from-transcript';
      return decideBatch(from, batch, config, values.json === true, io);
    }
    const decision = evaluate(command, config);
    if (values.json) {
      io.stdout(`${JSON.stringify(decision, null, 2)}\n`);
    } else {
      io.stdout(
        `${decision.allowed ? 'allowed' : 'denied'}${decision.rule ? ` (${decision.rule})` : ''}: ${decision.reason}\n`,
      );
      for (const argv of decision.commands) io.stdout(`  command: ${JSON.stringify(argv)}\n`);
    }
    return decision.allowed ? 0 : 1;
  },
);

type Source = 'commands-from' | 'from-transcript';

/** One decision per input line; a line that is not what the flag reads stops with an error naming file and line. */
async function decideBatch(
  from: Source,
  file: string,
  config: PolicyConfig,
  json: boolean,
  io: CliIo,
): Promise<number> {
  const path = file === '-' ? '-' : resolve(io.cwd, file);
  const input = path === '-' ? process.stdin : createReadStream(path, { encoding: 'utf8' });
  const name = path === '-' ? 'standard input' : path;
  let anyDenied = false;
  let lineNumber = 0;
  try {
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      lineNumber++;
      if (!line.trim()) continue;
      const command = commandOf(from, line);
      if (command instanceof Error) {
        io.stderr(`ci-medic policy: --${from} ${name}, line ${lineNumber}: ${command.message}\n`);
        return EXIT_USAGE;
      }
      if (command === null) continue;
      const decision = evaluate(command, config);
      anyDenied ||= !decision.allowed;
      io.stdout(
        json
          ? `${JSON.stringify({ command, ...decision })}\n`
          : `${decision.allowed ? 'allowed' : 'denied'}${decision.rule ? ` (${decision.rule})` : ''}: ${JSON.stringify(command)}${decision.allowed ? '' : ` — ${decision.reason}`}\n`,
      );
    }
  } catch (error) {
    io.stderr(`ci-medic policy: cannot read --${from} ${name}: ${(error as Error).message}\n`);
    return EXIT_USAGE;
  }
  return anyDenied ? 1 : 0;
}

/** The command a line holds: a JSON string (--commands-from), or a transcript's policy entry (null for other events). */
function commandOf(from: Source, line: string): string | null | Error {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return new Error(
      from === 'commands-from'
        ? 'not JSON; write each command as one JSON string, like "npm test"'
        : 'not JSON; give the transcript.jsonl a run wrote',
    );
  }
  if (from === 'commands-from') {
    return typeof value === 'string'
      ? value
      : new Error('not a JSON string; write each command as one JSON string, like "npm test"');
  }
  const entry = value as { type?: unknown; command?: unknown };
  if (typeof entry !== 'object' || entry === null)
    return new Error('not a transcript entry (a JSON object with a type)');
  return entry.type === 'policy' && typeof entry.command === 'string' ? entry.command : null;
}
