import { describe, expect, it } from 'vitest';
import {
  contextWindowFor,
  costOfUsage,
  isKnownModel,
  normalizeModelId,
  priceFor,
  worstCaseCallCost,
} from '../../../src/agent/pricing.js';
import { DEFAULT_MODEL } from '../../../src/config.js';

describe('priceFor', () => {
  it('knows the default model and the current families', () => {
    expect(priceFor(DEFAULT_MODEL)).toEqual({ input: 2, output: 10, cacheWrite: 2.5, cacheRead: 0.1, known: true });
    expect(priceFor('claude-opus-5-5')).toMatchObject({
      input: 4,
      output: 20,
      cacheWrite: 5,
      cacheRead: 0.2,
      known: true,
    });
    expect(priceFor('claude-opus-4-5-20251101')).toMatchObject({ input: 5, output: 25, known: true });
    expect(priceFor('claude-opus-4-1-20250805')).toMatchObject({
      input: 15,
      output: 75,
      cacheWrite: 18.75,
      known: true,
    });
    expect(priceFor('claude-sonnet-4-5-20250929')).toMatchObject({ input: 3, output: 15, cacheRead: 0.3, known: true });
    expect(priceFor('claude-haiku-4-5')).toMatchObject({ input: 1, output: 5, cacheWrite: 1.25, known: true });
    expect(priceFor('claude-3-5-haiku-latest')).toMatchObject({ input: 0.8, output: 4, cacheRead: 0.08, known: true });
  });

  it('reads the ids of Bedrock, Vertex, dated snapshots and the -0 aliases', () => {
    expect(normalizeModelId('us.anthropic.claude-sonnet-4-5-20250929-v1:0')).toBe('claude-sonnet-4-5');
    expect(normalizeModelId('claude-opus-4-1@20250805')).toBe('claude-opus-4-1');
    expect(normalizeModelId('claude-opus-4-0')).toBe('claude-opus-4');
    expect(normalizeModelId('claude-opus-4-20250514')).toBe('claude-opus-4');
    expect(normalizeModelId('Claude-Sonnet-5-5[1m]')).toBe('claude-sonnet-5-5');
    expect(isKnownModel('claude-opus-4-20250514')).toBe(true);
  });

  it('prices an unknown model at the most expensive known rates, flagged', () => {
    const p = priceFor('claude-opus-9-9');
    expect(p.known).toBe(false);
    expect(p.input).toBeGreaterThanOrEqual(15);
    expect(p.output).toBeGreaterThanOrEqual(75);
    expect(p.cacheWrite).toBeGreaterThanOrEqual(18.75);
    expect(p.cacheRead).toBeGreaterThanOrEqual(1.5);
    // A near miss is not a match: claude-opus-4-9 must not be priced as claude-opus-4.
    expect(priceFor('claude-opus-4-9').known).toBe(false);
  });
});

describe('costOfUsage', () => {
  it('adds input, output, cache writes and cache reads at their own rates', () => {
    const usage = {
      input_tokens: 1_000_000,
      output_tokens: 1_000_000,
      cache_creation_input_tokens: 1_000_000,
      cache_read_input_tokens: 10_000_000,
    };
    expect(costOfUsage(usage, 'claude-opus-4-5')).toBeCloseTo(5 + 25 + 6.25 + 5, 10);
    expect(
      costOfUsage({ input_tokens: 1200, output_tokens: 300, cache_read_input_tokens: null }, 'claude-sonnet-5-5'),
    ).toBeCloseTo((1200 * 2 + 300 * 10) / 1e6, 12);
  });

  it('bills a long Haiku 5.5 prompt at the long-prompt rates on every token', () => {
    const short = costOfUsage({ input_tokens: 50_000, output_tokens: 1000 }, 'claude-haiku-5-5');
    const long = costOfUsage(
      { input_tokens: 50_000, output_tokens: 1000, cache_read_input_tokens: 60_000 },
      'claude-haiku-5-5',
    );
    expect(short).toBeCloseTo((50_000 * 0.1 + 1000 * 0.5) / 1e6, 12);
    expect(long).toBeCloseTo((50_000 * 0.5 + 1000 * 2.5 + 60_000 * 0.05) / 1e6, 12);
  });
});

describe('contextWindowFor and worstCaseCallCost', () => {
  it('knows context windows, and assumes the smallest for an unknown model', () => {
    expect(contextWindowFor('claude-sonnet-5-5')).toBe(1_000_000);
    expect(contextWindowFor('claude-haiku-4-5-20251001')).toBe(200_000);
    expect(contextWindowFor('some-gateway-model')).toBe(200_000);
  });

  it('assumes every input token is a cache write and every output token is produced', () => {
    expect(worstCaseCallCost('claude-sonnet-5-5', 100_000, 8_000)).toBeCloseTo((100_000 * 2.5 + 8_000 * 10) / 1e6, 12);
    expect(worstCaseCallCost('unknown', 1_000_000, 0)).toBeGreaterThanOrEqual(18.75);
    const actual = costOfUsage(
      { input_tokens: 40_000, output_tokens: 2_000, cache_read_input_tokens: 60_000 },
      DEFAULT_MODEL,
    );
    expect(worstCaseCallCost(DEFAULT_MODEL, 100_000, 2_000)).toBeGreaterThan(actual);
  });
});
