// Harm-based tests of the OS boundary, with the sandbox: every evasion of evasions.ts, typed for real through
// `ci-medic run` (the CLI bundle) into a sandboxed session, does no harm (see harm-fixture.ts for what is checked).
import { describe, expect, it } from 'vitest';
import { stateDirFor } from '../../src/terminal/tmux.js';
import { cli, processesMentioning, runCorpus, sessionName, useHarmFixture } from './harm-fixture.js';

useHarmFixture();

describe('the sandbox stops every evasion', () => {
  const name = sessionName('sbx');

  it('runs the corpus in a sandboxed session: no attempt does harm', () => {
    const harmed = runCorpus(name, ['--sandbox', 'required']);
    expect(harmed).toEqual({});
  }, 600_000);

  it('tells the caller what it blocked, keeps the registry reachable, and C-c stops only the command', () => {
    const blocked = cli(['run', '--session', name, '--', 'npm view --registry https://example.com/ left-pad version']);
    expect(blocked.code).not.toBe(0);
    expect(blocked.out).toContain('The sandbox blocked');
    expect(blocked.out).toContain('example.com:443');
    const registry = cli(['run', '--session', name, '--', 'npm view left-pad version']);
    expect(registry.out, `exit ${registry.code}`).toMatch(/^\d+\.\d+\.\d+$/m);
    expect(cli(['run', '--session', name, '--', 'export KEEP=kept']).code).toBe(0);
    const stopped = cli(['run', '--session', name, '--timeout', '3s', '--', 'sleep 30']);
    expect(stopped.code).toBe(124);
    const after = cli(['run', '--session', name, '--', 'echo "$KEEP"']);
    expect(after.out.trim()).toBe('kept'); // the same shell: C-c reached the command through the sandbox's pty
  }, 120_000);

  it('leaves nothing running after session stop (the proxy and the sandbox die with the pane)', async () => {
    const stateDir = stateDirFor(name);
    expect(processesMentioning(stateDir).length).toBeGreaterThan(0);
    expect(cli(['session', 'stop', '--name', name]).code).toBe(0);
    let left = processesMentioning(stateDir);
    for (let i = 0; i < 30 && left.length; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = processesMentioning(stateDir);
    }
    expect(left).toEqual([]);
  }, 60_000);
});
