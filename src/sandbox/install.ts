// Install the sandbox's Debian packages where they are missing (the Action on a hosted runner: apt with sudo).
import { execFile } from 'node:child_process';
import { findExecutable } from '../terminal/tmux.js';

const INSTALL_TIMEOUT_MS = 5 * 60_000;

function run(file: string, args: string[], env: Record<string, string>): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: INSTALL_TIMEOUT_MS }, (error, _o, stderr) =>
      resolve(error ? String(stderr).trim().split('\n').slice(-3).join(' ') || error.message : null),
    );
  });
}

/** apt-get install the packages (through `sudo -n` unless root). Returns null on success, or why it failed. */
export async function installSandboxPackages(packages: string[], path: string): Promise<string | null> {
  const apt = findExecutable('apt-get', path);
  if (!apt) return `apt-get is not available to install ${packages.join(', ')}`;
  const env = { PATH: path, DEBIAN_FRONTEND: 'noninteractive' };
  const root = process.getuid?.() === 0;
  const sudo = root ? null : findExecutable('sudo', path);
  if (!root && !sudo) return `installing ${packages.join(', ')} needs root, and sudo is not available`;
  const [file, prefix] = root ? [apt, [] as string[]] : [sudo as string, ['-n', apt]];
  const install = () => run(file, [...prefix, 'install', '-y', '--no-install-recommends', ...packages], env);
  if (!(await install())) return null;
  await run(file, [...prefix, 'update'], env); // a fresh runner's package lists may be stale
  return install();
}
