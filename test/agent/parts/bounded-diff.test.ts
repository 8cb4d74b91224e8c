// The diff the result carries for the job summary: real git, tracked changes and new files, bounded.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { boundedDiff } from '../../../src/agent/git.js';
import { git, makeRepo, removeTempDirs } from '../../helpers/repo.js';

afterAll(removeTempDirs);

describe('boundedDiff', () => {
  it('shows tracked changes and new files as a unified diff, names a huge new file, and cuts at a line', async () => {
    const { dir } = makeRepo({ 'math.js': 'for (i < n - 1)\n' });
    const base = git(dir, 'rev-parse', 'HEAD').trim();
    writeFileSync(join(dir, 'math.js'), 'for (i < n)\n');
    writeFileSync(join(dir, 'new.js'), 'export const x = 1;\n');
    writeFileSync(join(dir, 'blob.bin'), 'x'.repeat(1024 * 1024));
    const diff = await boundedDiff(dir, base, ['new.js', 'blob.bin']);
    expect(diff).toContain('-for (i < n - 1)\n+for (i < n)');
    expect(diff).toMatch(/\+\+\+ b\/new\.js\n@@ -0,0 \+1 @@\n\+export const x = 1;/);
    expect(diff).toContain('new file blob.bin: 1048576 bytes, not shown');

    const cut = await boundedDiff(dir, base, ['new.js'], 60);
    expect(cut.length).toBeLessThan(120);
    expect(cut).toMatch(/\n… \(diff cut at 60 characters\)$/);
  });
});
