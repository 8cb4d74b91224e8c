// The dashboard in a real browser: Debian's chromium driven by playwright-core, a real tmux session recorded by the
// real recorder (dist/cli/index.js: npm run bundle first), the server started as `ci-medic watch` starts it.
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentSession, listSessions } from '../../src/terminal/session.js';
import { sessionRecorder } from '../../src/watch/command.js';
import { startWatchServer, type WatchServer } from '../../src/watch/server.js';
import { makeTempDir, removeTempDirs } from '../helpers/repo.js';
import { CHROMIUM, CHROMIUM_ARGS } from './browser.js';

let browser: Browser;
let session: AgentSession;
let readOnly: WatchServer;
let typing: WatchServer;
let auditLog: string;
const name = `watch-${process.pid}`;

/** The terminal's text as the DOM holds it (xterm.js DOM renderer / screen-reader tree). */
// Functions run in the page (strings would be eval, which the dashboard's CSP refuses); this file is type-checked
// without the DOM library, hence the narrow view of `document`.
type PageGlobal = { document: { querySelector(s: string): { innerText: string; textContent: string } | null } };
const elementText = (selector: string): string =>
  (globalThis as unknown as PageGlobal).document.querySelector(selector)?.innerText ?? '';
const screenText = (page: Page): Promise<string> => page.evaluate(elementText, '#terminal');
const terminalShows = (page: Page, text: string, timeout = 5000) =>
  page.waitForFunction(
    (want) =>
      ((globalThis as unknown as PageGlobal).document.querySelector('#terminal')?.innerText ?? '').includes(want),
    text,
    { timeout, polling: 20 },
  );

async function openDashboard(url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
  await page.goto(`${url}&session=${name}`);
  await page.waitForFunction(
    () => /live/.test((globalThis as unknown as PageGlobal).document.querySelector('#status')?.textContent ?? ''),
    undefined,
    { timeout: 10_000 },
  );
  return page;
}

beforeAll(async () => {
  const dir = makeTempDir('ci-medic-watch-');
  auditLog = join(dir, 'audit.jsonl');
  session = await AgentSession.start({ name, cwd: dir, pipeOutput: sessionRecorder(name) });
  await session.run('echo session-ready');
  readOnly = await startWatchServer({ host: '127.0.0.1', port: 0, allowInput: false, auditLogPath: auditLog });
  typing = await startWatchServer({ host: '127.0.0.1', port: 0, allowInput: true, auditLogPath: auditLog });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await readOnly?.close();
  await typing?.close();
  await session?.stop();
  removeTempDirs();
});

