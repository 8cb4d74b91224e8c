// Hard budgets of one repair run: model calls, wall-clock time, dollars. The deadline aborts a shared signal,
// which cancels the request in flight and interrupts the running command.
import { CLI_BUDGET_NAMES, type BudgetSettingNames } from '../config.js';
import { formatDuration } from '../format.js';
import { costOfUsage, worstCaseCallCost } from './pricing.js';

export type BudgetKind = 'turns' | 'time' | 'cost';

export interface UsageTotals {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
}

export interface ModelUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

export interface BudgetLimits {
  maxTurns: number;
  timeBudgetMs: number;
  maxCostUsd: number;
  /** How the reasons name the settings (the entry's own names); default: the CLI's flags. */
  budgetNames?: BudgetSettingNames;
}

export class Budget {
  readonly limits: BudgetLimits;
  readonly model: string;
  readonly startedAt: number;
  readonly deadline: number;
  readonly totals: UsageTotals = {
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    costUsd: 0,
  };
  turns = 0;
  /** Set when a budget ran out; the first one wins. */
  exhausted: BudgetKind | null = null;
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;

  constructor(limits: BudgetLimits, model: string, parent?: AbortSignal, now = Date.now()) {
    this.limits = limits;
    this.model = model;
    this.startedAt = now;
    this.deadline = now + limits.timeBudgetMs;
    this.timer = setTimeout(() => this.expire('time'), limits.timeBudgetMs);
    this.timer.unref();
    if (parent) {
      if (parent.aborted) this.controller.abort(parent.reason);
      else parent.addEventListener('abort', () => this.controller.abort(parent.reason), { once: true });
    }
  }

  /** Aborted when the wall-clock budget runs out (or the caller aborts): pass it to every request and command. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get remainingMs(): number {
    return Math.max(0, this.deadline - Date.now());
  }

  get remainingUsd(): number {
    return this.limits.maxCostUsd - this.totals.costUsd;
  }

  expire(kind: BudgetKind): void {
    this.exhausted ??= kind;
    if (kind === 'time' && !this.controller.signal.aborted) this.controller.abort(new Error('time budget exhausted'));
  }

  /** Why the next model call may not start (null when it may): turns left, time left, worst-case cost affordable. */
  refuseCall(inputTokensEstimate: number, maxOutputTokens: number): { kind: BudgetKind; message: string } | null {
    if (this.signal.aborted)
      return { kind: this.exhausted ?? 'time', message: this.describe(this.exhausted ?? 'time') };
    if (this.turns >= this.limits.maxTurns) return { kind: 'turns', message: this.describe('turns') };
    const worst = worstCaseCallCost(this.model, inputTokensEstimate, maxOutputTokens);
    if (worst > this.remainingUsd) {
      return {
        kind: 'cost',
        message: `cost budget: the next model call could cost up to $${worst.toFixed(2)} and only $${Math.max(0, this.remainingUsd).toFixed(2)} of ${this.names.cost} $${this.limits.maxCostUsd.toFixed(2)} is left`,
      };
    }
    return null;
  }

  /** Count one model call and its usage; returns the call's cost. */
  recordCall(usage: ModelUsage): number {
    this.turns++;
    const cost = costOfUsage(usage, this.model);
    this.totals.inputTokens += usage.input_tokens;
    this.totals.outputTokens += usage.output_tokens;
    this.totals.cacheReadTokens += usage.cache_read_input_tokens ?? 0;
    this.totals.cacheWriteTokens += usage.cache_creation_input_tokens ?? 0;
    this.totals.costUsd += cost;
    if (this.totals.costUsd >= this.limits.maxCostUsd) this.exhausted ??= 'cost';
    return cost;
  }

  describe(kind: BudgetKind): string {
    switch (kind) {
      case 'turns':
        return `turn budget: all ${this.limits.maxTurns} model calls (${this.names.turns}) were used`;
      case 'time':
        return `time budget: the ${formatDuration(this.limits.timeBudgetMs)} wall-clock budget (${this.names.time}) ran out`;
      case 'cost':
        return `cost budget: $${this.totals.costUsd.toFixed(2)} of ${this.names.cost} $${this.limits.maxCostUsd.toFixed(2)} spent`;
    }
  }

  private get names(): BudgetSettingNames {
    return this.limits.budgetNames ?? CLI_BUDGET_NAMES;
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}
