// The committed bundles start: no module errors, and a clear message where input is missing.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('bundles', () => {
  it('the Action bundle without inputs fails with a message about the check input', () => {
    const env = { ...process.env };
    for (const key of Object.keys(env)) if (key.startsWith('INPUT_')) delete env[key];
    const started = Date.now();
    const result = spawnSync(process.execPath, ['dist/index.js'], { encoding: 'utf8', env });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("Input 'check' is required");
  });

  it('the CLI bundle prints usage for --help and exits 2 for an unknown command', () => {
    const help = spawnSync(process.execPath, ['dist/cli/index.js', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: ci-medic <command>');
    const unknown = spawnSync(process.execPath, ['dist/cli/index.js', 'frobnicate'], { encoding: 'utf8' });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
  });
});

describe('CLI output into a pipe that closes early', () => {
  it('ends quietly (no EPIPE stack trace) when the reader goes away', () => {
    // About 200 KB of JSON: far more than a pipe holds, so the writer meets the closed pipe.
    const script = `node dist/cli/index.js policy --json -- "echo $(seq -s ' ' 1 9000)" | head -c 10; echo " status=\${PIPESTATUS[0]}"`;
    const result = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/ status=0$/m);
  });
});
