// A loopback stand-in of the Anthropic Messages API (POST /v1/messages) that the real SDK talks to over HTTP.
// Scripted: each request takes the next step from a queue (a canned reply, a function of the request, an HTTP
// error, or a stall that never answers until the client aborts). It validates every request the way the real
// API would reject it (and a little stricter: tools and system identical across turns, a breakpoint at the end of
// the stable prefix), records every request for assertions, and returns realistic usage with cache reads.
// Erasable TypeScript only, no relative imports: Node 24 runs it directly (see anthropic-server.ts).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

/** A content block of a scripted reply; tool_use ids are generated when omitted. */
export type FakeBlock =
  { type: 'text'; text: string } | { type: 'tool_use'; id?: string; name: string; input: Record<string, unknown> };

export interface FakeReply {
  content: FakeBlock[];
  /** Defaults to `tool_use` when the content has a tool_use block, else `end_turn`. */
  stop_reason?: 'end_turn' | 'tool_use' | 'max_tokens' | 'pause_turn' | 'refusal' | 'stop_sequence';
  /** Overrides of the computed usage (say a huge output_tokens to exercise the cost budget). */
  usage?: Partial<FakeUsage>;
  /** Delay before answering, in milliseconds. */
  delayMs?: number;
}

export interface FakeError {
  status: number;
  /** API error type; derived from the status when omitted. */
  errorType?: string;
  message?: string;
  /** Sent as `retry-after-ms` (the SDK honours it; keep it small so tests are fast). */
  retryAfterMs?: number;
}

/** What a scripted function sees: the parsed body plus the request's headers. */
export interface FakeRequest {
  body: MessagesBody;
  headers: Record<string, string | string[] | undefined>;
  /** The raw request body, exactly as sent. */
  raw: string;
  /** 0-based index among the requests this fake received. */
  index: number;
}

/** A raw answer, for the endpoint's bad days: a proxy's HTML page, JSON without `content` or `usage`. */
export interface FakeRaw {
  /** Default 200. */
  status?: number;
  /** Default application/json. */
  contentType?: string;
  body: string;
}

export type FakeStep =
  | { reply: FakeReply }
  | { raw: FakeRaw }
  | { error: FakeError }
  | { stall: true }
  | { respond: (request: FakeRequest) => FakeReply | { error: FakeError } | { stall: true } };

export interface MessagesBody {
  model?: unknown;
  max_tokens?: unknown;
  system?: unknown;
  tools?: unknown;
  messages?: unknown;
  cache_control?: unknown;
  [key: string]: unknown;
}

export interface FakeOptions {
  /** Require a cache_control breakpoint on the last system block (the stable prefix). Default true. */
  requirePrefixBreakpoint?: boolean;
  /** When set, requests must carry exactly this x-api-key (or `Bearer` authorization) or get a 401. */
  expectedKey?: string;
  /** Model ids GET /v1/models/{id} knows (404 for others); unset = every id is known. */
  knownModels?: string[];
}

