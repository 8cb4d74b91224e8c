// `ci-medic run` (the real CLI bundle, `npm run bundle` first) in a sandboxed session: a server typed in the
// foreground comes back with exit 125 and the advice on stderr; started in the background as advised, it stays up
// and curl reaches it from the next command.
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentSession } from '../../src/terminal/session.js';
import { stateDirFor } from '../../src/terminal/tmux.js';
import { makeTempDir, removeTempDirs } from '../helpers/repo.js';
import { freePort } from '../helpers/net.js';

const CLI = resolve('dist/cli/index.js');
const NAME = `fgcli${process.pid}`;
let cwd: string;

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'run', '--session', NAME, '--sandbox', 'required', ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  expect(existsSync(CLI), `${CLI} is missing: run npm run bundle`).toBe(true);
  cwd = realpathSync(makeTempDir());
});

afterAll(async () => {
  await AgentSession.stopByName(NAME).catch(() => false);
  rmSync(stateDirFor(NAME), { recursive: true, force: true });
  removeTempDirs();
});

describe('ci-medic run with a server (sandbox required)', () => {
  it('exits 125 for a foreground server, and the advised background form works with curl', async () => {
    const port = await freePort();
    const server = `python3 -m http.server ${port} --bind 127.0.0.1`;
    const fg = cli('--timeout', '60s', '--', server);
    expect(fg.code, fg.stderr).toBe(125);
    expect(fg.stderr).toContain('ci-medic run: the command was stopped: it ran a server in the foreground');
    expect(fg.stderr).toContain(`on TCP port ${port} in the foreground and never returned; ci-medic stopped it`);
    expect(fg.stderr).toContain(`\`${server} > server.log 2>&1 &\``);

    const bg = cli('--', `${server} > server.log 2>&1 &`);
    expect(bg.code, bg.stderr).toBe(0);
    const query = cli(
      '--timeout',
      '30s',
      '--',
      `for i in $(seq 50); do curl -s -o /dev/null localhost:${port} && break; sleep 0.2; done; curl -s localhost:${port}/`,
    );
    expect(query.code, query.stderr).toBe(0);
    expect(query.stdout).toContain('Directory listing');
    // Still up for the command after (a quiet one: not taken for a server).
    const again = cli('--', `sleep 4; curl -s -o /dev/null -w '%{http_code}' localhost:${port}/`);
    expect(again).toMatchObject({ code: 0, stdout: '200' });
  });
});
