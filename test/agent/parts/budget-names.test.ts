// The reason a run ran out of budget names the setting as the user knows it: the Action's input, the CLI's flag.
import { describe, expect, it } from 'vitest';
import { readInputs } from '../../../src/action/inputs.js';
import { Budget } from '../../../src/agent/budget.js';
import { CLI_BUDGET_NAMES } from '../../../src/config.js';

const limits = { maxTurns: 2, timeBudgetMs: 90_000, maxCostUsd: 0.5 };

describe('budget reasons', () => {
  it("the Action's configuration names its inputs, with no CLI flag in any reason", () => {
    const { config } = readInputs((name) => (name === 'check' ? 'npm test' : ''), {
      workspace: '/work/space',
      runnerTemp: '/runner/temp',
    });
    const budget = new Budget({ ...limits, budgetNames: config.budgetNames }, 'claude-sonnet-4-5');
    try {
      const reasons = (['turns', 'time', 'cost'] as const).map((k) => budget.describe(k));
      expect(reasons[0]).toContain('(max-turns)');
      expect(reasons[1]).toBe('time budget: the 1m 30s wall-clock budget (time-budget) ran out');
      expect(reasons[2]).toContain('of max-cost $0.50');
      for (const reason of reasons) expect(reason).not.toContain('--');
      // A call that could not be afforded names the input too.
      expect(budget.refuseCall(10_000_000, 64_000)?.message).toMatch(/of max-cost \$0\.50 is left/);
    } finally {
      budget.dispose();
    }
  });

  it("the CLI's names are its flags (and the default)", () => {
    for (const budgetNames of [CLI_BUDGET_NAMES, undefined]) {
      const budget = new Budget({ ...limits, budgetNames }, 'claude-sonnet-4-5');
      expect(budget.describe('turns')).toContain('(--max-turns)');
      expect(budget.describe('time')).toContain('(--time-budget)');
      expect(budget.describe('cost')).toContain('of --max-cost $0.50');
      budget.dispose();
    }
  });
});
