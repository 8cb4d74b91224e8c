// `ci-medic policy`: show how the command policy decides on one command line, with the same configuration the
// repair loop uses. Exit codes: 0 allowed, 1 denied, 2 bad usage.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, parseSandboxMode } from '../../config.js';
import { evaluate, listDefaultRules, policyConfigFrom } from '../../policy/index.js';
import { checkSandbox } from '../../sandbox/probe.js';
import { EXIT_USAGE, type CliIo } from '../io.js';

export const HELP = `Usage: ci-medic policy [options] -- COMMAND

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
                        required, or off (the stricter rules that stand alone)
  --json                print the decision as JSON: { allowed, reason, rule, commands }
  --list-rules          print the default rules and what each denies
  -h, --help            this help

Examples:
  ci-medic policy -- 'npm test -- --grep total'
  ci-medic policy --json --allow 'npm *' -- 'curl https://example.com'
  ci-medic policy --list-rules

Exit codes: 0 allowed, 1 denied, 2 bad usage.
`;

export async function main(argv: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        allow: { type: 'string', multiple: true },
        deny: { type: 'string', multiple: true },
        'protected-path': { type: 'string', multiple: true },
        'disable-rule': { type: 'string', multiple: true },
        workdir: { type: 'string' },
        sandbox: { type: 'string' },
        json: { type: 'boolean' },
        'list-rules': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    io.stderr(`ci-medic policy: ${(error as Error).message}; see 'ci-medic policy --help'\n`);
    return EXIT_USAGE;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  if (values['list-rules']) {
    const rules = listDefaultRules();
    if (values.json) io.stdout(`${JSON.stringify(rules, null, 2)}\n`);
    else {
      const width = Math.max(...rules.map((r) => r.name.length));
      io.stdout(rules.map((r) => `${r.name.padEnd(width)}  ${r.description}`).join('\n') + '\n');
    }
    return 0;
  }
  const command = positionals.join(' ');
  if (!command.trim()) {
    io.stderr(`ci-medic policy: COMMAND is required after --, like: ci-medic policy -- 'npm test'\n`);
    return EXIT_USAGE;
  }
  let config;
  try {
    config = policyConfigFrom(
      {
        allow: values.allow ?? [],
        deny: values.deny ?? [],
        protectedPaths: values['protected-path'] ?? [],
        disabledRules: values['disable-rule'] ?? [],
      },
      resolve(io.cwd, values.workdir ?? '.'),
      io.env.HOME || undefined,
      { allow: '--allow', deny: '--deny', protectedPaths: '--protected-path', disabledRules: '--disable-rule' },
    );
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr(`ci-medic policy: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
  let mode;
  try {
    mode = parseSandboxMode('--sandbox', values.sandbox ?? 'auto');
  } catch (error) {
    io.stderr(`ci-medic policy: ${(error as Error).message}\n`);
    return EXIT_USAGE;
  }
  // The default configuration is the one repair would run under on this machine.
  const sandboxed = mode !== 'off' && (await checkSandbox({ PATH: io.env.PATH })).available;
  const decision = evaluate(command, { ...config, sandboxed });
  if (values.json) {
    io.stdout(`${JSON.stringify(decision, null, 2)}\n`);
  } else {
    io.stdout(
      `${decision.allowed ? 'allowed' : 'denied'}${decision.rule ? ` (${decision.rule})` : ''}: ${decision.reason}\n`,
    );
    for (const argv of decision.commands) io.stdout(`  command: ${JSON.stringify(argv)}\n`);
  }
  return decision.allowed ? 0 : 1;
}
