// `ci-medic watch`: the dashboard server. Read-only by default; safe by default (see auth.ts): loopback bind, a
// random token on every request and on the WebSocket, the WebSocket's Origin checked, a CSP that allows only the
// server's own scripts, and a bounded buffer per viewer (a slow viewer is skipped, then resynchronised).
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { AgentSession } from '../terminal/session.js';
import { validateSessionName } from '../terminal/tmux.js';
import { asset } from './assets.js';
import { AuditLog } from './audit.js';
import { allowedHosts, COOKIE, matchesToken, newToken, originAllowed, presentedToken } from './auth.js';
import { recordingPathFor } from './command.js';
import { RecordingFeed } from './feed.js';
import { PAGE_CSS, PAGE_HTML, PAGE_JS } from './page.js';
import { dashboardSessions, transcriptEvents } from './sessions.js';

/** A viewer whose socket holds more than this unsent is skipped until it drains, then sent a fresh screen. */
export const MAX_VIEWER_BUFFER = 1024 * 1024;
/** The fresh screen a lagging viewer gets. */
const RESYNC_BYTES = 64 * 1024;
/** One input message at most (a paste). */
const MAX_INPUT = 16 * 1024;
const SCROLLBACK_LINES = 100_000;

export const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export interface WatchOptions {
  host: string;
  port: number;
  allowInput: boolean;
  auditLogPath: string;
}

export interface WatchServer {
  url: string;
  token: string;
  /** Only with allowInput: the second token a viewer needs to type. */
  inputToken: string | null;
  server: Server;
  close(): Promise<void>;
}

