// Every command through the one command helper: the same --help, the same usage error for a flag it does not know
// and for a value it cannot use (`ci-medic <command>: <flag>: <what to do>`, exit 2), nothing on stdout then.
import { describe, expect, it } from 'vitest';
import type { CliIo, CommandMain } from '../../src/cli/io.js';
import { main as capture } from '../../src/cli/commands/capture.js';
import { main as demo } from '../../src/cli/commands/demo.js';
import { main as policy } from '../../src/cli/commands/policy.js';
import { main as record } from '../../src/cli/commands/record.js';
import { main as repair } from '../../src/cli/commands/repair.js';
import { main as replay } from '../../src/cli/commands/replay.js';
import { main as report } from '../../src/cli/commands/report.js';
import { main as rescue } from '../../src/cli/commands/rescue.js';
import { main as run } from '../../src/cli/commands/run.js';
import { main as session } from '../../src/cli/commands/session.js';
import { main as watch } from '../../src/cli/commands/watch.js';

const COMMANDS: Record<string, CommandMain> = {
  capture,
  demo,
  policy,
  repair,
  replay,
  report,
  rescue,
  run,
  session,
  watch,
};

function io(): CliIo & { out: string; err: string } {
  const self = {
    out: '',
    err: '',
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    cwd: process.cwd(),
    stdout: (t: string) => void (self.out += t),
    stderr: (t: string) => void (self.err += t),
  };
  return self;
}

describe('the command helper', () => {
  it.each(Object.keys(COMMANDS))('%s: an unknown flag is one usage line pointing at --help, exit 2', async (name) => {
    const t = io();
    expect(await COMMANDS[name](['--no-such-flag'], t)).toBe(2);
    expect(t.err).toMatch(
      new RegExp(
        `^ci-medic ${name}: arguments: Unknown option '--no-such-flag'[^\n]*; see 'ci-medic ${name} --help'\n$`,
      ),
    );
    expect(t.out).toBe('');
  });

  it.each(Object.keys(COMMANDS))(
    '%s: -h is --help, on stdout, exit 0, before a bad value is looked at',
    async (name) => {
      const long = io();
      expect(await COMMANDS[name](['--help'], long)).toBe(0);
      const short = io();
      const bad = { capture: ['--lines', '0'], run: ['--timeout', 'soon'], demo: ['--pace', 'soon'] }[name] ?? [];
      expect(await COMMANDS[name](['-h', ...bad], short)).toBe(0);
      expect(short.out).toBe(long.out);
      expect(long.out).toMatch(new RegExp(`^Usage: ci-medic ${name}`));
      expect(long.err + short.err).toBe('');
    },
  );

  it.each([
    [capture, 'capture', ['--session', 'a b'], '--session: "a b"'],
    [capture, 'capture', ['--lines', '0'], '--lines: "0" is not a positive whole number'],
    [run, 'run', ['--deny', 're:(', '--', 'true'], '--deny: "re:(" is not a valid regular expression'],
    [run, 'run', ['--protected-path', 'src/*', '--', 'true'], '--protected-path: "src/*" is not a path'],
    [run, 'run', ['--sandbox', 'maybe', '--', 'true'], '--sandbox: "maybe" is not a sandbox mode'],
    [policy, 'policy', ['--disable-rule', 'nope', '--', 'true'], '--disable-rule: "nope" is not a default rule'],
    [session, 'session', ['start', '--name', 'a b'], '--name: "a b"'],
    [rescue, 'rescue', ['--max-minutes', 'x'], '--max-minutes: "x" is not a positive whole number'],
    [demo, 'demo', ['--pace', 'soon'], '--pace: "soon" is not a duration'],
  ] as const)('%#: a value %s cannot use names the flag (exit 2)', async (main, name, argv, said) => {
    const t = io();
    expect(await main([...argv], t)).toBe(2);
    expect(t.err.startsWith(`ci-medic ${name}: ${said}`), t.err).toBe(true);
    expect(t.err.split('\n').filter(Boolean)).toHaveLength(1);
    expect(t.out).toBe('');
  });

  it('usage that is not one value is said as the command words it, exit 2', async () => {
    const t = io();
    expect(await report(['--transcript', 't.jsonl'], t)).toBe(2);
    expect(t.err).toBe("ci-medic report: --transcript FILE and -o FILE are required; see 'ci-medic report --help'\n");
    const w = io();
    expect(await watch(['--port', '70000'], w)).toBe(2);
    expect(w.err).toBe("ci-medic watch: --port must be a port number 0-65535, got '70000'\n");
    const p = io();
    expect(await policy(['--commands-from', 'a', '--from-transcript', 'b'], p)).toBe(2);
    expect(p.err).toBe('ci-medic policy: give --commands-from or --from-transcript, not both\n');
    const s = io();
    expect(await session(['restart'], s)).toBe(2);
    expect(s.err).toMatch(/^ci-medic session: "restart" is not a session action; use start, stop or list\n\nUsage: /);
  });

  it('the hidden recorder has no --help to point at', async () => {
    const t = io();
    expect(await record(['--help'], t)).toBe(2);
    expect(t.err).toMatch(/^ci-medic __record: arguments: Unknown option '--help'/);
    expect(t.err).not.toContain('see ');
    const missing = io();
    expect(await record([], missing)).toBe(2);
    expect(missing.err).toBe(
      'ci-medic __record: --out FILE is required; --width, --height and --max-bytes must be positive numbers\n',
    );
  });
});
