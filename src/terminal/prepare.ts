// What a session needs from the machine before its server starts: a private base directory, a recent bash, the
// fifo of the protocol, and where command numbering goes on.
import { execFile } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { cwdFile } from './protocol.js';
import { baseDir, TmuxError } from './tmux.js';

/** /tmp/ci-medic-UID must be ours and private: another user must not plant sockets or state for us. */
export function ensureBaseDir(): string {
  const dir = baseDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  const uid = process.getuid?.();
  if (!st.isDirectory() || (uid !== undefined && st.uid !== uid)) {
    throw new TmuxError('other', `${dir} is not a directory owned by this user; remove it and try again`);
  }
  return dir;
}

/** The highest command number whose files are in the state directory (0 when none). */
export function highestCommand(stateDir: string): number {
  let highest = 0;
  for (const file of readdirSync(stateDir)) {
    const m = /^(\d+)\.(sh|log)$/.exec(file);
    if (m) highest = Math.max(highest, Number(m[1]));
  }
  return highest;
}

/** The protocol uses `{var}` redirections and fractional `read -t`: bash 4.1+ (macOS ships 3.2 as /bin/bash). */
export function checkBashVersion(bash: string, env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      bash,
      ['-c', 'echo "${BASH_VERSINFO[0]} ${BASH_VERSINFO[1]}"'],
      { env, timeout: 5_000 },
      (error, stdout) => {
        const [major, minor] = String(stdout).trim().split(' ').map(Number);
        if (error || !(major > 4 || (major === 4 && minor >= 1))) {
          reject(
            new TmuxError(
              'other',
              `${bash} is bash ${major || '?'}.${minor ?? '?'}; the session needs bash 4.1 or newer (on macOS: brew install bash, and put it first on PATH)`,
            ),
          );
        } else resolve();
      },
    );
  });
}

export function makeFifo(path: string, env: Record<string, string>): Promise<void> {
  return new Promise((resolve) => {
    execFile('mkfifo', ['-m', '600', path], { env, timeout: 5_000 }, () => resolve());
  });
}

/** The directory the session's shell reported after its last command, or null when none is on record (yet). */
export function recordedDirectory(stateDir: string): string | null {
  try {
    const cwd = readFileSync(cwdFile(stateDir), 'utf8');
    return cwd && statSync(cwd).isDirectory() ? cwd : null;
  } catch {
    return null; // no command has finished yet, or the directory is gone
  }
}
