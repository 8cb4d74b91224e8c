// What a person sees in the pane, against real tmux and bash: output arrives live through the redacting feed, a
// planted secret never reaches the screen, the scrollback, the pane's output stream or the logs, and a flood is
// drawn throttled while the log and the result keep every byte.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentSession } from '../../src/terminal/session.js';
import { shellQuote } from '../../src/terminal/quote.js';
import { makeTempDir, removeTempDirs } from '../helpers/repo.js';

const SECRET = 'pl4nted-Zq9x-no-known-prefix-77';
const redact = (text: string) => text.split(SECRET).join('[REDACTED]');
let session: AgentSession;
let streamFile: string;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const scrollback = () =>
  execFileSync('tmux', ['-S', session.socketPath, 'capture-pane', '-p', '-J', '-S', '-', '-E', '-'], {
    encoding: 'utf8',
  });

beforeAll(async () => {
  const cwd = makeTempDir();
  session = await AgentSession.start({ name: `pv${process.pid}`, cwd, baseEnv: process.env, redact });
  streamFile = join(makeTempDir(), 'stream.out');
  await session.pipeOutput(`cat >> ${shellQuote(streamFile)}`);
  // The secret is in a file the shell can read, as a credential file would be.
  execFileSync('sh', ['-c', `printf 'token=%s\\n' '${SECRET}' > '${cwd}/creds'`]);
});

afterAll(async () => {
  await session.stop({ removeState: true });
  removeTempDirs();
});

describe('the pane shows output through the redacting feed', () => {
  it('never shows a planted secret: screen, scrollback, pane stream, logs and result', async () => {
    const r = await session.run(
      `cat creds; printf 'partial %s' "$(cut -d= -f2 creds)"; sleep 0.8; echo ' end'; cut -d= -f2 creds >&2`,
    );
    expect(r.output).toBe(`token=[REDACTED]\npartial [REDACTED] end\n[REDACTED]\n`);
    const seen = scrollback();
    expect(seen).toContain('token=[REDACTED]');
    expect(seen).toContain('partial [REDACTED] end');
    expect(seen).not.toContain(SECRET);
    await sleep(200);
    expect(readFileSync(streamFile, 'utf8')).not.toContain(SECRET);
    for (const file of readdirSync(session.stateDir)) {
      const path = join(session.stateDir, file);
      if (statSync(path).isFile() && !file.endsWith('.sh') && !file.endsWith('.run'))
        expect(readFileSync(path, 'utf8'), file).not.toContain(SECRET);
    }
  });

  it('draws output live, before the command ends', async () => {
    const pending = session.run('for i in 1 2 3 4 5 6; do echo live-tick-$i; sleep 0.3; done');
    await sleep(900);
    const during = scrollback();
    expect(during).toContain('live-tick-1');
    expect(during).not.toContain('live-tick-6');
    await pending;
    expect(scrollback()).toContain('live-tick-6');
  });

  it('throttles a flood: the pane gets a note and the newest lines, the log and result every byte', async () => {
    const r = await session.run(`seq 1 300000 | sed 's/^/flood /'; echo "flood ${'$'}(cut -d= -f2 creds) last"`);
    expect(r.exitCode).toBe(0);
    expect(r.outputTruncated).toBe(false);
    expect(r.output.split('\n')).toHaveLength(300_002);
    expect(r.output.endsWith('flood [REDACTED] last\n')).toBe(true);
    const seen = scrollback();
    expect(seen).toMatch(/bytes not drawn \(all in .*\.log\)/);
    expect(seen).toContain('flood [REDACTED] last');
    expect(seen).not.toContain(SECRET);
    // Drawn lines are whole lines: never a line cut in its middle.
    const drawn = seen.split('\n').filter((l) => l.startsWith('flood '));
    expect(drawn.length).toBeLessThan(50_000);
    for (const line of drawn) expect(line).toMatch(/^flood (\d+|\[REDACTED\] last)$/);
  });
});
