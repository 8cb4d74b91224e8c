// Standalone loopback stand-in of the Messages API, for end-to-end runs (the Action's test job):
//   node test/fakes/anthropic-server.ts --script script.json --port-file port.txt [--requests-file requests.jsonl]
// Writes its port to --port-file once listening, appends each request to --requests-file, and prints validation
// problems to stderr; exits 0 on SIGTERM/SIGINT, or 1 then if the script was not used up or a request was invalid.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const USAGE = `usage: node test/fakes/anthropic-server.ts --script FILE --port-file FILE [--requests-file FILE]

A loopback stand-in of the Anthropic Messages API that answers from a script and validates every request.
  --script FILE         JSON {"steps": [{"reply": {"content": [...]}}, ...], "options": {"knownModels": [...]}}
                        (see test/fixtures/broken-project/script.json); one step per POST /v1/messages
  --port-file FILE      where the port is written once listening (point ANTHROPIC_BASE_URL at http://127.0.0.1:PORT)
  --requests-file FILE  append each request received, as JSON lines
Stop it with SIGTERM or SIGINT: exits 1 when a request was invalid or scripted steps were left unused.
`;
let values: { script?: string; 'port-file'?: string; 'requests-file'?: string; help?: boolean };
try {
  ({ values } = parseArgs({
    options: {
      script: { type: 'string' },
      'port-file': { type: 'string' },
      'requests-file': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  process.stderr.write(`anthropic-server.ts: ${(error as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (!values.script || !values['port-file']) {
  process.stderr.write(`anthropic-server.ts: --script and --port-file are required\n\n${USAGE}`);
  process.exit(2);
}
// A computed specifier keeps tsc from asking for a .ts import extension; Node 24 strips the types itself.
const modulePath = new URL('./anthropic.ts', import.meta.url).href;
const fake = (await import(modulePath)) as typeof import('./anthropic.js');
const server = await fake.startFakeAnthropicFromScript(JSON.parse(readFileSync(values.script, 'utf8')));
const requestsFile = values['requests-file'];
let reported = 0;
const timer = setInterval(() => {
  for (; reported < server.requests.length; reported++) {
    if (requestsFile) appendFileSync(requestsFile, server.requests[reported].raw + '\n');
  }
}, 100);
writeFileSync(values['port-file'], String(server.port));
process.stdout.write(`fake Anthropic API listening on ${server.url}\n`);

const stop = async (): Promise<void> => {
  clearInterval(timer);
  for (; reported < server.requests.length; reported++) {
    if (requestsFile) appendFileSync(requestsFile, server.requests[reported].raw + '\n');
  }
  await server.close();
  for (const p of server.problems) process.stderr.write(`fake: ${p}\n`);
  if (server.remaining() > 0) process.stderr.write(`fake: ${server.remaining()} scripted steps were not used\n`);
  process.exit(server.problems.length > 0 || server.remaining() > 0 ? 1 : 0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
