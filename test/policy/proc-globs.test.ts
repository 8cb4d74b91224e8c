// Other processes' environments through a /proc path the policy cannot spell out: a glob or a variable in its last
// part may resolve to environ (the ci-medic process holds the API key there). Redaction stays the boundary; this is
// the guardrail saying so before anything runs.
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

describe('/proc paths with a glob or a variable in the last part', () => {
  it.each([
    'head -c 99999 /proc/1/envir?n',
    "grep -a -o 'KEY=[a-z]*' /proc/[0-9]*/envir?n",
    'cat /proc/*/*',
    'cat /proc/self/e*',
    'f=environ; cat /proc/1/$f',
    'cd /proc/1 && cat envir*',
  ])('denies %s', (command) => {
    const d = evaluate(command, config);
    expect(d.allowed, d.reason).toBe(false);
    expect(d.rule).toBe('default:secrets');
  });

  it.each(['cat /proc/cpuinfo', 'cat /proc/$PPID/status', 'ls /proc/self/fd', 'cat /proc/*/cmdline | wc -c'])(
    'allows %s',
    (command) => {
      const d = evaluate(command, config);
      expect(d.allowed, d.reason).toBe(true);
    },
  );
});
