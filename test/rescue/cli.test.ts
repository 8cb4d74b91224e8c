// `ci-medic rescue` in-process: printing, flag errors, and hosting with the stand-in tmate against the GitHub stand-in.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github.js';
import { main } from '../../src/cli/commands/rescue.js';
import type { CliIo } from '../../src/cli/io.js';

const BIN = fileURLToPath(new URL('./bin', import.meta.url));
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';

function io(env: NodeJS.ProcessEnv, cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const value: CliIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env, cwd };
  return { io: value, out: () => out.join(''), err: () => err.join('') };
}

let root: string;
let agentSocket: string;
let github: FakeGitHub;
const SESSION = 'cli-rescue-agent';

beforeAll(async () => {
  root = mkdtempSync('/tmp/cmc-');
  agentSocket = join(root, 'agent.sock');
  execFileSync('tmux', ['-S', agentSocket, 'new-session', '-d', '-s', SESSION, 'bash --norc -i']);
  github = await startFakeGitHub({ keys: { octocat: [{ id: 7, key: KEY }], keyless: [] } });
});

afterAll(async () => {
  spawnSync('tmux', ['-S', agentSocket, 'kill-server']);
  await github.close();
  rmSync(root, { recursive: true, force: true });
});

describe('ci-medic rescue', () => {
  it('prints the instructions for the named session and socket', async () => {
    const t = io({}, root);
    const code = await main(['--session', SESSION, '--socket', agentSocket, '--actor', 'octocat'], t.io);
    expect(code).toBe(0);
    expect(t.out()).toContain(`tmux -S ${agentSocket} attach -t ${SESSION}`);
    expect(t.out()).toContain('owenthereal/action-upterm@');
    expect(t.out()).toContain('@octocat');
  });

  it('--print-only wins over --provider (nothing is launched)', async () => {
    const t = io({ PATH: '/nonexistent' }, root);
    expect(await main(['--provider', 'upterm', '--print-only', '--socket', agentSocket], t.io)).toBe(0);
    expect(t.out()).toContain('```yaml');
  });

  it('names the flag and the value on bad input', async () => {
    for (const [argv, pattern] of [
      [['--provider', 'screen'], /--provider: "screen" is not a rescue host/],
      [['--connect-timeout', 'soon'], /--connect-timeout: "soon" is not a duration/],
      [['--max-minutes', '0'], /--max-minutes: "0"/],
      [['--session', 'a b'], /--session: "a b"/],
      [['--what'], /arguments: .*--what/],
    ] as const) {
      const t = io({}, root);
      expect(await main([...argv], t.io)).toBe(2);
      expect(t.err()).toMatch(pattern);
    }
  });

  it('hosts with tmate, limited to the actor keys, prints the connection, ends at the connect timeout', async () => {
    const stateDir = join(root, 'host');
    const env = { PATH: `${BIN}:${process.env.PATH}`, HOME: root, GITHUB_API_URL: github.url, GITHUB_ACTOR: 'octocat' };
    const t = io(env, root);
    const code = await main(
      [
        '--provider',
        'tmate',
        '--session',
        SESSION,
        '--socket',
        agentSocket,
        '--connect-timeout',
        '3s',
        '--state-dir',
        stateDir,
      ],
      t.io,
    );
    expect(code).toBe(0);
    expect(t.out()).toMatch(/^Connect with: ssh \S+@nyc1\.tmate\.io$/m);
    expect(t.out()).toContain('C-b C-b d');
    expect(t.out()).toContain(`touch ${join(root, 'continue')}`);
    expect(t.err()).toContain('limited to the 1 public SSH key(s) of octocat');
    expect(t.err()).toMatch(/no-connection: nobody connected within 3\.0s/);
    expect(spawnSync('tmux', ['-S', agentSocket, 'has-session', '-t', `=${SESSION}`]).status).toBe(0);
  });

  it('refuses to host for an actor without keys (fail closed) and launches nothing', async () => {
    const stateDir = join(root, 'keyless');
    const t = io({ PATH: `${BIN}:${process.env.PATH}`, GITHUB_API_URL: github.url }, root);
    const code = await main(
      [
        '--provider',
        'upterm',
        '--actor',
        'keyless',
        '--socket',
        agentSocket,
        '--session',
        SESSION,
        '--state-dir',
        stateDir,
      ],
      t.io,
    );
    expect(code).toBe(1);
    expect(t.err()).toMatch(/keyless has no public SSH keys/);
    expect(t.out()).toBe('');
  });

  it('refuses to host for a pull request from a fork', async () => {
    const event = join(root, 'event.json');
    writeFileSync(
      event,
      JSON.stringify({
        pull_request: { head: { repo: { full_name: 'stranger/repo' } }, base: { repo: { full_name: 'us/repo' } } },
      }),
    );
    const t = io(
      { PATH: `${BIN}:${process.env.PATH}`, GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event },
      root,
    );
    expect(await main(['--provider', 'tmate', '--no-access-limit', '--socket', agentSocket], t.io)).toBe(1);
    expect(t.err()).toMatch(/pull request from a fork/);
    expect(github.requests.filter((r) => r.path.includes('/keys')).length).toBeGreaterThan(0); // earlier tests only
  });
});
