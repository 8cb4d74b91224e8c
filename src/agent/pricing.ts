// Prices of Claude models, in US dollars per million tokens, for the cost budget.
// Source: Anthropic's pricing page and model pages (platform.claude.com/docs/en/about-claude/pricing), checked
// 2026-11. Cache writes are priced at the 5-minute TTL rate (the loop uses the default TTL). Cache reads ("cache hits
// and refreshes") have their own rate per model; Sonnet 5.5's was cut from $0.20 to $0.10 on 2026-10-07.
// An unknown model is priced at the most expensive known rate of each kind, and flagged, so the budget errs safe.

export interface ModelPrice {
  input: number;
  output: number;
  /** 5-minute cache write. */
  cacheWrite: number;
  cacheRead: number;
  /** False when the model is not in the table and the conservative fallback was used. */
  known: boolean;
}

interface Rates {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
}

interface Entry {
  rates: Rates;
  /** A prompt (input + cache reads + cache writes) above `threshold` tokens is billed at `rates` on every token. */
  longPrompt?: { threshold: number; rates: Rates };
  contextWindow: number;
}

const r = (input: number, output: number, cacheWrite: number, cacheRead: number): Rates => ({
  input,
  output,
  cacheWrite,
  cacheRead,
});

const M = 1_000_000;
const K200 = 200_000;

/** Keyed by normalized model id (see `normalizeModelId`). */
const TABLE: Record<string, Entry> = {
  'claude-fable-5-1': { rates: r(10, 50, 12.5, 0.25), contextWindow: M },
  'claude-mythos-5-1': { rates: r(10, 50, 12.5, 0.25), contextWindow: M },
  'claude-fable-5': { rates: r(10, 50, 12.5, 1), contextWindow: M },
  'claude-mythos-5': { rates: r(10, 50, 12.5, 1), contextWindow: M },
  'claude-opus-5-5': { rates: r(4, 20, 5, 0.2), contextWindow: M },
  'claude-opus-5': { rates: r(5, 25, 6.25, 0.5), contextWindow: M },
  'claude-opus-4-8': { rates: r(5, 25, 6.25, 0.5), contextWindow: M },
  'claude-opus-4-7': { rates: r(5, 25, 6.25, 0.5), contextWindow: M },
  'claude-opus-4-6': { rates: r(5, 25, 6.25, 0.5), contextWindow: M },
  'claude-opus-4-5': { rates: r(5, 25, 6.25, 0.5), contextWindow: K200 },
  'claude-opus-4-1': { rates: r(15, 75, 18.75, 1.5), contextWindow: K200 },
  'claude-opus-4': { rates: r(15, 75, 18.75, 1.5), contextWindow: K200 },
  'claude-3-opus': { rates: r(15, 75, 18.75, 1.5), contextWindow: K200 },
  'claude-sonnet-5-5': { rates: r(2, 10, 2.5, 0.1), contextWindow: M },
  'claude-sonnet-5': { rates: r(2, 10, 2.5, 0.2), contextWindow: M },
  'claude-sonnet-4-6': { rates: r(3, 15, 3.75, 0.3), contextWindow: M },
  'claude-sonnet-4-5': { rates: r(3, 15, 3.75, 0.3), contextWindow: K200 },
  'claude-sonnet-4': { rates: r(3, 15, 3.75, 0.3), contextWindow: K200 },
  'claude-3-7-sonnet': { rates: r(3, 15, 3.75, 0.3), contextWindow: K200 },
  'claude-3-5-sonnet': { rates: r(3, 15, 3.75, 0.3), contextWindow: K200 },
  'claude-haiku-5-5': {
    rates: r(0.1, 0.5, 0.125, 0.01),
    longPrompt: { threshold: 100_000, rates: r(0.5, 2.5, 0.625, 0.05) },
    contextWindow: M,
  },
  'claude-haiku-4-5': { rates: r(1, 5, 1.25, 0.1), contextWindow: K200 },
  'claude-3-5-haiku': { rates: r(0.8, 4, 1, 0.08), contextWindow: K200 },
  'claude-3-haiku': { rates: r(0.25, 1.25, 0.3, 0.03), contextWindow: K200 },
};

