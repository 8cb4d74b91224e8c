// A loopback stand-in for the parts of the GitHub REST API ci-medic calls. It checks the token header, validates request
// bodies the way GitHub does (required fields, types, unknown fields), records every request and answers with GitHub's shapes.
// Only erasable TypeScript and node builtins: the Action workflow can start it directly with `node test/fakes/github.ts`.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';

export const FAKE_GITHUB_TOKEN = 'ghs_fakeGitHubTokenForTests0123456789';

/** The routes, by name, for `failures` / `setFailure`. */
export type FakeGitHubRoute =
  | 'get-repo'
  | 'list-pulls'
  | 'create-pull'
  | 'get-pull'
  | 'update-pull'
  | 'add-labels'
  | 'user-keys'
  | 'create-status'
  | 'dispatch-workflow'
  | 'list-workflow-runs';

export interface FakeFailure {
  status: number;
  /** The JSON body; defaults to GitHub's own message for that status and route. */
  body?: unknown;
  /** How many requests fail before the route works again; default: until cleared. */
  times?: number;
  /** Response headers (e.g. `x-ratelimit-remaining: 0`, `retry-after`), over the defaults. */
  headers?: Record<string, string>;
}

export interface FakeGitHubOptions {
  /** The only accepted token (`authorization: token X` or `Bearer X`). Default FAKE_GITHUB_TOKEN. */
  token?: string;
  /** Public SSH keys per user for `GET /users/:user/keys`; other users get 404. */
  keys?: Record<string, Array<{ id: number; key: string }>>;
  failures?: Partial<Record<FakeGitHubRoute, FakeFailure>>;
  /** `default_branch` of every repository. Default `main`. */
  defaultBranch?: string;
  /** A bare repository standing in for every repository's git data: when set, `head` and `base` must be branches in it. */
  gitDir?: string;
  /** Workflow files that exist (for dispatches); others answer 404. Default `['ci.yml']`. */
  workflows?: string[];
}

export interface FakeStatus {
  repository: string;
  sha: string;
  state: string;
  context: string;
  description: string | null;
  target_url: string | null;
}

export interface FakeWorkflowRun {
  repository: string;
  id: number;
  workflow: string;
  head_branch: string;
  event: 'workflow_dispatch';
  html_url: string;
  created_at: string;
}

export interface FakeLabel {
  id: number;
  node_id: string;
  url: string;
  name: string;
  color: string;
  default: boolean;
  description: string | null;
}

export interface FakePull {
  /** `owner/repo` the pull request belongs to. */
  repository: string;
  id: number;
  node_id: string;
  number: number;
  url: string;
  html_url: string;
  state: 'open' | 'closed';
  title: string;
  body: string | null;
  draft: boolean;
  maintainer_can_modify: boolean;
  head: { label: string; ref: string; sha: string; repo: { full_name: string } };
  base: { label: string; ref: string; sha: string; repo: { full_name: string } };
  labels: FakeLabel[];
  created_at: string;
  updated_at: string;
  user: { login: string; type: string };
}

export interface RecordedRequest {
  method: string;
  /** The path without the query string. */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body, or undefined when there was none. */
  body: unknown;
  route: FakeGitHubRoute | undefined;
  status: number;
}

export interface FakeGitHub {
  /** Base URL to use as `GITHUB_API_URL` / octokit `baseUrl`, e.g. `http://127.0.0.1:41234`. */
  url: string;
  requests: RecordedRequest[];
  pulls: FakePull[];
  statuses: FakeStatus[];
  runs: FakeWorkflowRun[];
  setFailure(
    route: FakeGitHubRoute,
    status: number,
    body?: unknown,
    times?: number,
    headers?: Record<string, string>,
  ): void;
  /** Primary rate limit: 403, `x-ratelimit-remaining: 0`, reset `resetInSeconds` from now, GitHub's message. */
  rateLimit(route: FakeGitHubRoute, options?: { times?: number; resetInSeconds?: number }): void;
  /** Secondary rate limit: 403 with GitHub's "secondary rate limit" message and `retry-after`. */
  secondaryRateLimit(route: FakeGitHubRoute, options?: { times?: number; retryAfterSeconds?: number }): void;
  clearFailure(route: FakeGitHubRoute): void;
  close(): Promise<void>;
}

const DOCS = 'https://docs.github.com/rest';

