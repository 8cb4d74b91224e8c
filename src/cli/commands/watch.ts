// `ci-medic watch`: serve the dashboard of the agent sessions on this machine (src/watch/server.ts).
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { baseDir } from '../../terminal/tmux.js';
import { startWatchServer } from '../../watch/server.js';
import { EXIT_USAGE, type CliIo } from '../io.js';

export const HELP = `Usage: ci-medic watch [options]

Serves a web page with the ci-medic sessions on this machine, each one's live terminal, the transcript of the repair
running in it and a download of its scrollback. Read-only by default; the URL printed once carries a random token
that every request needs.

Options:
  --port N          port to listen on (default 0: any free port)
  --host ADDR       address to bind (default 127.0.0.1; anything but loopback exposes the sessions to the network)
  --allow-input     let viewers holding a second token (printed once) type into the sessions; every input is
                    written to the audit log
  --audit-log FILE  where typed input is logged (default ${join('/tmp/ci-medic-UID', 'watch-audit.jsonl')})
  -h, --help        this help

Example:
  ci-medic watch --allow-input
`;

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export async function main(argv: string[], io: CliIo, until?: AbortSignal): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', default: '0' },
        host: { type: 'string', default: '127.0.0.1' },
        'allow-input': { type: 'boolean' },
        'audit-log': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    io.stderr(`ci-medic watch: ${(error as Error).message}; see 'ci-medic watch --help'\n`);
    return EXIT_USAGE;
  }
  const { values } = parsed;
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.stderr(`ci-medic watch: --port must be a port number 0-65535, got '${values.port}'\n`);
    return EXIT_USAGE;
  }
  const host = values.host === 'localhost' ? '127.0.0.1' : values.host;
  if (!isIP(host)) {
    io.stderr(`ci-medic watch: --host must be an IP address to bind, like 127.0.0.1, got '${values.host}'\n`);
    return EXIT_USAGE;
  }
  if (!LOOPBACK.has(host)) {
    io.stderr(`ci-medic watch: warning: binding ${host} makes the dashboard reachable from the network (plain HTTP)\n`);
  }
  const auditLogPath = resolve(io.cwd, values['audit-log'] ?? join(baseDir(), 'watch-audit.jsonl'));
  const watch = await startWatchServer({ host, port, allowInput: values['allow-input'] ?? false, auditLogPath });
  io.stdout(`ci-medic watch: open ${watch.url}\n`);
  if (watch.inputToken) {
    io.stdout(
      `Input is allowed for viewers who add &input=${watch.inputToken} to that URL; it is logged to ${auditLogPath}\n`,
    );
  } else {
    io.stdout('Read-only: keystrokes from the page are dropped (--allow-input to change that).\n');
  }
  await new Promise<void>((done) => {
    const stop = () => done();
    until?.addEventListener('abort', stop, { once: true });
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await watch.close();
  return 0;
}
