// actions/checkout v5+ keeps the job's token in $RUNNER_TEMP/git-credentials-<uuid>.config, reached from .git/config
// through includeIf.gitdir: the redactor must learn that header (and the token in it) as it does the older inline one.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { gitConfigSecrets } from '../../../src/agent/validate.js';
import { Redactor } from '../../../src/redact.js';
import { git, makeRepo, makeTempDir, removeTempDirs } from '../../helpers/repo.js';

afterAll(() => removeTempDirs());

describe('gitConfigSecrets', () => {
  test("finds the header in checkout's included credentials file", async () => {
    const { dir } = makeRepo({ 'a.txt': 'a\n' });
    // Not shaped like any known token: only the configuration can tell the redactor about it.
    const token = 'plain0checkout0token0c0ffee';
    const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
    const file = join(makeTempDir(), 'git-credentials-0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0.config');
    writeFileSync(file, `[http "https://github.com/"]\n\textraheader = AUTHORIZATION: basic ${basic}\n`);
    git(dir, 'config', '--local', `includeIf.gitdir:${join(dir, '.git')}.path`, file);

    const secrets = await gitConfigSecrets(dir);
    expect(secrets).toContain(basic);
    expect(secrets).toContain(token);
    const redactor = new Redactor(secrets);
    const masked = redactor.redact(`extraheader = AUTHORIZATION: basic ${basic}\ndecoded: x-access-token:${token}`);
    expect(masked).not.toContain(basic);
    expect(masked).not.toContain(token);
  });
});
