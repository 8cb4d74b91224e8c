// The REST client for every GitHub call: @actions/github's Octokit with Octokit's own retry and throttling plugins.
// Server errors (5xx) are retried by plugin-retry; primary and secondary rate limits wait as GitHub asks
// (plugin-throttling) while the wait still fits in the time budget, then the call fails and the message says it was
// the rate limit. No hand-written retry loop.
import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import type { RateLimitRecord } from './errors.js';

/** How long all GitHub calls of one step may take, waits included, unless the caller says otherwise. */
export const DEFAULT_GITHUB_BUDGET_MS = 5 * 60_000;
/** Rate-limit waits per request before giving up. */
export const MAX_RATE_LIMIT_RETRIES = 3;

export interface GitHubClientOptions {
  token: string;
  /** REST base URL, e.g. https://api.github.com or a GHES/loopback URL. */
  apiUrl: string;
  /** Time the calls may take, waits included. Default 5 minutes. */
  budgetMs?: number;
  /** Rate-limit waits per request. Default 3. */
  maxRateLimitRetries?: number;
  /**
   * Milliseconds per second of `retry-after` (both plugins' `retryAfterBaseValue`; their default is 1000). Tests pass
   * a small value to keep real waits short; production leaves it alone.
   */
  retryAfterBaseValue?: number;
  /** Told about each wait (the Action logs it). */
  log?: (message: string) => void;
}

export type GitHubClient = ReturnType<typeof getOctokit> & {
  /** The last rate-limit episode, for the message when the call still fails. */
  readonly rateLimit: () => RateLimitRecord | undefined;
};

export function createOctokit(options: GitHubClientOptions): GitHubClient {
  const deadline = Date.now() + (options.budgetMs ?? DEFAULT_GITHUB_BUDGET_MS);
  const base = options.retryAfterBaseValue ?? 1000;
  const maxRetries = options.maxRateLimitRetries ?? MAX_RATE_LIMIT_RETRIES;
  let record: RateLimitRecord | undefined;

  const onLimit =
    (kind: RateLimitRecord['kind']) =>
    (retryAfter: number, request: { method?: string; url?: string }, _octokit: unknown, retryCount: number) => {
      record = { kind, retries: retryCount, lastRetryAfterSeconds: retryAfter };
      if (retryCount >= maxRetries) {
        record.gaveUp = 'retries';
        return false;
      }
      if (Date.now() + retryAfter * base > deadline) {
        record.gaveUp = 'budget';
        return false;
      }
      record.retries = retryCount + 1;
      options.log?.(
        `GitHub ${kind === 'secondary' ? 'secondary ' : ''}rate limit on ${request.method ?? ''} ${request.url ?? ''}: ` +
          `waiting ${retryAfter} s, then retrying (${retryCount + 1}/${maxRetries}).`,
      );
      return true;
    };

  const octokit = getOctokit(
    options.token,
    {
      baseUrl: options.apiUrl.replace(/\/+$/, ''),
      // 429 and 403 are the throttling plugin's: it knows which of them are rate limits.
      retry: { doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451], retryAfterBaseValue: base },
      throttle: {
        onRateLimit: onLimit('primary'),
        onSecondaryRateLimit: onLimit('secondary'),
        retryAfterBaseValue: base,
      },
    },
    retry,
    throttling,
  );
  return Object.assign(octokit, { rateLimit: () => record });
}
