// The policy resolves relative paths where the agent's shell is now: a `cd` in an earlier command of the persistent
// shell moved it, and the entries pass that directory as `cwd`. Also: git worktree changes and a process's environ by
// a run-time path are denied.
import { describe, expect, it } from 'vitest';
import { evaluate, type PolicyConfig } from '../../src/policy/index.js';

const config: PolicyConfig = {
  allow: [],
  deny: [],
  protectedPaths: [],
  disabledRules: [],
  workspace: '/work/repo',
  home: '/home/runner',
};

describe('the shell directory from an earlier command', () => {
  const write = 'echo "run: x" > ../../.github/workflows/rel.yml';

  it('a relative write that climbs back into .github is denied when the shell is two levels down', () => {
    expect(evaluate(write, { ...config, cwd: '/work/repo/deep/er' }).rule).toBe('default:protected-paths');
  });

  it('the same write from the workspace root lands outside the workspace, away from its .github', () => {
    expect(evaluate(write, config).allowed).toBe(true);
  });

  it('a relative cwd is taken relative to the workspace', () => {
    expect(evaluate('echo x >> ../.github/workflows/ci.yml', { ...config, cwd: 'src' }).rule).toBe(
      'default:protected-paths',
    );
  });
});

describe('worktrees and run-time /proc paths', () => {
  it.each(['git worktree add ../wt', 'git worktree remove ../wt', 'git worktree prune', 'git worktree move a b'])(
    '%s is denied',
    (command) => {
      expect(evaluate(command, config).rule).toBe('default:git-history');
    },
  );

  it('git worktree list is allowed', () => {
    expect(evaluate('git worktree list', config).allowed).toBe(true);
  });

  it.each(['for p in /proc/[0-9]*; do strings "$p/environ"; done', 'cat "$d"/environ', 'xxd ${P}/mem'])(
    '%s may read another process: denied',
    (command) => {
      expect(evaluate(command, config).rule).toBe('default:secrets');
    },
  );

  it('a file of the project named environ is not a process', () => {
    expect(evaluate('cat src/environ.ts docs/environ', config).allowed).toBe(true);
  });
});
