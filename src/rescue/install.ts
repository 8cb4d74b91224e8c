// Getting the rescue host onto the machine: tmate from the system's packages (apt-get, brew), upterm at a pinned
// release (downloaded once into a cache, checked against the release's checksums.txt). Clear errors where it cannot.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findExecutable } from '../terminal/tmux.js';
import type { RescueProvider } from './host.js';

/** The upterm release ci-medic installs when upterm is not on PATH. */
export const UPTERM_VERSION = 'v0.24.0';
export const UPTERM_RELEASES = 'https://github.com/owenthereal/upterm/releases/download';
/** Bound for a package-manager install or a download. */
export const INSTALL_TIMEOUT_MS = 5 * 60_000;

export class RescueInstallError extends Error {
  constructor(
    readonly provider: RescueProvider,
    message: string,
  ) {
    super(message);
    this.name = 'RescueInstallError';
  }
}

export interface EnsureRescueToolOptions {
  /** PATH to look on (and to run apt-get/brew/tar with). */
  path: string;
  /** Where upterm releases are cached (one directory per version). */
  cacheDir: string;
  platform?: NodeJS.Platform;
  arch?: string;
  /** Root user: apt-get runs directly; otherwise through sudo when there is one. */
  isRoot?: boolean;
  /** Release download root (default UPTERM_RELEASES); tests point it at an unreachable address. */
  releasesUrl?: string;
  version?: string;
  timeoutMs?: number;
  onEvent?: (message: string) => void;
}

const UPTERM_ARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  ia32: '386',
  arm: 'armv6',
  ppc64: 'ppc64le',
  s390x: 's390x',
};
const UPTERM_OS: Partial<Record<NodeJS.Platform, string>> = { linux: 'linux', darwin: 'darwin' };

/** The release archive for a platform: `upterm_<os>_<arch>.tar.gz` (goreleaser's names). Throws where there is none. */
export function uptermAsset(
  platform: NodeJS.Platform,
  arch: string,
  version = UPTERM_VERSION,
  releasesUrl = UPTERM_RELEASES,
): { file: string; url: string; checksumsUrl: string } {
  const os = UPTERM_OS[platform];
  const cpu = UPTERM_ARCH[arch];
  if (!os || !cpu) {
    throw new RescueInstallError(
      'upterm',
      `upterm ${version} has no release for ${platform}/${arch} that ci-medic can install; install upterm yourself ` +
        '(https://github.com/owenthereal/upterm#installation) or use the tmate provider',
    );
  }
  const file = `upterm_${os}_${cpu}.tar.gz`;
  const base = `${releasesUrl.replace(/\/+$/, '')}/${version}`;
  return { file, url: `${base}/${file}`, checksumsUrl: `${base}/checksums.txt` };
}

/** The path of a usable upterm/tmate executable, installing it when needed. Throws RescueInstallError. */
export async function ensureRescueTool(provider: RescueProvider, options: EnsureRescueToolOptions): Promise<string> {
  const found = findExecutable(provider, options.path);
  if (found) return found;
  return provider === 'tmate' ? installTmate(options) : installUpterm(options);
}

async function installTmate(options: EnsureRescueToolOptions): Promise<string> {
  const platform = options.platform ?? process.platform;
  const say = options.onEvent ?? (() => {});
  const env = { PATH: options.path, DEBIAN_FRONTEND: 'noninteractive' };
  const timeout = options.timeoutMs ?? INSTALL_TIMEOUT_MS;
  let plan: Array<[string, string[]]>;
  if (platform === 'linux' && findExecutable('apt-get', options.path)) {
    const sudo =
      (options.isRoot ?? process.getuid?.() === 0) ? [] : findExecutable('sudo', options.path) ? ['sudo', '-n'] : null;
    if (!sudo)
      throw new RescueInstallError(
        'tmate',
        'tmate is not installed and apt-get needs root (no sudo here); install tmate first',
      );
    const apt = (...args: string[]): [string, string[]] =>
      sudo.length ? [sudo[0], [...sudo.slice(1), 'apt-get', ...args]] : ['apt-get', args];
    plan = [apt('update', '-qq'), apt('install', '-y', '-qq', 'tmate')];
  } else if (platform === 'darwin' && findExecutable('brew', options.path)) {
    plan = [['brew', ['install', 'tmate']]];
  } else {
    throw new RescueInstallError(
      'tmate',
      `tmate is not installed and ci-medic cannot install it on ${platform} (it uses apt-get on Linux, brew on macOS); ` +
        'install tmate yourself or use the upterm provider',
    );
  }
  for (const [file, args] of plan) {
    say(`installing tmate: ${file} ${args.join(' ')}`);
    await run(file, args, env, timeout).catch((error: Error) => {
      throw new RescueInstallError('tmate', `installing tmate failed (${file} ${args.join(' ')}): ${error.message}`);
    });
  }
  const installed = findExecutable('tmate', options.path);
  if (!installed) throw new RescueInstallError('tmate', 'tmate was installed but is not on PATH');
  return installed;
}

async function installUpterm(options: EnsureRescueToolOptions): Promise<string> {
  const version = options.version ?? UPTERM_VERSION;
  const asset = uptermAsset(
    options.platform ?? process.platform,
    options.arch ?? process.arch,
    version,
    options.releasesUrl,
  );
  const dir = join(options.cacheDir, 'upterm', version);
  const binary = join(dir, 'upterm');
  if (existsSync(binary)) return binary;
  const timeout = options.timeoutMs ?? INSTALL_TIMEOUT_MS;
  options.onEvent?.(`downloading upterm ${version} from ${asset.url}`);
  const archive = await download(asset.url, timeout);
  const sums = (await download(asset.checksumsUrl, timeout)).toString('utf8');
  const expected = sums
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .find((parts) => parts[1] === asset.file)?.[0];
  const actual = createHash('sha256').update(archive).digest('hex');
  if (!expected || expected !== actual) {
    throw new RescueInstallError(
      'upterm',
      `the download of ${asset.url} does not match the release's checksums.txt; not installed`,
    );
  }
  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    writeFileSync(join(staging, asset.file), archive);
    await run('tar', ['-xzf', asset.file, 'upterm'], { PATH: options.path }, timeout, staging);
    chmodSync(join(staging, 'upterm'), 0o755);
    rmSync(join(staging, asset.file));
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw new RescueInstallError(
      'upterm',
      `unpacking ${asset.file} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return binary;
}

async function download(url: string, timeoutMs: number): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
    throw new RescueInstallError(
      'upterm',
      `could not download ${url}: ${error instanceof Error ? error.message : String(error)}${cause}; ` +
        'install upterm yourself (https://github.com/owenthereal/upterm#installation) or use the tmate provider',
    );
  }
  if (!response.ok) {
    throw new RescueInstallError(
      'upterm',
      `could not download ${url}: HTTP ${response.status}; install upterm yourself or use the tmate provider`,
    );
  }
  return Buffer.from(await response.arrayBuffer());
}

function run(file: string, args: string[], env: Record<string, string>, timeout: number, cwd?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env, cwd, timeout, killSignal: 'SIGKILL', maxBuffer: 4 << 20 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(stderr.trim().split('\n').slice(-3).join(' ') || error.message));
      else resolve();
    });
  });
}
