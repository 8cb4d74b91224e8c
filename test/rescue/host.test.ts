// The host lifecycle with real tmux: an agent tmux server on its own socket, the rescue host in a server of its own.
// upterm and tmate are stand-ins (test/rescue/bin, first on PATH) that behave like the real clients without a
// server; the real Debian tmate runs once against an unreachable server.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  hostRescue,
  parseTmateConnection,
  parseUptermConnection,
  RescueError,
  type HostRescueOptions,
} from '../../src/rescue/host.js';
import { joinCommandFor } from '../../src/rescue/instructions.js';
import { AgentSession } from '../../src/terminal/session.js';

const BIN = fileURLToPath(new URL('./bin', import.meta.url));
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl person@laptop';
const AGENT = 'agent-under-rescue';

const tmux = (socket: string, ...args: string[]) => spawnSync('tmux', ['-S', socket, ...args], { encoding: 'utf8' });
/** Clients a person would be (control-mode clients, which the terminal layer may keep, do not count). */
const terminalClients = (socket: string) =>
  tmux(socket, 'list-clients', '-F', '#{client_control_mode}')
    .stdout.split('\n')
    .filter((l) => l.trim() === '0').length;
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const until = async (what: () => boolean, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!what()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
};

let root: string;
let agentSocket: string;
const servers: string[] = [];

beforeAll(() => {
  root = mkdtempSync('/tmp/cmr-');
  agentSocket = join(root, 'agent.sock');
  // A real agent server on its own socket, with a known line in its scrollback.
  execFileSync('tmux', [
    '-S',
    agentSocket,
    'new-session',
    '-d',
    '-s',
    AGENT,
    '-x',
    '100',
    '-y',
    '30',
    'bash --norc -i',
  ]);
  servers.push(agentSocket);
});

afterAll(() => {
  for (const s of servers) tmux(s, 'kill-server');
  rmSync(root, { recursive: true, force: true });
});

let n = 0;
function setup(overrides: Partial<HostRescueOptions> & Pick<HostRescueOptions, 'provider'>) {
  const stateDir = join(root, `s${++n}`);
  const continueFile = join(root, `continue-${n}`);
  const published: string[] = [];
  const events: string[] = [];
  const options: HostRescueOptions = {
    sessionName: AGENT,
    socketPath: agentSocket,
    authorizedKeys: [KEY],
    continueFile,
    stateDir,
    baseEnv: { PATH: `${BIN}:${process.env.PATH}`, HOME: root, GITHUB_TOKEN: 'ghs_must_not_leak' },
    connectTimeoutMs: 20_000,
    maxDurationMs: 30_000,
    pollIntervalMs: 100,
    onConnectionString: (s) => published.push(s),
    onEvent: (e) => events.push(e),
    ...overrides,
  };
  return { options, stateDir, continueFile, published, events };
}

function uptermRecord(stateDir: string): {
  forceCommand: string;
  keys: string[];
  pid: number;
  argv: string[];
  envNames: string[];
} {
  const dir = join(stateDir, 'runtime', 'upterm');
  const file = readdirSync(dir).find((f) => f.endsWith('.json'));
  if (!file) throw new Error('upterm was not started');
  return JSON.parse(readFileSync(join(dir, file), 'utf8')) as never;
}

afterEach(() => {
  // The agent's server outlives every rescue.
  expect(tmux(agentSocket, 'has-session', '-t', `=${AGENT}`).status).toBe(0);
});

