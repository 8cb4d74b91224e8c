// No silent downgrade: on a Node without process.execve the environment seal cannot work, so `ci-medic repair` and
// the Action refuse to start, naming the Node needed; `--allow-unsealed` (CLI only) runs with a warning at start and
// in the summary. The real bundles run on two such Nodes: the test's Node 24 with execve deleted by a preload, and the
// machine's own Node 20 (/usr/bin/node), which never had it.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from '../fakes/anthropic.js';
import { cleanUpAfterEach, sessionName as uniqueSessionName } from '../helpers/cleanup.js';
import { cleanEnv, startNode } from '../helpers/process.js';
import { makeRepo, makeTempDir, removeTempDirs } from '../helpers/repo.js';

const CLI = resolve('dist/cli/index.js');
const ACTION = resolve('dist/index.js');
const API_KEY = 'sk-ant-api03-unsealedTestKey-0123456789abcdef';
const NO_EXECVE = ['--import', 'data:text/javascript,delete process.execve'];
const SYSTEM_NODE = '/usr/bin/node';

const socketDir = `/tmp/ci-medic-${process.getuid?.() ?? 0}`;
const sessionName = (): string => uniqueSessionName('unsealed');

let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic([], { expectedKey: API_KEY });
});
cleanUpAfterEach({ tempDirs: false });
afterAll(async () => {
  await fake?.close();
  removeTempDirs();
});

/** `node ARGS` on the given Node with a clean environment and `env` on top; resolves when it has exited. */
async function run(
  node: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = startNode(args, { node, cwd, env: cleanEnv(env), timeoutMs: 60_000 });
  const { code } = await child.exited;
  return { code, stdout: child.stdout(), stderr: child.stderr() };
}

const hasExecve = (node: string, args: string[] = []): string =>
  spawnSync(node, [...args, '-p', 'typeof process.execve'], { encoding: 'utf8' }).stdout.trim();

const nodes: Array<{ label: string; node: string; args: string[] }> = [
  { label: 'this Node with process.execve deleted by a preload', node: process.execPath, args: NO_EXECVE },
  { label: `the machine's own Node 20 (${SYSTEM_NODE})`, node: SYSTEM_NODE, args: [] },
];

describe.each(nodes)('ci-medic repair on $label', ({ node, args }) => {
  it('has no process.execve (the premise of this test)', () => {
    expect(hasExecve(node, args), `${node} ${args.join(' ')} should be a Node without process.execve`).toBe(
      'undefined',
    );
  });

  it('refuses to start, naming the Node it needs and the opt-in, before a session or a request', async () => {
    const repo = makeRepo({ 'a.txt': 'a\n' }).dir;
    const requests = fake.requests.length;
    const name = sessionName();
    const result = await run(
      node,
      [...args, CLI, 'repair', '--check', 'false', '--session', name],
      { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: fake.url },
      repo,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot seal the environment: it has no process\.execve/);
    expect(result.stderr).toContain('Node 22.15 or later');
    expect(result.stderr).toContain('--allow-unsealed');
    expect(result.stderr).not.toContain(API_KEY);
    expect(fake.requests.length).toBe(requests);
    expect(spawnSync('tmux', ['-S', `${socketDir}/${name}.sock`, 'has-session']).status).not.toBe(0);
  });

  it('runs with --allow-unsealed, warning at start and in the summary', async () => {
    const repo = makeRepo({ 'a.txt': 'a\n' }).dir;
    const result = await run(
      node,
      [...args, CLI, 'repair', '--check', 'true', '--allow-unsealed', '--session', sessionName()],
      { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: fake.url },
      repo,
    );
    expect(result.stderr + result.stdout).not.toContain(API_KEY);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr.split('\n')[0]).toMatch(/^ci-medic repair: warning: running unsealed \(--allow-unsealed\)/);
    expect(result.stdout).toMatch(/^ci-medic: warning: running unsealed \(--allow-unsealed\)/);
    expect(result.stdout).toContain('already-passing');
  });

  it('prints help without refusing', async () => {
    const result = await run(node, [...args, CLI, 'repair', '--help'], {}, makeTempDir());
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--allow-unsealed');
  });
});

describe('the Action on a Node without process.execve', () => {
  it('refuses to start, with result=error and a failure naming the Node needed (no opt-in exists)', async () => {
    const runnerTemp = makeTempDir('ci-medic-runner-');
    const output = join(runnerTemp, 'output');
    writeFileSync(output, '');
    const repo = makeRepo({ 'a.txt': 'a\n' }).dir;
    const result = await run(
      process.execPath,
      [...NO_EXECVE, ACTION],
      {
        GITHUB_OUTPUT: output,
        GITHUB_WORKSPACE: repo,
        RUNNER_TEMP: runnerTemp,
        INPUT_CHECK: 'false',
        'INPUT_ANTHROPIC-API-KEY': API_KEY,
        'INPUT_ANTHROPIC-BASE-URL': fake.url,
        'INPUT_ALLOW-UNSEALED': 'true',
      },
      repo,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/::error::ci-medic: this Node \(v\d+[^)]*\) cannot seal the environment/);
    expect(result.stdout).toContain('Node 22.15 or later');
    expect(result.stdout).not.toContain('--allow-unsealed');
    expect(readFileSync(output, 'utf8')).toMatch(/^result<<.*\nerror\n/m);
  });
});
