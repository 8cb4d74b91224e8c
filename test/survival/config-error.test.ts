// ConfigError's neutral keys: code below the entries names a setting by a CONFIG_KEYS key; each entry renames it once.
import { describe, expect, it } from 'vitest';
import { validateRepairConfig } from '../../src/agent/index.js';
import { CONFIG_KEYS, ConfigError, type RepairConfig } from '../../src/config.js';
import { makeRepo, makeTempDir, removeTempDirs } from '../helpers/repo.js';

const base = (workdir: string): RepairConfig => ({
  check: 'npm test',
  workdir,
  model: 'claude-sonnet-5-5',
  apiKey: 'sk-ant-x',
  maxTurns: 3,
  timeBudgetMs: 60_000,
  maxCostUsd: 1,
  commandTimeoutMs: 10_000,
  policy: { allow: [], deny: [], protectedPaths: [], disabledRules: [] },
  sessionName: 'x',
  transcriptPath: '/tmp/x.jsonl',
  relaxedTamperRules: [],
  secrets: [],
  keepSession: false,
});

async function keyOf(config: RepairConfig): Promise<string> {
  const error = await validateRepairConfig(config, process.env).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).input;
}

describe('ConfigError', () => {
  it('is renamed once by an entry, keeping what is wrong; unknown keys keep their name', () => {
    const error = new ConfigError('maxCost', '"-1" is not an amount');
    expect(error.message).toBe('maxCost: "-1" is not an amount');
    expect(error.named({ maxCost: 'max-cost' }).message).toBe('max-cost: "-1" is not an amount');
    expect(error.named({ maxCost: '--max-cost' }).input).toBe('--max-cost');
    expect(error.named({ other: 'x' })).toBe(error);
  });

  it('validation below the entries throws neutral keys only', async () => {
    const { dir } = makeRepo({ 'a.txt': 'a\n' });
    const keys = [
      await keyOf({ ...base(dir), check: ' ' }),
      await keyOf({ ...base(dir), apiKey: undefined }),
      await keyOf({ ...base(makeTempDir()) }),
      await keyOf({ ...base('/no/such/dir') }),
      await keyOf({ ...base(dir), maxTurns: 0 }),
      await keyOf({ ...base(dir), timeBudgetMs: 0 }),
      await keyOf({ ...base(dir), maxCostUsd: -1 }),
      await keyOf({ ...base(dir), commandTimeoutMs: 0 }),
    ];
    for (const key of keys) expect(CONFIG_KEYS).toContain(key);
    expect(keys).toEqual([
      'check',
      'apiKey',
      'workdir',
      'workdir',
      'maxTurns',
      'timeBudget',
      'maxCost',
      'commandTimeout',
    ]);
    removeTempDirs();
  });
});
