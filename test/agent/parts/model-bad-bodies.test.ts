// The model API's bad days, delivered by the Messages stand-in over real HTTP to the real SDK: a 200 whose body is an
// HTML page or JSON without `content`/`usage` is retried like a 5xx, and when it persists the run ends with a message
// naming the endpoint — never "Cannot read properties of undefined".
import { describe, expect, it } from 'vitest';
import {
  checkedFetch,
  createClient,
  explainApiError,
  malformedMessagesBody,
  MAX_RETRIES,
} from '../../../src/agent/client.js';
import { repair } from '../../../src/agent/index.js';
import { htmlPage, partialMessage, say, text, type FakeStep } from '../../fakes/anthropic.js';
import { API_KEY, brokenRepo, configFor, FIX_EDIT, useScriptedModel } from '../../helpers/scenario.js';

const start = useScriptedModel({ expectedKey: API_KEY });

const request = {
  model: 'claude-sonnet-5-5',
  max_tokens: 64,
  system: [{ type: 'text' as const, text: 'You fix CI.', cache_control: { type: 'ephemeral' as const } }],
  messages: [{ role: 'user' as const, content: 'hello' }],
};

async function ask(...steps: FakeStep[]) {
  const fake = await start(...steps);
  const client = await createClient({ apiKey: API_KEY, baseUrl: fake.url });
  const outcome = await client.messages.create(request).then(
    (message) => ({ message, error: undefined }),
    (error: unknown) => ({ message: undefined, error: explainApiError(error, request.model, fake.url) }),
  );
  return { fake, ...outcome };
}

describe('a 200 that is not a Messages response', () => {
  it('an HTML page, then JSON without usage, then a real answer: retried, and the answer arrives', async () => {
    const { fake, message, error } = await ask(htmlPage(), partialMessage('usage'), say(text('fine now')));
    expect(error).toBeUndefined();
    expect(message?.content).toEqual([{ type: 'text', text: 'fine now' }]);
    expect(fake.requests).toHaveLength(3);
  });

  it('an HTML page every time: retried like a 5xx, then a message that names the endpoint and the page', async () => {
    const pages = Array.from({ length: MAX_RETRIES + 1 }, () => htmlPage('Corporate proxy login'));
    const { fake, error } = await ask(...pages);
    expect(fake.requests).toHaveLength(MAX_RETRIES + 1);
    expect(error?.message).toContain(
      `POST ${fake.url}/v1/messages answered 200 with an HTML page ("Corporate proxy login")`,
    );
    expect(error?.message).toContain('anthropic-base-url');
    expect(error?.message).not.toMatch(/Cannot read properties|undefined/);
  }, 30_000);

  it('JSON without content, every time: the loop ends with an error naming the endpoint, not a TypeError', async () => {
    const fake = await start(...Array.from({ length: MAX_RETRIES + 1 }, () => partialMessage('content')));
    const result = await repair(configFor(brokenRepo(), fake));
    expect(result.result).toBe('error');
    expect(result.reason).toContain(`POST ${fake.url}/v1/messages answered 200 with JSON without \`content\``);
    expect(result.reason).not.toMatch(/Cannot read properties/);
  }, 60_000);

  it('a real repair goes through the checked fetch untouched', async () => {
    const fake = await start(say(FIX_EDIT), say(text('Fixed the off-by-one.')));
    const result = await repair(configFor(brokenRepo(), fake));
    expect(result.result).toBe('fixed');
    expect(fake.problems).toEqual([]);
  }, 60_000);
});

describe('malformedMessagesBody and checkedFetch', () => {
  it('names what is wrong, and passes a Messages response', () => {
    expect(malformedMessagesBody('', 'application/json')).toBe('an empty body');
    expect(malformedMessagesBody('<html><title>502 Bad Gateway</title></html>', 'text/html')).toBe(
      'an HTML page ("502 Bad Gateway")',
    );
    expect(malformedMessagesBody('not json', 'application/json')).toMatch(/^a body that is not JSON/);
    expect(malformedMessagesBody('[]', 'application/json')).toBe('JSON that is not an object');
    expect(malformedMessagesBody('{"usage":{}}', 'application/json')).toBe('JSON without `content`');
    expect(malformedMessagesBody('{"content":[]}', 'application/json')).toBe('JSON without `usage`');
    expect(malformedMessagesBody('{"content":[],"usage":{}}', 'application/json')).toBeUndefined();
  });

  it('leaves other routes and methods alone', async () => {
    const inner = (async () => new Response('<html></html>', { status: 200 })) as typeof fetch;
    const checked = checkedFetch(inner);
    expect((await checked('http://x/v1/models/claude', { method: 'GET' })).status).toBe(200);
    expect((await checked('http://x/v1/messages', { method: 'POST' })).status).toBe(502);
  });
});
