// A fixed-looking TCP port for a test server: below the ephemeral range (a port there is what a test's own server
// bound to port 0 gets, which the foreground-server check leaves alone), and free on this machine right now.
import { createServer } from 'node:net';
import { EPHEMERAL_PORTS_FROM } from '../../src/terminal/listen.js';

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
