// What a test started, stopped after it: tmux servers of the sessions it named (and their state directories), the
// stand-in servers it started, and the temporary directories it made (repo.ts keeps that registry).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterEach } from 'vitest';
import { socketPathFor, stateDirFor } from '../../src/terminal/tmux.js';
import { removeTempDirs } from './repo.js';

const sessions: string[] = [];
let counter = 0;

/**
 * A session name unique to this worker and test (tmux servers must not collide across parallel files), remembered
 * for `killSessions()`.
 */
export function sessionName(prefix = 'cmt'): string {
  const name = `${prefix}-${process.pid}-${++counter}`;
  sessions.push(name);
  return name;
}

/** Kill a session's tmux server if it is still up and drop its state directory (logs kept until the name is reused). */
export function killSession(name: string): void {
  spawnSync('tmux', ['-S', socketPathFor(name), 'kill-server'], { stdio: 'ignore' });
  // The pane's processes (the recorder, the sandbox host) may still write their last file while they die: retry.
  rmSync(stateDirFor(name), { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
}

/** Kill every session named so far: the run usually stopped its own, this is the safety net. */
export function killSessions(): void {
  for (const name of sessions.splice(0)) killSession(name);
}

interface Closable {
  close(): Promise<unknown> | unknown;
}

/**
 * For a test file (call it at the top level): after each test, close every server handed to the returned function,
 * kill the sessions named with `sessionName()`, and remove the temporary directories — unless `tempDirs: false`,
 * for a file whose beforeAll made directories its tests share (then call removeTempDirs in afterAll).
 */
export function cleanUpAfterEach(
  options: { tempDirs?: boolean } = {},
): <T extends Closable | undefined>(server: T) => T {
  const servers: Closable[] = [];
  afterEach(async () => {
    // Last started, first closed: a platform stand-in goes before the Messages stand-in it forwards to.
    for (const server of servers.splice(0).reverse()) await server.close();
    killSessions();
    if (options.tempDirs !== false) removeTempDirs();
  });
  return (server) => {
    if (server) servers.push(server);
    return server;
  };
}
