import { mkdtempSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureRescueTool, RescueInstallError, UPTERM_VERSION, uptermAsset } from '../../src/rescue/install.js';
import { forkPullRequestRefusal } from '../../src/rescue/guard.js';

const cache = mkdtempSync('/tmp/cmi-');
afterAll(() => rmSync(cache, { recursive: true, force: true }));

describe('ensureRescueTool', () => {
  it('maps platforms to the pinned upterm release archives', () => {
    expect(uptermAsset('linux', 'x64')).toEqual({
      file: 'upterm_linux_amd64.tar.gz',
      url: `https://github.com/owenthereal/upterm/releases/download/${UPTERM_VERSION}/upterm_linux_amd64.tar.gz`,
      checksumsUrl: `https://github.com/owenthereal/upterm/releases/download/${UPTERM_VERSION}/checksums.txt`,
    });
    expect(uptermAsset('darwin', 'arm64').file).toBe('upterm_darwin_arm64.tar.gz');
    expect(() => uptermAsset('win32', 'x64')).toThrow(/no release for win32\/x64.*tmate provider/);
    expect(() => uptermAsset('linux', 'mips')).toThrow(RescueInstallError);
  });

  it('uses the tool already on PATH (the real Debian tmate)', async () => {
    expect(await ensureRescueTool('tmate', { path: '/usr/bin:/bin', cacheDir: cache })).toBe('/usr/bin/tmate');
  });

  it('a download it cannot make is a clear error naming the URL, and nothing half-installed is left', async () => {
    const error = (await ensureRescueTool('upterm', {
      path: '/nonexistent',
      cacheDir: cache,
      platform: 'linux',
      arch: 'x64',
      releasesUrl: 'http://127.0.0.1:1/releases',
      timeoutMs: 5000,
    }).catch((e: unknown) => e)) as RescueInstallError;
    expect(error).toBeInstanceOf(RescueInstallError);
    expect(error.message).toContain(`http://127.0.0.1:1/releases/${UPTERM_VERSION}/upterm_linux_amd64.tar.gz`);
    expect(error.message).toMatch(/install upterm yourself/);
    await expect(
      ensureRescueTool('upterm', { path: '/nonexistent', cacheDir: cache, platform: 'win32', arch: 'x64' }),
    ).rejects.toThrow(/no release for win32/);
  });

  it('says where tmate cannot be installed', async () => {
    const error = await ensureRescueTool('tmate', { path: '/nonexistent', cacheDir: cache, platform: 'freebsd' }).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(/cannot install it on freebsd.*upterm provider/);
  });
});

describe('forkPullRequestRefusal', () => {
  const pr = (head: string | null, base = 'us/repo') => ({
    pull_request: { head: { repo: head === null ? null : { full_name: head } }, base: { repo: { full_name: base } } },
  });
  it('refuses a pull request from another repository, or one whose head repository is gone', () => {
    expect(forkPullRequestRefusal('pull_request', pr('stranger/repo'))).toMatch(/fork/);
    expect(forkPullRequestRefusal('pull_request_target', pr('stranger/repo'))).toMatch(/fork/);
    expect(forkPullRequestRefusal('pull_request', pr(null))).toMatch(/fork/);
  });
  it('allows a same-repository pull request and other events', () => {
    expect(forkPullRequestRefusal('pull_request', pr('us/repo'))).toBeNull();
    expect(forkPullRequestRefusal('push', {})).toBeNull();
    expect(forkPullRequestRefusal(undefined, null)).toBeNull();
  });
});
