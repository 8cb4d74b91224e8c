// The triggering actor's public SSH keys, from the GitHub REST API (`GET /users/:user/keys`): the only keys a hosted
// rescue shell accepts. Fail closed: no keys means no launch, unless the caller turned access limits off.

export type ActorKeysErrorKind = 'no-keys' | 'no-user' | 'api' | 'bad-actor';

export class ActorKeysError extends Error {
  constructor(
    readonly kind: ActorKeysErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ActorKeysError';
  }
}

export interface FetchActorKeysOptions {
  /** `GITHUB_API_URL`, e.g. https://api.github.com. */
  apiUrl: string;
  /** Raises the rate limit; the endpoint is public. Never appears in an error. */
  token?: string;
  actor: string;
  /** Bound for the request (default 15 s). */
  timeoutMs?: number;
}

/** A GitHub login (bots like `name[bot]` included: they have no keys, and the API says so). */
const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/;
const KEY_LINE = /^(ssh-|ecdsa-|sk-)[A-Za-z0-9@.-]+ [A-Za-z0-9+/=]+/;
export const KEYS_TIMEOUT_MS = 15_000;

const TURN_OFF_HINT =
  "A rescue shell is launched only for keys on the actor's GitHub profile; add one (https://github.com/settings/keys), " +
  'or turn access limits off explicitly (CLI: --no-access-limit) to let anyone with the link connect.';

/** The actor's public keys, one `type base64` line each. Throws ActorKeysError (kind says why). */
export async function fetchActorKeys(options: FetchActorKeysOptions): Promise<string[]> {
  const { actor } = options;
  if (!GITHUB_LOGIN.test(actor)) {
    throw new ActorKeysError(
      'bad-actor',
      `actor: "${actor}" is not a GitHub user name, so there are no SSH keys to fetch`,
    );
  }
  const url = `${options.apiUrl.replace(/\/+$/, '')}/users/${encodeURIComponent(actor)}/keys?per_page=100`;
  const headers: Record<string, string> = {
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28',
    'user-agent': 'ci-medic',
  };
  if (options.token) headers.authorization = `Bearer ${options.token}`;

  let response: Response;
  try {
    response = await fetch(url, { headers, signal: AbortSignal.timeout(options.timeoutMs ?? KEYS_TIMEOUT_MS) });
  } catch (error) {
    const why = error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : describe(error);
    throw new ActorKeysError('api', `could not fetch the SSH keys of ${actor} from ${options.apiUrl}: ${why}`);
  }
  const text = await response.text();
  if (response.status === 404) {
    throw new ActorKeysError(
      'no-user',
      `GitHub has no user "${actor}" (404 from GET /users/${actor}/keys). ${TURN_OFF_HINT}`,
      404,
    );
  }
  if (!response.ok) {
    throw new ActorKeysError(
      'api',
      `could not fetch the SSH keys of ${actor}: GitHub answered ${response.status} (${apiMessage(text)}); ` +
        'check the token and GITHUB_API_URL, or try again later',
      response.status,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ActorKeysError('api', `GitHub's answer for the SSH keys of ${actor} is not JSON`, response.status);
  }
  if (!Array.isArray(body)) {
    throw new ActorKeysError(
      'api',
      `GitHub's answer for the SSH keys of ${actor} is not a list of keys`,
      response.status,
    );
  }
  const keys = body
    .map((entry: unknown) => (entry && typeof entry === 'object' ? (entry as { key?: unknown }).key : undefined))
    .filter((key): key is string => typeof key === 'string' && KEY_LINE.test(key.trim()))
    .map((key) => key.trim().split('\n')[0]);
  if (keys.length === 0) {
    throw new ActorKeysError(
      'no-keys',
      `${actor} has no public SSH keys on GitHub, so the rescue shell is not launched. ${TURN_OFF_HINT}`,
    );
  }
  return keys;
}

function apiMessage(text: string): string {
  try {
    const message = (JSON.parse(text) as { message?: unknown }).message;
    if (typeof message === 'string') return message.slice(0, 200);
  } catch {
    // not JSON
  }
  return text.slice(0, 200) || 'no body';
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}
