// The model client: the real SDK, credentials and endpoint from RepairConfig (never from process.env), bounded
// retries for 429/529/5xx (the SDK honours retry-after-ms), and API failures turned into sentences that say what to do.
// A 200 whose body is not a Messages response (a proxy's HTML page, JSON without content or usage) is retried like a
// 5xx and then named for what it was, never a TypeError deep in the loop.
import Anthropic, {
  APIConnectionError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  NotFoundError,
  PermissionDeniedError,
} from '@anthropic-ai/sdk';
import type { RepairConfig } from '../config.js';

export const DEFAULT_BASE_URL = 'https://api.anthropic.com';
/** Non-streaming requests above ~21k max_tokens are refused by the SDK (10-minute rule); 8192 is ample per turn. */
export const MAX_OUTPUT_TOKENS = 8192;
export const MAX_RETRIES = 4;

export function createClient(config: Pick<RepairConfig, 'apiKey' | 'authToken' | 'baseUrl'>): Anthropic {
  // apiKey and authToken are mutually exclusive in the SDK: the key wins when both are given.
  const credentials = config.apiKey
    ? { apiKey: config.apiKey, authToken: null }
    : { apiKey: null, authToken: config.authToken };
  return new Anthropic({
    ...credentials,
    baseURL: config.baseUrl ?? DEFAULT_BASE_URL,
    maxRetries: MAX_RETRIES,
    // A single request never waits longer than this; the wall-clock budget aborts sooner through the signal.
    timeout: 5 * 60_000,
    fetch: checkedFetch(),
  });
}

/** Marks the stand-in 502 that checkedFetch makes of a malformed 200, so explainApiError can say what happened. */
const MALFORMED_HEADER = 'x-ci-medic-malformed-body';
/** How much of a bad body a message quotes. */
const MAX_QUOTED_BODY = 120;

/**
 * What is wrong with a 200 answer to POST /v1/messages, or undefined when it is a Messages response (an object with
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
  if (record.type === 'error') return `an error object (${String(record.error?.message ?? 'no message')})`;
  if (!Array.isArray(record.content)) return 'JSON without `content`';
  if (typeof record.usage !== 'object' || record.usage === null) return 'JSON without `usage`';
  return undefined;
}

/**
 * The SDK's fetch, with one check: a 200 from the Messages endpoint whose body is not a Messages response becomes a
 * 502 the SDK retries (x-should-retry), carrying what was wrong. Other responses pass untouched.
 */
export function checkedFetch(inner: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = (
      init?.method ?? (typeof input === 'object' && 'method' in input ? input.method : 'GET')
    ).toUpperCase();
    const contentType = response.headers.get('content-type') ?? '';
    if (
      response.status !== 200 ||
      method !== 'POST' ||
      !new URL(url).pathname.endsWith('/v1/messages') ||
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
    return new Response(JSON.stringify({ type: 'error', error: { type: 'api_error', message: problem } }), {
      status: 502,
      headers: { 'content-type': 'application/json', 'x-should-retry': 'true', [MALFORMED_HEADER]: '1' },
    });
  };
}

/** A failed model call, with what the user should do about it. `aborted` = the budget (or caller) stopped it. */
export class ModelCallError extends Error {
  readonly status: number | undefined;
  readonly aborted: boolean;
  constructor(message: string, status: number | undefined, aborted: boolean) {
    super(message);
    this.name = 'ModelCallError';
    this.status = status;
    this.aborted = aborted;
  }
}

/** The unknown-model sentence (after the word "model"), shared by the preflight and the loop. */
const unknownModel = (model: string, baseUrl: string, said: string): string =>
  `'${model}' not found: check --model / the model input; ids look like claude-sonnet-5-5 (404 from ${baseUrl}: ${said})`;

