// What the fault tests share: a checkout holding both forms of checkout's persisted credential, the main step of a
// re-run started without waiting (the runners themselves are test/helpers/action.ts and cli.ts), and what they look
// at afterwards: processes by their command line, and the agent's socket.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAction, type ActionStep } from '../helpers/action.js';
import { git, makeRepo, makeTempDir } from '../helpers/repo.js';
export const API_KEY = 'sk-ant-api03-plantedSurvivalKey-0123456789abcdef';
export const CHECKOUT_TOKEN = 'ghs_plantedSurvivalCheckoutToken012345678';
const BASIC = Buffer.from(`x-access-token:${CHECKOUT_TOKEN}`).toString('base64');

/**
 * A checkout as actions/checkout leaves it: v4's extraheader in .git/config and v5's includeIf to a credentials file
 * under the runner's temporary directory (with odd spacing and a comment, so a rewrite would show).
 */
export function makeCheckout(files: Record<string, string> = { 'README.md': 'hello\n' }): {
  dir: string;
  configPath: string;
  configBytes: Buffer;
} {
  const repo = makeRepo(files);
  const credentialsDir = makeTempDir('ci-medic-creds-');
  const credentialsFile = join(credentialsDir, 'git-credentials-0b2c7d1e-1111-4222-8333-944455556666.config');
  writeFileSync(credentialsFile, `[http "https://github.com/"]\n\textraheader = AUTHORIZATION: basic ${BASIC}\n`);
  git(repo.dir, 'config', 'http.https://github.com/.extraheader', `AUTHORIZATION: basic ${BASIC}`);
  git(repo.dir, 'config', `includeIf.gitdir:${repo.dir}/.git.path`, credentialsFile);
  const configPath = join(repo.dir, '.git', 'config');
  writeFileSync(configPath, `${readFileSync(configPath, 'utf8')}# kept as written   \n`);
  return { dir: repo.dir, configPath, configBytes: readFileSync(configPath) };
}

/** The main step as the runner starts it on attempt 2 of run 4242, without waiting: for real signals. */
export function startStep(workspace: string, inputs: Record<string, string>): ActionStep {
  return startAction({ workspace, inputs, env: { GITHUB_RUN_ATTEMPT: '2' }, timeoutMs: 120_000 });
}

/** The inputs every main step here gets: the Messages stand-in at `anthropicUrl`, generous budgets, and `extra`. */
export function stepInputs(anthropicUrl: string, extra: Record<string, string>): Record<string, string> {
  return {
    'anthropic-api-key': API_KEY,
    'anthropic-base-url': anthropicUrl,
    'github-token': 'ghs_fakeTokenForTheRun0123456789',
    'time-budget': '5m',
    'command-timeout': '2m',
    ...extra,
  };
}

/** Live processes whose command line contains `needle`, or is exactly `needle` (zombies excluded). */
export function processesWith(needle: string, exactly = false): Array<{ pid: number; cmdline: string }> {
  const found: Array<{ pid: number; cmdline: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z') continue;
      const match = exactly ? cmdline === needle : cmdline.includes(needle);
      if (match && Number(entry) !== process.pid) found.push({ pid: Number(entry), cmdline });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

export async function waitFor(what: string, ready: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const socketOf = (session: string): string => `/tmp/ci-medic-${process.getuid?.() ?? 0}/${session}.sock`;
