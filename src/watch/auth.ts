// The dashboard's gate: a random token on every request (query once, then an HttpOnly SameSite=Strict cookie, or a
// bearer header), the Host header one of the server's own names (DNS rebinding), and for the WebSocket an Origin
// that is the dashboard itself (cross-site WebSocket hijacking).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const COOKIE = 'ci_medic_watch';

export const newToken = (): string => randomBytes(24).toString('base64url');

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function cookieToken(req: IncomingMessage): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return v.join('=');
  }
  return null;
}

/** How the request proves it holds the token: 'query' (first visit), 'cookie' or 'header'; null when it does not. */
export function presentedToken(req: IncomingMessage, url: URL, token: string): 'query' | 'cookie' | 'header' | null {
  const q = url.searchParams.get('token');
  if (q && same(q, token)) return 'query';
  const c = cookieToken(req);
  if (c && same(c, token)) return 'cookie';
  const auth = req.headers.authorization ?? '';
  if (auth.startsWith('Bearer ') && same(auth.slice(7), token)) return 'header';
  return null;
}

export function matchesToken(candidate: string | null, token: string | null): boolean {
  return !!candidate && !!token && same(candidate, token);
}

/** The names this server answers to: the bound address and, on loopback, localhost. */
export function allowedHosts(host: string, port: number): Set<string> {
  const hosts = new Set<string>();
  const bracket = host.includes(':') ? `[${host}]` : host;
  hosts.add(`${bracket}:${port}`);
  if (host === '127.0.0.1' || host === '::1' || host === 'localhost') {
    hosts.add(`localhost:${port}`);
    hosts.add(`127.0.0.1:${port}`);
    hosts.add(`[::1]:${port}`);
  }
  return hosts;
}

export const originAllowed = (origin: string | undefined, hosts: Set<string>): boolean =>
  !!origin && [...hosts].some((h) => origin === `http://${h}`);