/** Turn an SDK error into a ModelCallError whose message names the cause and the fix. */
export function explainApiError(error: unknown, model: string, baseUrl: string): ModelCallError {
  if (error instanceof APIUserAbortError) return new ModelCallError('the model request was aborted', undefined, true);
  const apiMessage = (e: APIError): string => {
    const body = e.error as { error?: { message?: string } } | undefined;
    return body?.error?.message ?? e.message;
  };
  if (error instanceof AuthenticationError) {
    return new ModelCallError(
      `the API at ${baseUrl} rejected the credentials (401: ${apiMessage(error)}): check ANTHROPIC_API_KEY (the anthropic-api-key input) or ANTHROPIC_AUTH_TOKEN`,
      401,
      false,
    );
  }
  if (error instanceof PermissionDeniedError) {
    return new ModelCallError(
      `the API key may not use model '${model}' or this endpoint (403: ${apiMessage(error)}): check the key's workspace permissions, or pick another model`,
      403,
      false,
    );
  }
  if (error instanceof NotFoundError) {
    return new ModelCallError(`model ${unknownModel(model, baseUrl, apiMessage(error))}`, 404, false);
  }
  if (error instanceof BadRequestError) {
    return new ModelCallError(
      `the API refused the request (400: ${apiMessage(error)}): if it names the prompt size, lower --max-turns; otherwise report this as a ci-medic bug`,
      400,
      false,
    );
  }
  if (error instanceof APIError && error.headers?.get(MALFORMED_HEADER)) {
    const endpoint = `POST ${baseUrl.replace(/\/+$/, '')}/v1/messages`;
    return new ModelCallError(
      `${endpoint} answered 200 with ${apiMessage(error)} instead of a Messages response, ${MAX_RETRIES + 1} times: ` +
        'check --base-url / ANTHROPIC_BASE_URL (the anthropic-base-url input); a proxy, gateway or captive portal may be answering in its place',
      502,
      false,
    );
  }
  if (error instanceof APIError && error.status !== undefined) {
    return new ModelCallError(
      `the API kept failing (${error.status}: ${apiMessage(error)}) after ${MAX_RETRIES} retries: the service is overloaded or rate-limited; re-run later or raise your rate limits`,
      error.status,
      false,
    );
  }
  if (error instanceof APIConnectionError) {
    return new ModelCallError(
      `could not reach the API at ${baseUrl} (${error.message}) after ${MAX_RETRIES} retries: check --base-url / ANTHROPIC_BASE_URL (the anthropic-base-url input) and the network`,
      undefined,
      false,
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ModelCallError(`the model call failed: ${message}`, undefined, false);
}

/**
 * Before tmux starts: ask the endpoint about the model (GET /v1/models/{id}, no tokens spent). A rejected key or an
 * unknown model is a configuration error, reported now; anything else (a gateway without the models route, a
 * network blip) is left for the loop, whose own calls report it.
 */
export async function preflight(
  client: Anthropic,
  model: string,
  baseUrl: string,
  signal?: AbortSignal,
): Promise<{ ok: true } | { ok: false; input: string; message: string } | { ok: 'unknown'; note: string }> {
  try {
    await client.models.retrieve(model, {}, { signal, maxRetries: 1, timeout: 15_000 });
    return { ok: true };
  } catch (error) {
    const anthropicShaped = (e: APIError): boolean =>
      (e.error as { type?: string } | undefined)?.type === 'error' ||
      typeof (e.error as { error?: { type?: string } } | undefined)?.error?.type === 'string';
    if (error instanceof AuthenticationError && anthropicShaped(error)) {
      return { ok: false, input: 'ANTHROPIC_API_KEY', message: explainApiError(error, model, baseUrl).message };
    }
    if (error instanceof NotFoundError && anthropicShaped(error)) {
      const type = (error.error as { error?: { type?: string } } | undefined)?.error?.type;
      if (type === 'not_found_error') {
        const said = (error.error as { error?: { message?: string } }).error?.message ?? error.message;
        return { ok: false, input: 'model', message: unknownModel(model, baseUrl, said) };
      }
    }
    const what = error instanceof Error ? error.message : String(error);
    return {
      ok: 'unknown',
      note: `could not confirm model '${model}' at ${baseUrl} before starting (${what}); going on`,
    };
  }
}
