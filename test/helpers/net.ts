// Loopback ports for tests: one nobody listens on (an API that is not there), and a free one for a test's own server.
import { createServer } from 'node:net';
import { EPHEMERAL_PORTS_FROM } from '../../src/terminal/listen.js';

/** A loopback port nobody listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

/**
 * A fixed-looking TCP port for a test server: below the ephemeral range (a port there is what a test's own server
 * bound to port 0 gets, which the foreground-server check leaves alone), and free on this machine right now.
 */
const LOWEST = 20_000;

export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const port = LOWEST + Math.floor(Math.random() * (EPHEMERAL_PORTS_FROM - LOWEST));
    const server = createServer();
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (bound) {
      await new Promise((resolve) => server.close(resolve));
      return port;
    }
  }
  throw new Error(`no free port between ${LOWEST} and ${EPHEMERAL_PORTS_FROM}`);
}
