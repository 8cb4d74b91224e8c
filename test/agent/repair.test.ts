// Scenario tests of the repair loop: real loop, real tmux, real policy, real git, the real SDK over HTTP against
// the scripted Messages API stand-in (which validates every request and records it).
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { repair } from '../../src/agent/loop.js';
import { bash, fail, say, stall, text, toolUse, type FakeStep } from '../fakes/anthropic.js';
import { socketPathFor } from '../../src/terminal/tmux.js';
import {
  BROKEN_FILES,
  brokenRepo,
  CHECK,
  configFor,
  FIX_EDIT,
  FIXED_MATH,
  lastUserText,
  useScriptedModel,
} from '../helpers/scenario.js';
import { TEST_SKIP } from '../fixtures/markers.js';

const model = useScriptedModel();
const strictModel = useScriptedModel({ expectedKey: 'sk-ant-the-right-key-0000', knownModels: ['claude-sonnet-5-5'] });

describe('repair loop', () => {
  test('fixes a broken project in two working turns, verified by its own re-run of the check', async () => {
    const dir = brokenRepo();
    const api = await model(
      say(text('Let me look at math.js.'), toolUse('read', { file_path: 'math.js' })),
      say(text('The loop stops one item early.'), FIX_EDIT),
      say(text('Root cause: the loop bound skipped the last item. Fixed the bound.')),
    );
    const config = configFor(dir, api);
    const result = await repair(config);

    expect(api.problems).toEqual([]);
    expect(result.result).toBe('fixed');
    expect(result.turns).toBe(3);
    expect(readFileSync(join(dir, 'math.js'), 'utf8')).toBe(FIXED_MATH);
    expect(result.changedFiles).toEqual(['math.js']);
    expect(result.diffStat).toContain('math.js');
    expect(result.explanation).toContain('Root cause');
    expect(result.verification?.exitCode).toBe(0);
    expect(result.initialFailure.exitCode).not.toBe(0);
    expect(result.initialFailure.excerpt).toContain('total adds every item');
    expect(result.costUsd).toBeGreaterThan(0);
    expect(result.cacheReadTokens).toBeGreaterThan(0);

    // What the model was told: the check, its failing output, the last commit, the rules.
    const first = JSON.stringify(api.requests[0].body.messages);
    expect(first).toContain(CHECK);
    expect(first).toContain('total adds every item');
    expect(first).toContain('Sum items in total()');
    expect(first).toContain('no git commit or push');
    // The read tool's result reached the model on the next turn.
    expect(lastUserText(api, 1)).toContain('items.length - 1');
    // Prompt caching: breakpoint on the stable prefix and automatic caching of the tail.
    expect(api.requests[0].body.cache_control).toEqual({ type: 'ephemeral' });
    expect(api.requests.map((r) => r.body.model)).toEqual(Array(3).fill('claude-sonnet-5-5'));

    // The transcript: JSON lines and markdown.
    const lines = readFileSync(config.transcriptPath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string });
    expect(lines.map((l) => l.type)).toEqual(
      expect.arrayContaining(['start', 'check', 'model-response', 'tool-call', 'end']),
    );
    expect(existsSync(result.transcriptMarkdownPath)).toBe(true);
    // The session is stopped unless asked to keep it.
    expect(existsSync(result.socketPath)).toBe(false);
  });

  test('already passing: no model call at all', async () => {
    const dir = brokenRepo({ ...BROKEN_FILES, 'math.js': FIXED_MATH });
    const api = await model();
    const result = await repair(configFor(dir, api));
    expect(result.result).toBe('already-passing');
    expect(result.turns).toBe(0);
    expect(api.requests).toHaveLength(0);
  });

  test('a denied command returns the policy reason, nothing is typed, and the model recovers', async () => {
    const dir = brokenRepo();
    const api = await model(
      say(bash('git push origin main')),
      say(text('Pushing is not allowed; editing instead.'), FIX_EDIT),
      say(text('Fixed the loop bound.')),
    );
    const result = await repair(configFor(dir, api));
    expect(api.problems).toEqual([]);
    expect(result.result).toBe('fixed');
    const denial = lastUserText(api, 1);
    expect(denial).toContain('Denied by the command policy');
    expect(denial).toContain('"is_error":true');
    expect(result.commands[0]).toMatchObject({ command: 'git push origin main', allowed: false, exitCode: null });
  });

  test('turn budget: stops after max-turns model calls', async () => {
    const dir = brokenRepo();
    const reading = (): FakeStep => say(toolUse('read', { file_path: 'math.js' }));
    const api = await model(reading(), reading(), reading(), reading());
    const result = await repair(configFor(dir, api, { maxTurns: 2 }));
    expect(result.result).toBe('budget-exhausted');
    expect(result.reason).toContain('--max-turns');
    expect(result.turns).toBe(2);
    expect(api.requests).toHaveLength(2);
  });

  test('time budget with a stalled API: the request in flight is aborted and the run ends quickly', async () => {
    const dir = brokenRepo();
    const api = await model(stall());
    const started = Date.now();
    const result = await repair(configFor(dir, api, { timeBudgetMs: 4000 }));
    expect(result.result).toBe('budget-exhausted');
    expect(result.reason).toContain('--time-budget');
    expect(Date.now() - started).toBeLessThan(4000 + 10_000);
  });

  test("the caller's signal cancels the run: the stalled request is aborted, the result says so", async () => {
    const dir = brokenRepo();
    const api = await model(stall());
    const controller = new AbortController();
    const started = Date.now();
    const running = repair(configFor(dir, api), {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'turn') setTimeout(() => controller.abort(), 300);
      },
    });
    const result = await running;
    expect(result.result).toBe('cancelled');
    expect(result.reason).toContain('cancelled');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  test('cost budget: never starts a call whose worst case exceeds what is left', async () => {
    const dir = brokenRepo();
    const api = await model(
      { reply: { content: [toolUse('read', { file_path: 'math.js' })], usage: { output_tokens: 20_000 } } },
      say(FIX_EDIT),
    );
    const result = await repair(configFor(dir, api, { maxCostUsd: 0.25 }));
    expect(result.result).toBe('budget-exhausted');
    expect(result.reason).toContain('--max-cost');
    expect(api.requests).toHaveLength(1);
    expect(result.costUsd).toBeLessThanOrEqual(0.25);
  });

  test('a tampering fix (skipping the test) is rejected, the model is told why, and fixes it properly', async () => {
    const dir = brokenRepo();
    const skip = toolUse('edit', {
      file_path: 'test/math.test.js',
      old_string: "test('total",
      new_string: `${TEST_SKIP}'total`,
    });
    const api = await model(
      say(skip),
      say(text('Skipped the failing test.')),
      say(toolUse('write', { file_path: 'test/math.test.js', content: BROKEN_FILES['test/math.test.js'] }), FIX_EDIT),
      say(text('Restored the test and fixed the loop bound.')),
    );
    const result = await repair(configFor(dir, api));
    expect(api.problems).toEqual([]);
    expect(lastUserText(api, 2)).toContain('rejects the change');
    expect(lastUserText(api, 2)).toContain('skip-markers');
    expect(result.result).toBe('fixed');
    expect(result.changedFiles).toEqual(['math.js']);
  });

  test('a tampering diff is never reported as fixed', async () => {
    const dir = brokenRepo();
    const skip = toolUse('edit', {
      file_path: 'test/math.test.js',
      old_string: "test('total",
      new_string: `${TEST_SKIP}'total`,
    });
    const api = await model(say(skip), say(text('Done.')), say(text('Still done.')));
    const result = await repair(configFor(dir, api, { maxTurns: 3 }));
    // The second "done" with the same rejected diff ends the run without another verification.
    expect(result.result).toBe('not-fixed');
    expect(result.reason).toContain('done twice with no change to the diff');
    expect(result.result).not.toBe('fixed');
  });

  test('401: ends with a message that names the key to check', async () => {
    const dir = brokenRepo();
    const api = await model(fail(401, undefined, 'invalid x-api-key'));
    const result = await repair(configFor(dir, api));
    expect(result.result).toBe('error');
    expect(result.reason).toContain('ANTHROPIC_API_KEY');
    expect(api.requests).toHaveLength(1);
  });

  test('unknown model (404): ends with a message that names the model and the flag', async () => {
    const dir = brokenRepo();
    const api = await model(fail(404, undefined, 'model: claude-nonsense-9'));
    const result = await repair(configFor(dir, api, { model: 'claude-nonsense-9' }));
    expect(result.result).toBe('error');
    expect(result.reason).toContain("model 'claude-nonsense-9' not found");
    expect(result.reason).toContain('--model');
  });

  test('a rejected key or an unknown model fails before tmux starts (GET /v1/models preflight)', async () => {
    const dir = brokenRepo();
    const fake = await strictModel();
    const badKey = configFor(dir, fake);
    await expect(repair(badKey)).rejects.toThrow(/apiKey: .*401/);
    expect(existsSync(socketPathFor(badKey.sessionName))).toBe(false);
    const badModel = configFor(dir, fake, { apiKey: 'sk-ant-the-right-key-0000', model: 'claude-nonsense-9' });
    await expect(repair(badModel)).rejects.toThrow("model: 'claude-nonsense-9' not found: check --model");
    expect(existsSync(socketPathFor(badModel.sessionName))).toBe(false);
    expect(fake.modelLookups).toEqual(['claude-sonnet-5-5', 'claude-nonsense-9']);
    expect(fake.requests).toHaveLength(0);
  });

  test('a burst of 529s is survived through the SDK retries (retry-after-ms)', async () => {
    const dir = brokenRepo();
    const api = await model(fail(529, 5), fail(529, 5), fail(529, 5), say(FIX_EDIT), say(text('Fixed.')));
    const result = await repair(configFor(dir, api));
    expect(result.result).toBe('fixed');
    expect(api.requests).toHaveLength(5);
    expect(result.turns).toBe(2);
  });

  test('time budget while the SDK waits to retry (a long retry-after): the wait is aborted too', async () => {
    const dir = brokenRepo();
    const api = await model(fail(529, 60_000), fail(529, 60_000));
    const started = Date.now();
    const result = await repair(configFor(dir, api, { timeBudgetMs: 3000 }));
    expect(result.result).toBe('budget-exhausted');
    expect(Date.now() - started).toBeLessThan(3000 + 10_000);
  });

  test('pause_turn: the conversation is sent back and the model continues', async () => {
    const dir = brokenRepo();
    const api = await model(
      { reply: { content: [text('Thinking about the loop bound...')], stop_reason: 'pause_turn' } },
      say(FIX_EDIT),
      say(text('Fixed.')),
    );
    const result = await repair(configFor(dir, api));
    expect(api.problems).toEqual([]);
    expect(result.result).toBe('fixed');
    expect(result.turns).toBe(3);
  });

  test('exhausted retries end the run with what to do', async () => {
    const dir = brokenRepo();
    const api = await model(...Array.from({ length: 5 }, () => fail(529, 5)));
    const result = await repair(configFor(dir, api));
    expect(result.result).toBe('error');
    expect(result.reason).toContain('529');
    expect(result.reason).toMatch(/re-run later/);
  });

  test('refusal: ends not-fixed and keeps the partial work', async () => {
    const dir = brokenRepo();
    const api = await model(say(FIX_EDIT), {
      reply: { content: [text('I cannot help with that.')], stop_reason: 'refusal' },
    });
    const result = await repair(configFor(dir, api));
    expect(result.result).toBe('not-fixed');
    expect(result.reason).toContain('refusal');
    expect(result.changedFiles).toEqual(['math.js']);
  });

  test('max_tokens: the model is told it was cut off and continues', async () => {
    const dir = brokenRepo();
    const api = await model(
      { reply: { content: [text('I was explaining at length')], stop_reason: 'max_tokens' } },
      say(FIX_EDIT),
      say(text('Fixed.')),
    );
    const result = await repair(configFor(dir, api));
    expect(api.problems).toEqual([]);
    expect(lastUserText(api, 1)).toContain('cut off');
    expect(result.result).toBe('fixed');
  });
});
