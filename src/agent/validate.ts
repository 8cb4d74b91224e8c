// Checks made before anything starts (configuration, credentials in .git/config), so that a bad configuration
// fails fast, naming what is wrong, before tmux starts.
import { stat } from 'node:fs/promises';
import { ConfigError, type RepairConfig } from '../config.js';
import { policyConfigFrom } from '../policy/index.js';
import type { PolicyConfig } from '../policy/types.js';
import { gitOrEmpty, type Repo } from './git.js';

/**
 * Fail fast, before tmux starts, on configuration that cannot work; returns the policy the run enforces. `env` is the
 * entry's environment (git's, and HOME for the policy's paths). An entry that checked the policy's patterns itself (naming its own flags) passes the result as `checkedPolicy`.
 */
export async function validateRepairConfig(
  config: RepairConfig,
  env: Record<string, string | undefined>,
  checkedPolicy?: PolicyConfig,
): Promise<PolicyConfig> {
  if (!config.check.trim())
    throw new ConfigError('check', 'the check command is empty; give the command CI runs, like "npm test"');
  // Bedrock, Vertex and Foundry find their credentials in the platform's own places; the preflight checks them.
  if ((config.provider?.name ?? 'anthropic') === 'anthropic' && !config.apiKey && !config.authToken) {
    throw new ConfigError(
      'apiKey',
      'no API key: set ANTHROPIC_API_KEY (the anthropic-api-key input), or ANTHROPIC_AUTH_TOKEN with --base-url (the anthropic-base-url input) for a gateway',
    );
  }
  const dir = await stat(config.workdir).catch(() => null);
  if (!dir?.isDirectory()) throw new ConfigError('workdir', `"${config.workdir}" is not a directory`);
  if (!(await gitOrEmpty({ dir: config.workdir, env }, ['rev-parse', 'HEAD'])).trim()) {
    throw new ConfigError(
      'workdir',
      `"${config.workdir}" is not a git repository with a commit; ci-medic repairs a checkout`,
    );
  }
  for (const [name, value] of [
    ['maxTurns', config.maxTurns],
    ['timeBudget', config.timeBudgetMs],
    ['maxCost', config.maxCostUsd],
    ['commandTimeout', config.commandTimeoutMs],
  ] as const) {
    if (!(value > 0)) throw new ConfigError(name, `"${value}" must be greater than zero`);
  }
  return checkedPolicy ?? policyConfigFrom(config.policy, config.workdir, env.HOME || undefined);
}

/** The `http.<url>.extraheader` values actions/checkout leaves in .git/config (or a file it includes), and the tokens inside them. */
export async function gitConfigSecrets(repo: Repo): Promise<string[]> {
  // --includes: checkout v5+ keeps the header in a file under $RUNNER_TEMP, reached through includeIf.gitdir.
  const out = await gitOrEmpty(repo, ['config', '--local', '--includes', '--get-regexp', '^http\\..*\\.extraheader$']);
  const secrets: string[] = [];
  for (const line of out.split('\n').filter(Boolean)) {
    const value = line.slice(line.indexOf(' ') + 1).trim();
    const credential = /^authorization:\s*(?:basic|bearer)\s+(\S+)/i.exec(value)?.[1];
    if (!credential) continue;
    secrets.push(credential);
    const decoded = Buffer.from(credential, 'base64').toString('utf8');
    if (/^[\x20-\x7e]+$/.test(decoded)) {
      secrets.push(decoded);
      const password = decoded.slice(decoded.indexOf(':') + 1);
      if (password && password !== decoded) secrets.push(password);
    }
  }
  return secrets;
}
