// The Action's inputs -> RepairConfig plus the Action's own settings. Everything is validated here, before anything is
// installed or started, and every error names the input, the value and what is accepted (ConfigError).
import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import {
  ConfigError,
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_FLAKY_RERUNS,
  DEFAULT_MAX_COST_USD,
  DEFAULT_MAX_TURNS,
  DEFAULT_MODEL,
  DEFAULT_ON_FLAKY,
  DEFAULT_PROTECTED_PATHS,
  DEFAULT_SANDBOX,
  DEFAULT_TIME_BUDGET_MS,
  parseCost,
  ACTION_BUDGET_NAMES,
  parseCount,
  parseOnFlaky,
  parseDomains,
  parsePaths,
  parseSandboxMode,
  parseDuration,
  parsePositiveInt,
  parseTamperRules,
  splitList,
  uniqueSessionName,
  parseSessionName,
  type RepairConfig,
} from '../config.js';
import { ACTION_PROVIDER_NAMES, providerFromEnvironment } from '../providers.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_MAX_DURATION_MS } from '../rescue/host.js';

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
  /** session-name was given (a busy one is then an error naming the input), not the unique default. */
  sessionNameGiven: boolean;
  /** Upload the session's recording and the transcript as one workflow artifact. */
  uploadArtifact: boolean;
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
  /** The session name when session-name is empty (the entry makes it unique: see uniqueSessionName). */
  defaultSessionName?: string;
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
 * from action.yml, and a missing variable still gets the documented default (config.ts's, where config.ts has one).
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
  const workdir = insideWorkspace('working-directory', paths.workspace, workingDirectory);
  const sessionNameGiven = get('session-name') !== '';
  const sessionName = parseSessionName(
    'session-name',
    get('session-name', paths.defaultSessionName ?? uniqueSessionName()),
  );

  const config: RepairConfig = {
    check,
    setup: get('setup') || undefined,
    workdir,
    model: get('model', DEFAULT_MODEL),
    provider: platform.settings,
    baseUrl: anthropic ? parseBaseUrl('anthropic-base-url', get('anthropic-base-url')) : platform.baseUrl,
    apiKey: apiKey || undefined,
    // The defaults are config.ts's (action.yml repeats them, and a test holds the two together).
    maxTurns: get('max-turns') ? parsePositiveInt('max-turns', get('max-turns')) : DEFAULT_MAX_TURNS,
    timeBudgetMs: get('time-budget') ? parseDuration('time-budget', get('time-budget')) : DEFAULT_TIME_BUDGET_MS,
    maxCostUsd: get('max-cost') ? parseCost('max-cost', get('max-cost')) : DEFAULT_MAX_COST_USD,
    budgetNames: ACTION_BUDGET_NAMES,
    commandTimeoutMs: get('command-timeout')
      ? parseDuration('command-timeout', get('command-timeout'))
      : DEFAULT_COMMAND_TIMEOUT_MS,
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
    sandbox: {
      mode: get('sandbox') ? parseSandboxMode('sandbox', get('sandbox')) : DEFAULT_SANDBOX.mode,
      allowDomains: parseDomains('allow-domains', splitList(get('allow-domains'))),
      allowWrite: parsePaths('allow-write', splitList(get('allow-write'))),
      denyRead: parsePaths('deny-read', splitList(get('deny-read'))),
    },
  };
  config.flakyReruns = get('flaky-reruns') ? parseCount('flaky-reruns', get('flaky-reruns')) : DEFAULT_FLAKY_RERUNS;
  config.onFlaky = get('on-flaky') ? parseOnFlaky('on-flaky', get('on-flaky')) : DEFAULT_ON_FLAKY;

  const rescue = oneOf('rescue', get('rescue', 'instructions'), RESCUE_MODES);
  config.keepSession = rescue !== 'off';
  const author = get('commit-author');

  const settings: ActionSettings = {
    githubToken,
    pullRequest: oneOf('pull-request', get('pull-request', 'create'), PULL_REQUEST_MODES),
    base: parseBase('base', get('base')),
    branchPrefix: parseBranchPrefix('branch-prefix', get('branch-prefix', 'ci-medic/')),
    labels: parseLabels('labels', splitList(get('labels'))),
    failOnNotFixed: parseBoolean('fail-on-not-fixed', get('fail-on-not-fixed', 'true')),
    allowPullRequestTarget: parseBoolean('allow-pull-request-target', get('allow-pull-request-target', 'false')),
    commitAuthor: author ? parseAuthor('commit-author', author) : DEFAULT_COMMIT_AUTHOR,
    rescue,
    rescueConnectTimeoutMs: get('rescue-connect-timeout')
      ? parseDuration('rescue-connect-timeout', get('rescue-connect-timeout'))
      : DEFAULT_CONNECT_TIMEOUT_MS,
    rescueMaxMinutes: get('rescue-max-minutes')
      ? parsePositiveInt('rescue-max-minutes', get('rescue-max-minutes'))
      : DEFAULT_MAX_DURATION_MS / 60_000,
    rescueLimitAccessToActor: parseBoolean('rescue-limit-access-to-actor', get('rescue-limit-access-to-actor', 'true')),
    commitStatus: parseBoolean('commit-status', get('commit-status', 'true')),
    triggerCi: parseWorkflowFile('trigger-ci', get('trigger-ci')),
    failOnFlaky: parseBoolean('fail-on-flaky', get('fail-on-flaky', 'true')),
    sessionNameGiven,
    uploadArtifact: parseBoolean('upload-artifact', get('upload-artifact', 'true')),
  };

  return { config, settings, secrets: config.secrets };
}