describe('hostRescue with upterm (stand-in)', () => {
  it('publishes the connection string, forces clients into the agent session, ends on the continue file, cleans up only itself', async () => {
    const { options, stateDir, continueFile, published, events } = setup({ provider: 'upterm' });
    const viewer = join(root, 'viewer.sock');
    servers.push(viewer);
    let record: ReturnType<typeof uptermRecord> | undefined;
    const running = hostRescue({
      ...options,
      onConnectionString: (s) => {
        published.push(s);
        record = uptermRecord(stateDir);
        // Play the person: the forced command, run in a terminal, lands in the agent's session.
        execFileSync('tmux', [
          '-S',
          viewer,
          'new-session',
          '-d',
          '-s',
          'person',
          '-x',
          '90',
          '-y',
          '25',
          record.forceCommand,
        ]);
        writeFileSync(join(stateDir, 'runtime', 'upterm', 'clients'), '1');
      },
    });
    await until(() => published.length > 0, 15_000);
    await until(() => terminalClients(agentSocket) > 0);
    writeFileSync(continueFile, '');
    const result = await running;

    expect(result.outcome).toBe('continued');
    expect(result.clientsSeen).toBe(true);
    expect(published).toHaveLength(1);
    expect(published[0]).toMatch(/^ssh [a-z0-9]+:[a-z0-9]+@uptermd\.upterm\.dev$/);
    expect(result.connection).toBe(published[0]);
    expect(record!.forceCommand).toBe(joinCommandFor(agentSocket, AGENT));
    expect(record!.keys).toEqual([KEY]);
    expect(record!.argv).toContain('--accept');
    expect(events.join('\n')).toMatch(/a person connected/);
    // Only the rescue went away: upterm's process, its wrapper server; never the agent's server or its session.
    await until(() => !alive(record!.pid));
    expect(tmux(join(stateDir, 'upterm-wrapper.sock'), 'has-session').status).not.toBe(0);
    tmux(viewer, 'kill-server');
  });

  it('ends when nobody connects within the connect timeout; a continue file that was already there does not count', async () => {
    const { options, continueFile, published } = setup({ provider: 'upterm', connectTimeoutMs: 3000 });
    // A file of that name that predates the rescue (say, in the repository) counts only once it is touched again.
    writeFileSync(continueFile, 'a file of the repository');
    const old = new Date(Date.now() - 60_000);
    utimesSync(continueFile, old, old);
    const result = await hostRescue(options);
    expect(result.outcome).toBe('no-connection');
    expect(result.detail).toMatch(/nobody connected within 3\.0s/);
    expect(published).toHaveLength(1);
    expect(result.clientsSeen).toBe(false);
    expect(readFileSync(continueFile, 'utf8')).toBe('a file of the repository');
  });

  it('ends at the maximum duration even while someone is connected', async () => {
    const { options, stateDir } = setup({ provider: 'upterm', maxDurationMs: 4000 });
    const running = hostRescue({
      ...options,
      onConnectionString: () => writeFileSync(join(stateDir, 'runtime', 'upterm', 'clients'), '2'),
    });
    const result = await running;
    expect(result.outcome).toBe('max-duration');
    expect(result.clientsSeen).toBe(true);
    expect(result.durationMs).toBeGreaterThanOrEqual(4000);
    expect(result.durationMs).toBeLessThan(10_000);
  });

  it("reports an error with upterm's own words when it cannot reach its server", async () => {
    const { options, published } = setup({ provider: 'upterm', uptermServer: 'ssh://127.0.0.1:1' });
    const result = await hostRescue(options);
    expect(result.outcome).toBe('error');
    expect(result.detail).toMatch(/stopped before anyone connected.*connection refused/);
    expect(published).toEqual([]);
  });

  it('without access limits passes no --authorized-keys; the host never sees secrets from the environment', async () => {
    const { options, stateDir } = setup({ provider: 'upterm', authorizedKeys: 'unrestricted' });
    const controller = new AbortController();
    const result = await hostRescue({
      ...options,
      signal: controller.signal,
      onConnectionString: () => controller.abort(),
    });
    expect(result.outcome).toBe('aborted');
    const record = uptermRecord(stateDir);
    expect(record.argv).not.toContain('--authorized-keys');
    expect(existsSync(join(stateDir, 'authorized_keys'))).toBe(false);
    expect(record.envNames).not.toContain('GITHUB_TOKEN');
    expect(record.envNames).toContain('XDG_RUNTIME_DIR');
  });
});