export interface FakeAnthropic {
  url: string;
  port: number;
  /** Every Messages request received, in order (including the ones answered with errors). */
  requests: FakeRequest[];
  /** Model ids looked up with GET /v1/models/{id}, in order. */
  modelLookups: string[];
  /** Validation failures (each also answered with a 400); a healthy run leaves this empty. */
  problems: string[];
  /** Steps not yet consumed. */
  remaining(): number;
  push(...steps: FakeStep[]): void;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every way the request would be refused; empty when it is well-formed. */
export function validateRequest(
  body: MessagesBody,
  previous: MessagesBody | undefined,
  options: FakeOptions,
): string[] {
  const problems: string[] = [];
  if (typeof body.model !== 'string' || body.model === '') problems.push('model must be a non-empty string');
  if (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 1 || (body.max_tokens as number) > 128_000) {
    problems.push(`max_tokens must be an integer in 1..128000, got ${String(body.max_tokens)}`);
  }
  let breakpoints = 0;
  const checkCache = (block: Json, where: string): void => {
    if (block.cache_control === undefined || block.cache_control === null) return;
    breakpoints++;
    const cc = block.cache_control;
    if (!isObject(cc) || cc.type !== 'ephemeral' || (cc.ttl !== undefined && cc.ttl !== '5m' && cc.ttl !== '1h')) {
      problems.push(`${where}: cache_control must be {type:"ephemeral", ttl?: "5m"|"1h"}`);
    }
  };
  if (body.cache_control !== undefined) checkCache(body as Json, 'top-level');

  // Tools: well-formed, unique names, identical across turns.
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) problems.push('tools must be an array');
    else {
      const names = new Set<string>();
      body.tools.forEach((tool, i) => {
        if (!isObject(tool)) return problems.push(`tools[${i}] must be an object`);
        if (typeof tool.name !== 'string' || !/^[a-zA-Z0-9_-]{1,128}$/.test(tool.name)) {
          problems.push(`tools[${i}].name is invalid: ${String(tool.name)}`);
        }
        if (names.has(tool.name as string)) problems.push(`tools[${i}]: duplicate tool name ${String(tool.name)}`);
        names.add(tool.name as string);
        if (!isObject(tool.input_schema) || tool.input_schema.type !== 'object') {
          problems.push(`tools[${i}].input_schema must be a JSON schema of type object`);
        }
        if (tool.description !== undefined && typeof tool.description !== 'string') {
          problems.push(`tools[${i}].description must be a string`);
        }
        for (const key of Object.keys(tool)) {
          if (!['name', 'description', 'input_schema', 'cache_control', 'type', 'strict'].includes(key)) {
            problems.push(`tools[${i}]: unexpected field ${key}`);
          }
        }
        checkCache(tool, `tools[${i}]`);
      });
    }
  }
  if (previous && JSON.stringify(previous.tools) !== JSON.stringify(body.tools)) {
    problems.push('tools changed between turns (breaks the cache prefix)');
  }

  // System: string or text blocks; identical across turns; breakpoint at its end.
  if (body.system !== undefined) {
    if (Array.isArray(body.system)) {
      body.system.forEach((block, i) => {
        if (!isObject(block) || block.type !== 'text' || typeof block.text !== 'string' || block.text === '') {
          problems.push(`system[${i}] must be a non-empty text block`);
        } else checkCache(block, `system[${i}]`);
      });
    } else if (typeof body.system !== 'string') problems.push('system must be a string or an array of text blocks');
  }
  if (previous && JSON.stringify(previous.system) !== JSON.stringify(body.system)) {
    problems.push('system changed between turns (breaks the cache prefix)');
  }
  if (options.requirePrefixBreakpoint !== false) {
    const last = Array.isArray(body.system) ? body.system[body.system.length - 1] : undefined;
    if (!isObject(last) || !isObject(last.cache_control)) {
      problems.push('no cache_control breakpoint at the end of the system prompt (the stable prefix)');
    }
  }

  // Messages: alternate, start with user, tool_results answer exactly the previous turn's tool_use ids.
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    problems.push('messages must be a non-empty array');
  } else {
    let pendingToolUse: string[] = [];
    body.messages.forEach((message, i) => {
      if (!isObject(message)) return problems.push(`messages[${i}] must be an object`);
      const expectedRole = i % 2 === 0 ? 'user' : 'assistant';
      if (message.role !== expectedRole) {
        problems.push(
          `messages[${i}].role is ${String(message.role)}, expected ${expectedRole} (roles must alternate)`,
        );
      }
      const content = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
      if (!Array.isArray(content) || content.length === 0) {
        return problems.push(`messages[${i}].content must be a non-empty string or array`);
      }
      const toolUseIds: string[] = [];
      const resultIds: string[] = [];
      let seenNonResult = false;
      content.forEach((block: unknown, j: number) => {
        const where = `messages[${i}].content[${j}]`;
        if (!isObject(block)) return problems.push(`${where} must be an object`);
        checkCache(block, where);
        if (block.type === 'text') {
          if (typeof block.text !== 'string' || block.text.trim() === '')
            problems.push(`${where}: text must be non-empty`);
          seenNonResult = true;
        } else if (block.type === 'tool_use') {
          if (message.role !== 'assistant') problems.push(`${where}: tool_use only in assistant messages`);
          if (typeof block.id !== 'string' || !isObject(block.input) || typeof block.name !== 'string') {
            problems.push(`${where}: tool_use needs id, name and an input object`);
          } else toolUseIds.push(block.id);
        } else if (block.type === 'tool_result') {
          if (message.role !== 'user') problems.push(`${where}: tool_result only in user messages`);
          if (seenNonResult) problems.push(`${where}: tool_result blocks must come first in the user message`);
          if (typeof block.tool_use_id !== 'string') problems.push(`${where}: tool_result needs tool_use_id`);
          else resultIds.push(block.tool_use_id);
          const c = block.content;
          const ok =
            c === undefined ||
            typeof c === 'string' ||
            (Array.isArray(c) &&
              c.every((b: unknown) => isObject(b) && b.type === 'text' && typeof b.text === 'string'));
          if (!ok) problems.push(`${where}: tool_result content must be a string or text blocks`);
        } else {
          problems.push(`${where}: unexpected block type ${String(block.type)}`);
        }
      });
      if (message.role === 'user') {
        const want = [...pendingToolUse].sort().join(',');
        const got = [...resultIds].sort().join(',');
        if (want !== got) {
          problems.push(`messages[${i}]: tool_result ids [${got}] do not answer the previous tool_use ids [${want}]`);
        }
        pendingToolUse = [];
      } else pendingToolUse = toolUseIds;
    });
    const last = body.messages[body.messages.length - 1];
    if (isObject(last) && last.role !== 'user' && pendingToolUse.length > 0) {
      problems.push('the last message is an assistant message with unanswered tool_use blocks');
    }
  }
  if (breakpoints > 4) problems.push(`${breakpoints} cache_control breakpoints; at most 4 are allowed`);
  return problems;
}