/** working-directory resolves inside the workspace (symbolic links followed where they exist), never beside it. */
function insideWorkspace(input: string, workspace: string, value: string): string {
  const workdir = resolve(workspace, value);
  const real = (path: string): string => {
    try {
      return realpathSync(path);
    } catch {
      return path; // not there (yet): validation says so, naming the input
    }
  };
  const within = relative(real(workspace), real(workdir));
  if (within.startsWith('..') || isAbsolute(within)) {
    throw new ConfigError(
      input,
      `"${value}" resolves to ${workdir}, outside the workspace ${workspace}; give a directory inside the checkout`,
    );
  }
  return workdir;
}

/** base: a branch name git accepts (`git check-ref-format --branch`), or empty for the event's branch. */
function parseBase(input: string, value: string): string {
  if (!value) return value;
  const checked = spawnSync('git', ['check-ref-format', '--branch', value], { stdio: 'ignore', timeout: 10_000 });
  if (checked.error) throw new ConfigError(input, `cannot be checked: git did not run (${checked.error.message})`);
  if (checked.status !== 0 || value.startsWith('-') || value.startsWith('@{')) {
    throw new ConfigError(input, `"${value}" is not a valid branch name; give the branch name only, like main`);
  }
  return value;
}

/** Labels are shown by GitHub as given: no control characters (tabs, escapes, carriage returns). */
function parseLabels(input: string, labels: string[]): string[] {
  for (const label of labels) {
    if (/[\u0000-\u001f\u007f-\u009f]/.test(label)) {
      throw new ConfigError(input, `${JSON.stringify(label)} holds a control character; use printable text only`);
    }
  }
  return labels;
}

/** A pull request (and the push before it) needs a token: an empty one fails before anything costs money. */
export function checkDelivery(settings: ActionSettings): void {
  if (settings.pullRequest !== 'none' && !settings.githubToken) {
    throw new ConfigError(
      'github-token',
      `is empty, but pull-request is "${settings.pullRequest}": pass a token that may push and open pull requests ` +
        '(the default, ${{ github.token }}, with permissions contents: write and pull-requests: write), ' +
        'or set pull-request: none',
    );
  }
}
