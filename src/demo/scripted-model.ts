// The demo's scripted model: a tiny Messages API server on loopback (no API key needed, nothing leaves the machine).
// It answers the real SDK's requests with canned turns: look at the failing file, rewrite it with a here-doc through
// the bash tool, run the check, then end the turn with an explanation. The loop, tmux, policy and git are all real.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BROKEN_FILE, DEMO_CHECK, FIXED_CART } from './project.js';

export const SCRIPTED_MODEL_NAME = 'scripted-demo-model';

type Block =
  { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: { command: string } };

/** The scripted turns, in order. */
export function scriptedTurns(): Block[][] {
  const bash = (n: number, command: string): Block => ({
    type: 'tool_use',
    id: `toolu_demo_${n}`,
    name: 'bash',
    input: { command },
  });
  return [
    [
      {
        type: 'text',
        text: `[scripted model] The test expects 450 but the cart total is short. Reading ${BROKEN_FILE}.`,
      },
      bash(1, `cat ${BROKEN_FILE}`),
    ],
    [
      {
        type: 'text',
        text: '[scripted model] The loop starts at index 1 and skips the first item. Rewriting the loop.',
      },
      bash(2, `cat > ${BROKEN_FILE} <<'EOF'\n${FIXED_CART}EOF\n${DEMO_CHECK}`),
    ],
    [
      {
        type: 'text',
        text: `[scripted model] Root cause: cartTotal() in ${BROKEN_FILE} started its loop at index 1, so the first item was never counted. Fix: start at index 0. \`${DEMO_CHECK}\` passes.`,
      },
    ],
  ];
}

export interface ScriptedModel {
  url: string;
  /** Requests answered so far. */
  requests(): number;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Start the server on 127.0.0.1 (a free port). `paceMs` delays each answer so a person watching can follow. */
export async function startScriptedModel(options: { paceMs?: number } = {}): Promise<ScriptedModel> {
  const turns = scriptedTurns();
  let answered = 0;
  const send = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_demo_${answered}` });
    res.end(JSON.stringify(body));
  };
  const server = createServer((req, res) => {
    void readBody(req).then((raw) => {
      const model = /^\/v1\/models\/([^/?]+)/.exec(req.url ?? '');
      if (req.method === 'GET' && model) {
        // The loop checks that the model exists before it starts.
        const id = decodeURIComponent(model[1]);
        return send(res, 200, {
          type: 'model',
          id,
          display_name: `${id} (scripted)`,
          created_at: '2026-01-01T00:00:00Z',
        });
      }
      if (req.method !== 'POST' || !req.url?.startsWith('/v1/messages')) {
        return send(res, 404, {
          type: 'error',
          error: { type: 'not_found_error', message: `no route ${req.method} ${req.url}` },
        });
      }
      const content: Block[] = turns[answered] ?? [
        { type: 'text', text: '[scripted model] My script is used up: nothing more to try.' },
      ];
      answered++;
      const message = {
        id: `msg_demo_${answered}`,
        type: 'message',
        role: 'assistant',
        model: SCRIPTED_MODEL_NAME,
        content,
        stop_reason: content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn',
        stop_sequence: null,
        // Plausible figures so the budget and summary have something to show; the demo costs nothing.
        usage: {
          input_tokens: 40,
          output_tokens: Math.ceil(JSON.stringify(content).length / 4),
          cache_creation_input_tokens: answered === 1 ? Math.ceil(raw.length / 4) : 0,
          cache_read_input_tokens: answered === 1 ? 0 : Math.ceil(raw.length / 4),
        },
      };
      setTimeout(() => send(res, 200, message), options.paceMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => answered,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
