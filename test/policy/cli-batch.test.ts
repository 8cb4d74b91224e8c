// `ci-medic policy` in batch mode: one JSON string a line in, one decision a line out; a past run's transcript
// replayed under another configuration; --sandbox chooses the rules.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main as policy } from '../../src/cli/commands/policy.js';
import type { CliIo } from '../../src/cli/io.js';

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    env: { HOME: '/home/runner' },
    cwd: mkdtempSync(join(tmpdir(), 'policy-cli-')),
  };
  const code = await policy(argv, io);
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'policy-batch-'));
const commands = join(dir, 'commands.jsonl');
writeFileSync(commands, ['"npm test"', '"curl -s localhost:8000/health"', '', '"git push origin main"'].join('\n'));

describe('ci-medic policy --commands-from', () => {
  it('prints one JSON decision per command line, with the command, and exits 1 when any is denied', async () => {
    const { code, out } = await cli(['--json', '--sandbox', 'off', '--commands-from', commands]);
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { command: string; allowed: boolean; rule: string });
    expect(lines.map((l) => [l.command, l.allowed])).toEqual([
      ['npm test', true],
      ['curl -s localhost:8000/health', false],
      ['git push origin main', false],
    ]);
    expect(lines[2].rule).toBe('default:publishing');
    expect(code).toBe(1);
  });

  it('--sandbox on decides with the sandbox configuration', async () => {
    const { out } = await cli(['--json', '--sandbox', 'on', '--commands-from', commands]);
    expect(
      out
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { allowed: boolean }).allowed),
    ).toEqual([true, true, false]);
    expect((await cli(['--sandbox', 'on', '--', 'export PATH=/x:$PATH'])).code).toBe(0);
    expect((await cli(['--sandbox', 'off', '--', 'export PATH=/x:$PATH'])).code).toBe(1);
  });

  it('names the file and line of a line that is not a JSON string, and --sandbox values it does not know', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '"ls"\nnpm test\n');
    const r = await cli(['--commands-from', bad]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${bad}, line 2`);
    expect(r.err).toContain('JSON string');
    const s = await cli(['--sandbox', 'maybe', '--', 'ls']);
    expect(s.code).toBe(2);
    expect(s.err).toContain('--sandbox: "maybe" is not a sandbox mode');
    expect((await cli(['--commands-from', join(dir, 'missing.jsonl')])).err).toContain('cannot read --commands-from');
  });
});

describe('ci-medic policy --from-transcript', () => {
  it('replays the policy entries of a transcript and skips the other events', async () => {
    const transcript = join(dir, 'transcript.jsonl');
    writeFileSync(
      transcript,
      [
        { type: 'tool-call', turn: 1, id: 't1', name: 'bash', input: { command: 'ls' } },
        { type: 'policy', command: 'source .venv/bin/activate && pytest', allowed: false, reason: 'old rule' },
        { type: 'policy', command: 'set -e; make test', allowed: false, reason: 'old rule' },
        { type: 'command-result', command: 'ls', exitCode: 0 },
      ]
        .map((e) => JSON.stringify(e))
        .join('\n'),
    );
    const off = await cli(['--from-transcript', transcript, '--sandbox', 'off']);
    expect(off.out.trim().split('\n')).toEqual([
      'allowed: "source .venv/bin/activate && pytest"',
      expect.stringMatching(/^denied \(default:session\): "set -e; make test" — set -e/),
    ]);
    const on = await cli(['--from-transcript', transcript, '--sandbox', 'on']);
    expect(on.code).toBe(0);
    expect(on.out.trim().split('\n')).toHaveLength(2);
  });
});
