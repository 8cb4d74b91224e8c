// A command's output is never held whole in memory, against real tmux and bash: past 16 MiB the result keeps head
// and tail with outputTruncated, while the log stays byte-exact; log redaction streams, and a secret is masked
// wherever it falls between chunks.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_OUTPUT_BYTES, OUTPUT_HEAD_BYTES, redactLogFile } from '../../src/terminal/log.js';
import { AgentSession } from '../../src/terminal/session.js';
import { makeTempDir, removeTempDirs } from '../helpers/repo.js';

let session: AgentSession | undefined;
afterAll(async () => {
  await session?.stop({ removeState: true });
  removeTempDirs();
});

describe('bounded output', () => {
  it('keeps head and tail of a 24 MiB output, and the whole log on disk', async () => {
    session = await AgentSession.start({ name: `ob${process.pid}`, cwd: makeTempDir(), baseEnv: process.env });
    const size = 24 * 1024 * 1024;
    const r = await session.run(`echo FIRST-LINE; yes 'middle line of the flood' | head -c ${size}; echo LAST-LINE`, {
      timeoutMs: 120_000,
    });
    expect(r.exitCode).toBe(0);
    expect(r.outputTruncated).toBe(true);
    expect(statSync(r.outputPath).size).toBe(size + 'FIRST-LINE\n'.length + 'LAST-LINE\n'.length);
    expect(r.output.startsWith('FIRST-LINE\nmiddle line')).toBe(true);
    expect(r.output.endsWith('LAST-LINE\n')).toBe(true);
    expect(r.output).toMatch(/bytes of output not kept in memory \(the whole log: .*\.log\)/);
    expect(r.output.length).toBeLessThan(MAX_OUTPUT_BYTES + 1000);
    expect(r.output.indexOf('… ')).toBeGreaterThanOrEqual(OUTPUT_HEAD_BYTES - 1);
    // A small output is still exact and not truncated.
    expect(await session.run('printf tiny')).toMatchObject({ output: 'tiny', outputTruncated: false });
  });

  it('redacts a log larger than a chunk by streaming, wherever the secret falls', () => {
    const secret = 'Zk7-planted-secret-value';
    const path = join(makeTempDir(), 'big.log');
    const line = 'x'.repeat(1000);
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) lines.push(i % 97 === 0 ? `${line.slice(0, i % 1000)}${secret}` : line);
    writeFileSync(path, lines.join('\n') + '\n');
    const before = statSync(path).size;
    expect(redactLogFile(path, (t) => t.split(secret).join('[R]'))).toBe(true);
    const after = readFileSync(path, 'utf8');
    expect(after).not.toContain(secret);
    expect(after.split('[R]')).toHaveLength(Math.ceil(3000 / 97) + 1);
    expect(after.length).toBe(before - Math.ceil(3000 / 97) * (secret.length - 3));
    // Nothing to mask: the file is left as it was, byte for byte.
    const clean = join(makeTempDir(), 'clean.log');
    writeFileSync(clean, Buffer.from([0xff, 0x41, 0x0a]));
    redactLogFile(clean, (t) => t);
    expect(readFileSync(clean)).toEqual(Buffer.from([0xff, 0x41, 0x0a]));
  });
});