describe('ci-medic watch in chromium', () => {
  it('shows a command run after the page loaded within a second, lists the session, and saves a screenshot', async () => {
    const page = await openDashboard(readOnly.url);
    expect(await screenText(page)).toContain('session-ready'); // the backlog
    const result = await session.run('echo "dashboard-$((6*7))-live"');
    expect(result.output).toContain('dashboard-42-live');
    const shown = Date.now();
    await terminalShows(page, 'dashboard-42-live', 1000);
    expect(Date.now() - shown).toBeLessThan(1000);
    // The session list: name, state, pid, directory.
    const row = page.locator(`tr.session[data-name="${name}"]`);
    await expect.poll(async () => row.innerText(), { timeout: 3000 }).toMatch(/idle|busy/);
    const pid = (await listSessions()).find((s) => s.name === name)?.pid;
    expect(pid).toBeGreaterThan(0);
    expect(await row.innerText()).toContain(String(pid));
    // No script but the server's own: the CSP is on every response.
    const response = await page.request.get(readOnly.url);
    expect(response.headers()['content-security-policy']).toMatch(/script-src 'self';/);
    // The token left the address bar.
    expect(page.url()).not.toContain('token=');
    // The README's picture is refreshed only when asked (UPDATE_SCREENSHOTS=1): a test run leaves the tree as it was.
    const shot = process.env.UPDATE_SCREENSHOTS
      ? resolve('docs/watch-dashboard.png')
      : join(makeTempDir('ci-medic-shot-'), 'watch-dashboard.png');
    mkdirSync(dirname(shot), { recursive: true });
    await session.run('ls -la; echo "repair in progress"');
    await page.waitForTimeout(300);
    await page.screenshot({ path: shot });
    expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
    await page.close();
  }, 30_000);

  it('refuses requests without the token (401) and with a wrong one', async () => {
    const base = readOnly.url.replace(/\/\?token=.*$/, '');
    expect((await fetch(`${base}/`)).status).toBe(401);
    expect((await fetch(`${base}/api/sessions`)).status).toBe(401);
    expect((await fetch(`${base}/app.js?token=wrong`)).status).toBe(401);
    expect((await fetch(`${base}/api/sessions?token=${readOnly.token}`)).status).toBe(200);
    // A page asked for under another host name (DNS rebinding) is refused even with the token.
    const { port } = new URL(base);
    const status = await new Promise<number>((done, fail) => {
      request(
        { host: '127.0.0.1', port, path: `/?token=${readOnly.token}`, headers: { host: `evil.example:${port}` } },
        (res) => {
          res.resume();
          done(res.statusCode ?? 0);
        },
      )
        .on('error', fail)
        .end();
    });
    expect(status).toBe(421);
  });

  it('refuses a WebSocket from another Origin, and one without the token', async () => {
    const wsUrl = readOnly.url.replace(/^http/, 'ws').replace('/?token=', `/ws?session=${name}&token=`);
    const attempt = (url: string, origin: string) =>
      new Promise<number>((done) => {
        const ws = new WebSocket(url, { origin });
        ws.on('unexpected-response', (_req, res) => done(res.statusCode ?? 0));
        ws.on('open', () => {
          ws.close();
          done(101);
        });
        ws.on('error', () => done(-1));
      });
    const own = new URL(readOnly.url).origin;
    expect(await attempt(wsUrl, 'http://evil.example')).toBe(403);
    expect(await attempt(wsUrl, `http://127.0.0.1:1`)).toBe(403);
    expect(await attempt(wsUrl.replace(/token=[^&]+/, 'token=nope'), own)).toBe(401);
    expect(await attempt(wsUrl, own)).toBe(101);
  });

  it('read-only: keystrokes typed into the page never reach the session', async () => {
    const page = await openDashboard(readOnly.url);
    await page.click('#terminal');
    await page.keyboard.type('echo "typed-$((40+2))-readonly"');
    await page.keyboard.press('Enter');
    await page.waitForTimeout(700);
    expect(await session.capture(200)).not.toContain('typed-42-readonly');
    expect(existsSync(auditLog) ? readFileSync(auditLog, 'utf8') : '').not.toContain('readonly');
    await page.close();
  }, 30_000);

  it('--allow-input: a viewer with the input token types into the session and every batch is audited', async () => {
    // Without the input token, the same server still drops the keystrokes.
    const watcher = await openDashboard(typing.url);
    await watcher.click('#terminal');
    await watcher.keyboard.type('echo "no-input-token-$((1+1))"');
    await watcher.keyboard.press('Enter');
    await watcher.waitForTimeout(500);
    expect(await session.capture(200)).not.toContain('no-input-token-2');
    await watcher.close();

    const page = await openDashboard(`${typing.url}&input=${typing.inputToken}`);
    await page.click('#terminal');
    await page.keyboard.type('echo "typed-$((40+3))-audited"');
    await page.keyboard.press('Enter');
    await expect.poll(() => session.capture(200), { timeout: 5000 }).toContain('typed-43-audited');
    await terminalShows(page, 'typed-43-audited');
    const entries = readFileSync(auditLog, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { time: string; viewer: string; session: string; bytes: string; length: number });
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.map((e) => e.bytes).join('')).toContain('echo "typed-$((40+3))-audited"');
    for (const e of entries) {
      expect(e.session).toBe(name);
      expect(e.viewer).toMatch(/^[0-9a-f]{8}@127\.0\.0\.1$/);
      expect(Date.parse(e.time)).not.toBeNaN();
      expect(e.length).toBe(Buffer.byteLength(e.bytes));
    }
    await page.close();
  }, 30_000);
});
