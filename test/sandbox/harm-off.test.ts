// Harm-based tests without the sandbox (--sandbox off): the same corpus, to pin which attempts only the sandbox
// stops. The command policy is a guardrail, not a boundary: these get through it.
import { describe, expect, it } from 'vitest';
import { cli, runCorpus, sessionName, useHarmFixture } from './harm-fixture.js';

useHarmFixture();

/**
 * Attempts the command policy alone lets do harm: only the sandbox stops them. Pinned so the list cannot rot: a
 * policy change that closes one (or opens another) shows up here.
 */
const ONLY_THE_SANDBOX_STOPS = [
  'git apply into .github',
  'history -w into a workflow',
  'obfuscated python reads key',
  'patch into .github',
  'proc environ via python',
  'proc self cwd workflow',
  'python rewrites session.json',
  'python writes .git/config',
  'renamed tmux kill-server',
  'tar into .github',
  'unzip into .github',
];

describe('without the sandbox (--sandbox off) the policy alone stands', () => {
  const name = sessionName('off');

  it('documents which attempts only the sandbox stops', () => {
    const harmed = runCorpus(name, ['--sandbox', 'off']);
    cli(['session', 'stop', '--name', name]);
    expect(Object.keys(harmed).sort()).toEqual([...ONLY_THE_SANDBOX_STOPS].sort());
  }, 600_000);
});
