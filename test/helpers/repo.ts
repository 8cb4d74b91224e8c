// Shared test helpers: temporary directories, trees of files, and real git repositories (with a bare `origin`).
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';

const cleanups: string[] = [];

/** A fresh temporary directory, removed by `removeTempDirs()` (call it in afterAll). */
export function makeTempDir(prefix = 'ci-medic-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of cleanups.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Environment that makes git deterministic and independent of the machine's global config. */
export const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.com',
  GIT_COMMITTER_NAME: 'Test Author',
  GIT_COMMITTER_EMAIL: 'author@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...GIT_ENV } }).trim();
}

export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
}

/**
 * The regular files under `dir` (none when it is missing), by path relative to it, in directory order. Only regular
 * files: a session's state directory also holds a FIFO, and reading one blocks forever.
 */
export function readTree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  if (!existsSync(dir)) return files;
  const walk = (d: string): void => {
    for (const entry of readdirSync(d)) {
      const path = join(d, entry);
      const kind = statSync(path);
      if (kind.isDirectory()) walk(path);
      else if (kind.isFile()) files.set(relative(dir, path), readFileSync(path, 'utf8'));
    }
  };
  walk(dir);
  return files;
}

/** test/fixtures/broken-project as files to commit: total() skips the last item, so `npm test` fails. */
export function brokenProjectFiles(): Record<string, string> {
  const files = readTree(resolve('test/fixtures/broken-project'));
  files.delete('script.json'); // the scripted model's replies for the workflow's e2e job, not part of the project
  return Object.fromEntries(files);
}

/** The fix of brokenProjectFiles() a scripted model types, and the check after it. */
export const BROKEN_PROJECT_FIX = "sed -i 's/i < items.length - 1/i < items.length/' math.js && npm test";

/**
 * A repository with `files` committed on `main`, and a bare repository as its `origin` with main pushed.
 * Returns both paths.
 */
export function makeRepo(files: Record<string, string>, message = 'initial commit'): { dir: string; origin: string } {
  const root = makeTempDir();
  const dir = join(root, 'work');
  const origin = join(root, 'origin.git');
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', origin]);
  mkdirSync(dir);
  git(dir, 'init', '-q', '-b', 'main');
  writeFiles(dir, files);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', message);
  git(dir, 'remote', 'add', 'origin', origin);
  git(dir, 'push', '-q', 'origin', 'main');
  return { dir, origin };
}
