// The Action's inputs -> RepairConfig plus the Action's own settings. Everything is validated here, before anything is
// installed or started, and every error names the input, the value and what is accepted (ConfigError).
import { join, resolve } from 'node:path';
import {
  ConfigError,
  DEFAULT_PROTECTED_PATHS,
  parseCost,
  ACTION_BUDGET_NAMES,
  parseCount,
  parseOnFlaky,
  parseDuration,
  parsePositiveInt,
  parseTamperRules,
  splitList,
  validateSessionName,
  type RepairConfig,
} from '../config.js';
import { ACTION_PROVIDER_NAMES, providerFromEnvironment } from '../providers.js';

export const PULL_REQUEST_MODES = ['create', 'draft', 'none'] as const;
export type PullRequestMode = (typeof PULL_REQUEST_MODES)[number];

export const RESCUE_MODES = ['instructions', 'upterm', 'tmate', 'off'] as const;
export type RescueMode = (typeof RESCUE_MODES)[number];

/** github-actions[bot]: the author GitHub shows with the Actions avatar. */
export const DEFAULT_COMMIT_AUTHOR = {
  name: 'github-actions[bot]',
  email: '41898282+github-actions[bot]@users.noreply.github.com',
};

export interface ActionSettings {
  githubToken: string;
  pullRequest: PullRequestMode;
  /** Base branch override; empty means the event's branch. */
  base: string;
  branchPrefix: string;
  labels: string[];
  failOnNotFixed: boolean;
  allowPullRequestTarget: boolean;
  commitAuthor: { name: string; email: string };
  rescue: RescueMode;
  rescueConnectTimeoutMs: number;
  rescueMaxMinutes: number;
  rescueLimitAccessToActor: boolean;
  /** Set the ci-medic/verify commit status on the fix commit. */
  commitStatus: boolean;
  /** Workflow file to dispatch on the fix branch; empty for none. */
  triggerCi: string;
  /** A `flaky` result fails the step (a red build stays red). */
  failOnFlaky: boolean;
}

export interface ActionInputs {
  config: RepairConfig;
  settings: ActionSettings;
  /** Values to mask in the runner's log (core.setSecret). */
  secrets: string[];
}

/** Where the runner puts things: the workspace (GITHUB_WORKSPACE) and a per-job temporary directory (RUNNER_TEMP). */
export interface RunnerPaths {
  workspace: string;
  runnerTemp: string;
}

type GetInput = (name: string) => string;

