// False denials (issue 9): commands real agents run, labelled by what a repair agent legitimately needs — a sample of
// public agent trajectories (/work/shared/corpora/real-agent-commands.jsonl: mini-swe-agent on SWE-bench, workspace
// /testbed) and our own in the styles of other agents (virtualenvs, export PATH, loopback requests, here-document
// scripts, bash -c, watch flags). Under the sandboxed configuration at most 1% of the legitimate ones may be denied,
// and every one labelled illegitimate must be.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluate, type PolicyConfig } from '../../src/policy/index.js';

interface Labelled {
  cmd: string;
  legit: boolean;
  source: string;
  why?: string;
}

const ROWS = readFileSync(new URL('./false-deny.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as Labelled);

const sandboxed: PolicyConfig = {
  allow: [],
  deny: [],
  protectedPaths: [],
  disabledRules: [],
  workspace: '/testbed',
  home: '/root',
  sandboxed: true,
};

const MAX_FALSE_DENY_RATE = 0.01;

describe('false denials under the sandboxed configuration', () => {
  it('holds real trajectories and our own commands, legitimate and not', () => {
    expect(ROWS.filter((r) => r.source === 'real-agent-commands.jsonl').length).toBeGreaterThanOrEqual(1500);
    expect(ROWS.filter((r) => r.source === 'ours' && r.legit).length).toBeGreaterThanOrEqual(100);
    expect(ROWS.filter((r) => !r.legit).length).toBeGreaterThanOrEqual(10);
  });

  it(`denies at most ${MAX_FALSE_DENY_RATE * 100}% of the legitimate commands`, () => {
    const legit = ROWS.filter((r) => r.legit);
    const denied = legit
      .map((r) => ({ cmd: r.cmd, decision: evaluate(r.cmd, sandboxed) }))
      .filter((r) => !r.decision.allowed);
    const rate = denied.length / legit.length;
    const list = denied.map(
      (d) => `  ${JSON.stringify(d.cmd.slice(0, 200))} — ${d.decision.rule}: ${d.decision.reason}`,
    );
    expect(
      rate,
      `${denied.length} of ${legit.length} legitimate commands denied (${(rate * 100).toFixed(2)}%):\n${list.join('\n')}`,
    ).toBeLessThanOrEqual(MAX_FALSE_DENY_RATE);
  });

  it('denies every command labelled illegitimate', () => {
    const allowed = ROWS.filter((r) => !r.legit && evaluate(r.cmd, sandboxed).allowed);
    expect(allowed.map((r) => `${r.cmd} (${r.why})`)).toEqual([]);
  });
});
