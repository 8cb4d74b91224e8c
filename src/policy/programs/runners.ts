// Runners whose subcommand starts another program (`poetry run pytest`, `npx vitest`, `bundle exec rspec`): the
// program they start is checked like any other command; a shell string (`-c`) is refused.
import { deny, inner, runInner, skipOptions, type CheckContext, type OptionSpec } from '../context.js';
import type { SimpleCommand } from '../walk.js';
import type { Arg } from '../words.js';
import { program } from './program.js';

const SUB_RUNNERS: Record<string, string[]> = {
  poetry: ['run'],
  pipenv: ['run'],
  uv: ['run'],
  pdm: ['run'],
  hatch: ['run'],
  rye: ['run'],
  bundle: ['exec'],
  npm: ['exec', 'x'],
  pnpm: ['exec', 'dlx'],
  yarn: ['exec', 'dlx'],
  conda: ['run'],
};

export const subRunners = program(Object.keys(SUB_RUNNERS), ({ name, args, cmd, depth }, cx) => {
  const subs = SUB_RUNNERS[name];
  let i = 0;
  if (name === 'npm' && args[0]?.value === 'x') i = 1;
  // npx is `npm exec`; for the others the subcommand comes first.
  while (i < args.length && args[i].value.startsWith('-')) i++;
  const sub = args[i]?.value;
  if (sub !== undefined && subs.includes(sub)) checkRunner(`${name} ${sub}`, args.slice(i + 1), cmd, cx, depth);
  return 'stop';
});

export const packageRunners = program('npx bunx pnpx', ({ name, args, cmd, depth }, cx) =>
  checkRunner(name, args, cmd, cx, depth),
);

const RUNNER_OPTIONS: OptionSpec = {
  short: 'pwnCe',
  long: [
    '--package',
    '--with',
    '--python',
    '--name',
    '--env',
    '--from',
    '--directory',
    '--project',
    '--cwd',
    '--filter',
  ],
};

function checkRunner(label: string, args: Arg[], cmd: SimpleCommand, cx: CheckContext, depth: number): void {
  if (args.some((a) => a.value === '-c' || a.value === '--call' || a.value.startsWith('--call='))) {
    return deny(cx, 'hidden-evaluation', `${label} -c runs a string as a shell command; run the command itself`);
  }
  const i = skipOptions(args, RUNNER_OPTIONS);
  const rest = args.slice(i);
  if (rest.length > 0) runInner(inner(rest, cmd, label), cx, depth);
}
