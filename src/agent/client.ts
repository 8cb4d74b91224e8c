// The model client: the real SDK, credentials and endpoint from RepairConfig (never from process.env), bounded
// retries for 429/529/5xx (the SDK honours retry-after-ms), and API failures turned into sentences that say what to do.
// A 200 whose body is not a Messages response (a proxy's HTML page, JSON without content or usage) is retried like a
// 5xx (checked-fetch.ts) and then named for what it was, never a TypeError deep in the loop.
import {
  APIConnectionError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  NotFoundError,
  PermissionDeniedError,
} from '@anthropic-ai/sdk';
import type { RepairConfig } from '../config.js';
import { credentialsHint, type ProviderName } from '../providers.js';
import { checkedFetch, MALFORMED_BODY_HEADER } from './checked-fetch.js';
import { createModelClient, type ModelClient } from './model-client.js';

export { checkedFetch, malformedMessagesBody } from './checked-fetch.js';

export const DEFAULT_BASE_URL = 'https://api.anthropic.com';
/** Non-streaming requests above ~21k max_tokens are refused by the SDK (10-minute rule); 8192 is ample per turn. */
export const MAX_OUTPUT_TOKENS = 8192;
export const MAX_RETRIES = 4;

/** The client of the configured platform (Anthropic unless `config.provider` names another). */
export function createClient(
  config: Pick<RepairConfig, 'apiKey' | 'authToken' | 'baseUrl' | 'provider'>,
  onSecret?: (value: string) => void,
): Promise<ModelClient> {
  const anthropic = !config.provider || config.provider.name === 'anthropic';
  return createModelClient({
    provider: config.provider,
    apiKey: config.apiKey,
    authToken: config.authToken,
    baseUrl: config.baseUrl ?? (anthropic ? DEFAULT_BASE_URL : undefined),
    maxRetries: MAX_RETRIES,
    // A single request never waits longer than this; the wall-clock budget aborts sooner through the signal.
    timeoutMs: 5 * 60_000,
    fetch: checkedFetch(),
    onSecret,
  });
}

/** Where requests go, for messages: the override, or the platform's name. */
export function endpointOf(config: Pick<RepairConfig, 'baseUrl' | 'provider'>): string {
  if (config.baseUrl) return config.baseUrl;
  const name = config.provider?.name ?? 'anthropic';
  return name === 'anthropic' ? DEFAULT_BASE_URL : `the ${name} endpoint`;
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
export function explainApiError(
  error: unknown,
  model: string,
  baseUrl: string,
  provider: ProviderName = 'anthropic',
): ModelCallError {
  if (error instanceof APIUserAbortError) return new ModelCallError('the model request was aborted', undefined, true);
  const apiMessage = (e: APIError): string => {
    const body = e.error as { error?: { message?: string } } | undefined;
    return body?.error?.message ?? e.message;
  };
  if (error instanceof AuthenticationError) {
    return new ModelCallError(
      `the API at ${baseUrl} rejected the credentials (401: ${apiMessage(error)}): ${credentialsHint(provider, { apiKey: 'the anthropic-api-key input' })}`,
      401,
      false,
    );
  }
  if (error instanceof PermissionDeniedError) {
    return new ModelCallError(
      provider === 'anthropic'
        ? `the API key may not use model '${model}' or this endpoint (403: ${apiMessage(error)}): check the key's workspace permissions, or pick another model`
        : `the ${provider} credentials may not use model '${model}' (403: ${apiMessage(error)}): ${credentialsHint(provider, { apiKey: '' })}, and that the model is enabled for your account`,
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
  if (error instanceof APIError && error.headers?.get(MALFORMED_BODY_HEADER)) {
    return new ModelCallError(
      `${apiMessage(error)}, ${MAX_RETRIES + 1} times: check --base-url / ANTHROPIC_BASE_URL (the anthropic-base-url ` +
        'input); a proxy, gateway or captive portal may be answering in its place',
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
  client: ModelClient,
  model: string,
  baseUrl: string,
  signal?: AbortSignal,
  provider: ProviderName = 'anthropic',
): Promise<{ ok: true } | { ok: false; input: string; message: string } | { ok: 'unknown'; note: string }> {
  if (!client.models) {
    // Bedrock, Vertex and Foundry have no models route: check the credentials instead, and let the first turn
    // confirm the model.
    if (!client.checkCredentials) {
      return { ok: 'unknown', note: `${provider} has no cheap model check; the first turn confirms model '${model}'` };
    }
    try {
      const note = await client.checkCredentials(signal);
      return {
        ok: 'unknown',
        note: `${note}; ${provider} has no cheap model check, the first turn confirms model '${model}'`,
      };
    } catch (error) {
      const what = error instanceof Error ? error.message : String(error);
      return {
        ok: false,
        input: 'provider',
        message: `${provider}: no usable credentials (${what}): ${credentialsHint(provider, { apiKey: '' })}`,
      };
    }
  }
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