export async function startWatchServer(options: WatchOptions): Promise<WatchServer> {
  const token = newToken();
  const inputToken = options.allowInput ? newToken() : null;
  const audit = new AuditLog(options.auditLogPath);
  const feeds = new Map<string, RecordingFeed>();
  let hosts = new Set<string>();
  const feedFor = (name: string): RecordingFeed => {
    let feed = feeds.get(name);
    if (!feed) feeds.set(name, (feed = new RecordingFeed(recordingPathFor(name))));
    return feed;
  };

  const headers = (type: string): Record<string, string> => ({
    'content-type': type,
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  });
  const send = (
    res: ServerResponse,
    status: number,
    type: string,
    body: string,
    extra: Record<string, string> = {},
  ) => {
    res.writeHead(status, { ...headers(type), ...extra });
    res.end(body);
  };
  const json = (res: ServerResponse, value: unknown) => send(res, 200, 'application/json', JSON.stringify(value));

  const sessionParam = (raw: string): string | null => {
    try {
      return validateSessionName(decodeURIComponent(raw));
    } catch {
      return null;
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!hosts.has(req.headers.host ?? '')) return send(res, 421, 'text/plain', 'unknown host\n');
    const url = new URL(req.url ?? '/', 'http://localhost');
    const how = presentedToken(req, url, token);
    if (!how)
      return send(
        res,
        401,
        'text/plain',
        'ci-medic watch: this page needs the token printed when the server started (open the URL it printed)\n',
      );
    if (req.method !== 'GET') return send(res, 405, 'text/plain', 'read-only: GET only\n');
    const cookie: Record<string, string> =
      how === 'query' ? { 'set-cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/` } : {};
    const path = url.pathname;
    if (path === '/') return send(res, 200, 'text/html; charset=utf-8', PAGE_HTML, cookie);
    if (path === '/app.js') return send(res, 200, 'text/javascript; charset=utf-8', PAGE_JS);
    if (path === '/app.css') return send(res, 200, 'text/css; charset=utf-8', PAGE_CSS);
    if (path === '/xterm.js') return send(res, 200, 'text/javascript; charset=utf-8', asset('xtermJs'));
    if (path === '/xterm.css') return send(res, 200, 'text/css; charset=utf-8', asset('xtermCss'));
    if (path === '/api/sessions')
      return json(res, { allowInput: options.allowInput, sessions: await dashboardSessions() });
    const m = /^\/api\/sessions\/([^/]+)\/(transcript|scrollback)$/.exec(path);
    const name = m ? sessionParam(m[1]) : null;
    if (m && name) {
      if (m[2] === 'transcript') return json(res, { events: transcriptEvents(name) });
      const session = await AgentSession.find(name);
      if (!session) return send(res, 404, 'text/plain', `no running session ${name}\n`);
      return send(res, 200, 'text/plain; charset=utf-8', await session.capture(SCROLLBACK_LINES), {
        'content-disposition': `attachment; filename="${name}-scrollback.txt"`,
      });
    }
    return send(res, 404, 'text/plain', 'not found\n');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, 'text/plain', `ci-medic watch: ${(error as Error).message}\n`);
      else res.end();
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_INPUT * 2 });
  const refuse = (socket: Duplex, status: number, text: string) => {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!hosts.has(req.headers.host ?? '')) return refuse(socket, 421, 'Misdirected Request');
    if (!presentedToken(req, url, token)) return refuse(socket, 401, 'Unauthorized');
    if (!originAllowed(req.headers.origin, hosts)) return refuse(socket, 403, 'Forbidden');
    const name = url.pathname === '/ws' ? sessionParam(url.searchParams.get('session') ?? '') : null;
    if (!name) return refuse(socket, 404, 'Not Found');
    const canType = options.allowInput && matchesToken(url.searchParams.get('input'), inputToken);
    wss.handleUpgrade(req, socket, head, (ws) => viewer(ws, name, canType, req));
  });

  const viewer = (ws: WebSocket, name: string, canType: boolean, req: IncomingMessage) => {
    const id = `${randomBytes(4).toString('hex')}@${req.socket.remoteAddress ?? '?'}`;
    const feed = feedFor(name);
    const message = (value: unknown) => ws.send(JSON.stringify(value));
    let lagging = false;
    // Keystrokes arrive one message each: they are sent in order, batched while the previous batch is on its way.
    let pending = '';
    let sending = false;
    let target: AgentSession | null = null;
    const flushInput = async (): Promise<void> => {
      if (sending) return;
      sending = true;
      try {
        while (pending) {
          const batch = pending;
          pending = '';
          audit.record(id, name, batch);
          target ??= await AgentSession.find(name);
          if (!target) throw new Error('gone');
          await target.sendText(batch);
        }
      } catch {
        pending = '';
        message({ type: 'notice', text: 'input could not be sent: the session is gone' });
      } finally {
        sending = false;
      }
    };
    message({ type: 'reset', data: feed.backlog() });
    message({
      type: 'notice',
      text: canType ? `live; your input is sent and audited as ${id}` : 'live, read-only: keystrokes are dropped',
    });
    const unsubscribe = feed.subscribe((data) => {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > MAX_VIEWER_BUFFER) {
        lagging = true; // skip: this viewer cannot keep up; it gets a fresh screen once it drains
        return;
      }
      if (lagging) {
        lagging = false;
        message({ type: 'reset', data: feed.backlog(RESYNC_BYTES) });
        return;
      }
      message({ type: 'output', data });
    });
    ws.on('message', (raw) => {
      let msg: { type?: unknown; data?: unknown };
      try {
        msg = JSON.parse(String(raw)) as typeof msg;
      } catch {
        return;
      }
      if (msg.type !== 'input' || typeof msg.data !== 'string' || !msg.data) return;
      if (!canType) return; // read-only: dropped
      pending += msg.data.slice(0, MAX_INPUT);
      if (pending.length > MAX_INPUT) pending = pending.slice(0, MAX_INPUT); // a flood is cut, not queued forever
      void flushInput();
    });
    ws.on('close', unsubscribe);
    ws.on('error', unsubscribe);
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(options.host, port);
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    token,
    inputToken,
    server,
    close: () =>
      new Promise((resolve) => {
        for (const client of wss.clients) client.terminate();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