class HttpError extends Error {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Record<string, string>;
  constructor(status: number, body: unknown, headers: Record<string, string> = {}) {
    super(`HTTP ${status}`);
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

function errorBody(status: number, message: string, extra: Record<string, unknown> = {}): unknown {
  return { message, ...extra, documentation_url: DOCS, status: String(status) };
}

function validationFailed(message: string, field?: string, code = 'invalid'): HttpError {
  const error = field
    ? { resource: 'PullRequest', field, code, message }
    : { resource: 'PullRequest', code: 'custom', message };
  return new HttpError(422, errorBody(422, 'Validation Failed', { errors: [error] }));
}

/** GitHub's own wording for a failure on a route, used when a test sets a failure without a body. */
function defaultFailureBody(route: FakeGitHubRoute, status: number): unknown {
  if (status === 403 && route === 'create-pull') {
    return errorBody(403, 'GitHub Actions is not permitted to create or approve pull requests.');
  }
  if (status === 403) return errorBody(403, 'Resource not accessible by integration');
  if (status === 401) return errorBody(401, 'Bad credentials');
  if (status === 404) return errorBody(404, 'Not Found');
  if (status === 422) return errorBody(422, 'Validation Failed');
  return errorBody(status, status >= 500 ? 'Server Error' : 'Error');
}

type Fields = Record<string, 'string' | 'boolean' | 'string|null'>;

/** Rejects a body that is not an object, lacks a required field, has a wrong type or an unknown field. */
function validateBody(body: unknown, required: Fields, optional: Fields): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, errorBody(400, 'Problems parsing JSON'));
  }
  const record = body as Record<string, unknown>;
  for (const [field, type] of Object.entries(required)) {
    if (!(field in record)) throw validationFailed(`${field} is missing`, field, 'missing_field');
    checkType(record[field], field, type);
  }
  for (const [field, value] of Object.entries(record)) {
    if (field in required) continue;
    const type = optional[field];
    if (!type) throw validationFailed(`${field} is not a permitted key`, field, 'unexpected');
    checkType(value, field, type);
  }
  return record;
}

function checkType(value: unknown, field: string, type: Fields[string]): void {
  const ok =
    type === 'string|null' ? value === null || typeof value === 'string' : typeof value === type && value !== '';
  if (!ok) throw validationFailed(`${field} is not a ${type === 'string|null' ? 'string' : type}`, field);
}

function authorize(headers: IncomingMessage['headers'], token: string, required: boolean): void {
  const header = headers.authorization;
  if (!header) {
    if (required) throw new HttpError(401, errorBody(401, 'Requires authentication'));
    return;
  }
  const match = /^(?:token|bearer)\s+(\S+)$/i.exec(header);
  if (!match || match[1] !== token) throw new HttpError(401, errorBody(401, 'Bad credentials'));
}

