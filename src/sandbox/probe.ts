// Can the sandbox run on this machine? Checked for real (a throwaway bubblewrap with the namespaces we need), so a
// kernel or AppArmor that refuses user namespaces is found before a session depends on it.
import { execFile } from 'node:child_process';
import { findExecutable } from '../terminal/tmux.js';

export const SANDBOX_PACKAGES = ['bubblewrap', 'socat', 'ripgrep'] as const;
const PROGRAMS: Record<string, string> = { bwrap: 'bubblewrap', socat: 'socat', rg: 'ripgrep', script: 'bsdutils' };

export type SandboxCheck =
  { available: true } | { available: false; missing: string[]; problem: string; remedy: string };

/** Ubuntu 23.10+ (24.04 on GitHub's runners) lets AppArmor refuse unprivileged user namespaces. */
export const USERNS_REMEDY =
  'allow unprivileged user namespaces: sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 ' +
  '(or give bwrap an AppArmor profile with "userns,"), then run again';

const PROBE_TIMEOUT_MS = 10_000;

function probe(bwrap: string, env: Record<string, string>): Promise<string | null> {
  const args = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--unshare-user', '--unshare-pid'];
  args.push('--unshare-net', '--new-session', '--die-with-parent', '--', 'true');
  return new Promise((resolve) => {
    execFile(bwrap, args, { env, timeout: PROBE_TIMEOUT_MS }, (error, _stdout, stderr) =>
      resolve(error ? (String(stderr).trim() || error.message).split('\n')[0] : null),
    );
  });
}

export async function checkSandbox(
  env: Record<string, string | undefined>,
  platform = process.platform,
): Promise<SandboxCheck> {
  if (platform !== 'linux') {
    return {
      available: false,
      missing: [],
      problem: `the sandbox is implemented for Linux (bubblewrap); this is ${platform}`,
      remedy: 'run on Linux, or set sandbox: off to rely on the command policy alone',
    };
  }
  const path = env.PATH ?? '/usr/local/bin:/usr/bin:/bin';
  const missing = Object.keys(PROGRAMS).filter((p) => !findExecutable(p, path));
  if (missing.length) {
    const packages = [...new Set(missing.map((p) => PROGRAMS[p]))];
    return {
      available: false,
      missing: packages,
      problem: `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not installed`,
      remedy: `install them: sudo apt-get install -y ${packages.join(' ')}`,
    };
  }
  const failure = await probe(findExecutable('bwrap', path) as string, { PATH: path });
  if (failure) {
    const userns = /namespace|uid map|permission denied|operation not permitted/i.test(failure);
    return {
      available: false,
      missing: [],
      problem: `bubblewrap cannot create its namespaces here: ${failure}`,
      remedy: userns ? USERNS_REMEDY : 'check that bubblewrap works: bwrap --ro-bind / / --unshare-all true',
    };
  }
  return { available: true };
}
