// The loop's own git calls after the session ran (changed files, diff stat, the tamper check) run programs the
// repository's config names (fsmonitor, textconv, filters), which the session could write: they must not get the
// process's secrets.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { changedFiles, diffStat } from '../../../src/agent/git.js';
import { workspaceDiff } from '../../../src/agent/tamper/index.js';
import { git, makeRepo, makeTempDir, removeTempDirs, writeFiles } from '../../helpers/repo.js';

const PLANTED_VAR = 'CI_MEDIC_TEST_SERVICE_PASSWORD';
const PLANTED = 'planted-loop-secret-3b7f0a';

afterEach(() => {
  delete process.env[PLANTED_VAR];
});
afterAll(() => removeTempDirs());

describe("the loop's git calls", () => {
  test("an fsmonitor and a textconv planted in .git/config run without the process's secrets", async () => {
    const { dir } = makeRepo({ 'src/a.js': 'export const a = 1;\n' });
    const base = git(dir, 'rev-parse', 'HEAD');
    process.env[PLANTED_VAR] = PLANTED;
    const marker = join(makeTempDir(), 'env');
    const spy = join(makeTempDir(), 'spy.sh');
    writeFileSync(spy, `#!/bin/sh\nenv >> '${marker}'\ncat "$1" 2>/dev/null\nexit 0\n`, { mode: 0o755 });
    git(dir, 'config', 'core.fsmonitor', spy);
    git(dir, 'config', 'diff.leak.textconv', spy);
    writeFiles(dir, { '.gitattributes': '*.js diff=leak\n', 'src/a.js': 'export const a = 2;\n' });

    expect(await changedFiles(dir, base, new Set())).toContain('src/a.js');
    await diffStat(dir, base, []);
    await workspaceDiff(dir, base);
    expect(existsSync(marker), 'the planted programs ran').toBe(true);
    expect(readFileSync(marker, 'utf8')).not.toContain(PLANTED);
  });
});