async function readText(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (text === '') return undefined;
  const type = contentType ?? '';
  if (!type.includes('json')) throw new HttpError(415, errorBody(415, `Unsupported content type: ${type || '(none)'}`));
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, errorBody(400, 'Problems parsing JSON'));
  }
}

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const token = options.token ?? FAKE_GITHUB_TOKEN;
  const defaultBranch = options.defaultBranch ?? 'main';
  const failures = new Map<FakeGitHubRoute, FakeFailure>(
    Object.entries(options.failures ?? {}) as Array<[FakeGitHubRoute, FakeFailure]>,
  );
  const requests: RecordedRequest[] = [];
  const pulls: FakePull[] = [];
  const statuses: FakeStatus[] = [];
  const runs: FakeWorkflowRun[] = [];
  const workflows = options.workflows ?? ['ci.yml'];
  let nextId = 1000;
  let url = '';

  function branchSha(ref: string, field: string, kind: 'branch' | 'commit' = 'branch'): string {
    if (!options.gitDir) return '0'.repeat(40);
    try {
      return execFileSync(
        'git',
        [
          '--git-dir',
          options.gitDir,
          'rev-parse',
          '--verify',
          '-q',
          `${kind === 'branch' ? 'refs/heads/' : ''}${ref}^{commit}`,
        ],
        {
          encoding: 'utf8',
        },
      ).trim();
    } catch {
      if (kind === 'commit') throw validationFailed(`No commit found for SHA: ${ref}`, field);
      if (field === 'ref') throw validationFailed(`No ref found for: ${ref}`, field);
      throw validationFailed(
        field === 'head' ? `head invalid: no branch ${ref}` : `base invalid: no branch ${ref}`,
        field,
      );
    }
  }

  function findPull(repository: string, number: number): FakePull {
    const pull = pulls.find((p) => p.repository === repository && p.number === number);
    if (!pull) throw new HttpError(404, errorBody(404, 'Not Found'));
    return pull;
  }

  function createPull(owner: string, repo: string, body: unknown): FakePull {
    const input = validateBody(
      body,
      { title: 'string', head: 'string', base: 'string' },
      { body: 'string|null', draft: 'boolean', maintainer_can_modify: 'boolean', head_repo: 'string', issue: 'string' },
    );
    const repository = `${owner}/${repo}`;
    const headInput = input.head as string;
    const headOwner = headInput.includes(':') ? headInput.slice(0, headInput.indexOf(':')) : owner;
    const headRef = headInput.includes(':') ? headInput.slice(headInput.indexOf(':') + 1) : headInput;
    const baseRef = input.base as string;
    if (headRef === baseRef && headOwner === owner)
      throw validationFailed(`No commits between ${baseRef} and ${headRef}`);
    const headSha = branchSha(headRef, 'head');
    const baseSha = branchSha(baseRef, 'base');
    if (
      pulls.some((p) => p.repository === repository && p.state === 'open' && p.head.label === `${headOwner}:${headRef}`)
    ) {
      throw validationFailed(`A pull request already exists for ${headOwner}:${headRef}.`);
    }
    const number = pulls.filter((p) => p.repository === repository).length + 1;
    const id = nextId++;
    const now = new Date().toISOString();
    const pull: FakePull = {
      repository,
      id,
      node_id: `PR_kwDO${Buffer.from(String(id)).toString('base64url')}`,
      number,
      url: `${url}/repos/${repository}/pulls/${number}`,
      html_url: `https://github.com/${repository}/pull/${number}`,
      state: 'open',
      title: input.title as string,
      body: (input.body as string | null | undefined) ?? null,
      draft: (input.draft as boolean | undefined) ?? false,
      maintainer_can_modify: (input.maintainer_can_modify as boolean | undefined) ?? false,
      head: {
        label: `${headOwner}:${headRef}`,
        ref: headRef,
        sha: headSha,
        repo: { full_name: `${headOwner}/${repo}` },
      },
      base: { label: `${owner}:${baseRef}`, ref: baseRef, sha: baseSha, repo: { full_name: repository } },
      labels: [],
      created_at: now,
      updated_at: now,
      user: { login: 'github-actions[bot]', type: 'Bot' },
    };
    pulls.push(pull);
    return pull;
  }

  function updatePull(pull: FakePull, body: unknown): FakePull {
    const input = validateBody(
      body,
      {},
      { title: 'string', body: 'string|null', state: 'string', base: 'string', maintainer_can_modify: 'boolean' },
    );
    if (input.state !== undefined && input.state !== 'open' && input.state !== 'closed') {
      throw validationFailed('state is not included in the list', 'state');
    }
    if (input.title !== undefined) pull.title = input.title as string;
    if (input.body !== undefined) pull.body = input.body as string | null;
    if (input.state !== undefined) pull.state = input.state as 'open' | 'closed';
    if (input.base !== undefined) {
      pull.base = { ...pull.base, ref: input.base as string, sha: branchSha(input.base as string, 'base') };
    }
    if (input.maintainer_can_modify !== undefined) pull.maintainer_can_modify = input.maintainer_can_modify as boolean;
    pull.updated_at = new Date().toISOString();
    return pull;
  }

  function addLabels(pull: FakePull, body: unknown): FakeLabel[] {
    // GitHub accepts `{ labels: [...] }` or a bare array of names.
    let list: unknown = body;
    if (!Array.isArray(body)) {
      if (typeof body !== 'object' || body === null) throw new HttpError(400, errorBody(400, 'Problems parsing JSON'));
      const extra = Object.keys(body).find((k) => k !== 'labels');
      if (extra) throw validationFailed(`${extra} is not a permitted key`, extra, 'unexpected');
      list = (body as { labels?: unknown }).labels;
    }
    if (!Array.isArray(list) || list.length === 0 || list.some((l) => typeof l !== 'string' || l.trim() === '')) {
      throw new HttpError(
        422,
        errorBody(
          422,
          "Invalid request.\n\nFor 'properties/labels', a non-empty array of non-empty strings is expected.",
        ),
      );
    }
    for (const name of list as string[]) {
      if (pull.labels.some((l) => l.name === name)) continue;
      const id = nextId++;
      pull.labels.push({
        id,
        node_id: `LA_kwDO${id}`,
        url: `${url}/repos/${pull.repository}/labels/${encodeURIComponent(name)}`,
        name,
        color: 'ededed',
        default: false,
        description: null,
      });
    }
    return pull.labels;
  }

  function repository(owner: string, repo: string): unknown {
    return {
      id: 1,
      node_id: 'R_kgDOfake',
      name: repo,
      full_name: `${owner}/${repo}`,
      owner: { login: owner, type: 'Organization' },
      private: false,
      html_url: `https://github.com/${owner}/${repo}`,
      default_branch: defaultBranch,
      permissions: { admin: false, maintain: false, push: true, triage: false, pull: true },
    };
  }

  async function route(
    method: string,
    path: string,
    query: Record<string, string>,
    headers: IncomingMessage['headers'],
    rawBody: string,
    setRoute: (r: FakeGitHubRoute) => void,
  ): Promise<{ status: number; body: unknown }> {
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    const failWith = (r: FakeGitHubRoute): void => {
      setRoute(r);
      const failure = failures.get(r);
      if (!failure) return;
      if (failure.times !== undefined && --failure.times <= 0) failures.delete(r);
      throw new HttpError(failure.status, failure.body ?? defaultFailureBody(r, failure.status), failure.headers);
    };

    if (method === 'GET' && parts.length === 3 && parts[0] === 'users' && parts[2] === 'keys') {
      failWith('user-keys');
      authorize(headers, token, false);
      const keys = options.keys?.[parts[1]];
      if (!keys) throw new HttpError(404, errorBody(404, 'Not Found'));
      return { status: 200, body: keys.map((k) => ({ id: k.id, key: k.key })) };
    }
    if (parts[0] !== 'repos' || parts.length < 3) throw new HttpError(404, errorBody(404, 'Not Found'));
    const [, owner, repo, ...rest] = parts;
    const full = `${owner}/${repo}`;
    const body = method === 'GET' ? undefined : parseBody(rawBody, headers['content-type']);

    if (method === 'GET' && rest.length === 0) {
      failWith('get-repo');
      authorize(headers, token, true);
      return { status: 200, body: repository(owner, repo) };
    }
    if (rest[0] === 'pulls' && rest.length === 1 && method === 'GET') {
      failWith('list-pulls');
      authorize(headers, token, true);
      const state = query.state ?? 'open';
      if (!['open', 'closed', 'all'].includes(state))
        throw validationFailed('state is not included in the list', 'state');
      // Like GitHub: the head filter only applies in `user:ref-name` form.
      const head = query.head?.includes(':') ? query.head : undefined;
      const list = pulls.filter(
        (p) =>
          p.repository === full &&
          (state === 'all' || p.state === state) &&
          (head === undefined || p.head.label === head) &&
          (query.base === undefined || p.base.ref === query.base),
      );
      return { status: 200, body: list.slice().reverse() };
    }
    if (rest[0] === 'pulls' && rest.length === 1 && method === 'POST') {
      failWith('create-pull');
      authorize(headers, token, true);
      return { status: 201, body: createPull(owner, repo, body) };
    }
    if (rest[0] === 'pulls' && rest.length === 2 && /^\d+$/.test(rest[1])) {
      if (method === 'GET') {
        failWith('get-pull');
        authorize(headers, token, true);
        return { status: 200, body: findPull(full, Number(rest[1])) };
      }
      if (method === 'PATCH') {
        failWith('update-pull');
        authorize(headers, token, true);
        return { status: 200, body: updatePull(findPull(full, Number(rest[1])), body) };
      }
    }
    if (
      rest[0] === 'issues' &&
      rest.length === 3 &&
      /^\d+$/.test(rest[1]) &&
      rest[2] === 'labels' &&
      method === 'POST'
    ) {
      failWith('add-labels');
      authorize(headers, token, true);
      return { status: 200, body: addLabels(findPull(full, Number(rest[1])), body) };
    }
    if (rest[0] === 'statuses' && rest.length === 2 && method === 'POST') {
      failWith('create-status');
      authorize(headers, token, true);
      const input = validateBody(
        body,
        { state: 'string' },
        { target_url: 'string|null', description: 'string|null', context: 'string' },
      );
      if (!['error', 'failure', 'pending', 'success'].includes(input.state as string)) {
        throw validationFailed('state is not included in the list', 'state');
      }
      if (typeof input.description === 'string' && input.description.length > 140) {
        throw validationFailed('description is too long (maximum is 140 characters)', 'description');
      }
      if (!/^[0-9a-f]{40}$/.test(rest[1])) throw validationFailed(`No commit found for SHA: ${rest[1]}`, 'sha');
      if (options.gitDir) branchSha(rest[1], 'sha', 'commit');
      const status: FakeStatus = {
        repository: full,
        sha: rest[1],
        state: input.state as string,
        context: (input.context as string | undefined) ?? 'default',
        description: (input.description as string | null | undefined) ?? null,
        target_url: (input.target_url as string | null | undefined) ?? null,
      };
      statuses.push(status);
      return { status: 201, body: { id: nextId++, ...status, url: `${url}/repos/${full}/statuses/${rest[1]}` } };
    }
    if (rest[0] === 'actions' && rest[1] === 'workflows' && rest.length === 4) {
      const workflow = rest[2];
      if (rest[3] === 'dispatches' && method === 'POST') {
        failWith('dispatch-workflow');
        authorize(headers, token, true);
        if (!workflows.includes(workflow)) throw new HttpError(404, errorBody(404, 'Not Found'));
        const input = validateBody(body, { ref: 'string' }, {});
        if (options.gitDir) branchSha(input.ref as string, 'ref');
        const id = nextId++;
        runs.push({
          repository: full,
          id,
          workflow,
          head_branch: input.ref as string,
          event: 'workflow_dispatch',
          html_url: `https://github.com/${full}/actions/runs/${id}`,
          created_at: new Date().toISOString(),
        });
        return { status: 204, body: undefined };
      }
      if (rest[3] === 'runs' && method === 'GET') {
        failWith('list-workflow-runs');
        authorize(headers, token, true);
        if (!workflows.includes(workflow)) throw new HttpError(404, errorBody(404, 'Not Found'));
        const list = runs.filter(
          (r) =>
            r.repository === full &&
            r.workflow === workflow &&
            (query.branch === undefined || r.head_branch === query.branch) &&
            (query.event === undefined || r.event === query.event),
        );
        return { status: 200, body: { total_count: list.length, workflow_runs: list.slice().reverse() } };
      }
    }
    throw new HttpError(404, errorBody(404, 'Not Found'));
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const parsed = new URL(request.url ?? '/', 'http://127.0.0.1');
    const method = request.method ?? 'GET';
    const query = Object.fromEntries(parsed.searchParams);
    const record: RecordedRequest = {
      method,
      path: parsed.pathname,
      query,
      headers: { ...request.headers },
      body: undefined,
      route: undefined,
      status: 0,
    };
    const rawBody = await readText(request);
    if (rawBody !== '') {
      try {
        record.body = JSON.parse(rawBody) as unknown;
      } catch {
        record.body = rawBody;
      }
    }
    let status: number;
    let payload: unknown;
    let headers: Record<string, string> = {};
    if (method === 'GET' && parsed.pathname === '/_fake/state') {
      // For the Action workflow, which cannot read this process's memory.
      status = 200;
      payload = { pulls, requests, statuses, runs };
    } else {
      requests.push(record);
      try {
        ({ status, body: payload } = await route(
          method,
          parsed.pathname,
          query,
          request.headers,
          rawBody,
          (r) => (record.route = r),
        ));
      } catch (error) {
        if (!(error instanceof HttpError)) throw error;
        ({ status, body: payload, headers } = error);
      }
    }
    record.status = status;
    const text = payload === undefined ? '' : JSON.stringify(payload);
    response.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      'x-github-media-type': 'github.v3; format=json',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      ...headers,
    });
    response.end(text);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify(errorBody(500, String(error))));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    requests,
    pulls,
    statuses,
    runs,
    setFailure(r, status, body, times, headers) {
      failures.set(r, { status, body, times, headers });
    },
    rateLimit(r, { times, resetInSeconds = 1 } = {}) {
      const reset = Math.floor(Date.now() / 1000) + resetInSeconds;
      failures.set(r, {
        status: 403,
        times,
        body: errorBody(403, 'API rate limit exceeded for installation ID 4242.'),
        headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset), 'x-ratelimit-used': '5000' },
      });
    },
    secondaryRateLimit(r, { times, retryAfterSeconds = 1 } = {}) {
      failures.set(r, {
        status: 403,
        times,
        body: errorBody(
          403,
          'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out ' +
            'to GitHub Support for help, please include the request ID ABCD:1234.',
        ),
        headers: { 'retry-after': String(retryAfterSeconds) },
      });
    },
    clearFailure(r) {
      failures.delete(r);
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Standalone: `node test/fakes/github.ts [--token T] [--git-dir DIR] [--url-file PATH]`. Prints `{"url":…}` on one line
 * (and writes the URL to --url-file), serves until SIGTERM/SIGINT. `GET /_fake/state` returns the pulls and requests.
 */
async function main(argv: string[]): Promise<void> {
  const flag = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const fake = await startFakeGitHub({ token: flag('--token'), gitDir: flag('--git-dir') });
  const urlFile = flag('--url-file');
  if (urlFile) writeFileSync(urlFile, fake.url);
  process.stdout.write(`${JSON.stringify({ url: fake.url })}\n`);
  const stop = (): void => void fake.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`fake GitHub: ${String(error)}\n`);
    process.exit(1);
  });
}