function oneOf<T extends string>(input: string, value: string, accepted: readonly T[]): T {
  if ((accepted as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(input, `"${value}" is not accepted; use one of: ${accepted.join(', ')}`);
}

function parseBoolean(input: string, value: string): boolean {
  if (/^(true|yes|on|1)$/i.test(value)) return true;
  if (/^(false|no|off|0)$/i.test(value)) return false;
  throw new ConfigError(input, `"${value}" is not a boolean; use true or false`);
}

function parseAuthor(input: string, value: string): { name: string; email: string } {
  const match = /^\s*([^<>]+?)\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(value);
  if (!match) throw new ConfigError(input, `"${value}" is not an author; use the form Name <email@example.com>`);
  return { name: match[1], email: match[2] };
}

/** A workflow file name as the dispatch API takes it (`ci.yml`), or a workflow id; a path is reduced to its name. */
function parseWorkflowFile(input: string, value: string): string {
  const name = value.trim().replace(/^\.github\/workflows\//, '');
  if (name === '' || /^\d+$/.test(name) || /^[\w.-]+\.ya?ml$/.test(name)) return name;
  throw new ConfigError(
    input,
    `"${value}" is not a workflow file; give the file name under .github/workflows, e.g. ci.yml.`,
  );
}

function parseBranchPrefix(input: string, value: string): string {
  // git check-ref-format's rules that a prefix can break on its own.
  if (!value || /\.\.|[\s~^:?*[\\]|@\{|^[/.-]|\/\/|\.lock\//.test(value)) {
    throw new ConfigError(
      input,
      `"${value}" is not a usable branch prefix; use letters, digits, '-', '_', '.' and '/', like ci-medic/`,
    );
  }
  return value;
}

function parseBaseUrl(input: string, value: string): string | undefined {
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(input, `"${value}" is not a URL; use an http(s) address like https://api.anthropic.com`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(input, `"${value}" must be an http or https URL`);
  }
  return value;
}

/**
 * Read and validate every input. `getInput` returns the trimmed value or '' (core.getInput's contract); defaults come
 * from action.yml, and are repeated here so a missing variable still gets the documented default.
 */
export function readInputs(getInput: GetInput, paths: RunnerPaths, env: NodeJS.ProcessEnv = {}): ActionInputs {
  const get = (name: string, fallback = ''): string => getInput(name).trim() || fallback;

  const check = get('check');
  if (!check) {
    throw new ConfigError(
      'check',
      "Input 'check' is required: the command whose failure ci-medic repairs, for example `npm test`.",
    );
  }

  // Bedrock, Vertex and Foundry credentials come from where their own login Actions put them (the environment).
  const platform = providerFromEnvironment(
    {
      provider: get('provider'),
      awsRegion: get('aws-region'),
      vertexProjectId: get('vertex-project-id'),
      vertexRegion: get('vertex-region'),
      foundryResource: get('foundry-resource'),
    },
    { ...env, ANTHROPIC_API_KEY: undefined, ANTHROPIC_AUTH_TOKEN: undefined, ANTHROPIC_BASE_URL: undefined },
    ACTION_PROVIDER_NAMES,
  );
  const anthropic = platform.settings.name === 'anthropic';
  const apiKey = anthropic ? get('anthropic-api-key') : (platform.apiKey ?? '');
  const githubToken = get('github-token');
  const workingDirectory = get('working-directory', '.');
  const workdir = resolve(paths.workspace, workingDirectory);
  const sessionName = validateSessionName('session-name', get('session-name', 'ci-medic'));

  const config: RepairConfig = {
    check,
    setup: get('setup') || undefined,
    workdir,
    model: get('model', 'claude-sonnet-5-5'),
    provider: platform.settings,
    baseUrl: anthropic ? parseBaseUrl('anthropic-base-url', get('anthropic-base-url')) : platform.baseUrl,
    apiKey: apiKey || undefined,
    maxTurns: parsePositiveInt('max-turns', get('max-turns', '30')),
    timeBudgetMs: parseDuration('time-budget', get('time-budget', '20m')),
    maxCostUsd: parseCost('max-cost', get('max-cost', '3')),
    budgetNames: ACTION_BUDGET_NAMES,
    commandTimeoutMs: parseDuration('command-timeout', get('command-timeout', '10m')),
    policy: {
      allow: splitList(get('allow')),
      deny: splitList(get('deny')),
      protectedPaths: [...DEFAULT_PROTECTED_PATHS, ...splitList(get('protected-paths'))],
      disabledRules: splitList(get('disable-rules')),
    },
    instructions: get('instructions') || undefined,
    sessionName,
    transcriptPath: join(paths.runnerTemp, 'ci-medic', sessionName, 'transcript.jsonl'),
    relaxedTamperRules: parseTamperRules('relax-tamper-rules', splitList(get('relax-tamper-rules'))),
    secrets: [apiKey, githubToken, ...platform.secrets].filter(Boolean),
    keepSession: false,
  };
  config.flakyReruns = parseCount('flaky-reruns', get('flaky-reruns', '2'));
  config.onFlaky = parseOnFlaky('on-flaky', get('on-flaky', 'report'));

  const rescue = oneOf('rescue', get('rescue', 'instructions'), RESCUE_MODES);
  config.keepSession = rescue !== 'off';
  const author = get('commit-author');

  const settings: ActionSettings = {
    githubToken,
    pullRequest: oneOf('pull-request', get('pull-request', 'create'), PULL_REQUEST_MODES),
    base: get('base'),
    branchPrefix: parseBranchPrefix('branch-prefix', get('branch-prefix', 'ci-medic/')),
    labels: splitList(get('labels')),
    failOnNotFixed: parseBoolean('fail-on-not-fixed', get('fail-on-not-fixed', 'true')),
    allowPullRequestTarget: parseBoolean('allow-pull-request-target', get('allow-pull-request-target', 'false')),
    commitAuthor: author ? parseAuthor('commit-author', author) : DEFAULT_COMMIT_AUTHOR,
    rescue,
    rescueConnectTimeoutMs: parseDuration('rescue-connect-timeout', get('rescue-connect-timeout', '10m')),
    rescueMaxMinutes: parsePositiveInt('rescue-max-minutes', get('rescue-max-minutes', '45')),
    rescueLimitAccessToActor: parseBoolean('rescue-limit-access-to-actor', get('rescue-limit-access-to-actor', 'true')),
    commitStatus: parseBoolean('commit-status', get('commit-status', 'true')),
    triggerCi: parseWorkflowFile('trigger-ci', get('trigger-ci')),
    failOnFlaky: parseBoolean('fail-on-flaky', get('fail-on-flaky', 'true')),
  };

  return { config, settings, secrets: config.secrets };
}
