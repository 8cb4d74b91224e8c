// Make sure tmux (3.2+) is present: install it with apt-get on Linux (through sudo when not root) or brew on
// macOS. Where that is impossible the error says what to install by hand.
import { spawn } from 'node:child_process';
import { DEFAULT_PATH } from './env.js';
import { findExecutable, tmuxVersion, TmuxError } from './tmux.js';

/** apt-get update + install can be slow on a cold runner; brew slower still. */
const INSTALL_TIMEOUT_MS = 10 * 60_000;

export interface EnsureTmuxOptions {
  /** PATH to search (default: the usual system directories). */
  path?: string;
  platform?: NodeJS.Platform;
  /** Told each install command before it runs (the Action logs them). */
  log?: (line: string) => void;
}

function runCommand(argv: string[], env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (d: Buffer) => {
      output = (output + d.toString('utf8')).slice(-4000); // the tail is what explains a failure
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), INSTALL_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: 127, output: error.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, output });
    });
  });
}

/** The commands that would install tmux here, or a reason why there are none. */
export function installPlan(
  platform: NodeJS.Platform,
  path: string,
): { commands: string[][] } | { impossible: string } {
  if (platform === 'darwin') {
    const brew = findExecutable('brew', path);
    if (!brew)
      return {
        impossible:
          'Homebrew (brew) is not installed; install tmux yourself (https://github.com/tmux/tmux/wiki/Installing)',
      };
    return { commands: [[brew, 'install', 'tmux']] };
  }
  if (platform === 'linux') {
    const apt = findExecutable('apt-get', path);
    if (!apt) return { impossible: 'apt-get is not available; install tmux 3.2 or newer with your package manager' };
    const root = process.getuid?.() === 0;
    const sudo = root ? null : findExecutable('sudo', path);
    if (!root && !sudo)
      return { impossible: 'installing tmux needs root and sudo is not available; install tmux as root' };
    const prefix = sudo ? [sudo, '-n'] : [];
    return {
      commands: [
        [...prefix, apt, 'update', '-qq'],
        [...prefix, apt, 'install', '-y', '-qq', 'tmux'],
      ],
    };
  }
  return { impossible: `no installer for ${platform}; install tmux 3.2 or newer yourself` };
}

/**
 * Resolve with tmux's version, installing tmux first when it is missing. Throws TmuxError('not-installed') when
 * it cannot be installed and TmuxError('version-too-old') when the tmux found is older than 3.2.
 */
export async function ensureTmux(options: EnsureTmuxOptions = {}): Promise<{ version: string; installed: boolean }> {
  const path = options.path ?? DEFAULT_PATH;
  const env = { PATH: path, DEBIAN_FRONTEND: 'noninteractive' };
  if (findExecutable('tmux', path)) return { version: await tmuxVersion({ env }), installed: false };

  const plan = installPlan(options.platform ?? process.platform, path);
  if ('impossible' in plan)
    throw new TmuxError('not-installed', `tmux is not installed and cannot be installed here: ${plan.impossible}`);
  for (const argv of plan.commands) {
    options.log?.(`$ ${argv.join(' ')}`);
    const { code, output } = await runCommand(argv, env);
    if (code !== 0) {
      throw new TmuxError(
        'not-installed',
        `tmux is not installed and "${argv.join(' ')}" failed with exit code ${code}: ${output.trim().split('\n').slice(-5).join(' | ')}`,
      );
    }
  }
  if (!findExecutable('tmux', path))
    throw new TmuxError('not-installed', 'tmux was installed but is still not on PATH');
  return { version: await tmuxVersion({ env }), installed: true };
}
