// RepairConfig: the one typed, validated object that both entries (Action and CLI) build.
// Nothing below an entry reads process.env or @actions/core: it all arrives through this object.
// Every error names the input (Action) or flag (CLI) that was wrong, the value, and what is accepted.
import { randomBytes } from 'node:crypto';
import { sessionNameProblem } from './terminal/tmux.js';

/** The platforms that serve the model (providers.ts picks one and finds its credentials). */
export const PROVIDERS = ['anthropic', 'bedrock', 'vertex', 'foundry'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export interface ProviderSettings {
  name: ProviderName;
  /** Bedrock: the AWS region. Vertex: the Google Cloud region (`global` for the global endpoint). */
  region?: string;
  /** Vertex: the Google Cloud project. */
  projectId?: string;
  /** Foundry: the resource name (https://{resource}.services.ai.azure.com/anthropic/). */
  resource?: string;
  /** Bedrock: static credentials (configure-aws-credentials exports them); absent: the AWS SDK's own chain. */
  aws?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Vertex: the Application Default Credentials file (google-github-actions/auth exports its path). */
  googleCredentialsFile?: string;
}

export const DEFAULT_MODEL = 'claude-sonnet-5-5';
export const DEFAULT_MAX_TURNS = 30;
export const DEFAULT_TIME_BUDGET_MS = 20 * 60_000;
export const DEFAULT_MAX_COST_USD = 3;
export const DEFAULT_COMMAND_TIMEOUT_MS = 10 * 60_000;
export const DEFAULT_SESSION_NAME = 'ci-medic';
export const DEFAULT_PROTECTED_PATHS = ['.git/', '.github/'];

/** Tamper-guard rules that configuration may relax (see src/agent/tamper/). */
export const TAMPER_RULES = [
  'skip-markers',
  'deleted-tests',
  'check-definition',
  'ci-config',
  'lockfiles',
  'suppressions',
  'test-only',
] as const;
export type TamperRule = (typeof TAMPER_RULES)[number];

export interface PolicySettings {
  /** Allow patterns; a non-empty list switches the policy to allowlist mode. */
  allow: string[];
  /** Extra deny patterns, on top of the default deny set. */
  deny: string[];
  /** Paths the agent may read but never write (relative to the workspace), on top of the defaults. */
  protectedPaths: string[];
  /** Default deny rules dropped by name (for example "network-egress" to allow curl). */
  disabledRules: string[];
}

export interface RepairConfig {
  /** The check command that failed, run in the workspace by bash. */
  check: string;
  /** Optional setup command (say `npm ci`) run before the check in the clean-worktree verification. */
  setup?: string;
  /** Absolute path of the repository/workspace to repair. */
  workdir: string;
  model: string;
  /** Which platform serves the model (default: the Anthropic API) and where its credentials come from. */
  provider?: ProviderSettings;
  /** The platform's endpoint override (gateways, proxies, the loopback stand-ins in tests). */
  baseUrl?: string;
  /** The platform's API key: Anthropic's, a Bedrock API key, or a Foundry key. */
  apiKey?: string;
  authToken?: string;
  maxTurns: number;
  timeBudgetMs: number;
  maxCostUsd: number;
  commandTimeoutMs: number;
  policy: PolicySettings;
  /** Extra instructions from the caller; `.github/ci-medic.md` in the workspace is read as well. */
  instructions?: string;
  sessionName: string;
  /** Where the JSON-lines transcript is written; the markdown rendering goes beside it (`.md`). */
  transcriptPath: string;
  /** Tamper-guard rules relaxed by configuration. */
  relaxedTamperRules: TamperRule[];
  /** Every secret value the caller knows of (API key, GitHub token, user-marked secrets): redacted everywhere. */
  secrets: string[];
  /** Keep the tmux session alive after the loop (rescue, local inspection). */
  keepSession: boolean;
  /** The OS sandbox around the agent's shell; absent means off (callers that build a config by hand). */
  sandbox?: SandboxSettings;
  /** Re-runs of a failing check before the model starts; a pass among them makes the result `flaky`. Default 2. */
  flakyReruns?: number;
  /** `report` (default): a flaky check ends as `flaky`; `repair`: the model fixes the flakiness. */
  onFlaky?: OnFlaky;
  /** What changed to make the check fail, from the CI event (the model starts there). Default: the last commit. */
  changeRange?: ChangeRange;
  /** What the entry calls the budget settings, for the reason a run ran out of budget. Default: the CLI's flags. */
  budgetNames?: BudgetSettingNames;
}

/** The budget settings by neutral key, named once by each entry: the CLI's flags, the Action's inputs. */
export interface BudgetSettingNames {
  turns: string;
  time: string;
  cost: string;
}
export const CLI_BUDGET_NAMES: BudgetSettingNames = { turns: '--max-turns', time: '--time-budget', cost: '--max-cost' };
export const ACTION_BUDGET_NAMES: BudgetSettingNames = { turns: 'max-turns', time: 'time-budget', cost: 'max-cost' };

export const DEFAULT_FLAKY_RERUNS = 2;
export const ON_FLAKY = ['report', 'repair'] as const;
export type OnFlaky = (typeof ON_FLAKY)[number];
/** What an unset `onFlaky` means. */
export const DEFAULT_ON_FLAKY: OnFlaky = 'report';

/**
 * The change under test: a pull request's diff against its base (`base` is the base branch's commit; the loop
 * uses the merge-base with HEAD), or a push's range `before..after`.
 */
export type ChangeRange = { event: 'pull_request'; base: string } | { event: 'push'; before: string; after: string };

export function parseOnFlaky(input: string, value: string): OnFlaky {
  const v = value.trim().toLowerCase();
  if (!(ON_FLAKY as readonly string[]).includes(v)) {
    throw new ConfigError(input, `"${value}" is not accepted; use ${ON_FLAKY.join(' or ')}`);
  }
  return v as OnFlaky;
}

/** A count that may be zero (`flaky-reruns: 0` turns the re-runs off). */
export function parseCount(input: string, value: string): number {
  if (!/^\s*\d+\s*$/.test(value) || Number(value) > 20) {
    throw new ConfigError(input, `"${value}" is not a whole number from 0 to 20`);
  }
  return Number(value);
}

/**
 * A configuration error: names the input or flag, the value given, and what is accepted. Exit code 2 in the CLI.
 * Below the entries `input` is a neutral key (a CONFIG_KEYS name); each entry turns it into its own input or flag
 * name once, with `named`.
 */
export class ConfigError extends Error {
  /** What is wrong and what to do, without the name in front. */
  readonly detail: string;
  constructor(
    readonly input: string,
    message: string,
  ) {
    super(`${input}: ${message}`);
    this.name = 'ConfigError';
    this.detail = message;
  }

  /** The same error under the name this entry's user knows; keys the entry does not map keep their name. */
  named(names: Readonly<Partial<Record<string, string>>>): ConfigError {
    const name = names[this.input];
    return name && name !== this.input ? new ConfigError(name, this.detail) : this;
  }
}

/** The neutral keys code below the entries names settings by (the RepairConfig field, in short). */
export const CONFIG_KEYS = [
  'check',
  'workdir',
  'apiKey',
  'model',
  'maxTurns',
  'timeBudget',
  'maxCost',
  'commandTimeout',
  'transcript',
  'provider',
] as const;
export type ConfigKey = (typeof CONFIG_KEYS)[number];

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parse `90`, `90s`, `20m`, `1h`, `1500ms` (a bare number is seconds) into milliseconds. */
export function parseDuration(input: string, value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(value);
  if (!match) {
    throw new ConfigError(input, `"${value}" is not a duration; use a number with a unit, like 90s, 20m or 1h`);
  }
  const ms = Math.round(Number(match[1]) * DURATION_UNITS[(match[2] ?? 's').toLowerCase()]);
  if (ms <= 0) throw new ConfigError(input, `"${value}" must be greater than zero`);
  return ms;
}

export function parsePositiveInt(input: string, value: string): number {
  if (!/^\s*\d+\s*$/.test(value) || Number(value) <= 0) {
    throw new ConfigError(input, `"${value}" is not a positive whole number`);
  }
  return Number(value);
}

/** Dollars: `3`, `0.50`, `$2`. */
export function parseCost(input: string, value: string): number {
  const match = /^\s*\$?\s*(\d+(?:\.\d+)?)\s*$/.exec(value);
  if (!match || Number(match[1]) <= 0) {
    throw new ConfigError(input, `"${value}" is not an amount in US dollars greater than zero, like 3 or 0.50`);
  }
  return Number(match[1]);
}

/** Newline- or comma-separated list, blank entries dropped. */
export function splitList(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The terminal's session-name rule, as a ConfigError naming the input. */
export function parseSessionName(input: string, value: string): string {
  const problem = sessionNameProblem(value);
  if (problem) throw new ConfigError(input, problem);
  return value;
}

export function parseTamperRules(input: string, values: string[]): TamperRule[] {
  for (const v of values) {
    if (!(TAMPER_RULES as readonly string[]).includes(v)) {
      throw new ConfigError(input, `"${v}" is not a tamper-guard rule; known rules: ${TAMPER_RULES.join(', ')}`);
    }
  }
  return values as TamperRule[];
}

/** The OS sandbox around the agent's shell: `auto` uses it where it works, `required` fails without it, `off` never. */
export const SANDBOX_MODES = ['auto', 'required', 'off'] as const;
export type SandboxMode = (typeof SANDBOX_MODES)[number];

export interface SandboxSettings {
  mode: SandboxMode;
  /** Hosts reachable through the sandbox's proxy on top of the detected package registries (`*.example.com` allowed). */
  allowDomains: string[];
  /** Paths the shell may write on top of the defaults (absolute, `~/…`, or relative to the workspace). */
  allowWrite: string[];
  /** Paths the shell may not read on top of the defaults. */
  denyRead: string[];
}

export const DEFAULT_SANDBOX: SandboxSettings = { mode: 'auto', allowDomains: [], allowWrite: [], denyRead: [] };

export function parseSandboxMode(input: string, value: string): SandboxMode {
  const mode = value.trim().toLowerCase();
  if (!(SANDBOX_MODES as readonly string[]).includes(mode)) {
    throw new ConfigError(input, `"${value}" is not a sandbox mode; use auto, required or off`);
  }
  return mode as SandboxMode;
}

const DOMAIN = /^(\*\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]*[a-z0-9])?(:\d{1,5})?$/i;

/** Host names for the proxy's allowlist: `registry.example.com`, `*.example.com`, `host:8443`; no schemes or paths. */
export function parseDomains(input: string, values: string[]): string[] {
  for (const v of values) {
    if (!DOMAIN.test(v)) {
      throw new ConfigError(
        input,
        `"${v}" is not a host name; give names like registry.example.com or *.example.com (no scheme, no path)`,
      );
    }
  }
  return values.map((v) => v.toLowerCase());
}

export function parsePaths(input: string, values: string[]): string[] {
  for (const v of values) {
    if (/[\0\n]/.test(v) || v === '/' || v === '~') {
      throw new ConfigError(input, `"${v}" is not usable here; give a file or directory other than / or ~`);
    }
  }
  return values;
}

/**
 * The default session name: unique per run and per process, so jobs of one workflow run on one machine (and two
 * local runs) never share a session. `ci-medic-<run id>-<attempt>-<random>` in Actions, `ci-medic-<random>` elsewhere.
 */
export function uniqueSessionName(run: { id?: string; attempt?: string } = {}): string {
  const random = randomBytes(3).toString('hex');
  if (run.id && /^\d{1,20}$/.test(run.id)) {
    const attempt = run.attempt && /^\d{1,6}$/.test(run.attempt) ? run.attempt : '1';
    return `${DEFAULT_SESSION_NAME}-${run.id}-${attempt}-${random}`;
  }
  return `${DEFAULT_SESSION_NAME}-${random}`;
}