const ENTRIES = Object.values(TABLE);
const ALL_RATES = ENTRIES.flatMap((e) => (e.longPrompt ? [e.rates, e.longPrompt.rates] : [e.rates]));
/** The conservative price of an unknown model: the most expensive known rate of each kind. */
const FALLBACK: Rates = {
  input: Math.max(...ALL_RATES.map((x) => x.input)),
  output: Math.max(...ALL_RATES.map((x) => x.output)),
  cacheWrite: Math.max(...ALL_RATES.map((x) => x.cacheWrite)),
  cacheRead: Math.max(...ALL_RATES.map((x) => x.cacheRead)),
};
/** The context window assumed for an unknown model: the smallest known, so context clearing starts early enough. */
const FALLBACK_CONTEXT = Math.min(...ENTRIES.map((e) => e.contextWindow));

/**
 * The table key for a model id as the API, Bedrock or Vertex spell it: `claude-sonnet-4-5-20250929`,
 * `anthropic.claude-sonnet-4-5-20250929-v1:0`, `us.anthropic.claude-opus-4-1@20250805`, `claude-opus-4-0`,
 * `claude-3-5-haiku-latest`, `claude-sonnet-4-5[1m]`.
 */
export function normalizeModelId(model: string): string {
  let id = model.trim().toLowerCase();
  // A Bedrock inference-profile ARN ends in the profile's id: arn:aws:bedrock:<region>:<account>:inference-profile/<id>.
  id = id.replace(/^arn:aws[a-z-]*:bedrock:[^/]*\//, '');
  // Bedrock's cross-region prefixes: us., eu., apac., jp., au., us-gov., global.
  id = id.replace(/^(?:[a-z]{2,6}(?:-[a-z]{2,4})?\.)?anthropic\./, '');
  id = id.replace(/\[[^\]]*\]$/, '');
  id = id.replace(/-v\d+(?::\d+)?$/, '');
  id = id.replace(/[-@]\d{8}$/, '');
  id = id.replace(/-latest$/, '');
  id = id.replace(/^(claude-(?:opus|sonnet|haiku)-\d+)-0$/, '$1');
  return id;
}

function entryFor(model: string): Entry | undefined {
  return TABLE[normalizeModelId(model)];
}

export function isKnownModel(model: string): boolean {
  return entryFor(model) !== undefined;
}

/** USD per million tokens for `model`; an unknown model gets the most expensive known rates and `known: false`. */
export function priceFor(model: string): ModelPrice {
  const entry = entryFor(model);
  return { ...(entry?.rates ?? FALLBACK), known: entry !== undefined };
}

export interface UsageLike {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

function ratesForPrompt(model: string, promptTokens: number): Rates {
  const entry = entryFor(model);
  if (!entry) return FALLBACK;
  if (entry.longPrompt && promptTokens > entry.longPrompt.threshold) return entry.longPrompt.rates;
  return entry.rates;
}

/** The cost in USD of one response's `usage`, cache writes and reads included. */
export function costOfUsage(usage: UsageLike, model: string): number {
  const input = usage.input_tokens || 0;
  const output = usage.output_tokens || 0;
  const write = usage.cache_creation_input_tokens || 0;
  const read = usage.cache_read_input_tokens || 0;
  const rates = ratesForPrompt(model, input + write + read);
  return (input * rates.input + output * rates.output + write * rates.cacheWrite + read * rates.cacheRead) / M;
}

/** Tokens the model can take in one request (prompt plus output). */
export function contextWindowFor(model: string): number {
  return entryFor(model)?.contextWindow ?? FALLBACK_CONTEXT;
}

/**
 * The most a call can cost: every input token written to the cache (the dearest way to send input) and every allowed
 * output token produced. The loop does not start a call whose worst case exceeds what is left of the budget.
 */
export function worstCaseCallCost(model: string, inputTokensEstimate: number, maxOutputTokens: number): number {
  const rates = ratesForPrompt(model, inputTokensEstimate);
  const inputRate = Math.max(rates.input, rates.cacheWrite, rates.cacheRead);
  return (Math.max(0, inputTokensEstimate) * inputRate + Math.max(0, maxOutputTokens) * rates.output) / M;
}
