// actions/checkout leaves the job's token in the repository's local git config (persist-credentials, on by default):
//  - older versions:  http.https://github.com/.extraheader = AUTHORIZATION: basic <base64(x-access-token:TOKEN)>
//                     (another origin on GitHub Enterprise Server);
//  - newer versions:  includeIf.gitdir:<path>/.git.path = $RUNNER_TEMP/git-credentials-<uuid>.config (and the same for
//                     worktrees and the container path), a file holding that extraheader.
// The repair session must not be able to read or use it, so it is removed for the length of the loop and put back after.
// The push sends its own header through the environment of that one git process (see authConfigEnv).
// Restoring puts back the whole configuration the loop started from: whatever the session wrote there meanwhile (a
// proxy that would see the push's header, an insteadOf, a filter, fsmonitor) is discarded before anything is pushed.
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { configEnv, createGit, type Git } from '../git/index.js';

export { configEnv } from '../git/index.js';

export interface ConfigEntry {
  key: string;
  /** May hold the token (an extraheader): never log it. */
  value: string;
}

export interface RemovedCredentials {
  removed: ConfigEntry[];
  /**
   * Puts back the configuration as it was before the loop, byte for byte (so the removed entries too). Resolves to
   * true when the loop had changed the file and those changes were discarded. Safe to call more than once and after a
   * failure; later calls resolve as the first did.
   */
  restore(): Promise<boolean>;
}

const CANDIDATE_KEYS = /^(?:http\..*\.extraheader|http\.extraheader|includeif\..*\.path|include\.path)$/;

/** checkout's credentials file name, as checkout itself recognises it. */
const CHECKOUT_CREDENTIALS_FILE = /git-credentials-[0-9a-f-]+\.config$/i;

/** `env`: the environment git starts from, the entry's (the git command manager scrubs it). */
export async function removeCheckoutCredentials(
  workdir: string,
  env: Record<string, string | undefined>,
  options: { git?: Git } = {},
): Promise<RemovedCredentials> {
  const git = options.git ?? createGit(workdir, { baseEnv: env });
  const configPath = await localConfigPath(git);
  const entries = await listLocalEntries(git);
  const removed: ConfigEntry[] = [];
  for (const entry of entries) {
    if (await holdsCredentials(entry, configPath)) removed.push(entry);
  }
  const before = await readFile(configPath, 'utf8');
  const done = new Set<string>();
  try {
    for (const { key, value } of removed) {
      const id = `${key}\0${value}`;
      if (done.has(id)) continue; // --unset-all took every copy of it already
      done.add(id);
      await git.exec(['config', '--local', '--fixed-value', '--unset-all', key, value], { okExitCodes: [5] });
    }
  } catch (error) {
    await writeFile(configPath, before);
    throw error;
  }
  const after = await readFile(configPath, 'utf8');

  let restoring: Promise<boolean> | undefined;
  const restore = (): Promise<boolean> => {
    restoring ??= (async () => {
      const current = await readFile(configPath, 'utf8').catch(() => undefined);
      if (current !== before) await writeFile(configPath, before);
      return current !== after;
    })();
    return restoring;
  };
  return { removed, restore };
}

/** Runs `fn` with checkout's credentials out of the config, and puts them back however `fn` ends. */
export async function withoutCheckoutCredentials<T>(
  workdir: string,
  env: Record<string, string | undefined>,
  fn: (removed: ConfigEntry[]) => Promise<T>,
): Promise<T> {
  const { removed, restore } = await removeCheckoutCredentials(workdir, env);
  try {
    return await fn(removed);
  } finally {
    await restore();
  }
}

/** The value checkout (and our push) sends: `AUTHORIZATION: basic base64(x-access-token:TOKEN)`. */
export function authHeaderFor(token: string): string {
  return `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`, 'utf8').toString('base64')}`;
}

/** Every form of the token that may appear in git output or config, for the Redactor. */
export function authSecretsFor(token: string): string[] {
  const basic = Buffer.from(`x-access-token:${token}`, 'utf8').toString('base64');
  return [token, basic, authHeaderFor(token)];
}

/**
 * Environment that gives one git process an authorization header for `url`'s origin only (never written to config,
 * never on the command line where `ps` shows it). The empty first value clears any header left in the config, so
 * exactly one is sent. `extra` pairs are added in front (e.g. core.hooksPath).
 */
export function authConfigEnv(token: string, url: string, extra: Array<[string, string]> = []): Record<string, string> {
  const origin = new URL(url).origin;
  const key = `http.${origin}/.extraheader`;
  return configEnv([...extra, [key, ''], [key, authHeaderFor(token)]]);
}

async function localConfigPath(git: Git): Promise<string> {
  // Worktrees share the main repository's config, which lives in the common git directory.
  const { stdout } = await git.exec(['rev-parse', '--path-format=absolute', '--git-common-dir']);
  return resolve(stdout.trim(), 'config');
}

async function listLocalEntries(git: Git): Promise<ConfigEntry[]> {
  const { stdout, exitCode } = await git.exec(['config', '--local', '--null', '--list'], { okExitCodes: [1] });
  if (exitCode !== 0) return [];
  return stdout
    .split('\0')
    .filter(Boolean)
    .map((record) => {
      const newline = record.indexOf('\n');
      return newline < 0
        ? { key: record, value: '' }
        : { key: record.slice(0, newline), value: record.slice(newline + 1) };
    })
    .filter((entry) => CANDIDATE_KEYS.test(entry.key.toLowerCase()));
}

async function holdsCredentials(entry: ConfigEntry, configPath: string): Promise<boolean> {
  if (entry.key.toLowerCase().endsWith('.extraheader')) return true;
  if (CHECKOUT_CREDENTIALS_FILE.test(entry.value)) return true;
  // Any other included file that carries an extraheader (a credentials file under another name).
  const target =
    entry.value.startsWith('~/') || isAbsolute(entry.value) ? entry.value : resolve(dirname(configPath), entry.value);
  if (target.startsWith('~/')) return false;
  const text = await readFile(target, 'utf8').catch(() => '');
  return /^\s*extraheader\s*=/im.test(text);
}