describe('hostRescue preconditions (fail closed)', () => {
  it('refuses to launch without keys', async () => {
    const { options, stateDir } = setup({ provider: 'upterm', authorizedKeys: [' '] });
    const error = await hostRescue(options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RescueError);
    expect((error as RescueError).kind).toBe('no-keys');
    expect(existsSync(stateDir)).toBe(false);
  });

  it('refuses when the agent session is not running', async () => {
    const { options } = setup({ provider: 'tmate', sessionName: 'no-such-session' });
    const error = (await hostRescue(options).catch((e: unknown) => e)) as RescueError;
    expect(error.kind).toBe('no-agent-session');
    expect(error.message).toContain('no-such-session');
  });

  it('refuses a state directory too long for a socket, naming it', async () => {
    const { options } = setup({ provider: 'upterm', stateDir: join(root, 'x'.repeat(80)) });
    const error = (await hostRescue(options).catch((e: unknown) => e)) as RescueError;
    expect(error.kind).toBe('bad-option');
    expect(error.message).toMatch(/stateDir: the socket path .* is longer than 100 characters/);
  });

  it('refuses when the tool is not installed', async () => {
    const { options } = setup({ provider: 'upterm', baseEnv: { PATH: '/nonexistent' } });
    const error = (await hostRescue(options).catch((e: unknown) => e)) as RescueError;
    expect(error.kind).toBe('not-installed');
  });
});

describe('hostRescue with tmate', () => {
  it('(stand-in) its window joins the agent session; connection published; continue; the agent keeps running', async () => {
    const { options, stateDir, continueFile, published } = setup({ provider: 'tmate' });
    const running = hostRescue({
      ...options,
      onConnectionString: (s) => {
        published.push(s);
        writeFileSync(join(stateDir, 'tmate.sock.clients'), '1');
      },
    });
    await until(() => published.length > 0, 15_000);
    // tmate's window runs the join command: the agent's server gets a client (the nested session).
    await until(() => terminalClients(agentSocket) > 0);
    writeFileSync(continueFile, '');
    const result = await running;
    expect(result.outcome).toBe('continued');
    expect(result.clientsSeen).toBe(true);
    expect(published[0]).toMatch(/^ssh [a-z0-9]+@nyc1\.tmate\.io$/);
    const log = readFileSync(join(stateDir, 'tmate.log'), 'utf8');
    expect(log).toContain(`Using ${join(stateDir, 'authorized_keys')} for access control`);
    // The nested client left with the tmate server; the agent's session is still there.
    await until(() => terminalClients(agentSocket) === 0);
    expect(tmux(join(stateDir, 'tmate.sock'), 'has-session').status).not.toBe(0);
  });

  it('(stand-in) cancelling ends the rescue and stops tmate', async () => {
    const { options, stateDir, published } = setup({ provider: 'tmate' });
    const controller = new AbortController();
    const running = hostRescue({
      ...options,
      signal: controller.signal,
      onConnectionString: (s) => {
        published.push(s);
        controller.abort();
      },
    });
    const result = await running;
    expect(result.outcome).toBe('aborted');
    expect(result.connection).toBe(published[0]);
    expect(tmux(join(stateDir, 'tmate.sock'), 'has-session').status).not.toBe(0);
  });

  it('(stand-in) the host ending by itself after someone connected is "ended", before anyone connected an error', async () => {
    const first = setup({ provider: 'tmate' });
    const ended = hostRescue({
      ...first.options,
      onConnectionString: () => writeFileSync(join(first.stateDir, 'tmate.sock.clients'), '1'),
    });
    await until(() => first.events.includes('a person connected'), 15_000);
    tmux(join(first.stateDir, 'tmate.sock'), 'kill-server');
    const result = await ended;
    expect(result.outcome).toBe('ended');
    expect(result.detail).toMatch(/tmate ended \(exit code 0\)/);

    const second = setup({ provider: 'tmate' });
    const failed = hostRescue({
      ...second.options,
      onConnectionString: () => tmux(join(second.stateDir, 'tmate.sock'), 'kill-server'),
    });
    const error = await failed;
    expect(error.outcome).toBe('error');
    expect(error.detail).toMatch(/stopped before anyone connected.*Session closed/);
  });

  it("(real Debian tmate) no reachable server: ends at the connect timeout with tmate's error, cleans up", async () => {
    const { options, stateDir, published } = setup({
      provider: 'tmate',
      executable: '/usr/bin/tmate',
      tmateServer: { host: '127.0.0.1', port: 1 },
      connectTimeoutMs: 2500,
    });
    const result = await hostRescue(options);
    expect(result.outcome).toBe('no-connection');
    expect(result.detail).toMatch(/never printed a connection string/);
    expect(result.detail).toMatch(/Connection refused/);
    expect(published).toEqual([]);
    const log = readFileSync(join(stateDir, 'tmate.log'), 'utf8');
    expect(log).toContain('for access control');
    expect(log).toContain('Connecting to 127.0.0.1');
    expect(spawnSync('/usr/bin/tmate', ['-S', join(stateDir, 'tmate.sock'), 'has-session']).status).not.toBe(0);
  });

  it('real Debian tmate is installed and reports its version', () => {
    expect(execFileSync('/usr/bin/tmate', ['-V'], { encoding: 'utf8' })).toMatch(/^tmate 2\.\d/);
  });
});