/** Canonical serialization of the part of a request the prompt cache sees, in cache order. */
export function cacheSerialization(body: MessagesBody): string {
  return JSON.stringify([body.tools ?? null, body.system ?? null, body.messages ?? null]);
}

function commonPrefixLength(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

const tokensOf = (chars: number): number => Math.ceil(chars / 4);

export async function startFakeAnthropic(steps: FakeStep[] = [], options: FakeOptions = {}): Promise<FakeAnthropic> {
  const queue = [...steps];
  const requests: FakeRequest[] = [];
  const modelLookups: string[] = [];
  const problems: string[] = [];
  const stalled = new Set<ServerResponse>();
  let previousBody: MessagesBody | undefined;
  let previousSerialized = '';
  let toolIds = 0;
  let messageIds = 0;

  const sendJson = (
    res: ServerResponse,
    status: number,
    payload: unknown,
    headers: Record<string, string> = {},
  ): void => {
    if (res.destroyed) return;
    res.writeHead(status, {
      'content-type': 'application/json',
      'request-id': `req_fake_${requests.length}`,
      ...headers,
    });
    res.end(JSON.stringify(payload));
  };
  const sendError = (res: ServerResponse, error: FakeError): void => {
    const type = error.errorType ?? ERROR_TYPES[error.status] ?? 'api_error';
    const headers: Record<string, string> = {};
    if (error.retryAfterMs !== undefined) headers['retry-after-ms'] = String(error.retryAfterMs);
    sendJson(res, error.status, { type: 'error', error: { type, message: error.message ?? `fake ${type}` } }, headers);
  };

  const reply = (res: ServerResponse, body: MessagesBody, r: FakeReply): void => {
    const content = r.content.map((block) =>
      block.type === 'tool_use'
        ? { ...block, id: block.id ?? `toolu_fake_${String(++toolIds).padStart(4, '0')}` }
        : block,
    );
    const serialized = cacheSerialization(body);
    const total = tokensOf(serialized.length);
    const cached =
      requests.length > 1 ? Math.min(total, tokensOf(commonPrefixLength(previousSerialized, serialized))) : 0;
    const uncachedTail = Math.min(total - cached, 20);
    const usage: FakeUsage = {
      input_tokens: uncachedTail,
      cache_read_input_tokens: cached,
      cache_creation_input_tokens: total - cached - uncachedTail,
      output_tokens: tokensOf(JSON.stringify(content).length),
      ...r.usage,
    };
    previousSerialized = serialized;
    const stop = r.stop_reason ?? (content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn');
    const message = {
      id: `msg_fake_${++messageIds}`,
      type: 'message',
      role: 'assistant',
      model: body.model,
      content,
      stop_reason: stop,
      stop_sequence: null,
      usage,
    };
    const send = (): void => sendJson(res, 200, message);
    if (r.delayMs) setTimeout(send, r.delayMs);
    else send();
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string): void => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const lookup = /^\/v1\/models\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && lookup) {
      const id = decodeURIComponent(lookup[1]);
      modelLookups.push(id);
      if (!req.headers['x-api-key'] && !req.headers.authorization) {
        return sendError(res, { status: 401, message: 'x-api-key header is required' });
      }
      const key = req.headers['x-api-key'] ?? req.headers.authorization;
      if (options.expectedKey && key !== options.expectedKey && key !== `Bearer ${options.expectedKey}`) {
        return sendError(res, { status: 401, message: 'invalid x-api-key' });
      }
      if (options.knownModels && !options.knownModels.includes(id)) {
        return sendError(res, { status: 404, message: `model: ${id}` });
      }
      return sendJson(res, 200, { type: 'model', id, display_name: id, created_at: '2026-01-01T00:00:00Z' });
    }
    if (req.method !== 'POST' || url.pathname !== '/v1/messages') {
      problems.push(`unexpected ${req.method} ${url.pathname}`);
      return sendError(res, { status: 404, message: `fake: no route ${req.method} ${url.pathname}` });
    }
    let body: MessagesBody;
    try {
      body = JSON.parse(raw) as MessagesBody;
    } catch {
      problems.push('request body is not JSON');
      return sendError(res, { status: 400, message: 'body is not JSON' });
    }
    const request: FakeRequest = { body, headers: req.headers, raw, index: requests.length };
    requests.push(request);

    const key = req.headers['x-api-key'];
    const auth = req.headers.authorization;
    if (!key && !auth) {
      problems.push(`request ${request.index}: neither x-api-key nor authorization header`);
      return sendError(res, { status: 401, message: 'x-api-key header is required' });
    }
    if (options.expectedKey && key !== options.expectedKey && auth !== `Bearer ${options.expectedKey}`) {
      return sendError(res, { status: 401, message: 'invalid x-api-key' });
    }
    if (!req.headers['anthropic-version']) problems.push(`request ${request.index}: no anthropic-version header`);

    const invalid = validateRequest(body, previousBody, options);
    previousBody = body;
    if (invalid.length > 0) {
      problems.push(...invalid.map((p) => `request ${request.index}: ${p}`));
      return sendError(res, { status: 400, message: `fake validation: ${invalid.join('; ')}` });
    }

    let step: FakeStep | ReturnType<Extract<FakeStep, { respond: unknown }>['respond']> | undefined = queue.shift();
    if (!step) {
      problems.push(`request ${request.index}: the script has no step left`);
      return sendJson(
        res,
        400,
        { type: 'error', error: { type: 'invalid_request_error', message: 'fake: script exhausted' } },
        { 'x-should-retry': 'false' },
      );
    }
    if ('respond' in step) step = step.respond(request);
    if ('stall' in step) {
      stalled.add(res);
      res.on('close', () => stalled.delete(res));
      return;
    }
    if ('error' in step) return sendError(res, step.error);
    if ('raw' in step) {
      if (res.destroyed) return;
      res.writeHead(step.raw.status ?? 200, { 'content-type': step.raw.contentType ?? 'application/json' });
      return void res.end(step.raw.body);
    }
    reply(res, body, 'reply' in step ? step.reply : step);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        handle(req, res, Buffer.concat(chunks).toString('utf8'));
      } catch (error) {
        problems.push(`fake crashed: ${error instanceof Error ? error.stack : String(error)}`);
        sendError(res, { status: 400, message: 'fake crashed' });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    modelLookups,
    problems,
    remaining: () => queue.length,
    push: (...more) => void queue.push(...more),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of stalled) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Script-file form (JSON): `{ "steps": [ {"reply": {...}}, {"error": {"status": 529, "retryAfterMs": 5}}, {"stall": true} ] }`. */
export interface FakeScript {
  steps: FakeStep[];
  options?: FakeOptions;
}

export function startFakeAnthropicFromScript(script: FakeScript): Promise<FakeAnthropic> {
  if (!script || !Array.isArray(script.steps)) throw new Error('fake script: expected {"steps": [...]}');
  return startFakeAnthropic(script.steps, script.options);
}

// Small builders for scripts.
export const text = (t: string): FakeBlock => ({ type: 'text', text: t });
export const toolUse = (name: string, input: Record<string, unknown>): FakeBlock => ({ type: 'tool_use', name, input });
export const bash = (command: string, extra: Record<string, unknown> = {}): FakeBlock =>
  toolUse('bash', { command, ...extra });
/** One reply step. */
export const say = (...content: FakeBlock[]): FakeStep => ({ reply: { content } });
export const fail = (status: number, retryAfterMs?: number, message?: string): FakeStep => ({
  error: { status, retryAfterMs, message },
});
export const stall = (): FakeStep => ({ stall: true });
/** A proxy's or captive portal's HTML page, answered with 200. */
export const htmlPage = (title = 'Sign in to continue'): FakeStep => ({
  raw: {
    contentType: 'text/html; charset=utf-8',
    body: `<!DOCTYPE html><html><head><title>${title}</title></head><body><form>…</form></body></html>`,
  },
});
/** JSON that is not a Messages response: `omit` names the field left out. */
export const partialMessage = (omit: 'content' | 'usage'): FakeStep => {
  const full: Record<string, unknown> = {
    id: 'msg_partial',
    type: 'message',
    role: 'assistant',
    model: 'claude-fake',
    content: [{ type: 'text', text: 'half an answer' }],
    stop_reason: 'end_turn',
    usage: { input_tokens: 10, output_tokens: 5 },
  };
  delete full[omit];
  return { raw: { body: JSON.stringify(full) } };
};
