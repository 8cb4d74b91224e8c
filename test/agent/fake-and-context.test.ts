// The Messages API stand-in must refuse what the real API refuses (otherwise the scenarios prove nothing), and the
// client-side context editing must clear old tool results, keep the recent turns, and say where the full log is.
import Anthropic from '@anthropic-ai/sdk';
import type { MessageParam } from '@anthropic-ai/sdk/resources/messages/messages';
import { afterEach, describe, expect, test } from 'vitest';
import { clearOldToolResults, estimateRequestTokens } from '../../src/agent/context.js';
import { boundFileOutput, FILE_OUTPUT_BUDGET } from '../../src/agent/tools.js';
import {
  say,
  startFakeAnthropic,
  text,
  validateRequest,
  type FakeAnthropic,
  type MessagesBody,
} from '../fakes/anthropic.js';

const system = [{ type: 'text', text: 'stable', cache_control: { type: 'ephemeral' } }];
const tools = [{ name: 'bash', description: 'run', input_schema: { type: 'object', properties: {} } }];
const base = (messages: unknown[], extra: Partial<MessagesBody> = {}): MessagesBody => ({
  model: 'claude-sonnet-5-5',
  max_tokens: 1024,
  system,
  tools,
  messages,
  ...extra,
});
const use = {
  role: 'assistant',
  content: [{ type: 'tool_use', id: 'toolu_1', name: 'bash', input: { command: 'ls' } }],
};

describe('Messages API stand-in validation', () => {
  test('accepts a well-formed tool round trip', () => {
    const ok = base([
      { role: 'user', content: 'fix it' },
      use,
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'a.js' }] },
    ]);
    expect(validateRequest(ok, undefined, {})).toEqual([]);
  });

  test.each([
    [
      'a tool_result answering the wrong id',
      [
        { role: 'user', content: 'x' },
        use,
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_2', content: 'a' }] },
      ],
      'do not answer',
    ],
    [
      'a missing tool_result',
      [{ role: 'user', content: 'x' }, use, { role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      'do not answer',
    ],
    [
      'roles out of order',
      [
        { role: 'user', content: 'x' },
        { role: 'user', content: 'y' },
      ],
      'roles must alternate',
    ],
    ['an empty text block', [{ role: 'user', content: [{ type: 'text', text: '' }] }], 'non-empty'],
    [
      'text before a tool_result',
      [
        { role: 'user', content: 'x' },
        use,
        {
          role: 'user',
          content: [
            { type: 'text', text: 'a' },
            { type: 'tool_result', tool_use_id: 'toolu_1' },
          ],
        },
      ],
      'must come first',
    ],
  ])('refuses %s', (_what, messages, problem) => {
    expect(validateRequest(base(messages), undefined, {}).join('\n')).toContain(problem);
  });

  test('refuses tools or system that change between turns, a missing prefix breakpoint, too many breakpoints', () => {
    const first = base([{ role: 'user', content: 'x' }]);
    const changed = base([{ role: 'user', content: 'x' }], { tools: [{ ...tools[0], description: 'other' }] });
    expect(validateRequest(changed, first, {}).join()).toContain('tools changed');
    const noBreakpoint = base([{ role: 'user', content: 'x' }], { system: [{ type: 'text', text: 'stable' }] });
    expect(validateRequest(noBreakpoint, undefined, {}).join()).toContain('no cache_control breakpoint');
    const cc = { type: 'ephemeral' };
    const many = base([
      { role: 'user', content: [1, 2, 3, 4].map((n) => ({ type: 'text', text: `t${n}`, cache_control: cc })) },
    ]);
    expect(validateRequest(many, undefined, {}).join()).toContain('at most 4');
  });

  let fake: FakeAnthropic | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  test('answers the real SDK, records the request, and refuses a bad one with a 400 it records as a problem', async () => {
    fake = await startFakeAnthropic([say(text('hello'))]);
    const client = new Anthropic({ apiKey: 'sk-ant-test-000000', baseURL: fake.url, maxRetries: 0 });
    const reply = await client.messages.create({
      model: 'claude-sonnet-5-5',
      max_tokens: 100,
      system: [{ type: 'text', text: 'stable', cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(reply.content).toEqual([{ type: 'text', text: 'hello' }]);
    expect(reply.usage.input_tokens).toBeGreaterThan(0);
    expect(fake.requests[0].headers.authorization).toBe('Bearer sk-ant-test-000000');
    await expect(
      client.messages.create({
        model: 'claude-sonnet-5-5',
        max_tokens: 100,
        messages: [{ role: 'assistant', content: 'hi' }],
      }),
    ).rejects.toThrow(/roles must alternate/);
    expect(fake.problems.join()).toContain('roles must alternate');
  });
});

describe('context editing', () => {
  test('clears the oldest tool results first, keeps the recent turns, and names the full log', () => {
    const big = 'x'.repeat(20_000);
    const messages: MessageParam[] = [{ role: 'user', content: 'task' }];
    for (let i = 1; i <= 6; i++) {
      messages.push({ role: 'assistant', content: [{ type: 'tool_use', id: `t${i}`, name: 'bash', input: {} }] });
      messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: `t${i}`, content: big }] });
    }
    const logs = new Map([['t1', '/logs/1.log']]);
    const before = estimateRequestTokens(messages);
    const cleared = clearOldToolResults(messages, 0, before - 10_000, logs);
    expect(cleared).toBeGreaterThan(0);
    expect(estimateRequestTokens(messages)).toBeLessThanOrEqual(before - 10_000);
    const first = (messages[2].content as { content: string }[])[0].content;
    expect(first).toContain('[cleared to save context');
    expect(first).toContain('/logs/1.log');
    // The last two turns are untouched.
    expect((messages[12].content as { content: string }[])[0].content).toBe(big);
    expect((messages[10].content as { content: string }[])[0].content).toBe(big);
  });
});

describe('file tool results', () => {
  test('a whole-file read is bounded at a line boundary and says how to read on', () => {
    const file = Array.from({ length: 5000 }, (_, i) => `line ${i + 1} ${'x'.repeat(20)}`).join('\n');
    const out = boundFileOutput(file);
    expect(out.length).toBeLessThan(FILE_OUTPUT_BUDGET + 200);
    expect(out).toContain('line 1 ');
    expect(out).toMatch(/more characters not shown: read with view_range: \[\d+, \d+\]/);
    const shownLines = out.split('\n').length - 1;
    expect(out).toContain(`view_range: [${shownLines + 1},`);
    expect(boundFileOutput('small\r\nfile\x1b[31m')).toBe('small\r\nfile\x1b[31m');
  });
});