describe('connection string parsing', () => {
  it('reads upterm session detail (colours and all)', () => {
    const text =
      '\u001b[1mSession: abc\u001b[0m\n\nCommand:   bash\n\n\u001b[36m➤ SSH:\u001b[0m\n    ssh abc:xyz@uptermd.upterm.dev\n➤ SFTP:\n';
    expect(parseUptermConnection(text)).toBe('ssh abc:xyz@uptermd.upterm.dev');
    expect(parseUptermConnection('➤ SSH:\n    ssh u@host -p 2222\n')).toBe('ssh u@host -p 2222');
    expect(parseUptermConnection('nothing yet')).toBeUndefined();
  });

  it('reads tmate foreground lines, not the read-only one', () => {
    const text = 'ssh session read only: ssh ro-abc@nyc1.tmate.io\nssh session: ssh abc@nyc1.tmate.io\n';
    expect(parseTmateConnection(text)).toBe('ssh abc@nyc1.tmate.io');
    expect(parseTmateConnection('Connecting to ssh.tmate.io...\n')).toBeUndefined();
  });
});

describe('hostRescue into a real AgentSession', () => {
  it('the person lands in the agent session; afterwards the agent session still runs commands', async () => {
    // A '.' in the name: tmux calls that session 'cmr_agent-…', and the join command must say so.
    const session = await AgentSession.start({ name: `cmr.agent-${process.pid}`, cwd: root, baseEnv: process.env });
    try {
      expect((await session.run('echo before-rescue')).output).toContain('before-rescue');
      const { options, stateDir, continueFile, published } = setup({
        provider: 'tmate',
        sessionName: session.name,
        socketPath: session.socketPath,
      });
      const running = hostRescue({
        ...options,
        onConnectionString: (s) => {
          published.push(s);
          writeFileSync(join(stateDir, 'tmate.sock.clients'), '1');
        },
      });
      await until(() => terminalClients(session.socketPath) > 0, 15_000);
      writeFileSync(continueFile, '');
      expect((await running).outcome).toBe('continued');
      const attachScript = join(stateDir, 'tmate-attach.sh');
      expect(readFileSync(attachScript, 'utf8')).toContain(`attach -t cmr_agent-${process.pid}`);
      expect(spawnSync('bash', ['-n', attachScript]).status).toBe(0);
      // The nested client left with tmate's server; the agent's own server and shell stay.
      await until(() => terminalClients(session.socketPath) === 0);
      const after = await session.run('echo after-rescue');
      expect(after.exitCode).toBe(0);
      expect(after.output).toBe('after-rescue\n');
    } finally {
      await session.stop();
    }
  });
});
