// The one git command manager (in the manner of actions/checkout's): every git process ci-medic starts — the loop's
// queries, the tamper guard, the push, the demo — goes through here. Real `git`, argument arrays (never a shell string),
// the scrubbed environment, a deadline on every call, and errors that carry the arguments, exit code and stderr.
import { spawn } from 'node:child_process';
import { scrubEnvironment } from '../terminal/env.js';

export const DEFAULT_GIT_TIMEOUT_MS = 120_000;

export interface GitOptions {
  /**
   * The environment git starts from, before scrubbing: the one the entry was given (git needs PATH, HOME's global
   * config with the runner's safe.directory, proxies and CA settings). Required: nothing below the entries reads
   * process.env.
   */
  baseEnv: Record<string, string | undefined>;
  /** Variables added to the scrubbed environment of every git call. */
  env?: Record<string, string>;
  /** Deadline for each call. Default 120 s. */
  timeoutMs?: number;
}

export interface ExecOptions {
  /** Variables for this call only (e.g. GIT_INDEX_FILE). */
  env?: Record<string, string>;
  /** Exit codes that are not an error (0 always is). */
  okExitCodes?: number[];
  input?: string;
  timeoutMs?: number;
}

export interface GitResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export class GitError extends Error {
  readonly args: string[];
  readonly exitCode: number | null;
  readonly stderr: string;
  /** Some answers come on stdout (`push --porcelain` prints each rejected ref and why). */
  readonly stdout: string;
  readonly timedOut: boolean;
  constructor(args: string[], exitCode: number | null, stderr: string, timedOut: boolean, stdout = '') {
    const what = timedOut ? 'timed out' : `failed (exit code ${exitCode})`;
    super(`git ${describeArgs(args)} ${what}${stderr.trim() ? `: ${stderr.trim()}` : ''}`);
    this.name = 'GitError';
    this.args = args;
    this.exitCode = exitCode;
    this.stderr = stderr;
    this.stdout = stdout;
    this.timedOut = timedOut;
  }
}

/** The subcommand and its flags, for messages; `-c` values are left out because they may hold an authorization header. */
function describeArgs(args: string[]): string {
  const shown: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-c') {
      shown.push('-c', `${(args[i + 1] ?? '').split('=')[0]}=***`);
      i++;
    } else shown.push(args[i]);
  }
  return shown.join(' ');
}

/** One entry of `git status --porcelain=v1 -z`. */
export interface StatusEntry {
  /** Two status letters, e.g. ` M`, `??`, `A `, `R `. */
  code: string;
  path: string;
  /** The source path of a rename or copy. */
  from?: string;
}

export interface Git {
  readonly workdir: string;
  exec(args: string[], options?: ExecOptions): Promise<GitResult>;
  /** The full object name of `ref`; throws when it does not resolve. */
  revParse(ref: string): Promise<string>;
  /** The full object name of `ref`, or undefined when it does not resolve. */
  tryRevParse(ref: string): Promise<string | undefined>;
  status(): Promise<StatusEntry[]>;
  /** Untracked files, not ignored, as paths relative to the work tree. */
  untrackedFiles(): Promise<string[]>;
  diff(args: string[], options?: ExecOptions): Promise<string>;
  add(paths: string[], options?: ExecOptions): Promise<void>;
  commitTree(tree: string, parent: string, message: string, env?: Record<string, string>): Promise<string>;
  updateRef(ref: string, value: string, oldValue?: string): Promise<void>;
  fetch(remote: string, refspecs: string[], options?: { depth?: number }): Promise<void>;
  /** `git ls-remote` for one ref: its object name, or undefined when the remote has no such ref. */
  lsRemote(remote: string, ref: string): Promise<string | undefined>;
  push(
    remote: string,
    refspecs: string[],
    options?: { forceWithLease?: string[]; extraArgs?: string[] },
  ): Promise<GitResult>;
  worktreeAdd(path: string, commitish: string): Promise<void>;
  worktreeRemove(path: string): Promise<void>;
  /** The absolute path of the repository's git directory (handles `.git` files of worktrees and submodules). */
  gitDir(): Promise<string>;
  isShallow(): Promise<boolean>;
}

