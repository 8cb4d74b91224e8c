// The model endpoint's bad days: a 200 whose body is not a Messages response (a proxy's or captive portal's HTML page,
// JSON without `content` or `usage`) must not reach the loop as a "successful" reply it then trips over. The SDKs take
// a `fetch`; this one turns such a 200 into a 502 the SDK retries like any 5xx, carrying what was wrong and where.

/** Marks the 502 that checkedFetch makes of a malformed 200, so explainApiError can say what happened. */
export const MALFORMED_BODY_HEADER = 'x-ci-medic-malformed-body';
/** How much of a bad body a message quotes. */
const MAX_QUOTED_BODY = 120;
/** Paths that answer with a Messages response: Anthropic and Foundry, Bedrock's invoke, Vertex's rawPredict. */
const MESSAGES_PATH = /(?:\/v1\/messages|\/invoke|:rawPredict)$/;

/**
 * What is wrong with a 200 answer to a Messages request, or undefined when it is a Messages response (an object with
 * a `content` array and a `usage` object).
 */
export function malformedMessagesBody(text: string, contentType: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return 'an empty body';
  if (/html/i.test(contentType) || trimmed.startsWith('<')) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(trimmed)?.[1]?.trim();
    return `an HTML page${title ? ` ("${title.slice(0, MAX_QUOTED_BODY)}")` : ''}`;
  }
  let body: unknown;
  try {
    body = JSON.parse(trimmed);
  } catch {
    return `a body that is not JSON (${JSON.stringify(trimmed.slice(0, MAX_QUOTED_BODY))})`;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'JSON that is not an object';
  const record = body as { content?: unknown; usage?: unknown; type?: unknown; error?: { message?: unknown } };
  if (record.type === 'error') {
    return `an error object (${String(record.error?.message ?? 'no message').slice(0, MAX_QUOTED_BODY)})`;
  }
  if (!Array.isArray(record.content)) return 'JSON without `content`';
  if (typeof record.usage !== 'object' || record.usage === null) return 'JSON without `usage`';
  return undefined;
}

/**
 * `inner`, with one check: a 200 from a Messages endpoint whose body is not a Messages response becomes a 502 the SDK
 * retries (x-should-retry), whose message names the endpoint and what was wrong. Other responses pass untouched.
 */
export function checkedFetch(inner: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = (
      init?.method ?? (typeof input === 'object' && 'method' in input ? input.method : 'GET')
    ).toUpperCase();
    const contentType = response.headers.get('content-type') ?? '';
    const { origin, pathname } = new URL(url);
    if (
      response.status !== 200 ||
      method !== 'POST' ||
      !MESSAGES_PATH.test(pathname) ||
      contentType.includes('event-stream')
    ) {
      return response;
    }
    const text = await response.text();
    const problem = malformedMessagesBody(text, contentType);
    if (!problem) {
      const headers = new Headers(response.headers);
      headers.delete('content-encoding'); // the text is decoded already
      headers.delete('content-length');
      return new Response(text, { status: 200, statusText: response.statusText, headers });
    }
    const message = `POST ${origin}${pathname} answered 200 with ${problem} instead of a Messages response`;
    return new Response(JSON.stringify({ type: 'error', error: { type: 'api_error', message } }), {
      status: 502,
      headers: { 'content-type': 'application/json', 'x-should-retry': 'true', [MALFORMED_BODY_HEADER]: '1' },
    });
  };
}
