// Shared set-up for the repair-loop scenarios: a small broken project in a real git repository, a RepairConfig
// pointing at the scripted Messages API stand-in, and cleanup of every tmux server a scenario started.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RepairConfig } from '../../src/config.js';
import { stateDirFor } from '../../src/terminal/tmux.js';
import { startFakeAnthropic, toolUse, type FakeAnthropic, type FakeStep } from '../fakes/anthropic.js';
import { cleanUpAfterEach, sessionName } from './cleanup.js';
import { makeRepo, makeTempDir } from './repo.js';

export const API_KEY = 'sk-ant-api03-test-key-for-the-fake-0123456789';

/** A project whose `node --test` fails: total() skips the last item. */
export const BROKEN_FILES: Record<string, string> = {
  'package.json':
    JSON.stringify({ name: 'broken', version: '1.0.0', type: 'module', scripts: { test: 'node --test' } }, null, 2) +
    '\n',
  'math.js':
    'export function total(items) {\n  let sum = 0;\n  for (let i = 0; i < items.length - 1; i++) sum += items[i];\n  return sum;\n}\n',
  'test/math.test.js':
    "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { total } from '../math.js';\n\ntest('total adds every item', () => {\n  assert.equal(total([1, 2, 3]), 6);\n});\n",
};

export const FIXED_MATH =
  'export function total(items) {\n  let sum = 0;\n  for (let i = 0; i < items.length; i++) sum += items[i];\n  return sum;\n}\n';

export const CHECK = 'node --test';

export { killSessions, sessionName } from './cleanup.js';

export function brokenRepo(files: Record<string, string> = BROKEN_FILES, message = 'Sum items in total()'): string {
  return makeRepo(files, message).dir;
}

export function configFor(workdir: string, fake: FakeAnthropic, overrides: Partial<RepairConfig> = {}): RepairConfig {
  return {
    check: CHECK,
    workdir,
    model: 'claude-sonnet-5-5',
    baseUrl: fake.url,
    apiKey: API_KEY,
    maxTurns: 10,
    timeBudgetMs: 60_000,
    maxCostUsd: 3,
    commandTimeoutMs: 20_000,
    policy: { allow: [], deny: [], protectedPaths: [], disabledRules: [] },
    sessionName: sessionName(),
    transcriptPath: join(makeTempDir('ci-medic-transcript-'), 'transcript.jsonl'),
    relaxedTamperRules: [],
    secrets: [API_KEY],
    keepSession: false,
    ...overrides,
  };
}

/** Every file the session wrote: command logs, scripts, state (the terminal keeps them in its state directory). */
export function sessionLogs(name: string): string {
  const dir = stateDirFor(name);
  if (!existsSync(dir)) return '';
  const texts: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d)) {
      const p = join(d, entry);
      const kind = statSync(p);
      // Regular files only: the state directory also holds the terminal's FIFO, and reading one blocks forever.
      if (kind.isDirectory()) walk(p);
      else if (kind.isFile()) texts.push(readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return texts.join('\n');
}

/** The text of the last user message of a recorded request. */
export function lastUserText(fake: FakeAnthropic, index: number): string {
  const messages = fake.requests[index].body.messages as { role: string; content: unknown }[];
  return JSON.stringify(messages[messages.length - 1].content);
}

/** The model's fix of BROKEN_FILES through the SDK's edit tool. */
export const FIX_EDIT = toolUse('edit', {
  file_path: 'math.js',
  old_string: 'i < items.length - 1',
  new_string: 'i < items.length',
});

/**
 * For a test file: registers the cleanup (the stand-in, sessions, temp dirs) after each test and returns the function
 * that starts a scripted stand-in of the Messages API for one test.
 */
export function useScriptedModel(
  options?: Parameters<typeof startFakeAnthropic>[1],
): (...steps: FakeStep[]) => Promise<FakeAnthropic> {
  const closeLater = cleanUpAfterEach();
  return async (...steps) => closeLater(await startFakeAnthropic(steps, options));
}
