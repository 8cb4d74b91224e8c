// The entries re-execute themselves without secrets in their /proc environ (src/seal-environment.ts): the agent's
// shell runs as the same user and could otherwise read the API key and tokens from the ci-medic process itself.
// Real processes, real /proc, the real bundle; the scan gets only hashes, never the values.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs, writeFiles } from './helpers/repo.js';

const SCAN = resolve('test/fixtures/scan-environ.cjs');
const CLI = resolve('dist/cli/index.js');
const sha = (text: string): string => createHash('sha256').update(text).digest('hex');
const SESSION = `seal-${process.pid}`;
const socket = `/tmp/ci-medic-${process.getuid?.() ?? 0}/${SESSION}.sock`;

afterAll(() => {
  spawnSync('tmux', ['-S', socket, 'kill-server'], { stdio: 'ignore' });
  removeTempDirs();
});

function envWith(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!/^(INPUT_|ANTHROPIC_)/.test(name)) env[name] = value;
  return { ...env, ...extra };
}

describe('sealed environment', () => {
  it('the scan finds a planted value in a process that holds it (so ABSENT means something)', async () => {
    const secret = `planted-control-token-${process.pid}-${Date.now()}`;
    const holder = spawn('sleep', ['30'], { env: envWith({ CONTROL_TOKEN: secret }), stdio: 'ignore' });
    try {
      const scan = spawnSync(process.execPath, [SCAN, sha(secret)], { encoding: 'utf8' });
      expect(scan.status).toBe(1);
      expect(scan.stdout).toContain(`FOUND CONTROL_TOKEN in pid ${holder.pid}`);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('ci-medic run: no process the session can read holds the API key or a token of the ci-medic process', () => {
    const apiKey = `sk-ant-api03-sealTest${process.pid}${Date.now()}abcdef`;
    const token = `ghp_sealTestToken${process.pid}${Date.now()}ABCDEF`;
    const result = spawnSync(
      process.execPath,
      [CLI, 'run', '--session', SESSION, '--timeout', '30s', '--', `node ${SCAN} ${sha(apiKey)} ${sha(token)}`],
      { encoding: 'utf8', env: envWith({ ANTHROPIC_API_KEY: apiKey, GITHUB_TOKEN: token }), timeout: 60_000 },
    );
    expect(result.stdout + result.stderr).toContain('ABSENT');
    expect(result.status).toBe(0);
  });

  it('a variable a credential file references is sealed and kept from the session too, whatever its name', () => {
    const value = `plain-named-registry-login-${process.pid}-${Date.now()}`;
    const home = makeTempDir('ci-medic-seal-home-');
    writeFiles(home, { '.npmrc': '//npm.example.com/:_authToken=${REGISTRY_LOGIN_PLAIN}\n' });
    const name = `${SESSION}-ref`;
    try {
      const result = spawnSync(
        process.execPath,
        [
          CLI,
          'run',
          '--session',
          name,
          '--timeout',
          '30s',
          '--',
          `node ${SCAN} ${sha(value)}; echo "[\${REGISTRY_LOGIN_PLAIN:-unset}]"`,
        ],
        { encoding: 'utf8', env: envWith({ HOME: home, REGISTRY_LOGIN_PLAIN: value }), timeout: 60_000 },
      );
      expect(result.stdout + result.stderr).toContain('ABSENT');
      // The session's own environment does not have it either.
      expect(result.stdout).toContain('[unset]');
    } finally {
      spawnSync('tmux', ['-S', socket.replace(`${SESSION}.sock`, `${name}.sock`), 'kill-server'], { stdio: 'ignore' });
    }
  });
});