export function createGit(workdir: string, options: GitOptions): Git {
  const timeoutDefault = options.timeoutMs ?? DEFAULT_GIT_TIMEOUT_MS;
  // Git must never wait for a person: no prompts, no pager, C locale so messages can be recognised.
  const fixedEnv = { GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', PAGER: 'cat', LC_ALL: 'C', ...options.env };
  // Not the process's secrets: git runs programs the repository's config names (filters, fsmonitor, textconv,
  // helpers, upload-pack), and the repair session could write that config.
  const baseEnv = scrubEnvironment(options.baseEnv);

  function exec(args: string[], execOptions: ExecOptions = {}): Promise<GitResult> {
    const timeoutMs = execOptions.timeoutMs ?? timeoutDefault;
    return new Promise((resolve, reject) => {
      const child = spawn('git', args, {
        cwd: workdir,
        env: { ...baseEnv, ...fixedEnv, ...execOptions.env },
        stdio: ['pipe', 'pipe', 'pipe'],
        // Its own process group, so a deadline also stops what git started (helpers, hooks, ssh).
        detached: true,
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      }, timeoutMs);
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(new GitError(args, null, `cannot run git: ${error.message}`, false));
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        const result = {
          exitCode: code ?? -1,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        };
        const ok = code === 0 || (code !== null && (execOptions.okExitCodes ?? []).includes(code));
        if (ok && !timedOut) resolve(result);
        else reject(new GitError(args, code, result.stderr, timedOut, result.stdout));
      });
      child.stdin.on('error', () => {
        /* git may exit before reading its input; the exit code tells. */
      });
      child.stdin.end(execOptions.input ?? '');
    });
  }

  async function tryRevParse(ref: string): Promise<string | undefined> {
    const result = await exec(['rev-parse', '--verify', '--quiet', '--end-of-options', ref], { okExitCodes: [1] });
    return result.exitCode === 0 ? result.stdout.trim() : undefined;
  }

  return {
    workdir,
    exec,
    tryRevParse,
    async revParse(ref) {
      const sha = await tryRevParse(ref);
      if (!sha) throw new GitError(['rev-parse', ref], 1, `unknown revision '${ref}'`, false);
      return sha;
    },
    async status() {
      const { stdout } = await exec(['status', '--porcelain=v1', '-z', '--untracked-files=all']);
      return parseStatusZ(stdout);
    },
    async untrackedFiles() {
      const { stdout } = await exec(['ls-files', '-z', '--others', '--exclude-standard']);
      return stdout.split('\0').filter(Boolean);
    },
    async diff(args, execOptions) {
      return (await exec(['diff', ...args], execOptions)).stdout;
    },
    async add(paths, execOptions) {
      if (paths.length === 0) return;
      // `--all` per path so a deleted file is staged as a deletion; `--` so a path is never read as an option.
      await exec(['add', '--all', '--', ...paths], execOptions);
    },
    async commitTree(tree, parent, message, env) {
      const { stdout } = await exec(['commit-tree', '--no-gpg-sign', tree, '-p', parent, '-F', '-'], {
        input: message,
        env,
      });
      return stdout.trim();
    },
    async updateRef(ref, value, oldValue) {
      await exec(['update-ref', '-m', 'ci-medic', ref, value, ...(oldValue !== undefined ? [oldValue] : [])]);
    },
    async fetch(remote, refspecs, fetchOptions = {}) {
      const depth = fetchOptions.depth !== undefined ? [`--depth=${fetchOptions.depth}`] : [];
      await exec(['fetch', '--no-tags', '--quiet', ...depth, remote, ...refspecs]);
    },
    async lsRemote(remote, ref) {
      const { stdout } = await exec(['ls-remote', '--exit-code', remote, ref], { okExitCodes: [2] });
      const line = stdout.split('\n').find((l) => l.endsWith(`\t${ref}`));
      return line ? line.split('\t')[0] : undefined;
    },
    async push(remote, refspecs, pushOptions = {}) {
      const leases = (pushOptions.forceWithLease ?? []).map((lease) => `--force-with-lease=${lease}`);
      return exec(['push', '--porcelain', ...leases, ...(pushOptions.extraArgs ?? []), remote, ...refspecs]);
    },
    async worktreeAdd(path, commitish) {
      await exec(['worktree', 'add', '--detach', '--quiet', path, commitish]);
    },
    async worktreeRemove(path) {
      await exec(['worktree', 'remove', '--force', path]);
    },
    async gitDir() {
      return (await exec(['rev-parse', '--absolute-git-dir'])).stdout.trim();
    },
    async isShallow() {
      return (await exec(['rev-parse', '--is-shallow-repository'])).stdout.trim() === 'true';
    },
  };
}

/** Parses `git status --porcelain=v1 -z`: renames and copies carry their source as the next NUL-separated field. */
export function parseStatusZ(output: string): StatusEntry[] {
  const fields = output.split('\0');
  const entries: StatusEntry[] = [];
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i];
    if (field.length < 4) continue;
    const code = field.slice(0, 2);
    const entry: StatusEntry = { code, path: field.slice(3) };
    if (code.includes('R') || code.includes('C')) entry.from = fields[++i];
    entries.push(entry);
  }
  return entries;
}

/** `git -c key=value …` expressed as GIT_CONFIG_COUNT/KEY_n/VALUE_n (command-line scope, git ≥ 2.31). */
export function configEnv(pairs: Array<[string, string]>): Record<string, string> {
  const env: Record<string, string> = { GIT_CONFIG_COUNT: String(pairs.length) };
  pairs.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return env;
}
