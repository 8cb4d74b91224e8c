// `ci-medic watch`: serve the dashboard of the agent sessions on this machine (src/watch/server.ts).
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { baseDir } from '../../terminal/tmux.js';
import { startWatchServer } from '../../watch/server.js';
import { defineCommand, UsageError, type CommandArgs } from '../command.js';
import type { CliIo } from '../io.js';

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

const WATCH_OPTIONS = {
  port: { type: 'string', default: '0' },
  host: { type: 'string', default: '127.0.0.1' },
  'allow-input': { type: 'boolean' },
  'audit-log': { type: 'string' },
} as const;

export const main = defineCommand({ name: 'watch', help: HELP, options: WATCH_OPTIONS }, ({ values }, io) =>
  serve(values, io),
);

async function serve(values: CommandArgs<typeof WATCH_OPTIONS>['values'], io: CliIo): Promise<number> {
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port must be a port number 0-65535, got '${values.port}'`);
  }
  const host = values.host === 'localhost' ? '127.0.0.1' : values.host;
  if (!isIP(host)) {
    throw new UsageError(`--host must be an IP address to bind, like 127.0.0.1, got '${values.host}'`);
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
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await watch.close();
  return 0;
}
