// The model client: the real SDK, credentials and endpoint from RepairConfig (never from process.env), bounded
// retries for 429/529/5xx (the SDK honours retry-after-ms), and API failures turned into sentences that say what to do.
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
  });
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
    return new ModelCallError(
      `model '${model}' not found (404: ${apiMessage(error)}): check --model / the model input; ids look like claude-sonnet-5-5`,
      404,
      false,
    );
  }
  if (error instanceof BadRequestError) {
    return new ModelCallError(
      `the API refused the request (400: ${apiMessage(error)}): if it names the prompt size, lower --max-turns; otherwise report this as a ci-medic bug`,
      400,
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
      `could not reach the API at ${baseUrl} (${error.message}) after ${MAX_RETRIES} retries: check --base-url / ANTHROPIC_BASE_URL and the network`,
      undefined,
      false,
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ModelCallError(`the model call failed: ${message}`, undefined, false);
}
