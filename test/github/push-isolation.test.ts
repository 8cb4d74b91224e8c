// What the repair session could plant in .git/config or .gitattributes during the loop (the policy is a guardrail,
// not the boundary) must not carry ci-medic's secrets out when ci-medic commits and pushes: programs git runs from
// that configuration (filters, credential helpers, upload-pack) see neither the process's secrets nor the token.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { commitAndPush } from '../../src/github/branch.js';
import { authSecretsFor } from '../../src/github/credentials.js';
import { Redactor } from '../../src/redact.js';
import { GIT_ENV, git, makeRepo, makeTempDir, removeTempDirs, writeFiles } from '../helpers/repo.js';

const TOKEN = 'ghs_PushIsolationToken0123456789abcdefABCD';
const PLANTED_VAR = 'CI_MEDIC_TEST_DEPLOY_TOKEN';
const PLANTED = 'planted-process-secret-5e8d2c91';
const BOT = { name: 'github-actions[bot]', email: '41898282+github-actions[bot]@users.noreply.github.com' };

afterEach(() => {
  delete process.env[PLANTED_VAR];
});
afterAll(() => removeTempDirs());

function clone(): { dir: string; origin: string; base: string } {
  const repo = makeRepo({ 'src/sum.js': 'export const sum = (a, b) => a - b;\n' });
  const dir = join(makeTempDir(), 'clone');
  execFileSync('git', ['clone', '-q', `file://${repo.origin}`, dir], { env: { ...process.env, ...GIT_ENV } });
  git(dir, 'checkout', '-q', '--detach');
  return { dir, origin: repo.origin, base: git(dir, 'rev-parse', 'HEAD') };
}

/** A program the session points git at: it appends its environment to `marker`, then does `then`. */
function spy(marker: string, then: string): string {
  const script = join(makeTempDir(), 'spy.sh');
  writeFileSync(script, `#!/bin/sh\nenv >> '${marker}'\n${then}\n`, { mode: 0o755 });
  return script;
}

function options(dir: string, base: string, extra: Partial<Parameters<typeof commitAndPush>[0]> = {}) {
  writeFiles(dir, { 'src/sum.js': 'export const sum = (a, b) => a + b;\n' });
  return {
    workdir: dir,
    env: process.env,
    baseCommit: base,
    files: ['src/sum.js'],
    branch: 'ci-medic/feedc0de1234',
    message: 'ci-medic: fix the sum',
    author: BOT,
    redactor: new Redactor([TOKEN]),
    ...extra,
  };
}

describe('commitAndPush against configuration the session planted', () => {
  it("a clean filter planted through .gitattributes runs without the process's secrets", async () => {
    const { dir, base } = clone();
    process.env[PLANTED_VAR] = PLANTED;
    const marker = join(makeTempDir(), 'filter-env');
    writeFiles(dir, { '.gitattributes': '*.js filter=leak\n' });
    git(dir, 'config', 'filter.leak.clean', spy(marker, 'cat'));
    await commitAndPush(options(dir, base, { push: false }));
    expect(existsSync(marker), 'the planted filter ran (git add of the fix)').toBe(true);
    expect(readFileSync(marker, 'utf8')).not.toContain(PLANTED);
  });

  it('a remote switched to a local path with a planted upload-pack never sees the token', async () => {
    const { dir, origin, base } = clone();
    const marker = join(makeTempDir(), 'upload-pack-env');
    git(dir, 'remote', 'set-url', 'origin', 'https://github.com/o/r.git');
    git(dir, 'config', `url.${origin}.insteadOf`, 'https://github.com/o/r.git');
    git(dir, 'config', 'remote.origin.uploadpack', spy(marker, 'exec git-upload-pack "$@"'));
    git(dir, 'config', 'remote.origin.receivepack', spy(marker, 'exec git-receive-pack "$@"'));
    await commitAndPush(options(dir, base, { token: TOKEN })).catch(() => undefined);
    const seen = existsSync(marker) ? readFileSync(marker, 'utf8') : '';
    for (const secret of authSecretsFor(TOKEN)) expect(seen).not.toContain(secret);
  });

  it('a credential helper planted in .git/config is not asked (and never gets the token) when the server says 401', async () => {
    const { dir, base } = clone();
    const server = createServer((_request, response) => {
      response.writeHead(401, { 'www-authenticate': 'Basic realm="GitHub"', 'content-type': 'text/plain' });
      response.end('Unauthorized\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const marker = join(makeTempDir(), 'helper-env');
    git(dir, 'config', 'credential.helper', spy(marker, 'exit 0'));
    git(dir, 'config', `credential.${url}.helper`, spy(marker, 'exit 0'));
    git(dir, 'config', 'core.askPass', spy(marker, 'echo x'));
    try {
      await commitAndPush(options(dir, base, { token: TOKEN, pushUrl: `${url}/o/r.git`, serverUrl: url })).catch(
        () => undefined,
      );
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    const seen = existsSync(marker) ? readFileSync(marker, 'utf8') : '';
    for (const secret of authSecretsFor(TOKEN)) expect(seen).not.toContain(secret);
    expect(seen).toBe('');
  });
});
