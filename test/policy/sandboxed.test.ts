// PolicyConfig.sandboxed: with the OS sandbox under the shell the policy allows what only mattered without a boundary,
// and keeps denying what is pointless or destructive either way (issue 9).
import { describe, expect, it } from 'vitest';
import { evaluate, type PolicyConfig } from '../../src/policy/index.js';

const base: PolicyConfig = {
  allow: [],
  deny: [],
  protectedPaths: [],
  disabledRules: [],
  workspace: '/work/repo',
  home: '/home/runner',
};
const sandboxed = { ...base, sandboxed: true };

/** Allowed whether or not a sandbox stands under the shell. */
const BOTH = [
  'source venv/bin/activate && pytest -x',
  '. .venv/bin/activate',
  'npx jest --watchAll=false',
  'vitest --watch=false',
  'ng test --watch false',
  '$HOME/.local/bin/poetry run pytest',
  '${HOME}/go/bin/golangci-lint run',
  'git clean -fd build/',
  'git checkout-index -f -- src/a.py',
  'git show HEAD:./src/a.py > src/a.py',
  'rm -rf /work/repo/build /work/repo/dist',
];

/** Allowed only in the sandbox. */
const SANDBOX_ONLY = [
  'export PATH="$PWD/node_modules/.bin:$PATH"',
  'PATH=/work/repo/.venv/bin:$PATH pytest',
  'set -euo pipefail; npm test',
  'set -e && make test',
  'curl -s localhost:8000/health',
  'curl -sf http://127.0.0.1:3000/api -H "Accept: application/json" -o out.json',
  'curl "http://[::1]:8080/"',
  'wget -qO- http://localhost:8080/',
  "cat > fix.sh <<'EOF'\n#!/bin/bash\ncurl -s https://example.com\nEOF",
  'printenv NODE_ENV',
  "bash -c 'npm ci && npm test'",
  "sh -c 'set -e; cd pkg; exit 0'",
];

/**
 * Allowed only without the sandbox: git must lock .git/index to restore a file, and .git is read-only inside it. The
 * sandboxed denial names what works there (test/sandbox/git-restore.test.ts runs both for real).
 */
const OUTSIDE_ONLY: [string, RegExp][] = [
  ['git checkout -- src/a.py', /git checkout-index -f -- src\/a\.py \(the same content, from the index\)$/],
  ['git checkout HEAD~1 -- src/a.py', /git show HEAD~1:\.\/src\/a\.py > src\/a\.py$/],
  ['git restore src/a.py tests/test_a.py', /git checkout-index -f -- src\/a\.py tests\/test_a\.py/],
  ['git restore --source=main src/a.py', /git show main:\.\/src\/a\.py > src\/a\.py$/],
  ['git restore --staged .', /leave the index as it is/],
  ['git checkout ./src/a.py', /git checkout-index -f -- \.\/src\/a\.py/],
];

/** Denied with or without the sandbox, and the rule that does it. */
const NEVER: [string, string][] = [
  ['git commit -am fix', 'default:git-history'],
  ['git push origin HEAD', 'default:publishing'],
  ['npm publish', 'default:publishing'],
  ['git clean -fdx', 'default:destructive-rm'],
  ['git checkout .', 'default:destructive-rm'],
  ['git checkout -- .', 'default:destructive-rm'],
  ['git restore .', 'default:destructive-rm'],
  ['git restore :/', 'default:destructive-rm'],
  ['git checkout main', 'default:git-history'],
  ['git reset --hard', 'default:destructive-rm'],
  ['git checkout-index -a -f', 'default:destructive-rm'],
  ['git checkout-index --prefix=.github/ -a', 'default:protected-paths'],
  ['vim src/a.ts', 'default:interactive'],
  ['jest --watch', 'default:interactive'],
  ['tmux kill-server', 'default:session'],
  ['set -n', 'default:session'],
  ['source ./evil.sh', 'default:hidden-evaluation'],
  ['export LD_PRELOAD=/tmp/x.so', 'default:shell-state'],
  ['printenv', 'default:secrets'],
  ['curl https://evil.example', 'default:network-egress'],
  ['curl localhost:8000 https://evil.example', 'default:network-egress'],
  ['curl -x http://evil.example:80 http://localhost/', 'default:network-egress'],
  ['curl -K cfg http://localhost/', 'default:network-egress'],
  ['curl http://localhost.evil.example/', 'default:network-egress'],
  ['curl http://localhost@evil.example/', 'default:network-egress'],
  ['curl -o .git/config http://localhost/', 'default:secrets'],
  ['wget -i urls.txt', 'default:network-egress'],
  ['bash -c "$CODE"', 'default:hidden-evaluation'],
  ['$HOME/bin/curl https://evil.example', 'default:network-egress'],
  ['rm -rf /work/repo', 'default:destructive-rm'],
];

describe('sandboxed: false (the stand-alone policy)', () => {
  it.each(BOTH)('allows %j', (c) => expect(evaluate(c, base)).toMatchObject({ allowed: true }));
  it.each(OUTSIDE_ONLY)('allows %j', (c) => expect(evaluate(c, base)).toMatchObject({ allowed: true }));
  it('denies git checkout of a file without --, which may name a branch', () =>
    expect(evaluate('git checkout src/a.py', base)).toMatchObject({ allowed: false, rule: 'default:git-history' }));
  it.each(SANDBOX_ONLY)('denies %j', (c) => expect(evaluate(c, base)).toMatchObject({ allowed: false }));
  it.each(NEVER)('denies %j (%s)', (c, rule) => expect(evaluate(c, base)).toMatchObject({ allowed: false, rule }));
});

describe('sandboxed: true', () => {
  it.each([...BOTH, ...SANDBOX_ONLY])('allows %j', (c) =>
    expect(evaluate(c, sandboxed)).toMatchObject({ allowed: true }),
  );
  it.each(NEVER)('denies %j (%s)', (c, rule) => expect(evaluate(c, sandboxed)).toMatchObject({ allowed: false, rule }));
  it.each(OUTSIDE_ONLY)('denies %j, which would fail on the read-only .git, naming what works', (c, instead) => {
    const d = evaluate(c, sandboxed);
    expect(d).toMatchObject({ allowed: false, rule: 'default:protected-paths' });
    expect(d.reason).toContain('.git is read-only inside the sandbox');
    expect(d.reason).toMatch(instead);
  });
  it('names the restore that works in the other reasons that suggest one', () => {
    expect(evaluate('git commit -am fix', sandboxed).reason).toContain('git checkout-index -f -- FILE');
    expect(evaluate('git checkout .', sandboxed).reason).toContain('git checkout-index -f -- FILE');
    expect(evaluate('git checkout .', base).reason).toContain('git checkout -- FILE');
  });

  it('still checks the code of bash -c, and lists its commands', () => {
    expect(evaluate("bash -c 'curl https://evil.example'", sandboxed)).toMatchObject({
      allowed: false,
      rule: 'default:network-egress',
    });
    expect(evaluate("bash -c 'curl https://evil.example'", base)).toMatchObject({ allowed: false });
    const d = evaluate("bash -c 'cd pkg && npm test'", sandboxed);
    expect(d.commands).toEqual([
      ['bash', '-c', 'cd pkg && npm test'],
      ['cd', 'pkg'],
      ['npm', 'test'],
    ]);
  });
});
