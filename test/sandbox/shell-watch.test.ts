// The terminal's watch on the shell works inside the sandbox too, for real through `ci-medic run` (the CLI bundle):
// there the pane runs the sandbox host and the shell sits inside bubblewrap on a pty of its own, so the hang check and
// the sabotage check must find that shell and its terminal, not the pane's. Each is seen within seconds, long before
// the command's deadline, and the next command works in the same sandboxed session.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, makeTempDir, removeTempDirs } from '../helpers/repo.js';

const CLI = join(process.cwd(), 'dist/cli/index.js');
const name = `shell-watch-${randomBytes(4).toString('hex')}`;
let ws: string;

function cli(args: string[]): { code: number | null; out: string } {
  const env = { PATH: process.env.PATH, HOME: ws, LANG: 'C.UTF-8', TERM: 'xterm' };
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ws, env, encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

// A deadline far above what detection takes: a stop for the right reason says so, a timeout says "hit its".
const run = (command: string) => cli(['run', '--session', name, '--timeout', '90s', '--', command]);

beforeAll(() => {
  ws = makeTempDir('ci-medic-shell-watch-');
  git(ws, 'init', '-q');
  const start = cli(['session', 'start', '--name', name, '--cwd', ws, '--sandbox', 'required']);
  expect(start.code, start.out).toBe(0);
}, 120_000);

afterAll(() => {
  cli(['session', 'stop', '--name', name]);
  removeTempDirs();
});

describe('inside the sandbox, the shell is watched where it runs', () => {
  it('a program reading the terminal is stopped as waiting for a person, and the shell goes on', () => {
    expect(run('export KEPT=yes').code).toBe(0);
    const hung = run(`python3 -c "open('/dev/tty').read()"`);
    expect(hung.code, hung.out).toBe(125);
    expect(hung.out).toContain('waiting for input from the terminal');
    expect(hung.out).not.toContain('hit its');
    expect(run('echo "$KEPT"').out.trim()).toBe('yes'); // the same shell: only the program was interrupted
  }, 240_000);

  it('a shell whose open-file limit a command lowered is respawned, and the caller is told', () => {
    const broken = run('ulimit -n 4');
    expect(broken.code, broken.out).toBe(125);
    expect(broken.out).toContain("lowered the shell's open-file limit to 4");
    expect(broken.out).not.toContain('hit its');
    expect(run('echo works').out.trim()).toBe('works');
  }, 240_000);
});
