// `ci-medic repair`: flags -> RepairConfig -> the repair loop; prints progress and a short summary.
// Exit codes: 0 fixed / already-passing, 1 not-fixed / budget-exhausted / error, 2 bad configuration.
import { keepRecording, sessionRecorder } from '../../watch/command.js';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import {
  ConfigError,
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_MAX_COST_USD,
  DEFAULT_MAX_TURNS,
  DEFAULT_MODEL,
  CLI_BUDGET_NAMES,
  DEFAULT_SESSION_NAME,
  DEFAULT_TIME_BUDGET_MS,
  parseCost,
  parseCount,
  parseOnFlaky,
  parseDuration,
  parsePositiveInt,
  parseTamperRules,
  uniqueSessionName,
  type ConfigKey,
  type RepairConfig,
} from '../../config.js';
import {
  gitConfigSecrets,
  repair,
  validateRepairConfig,
  type RepairOptions,
  type RepairResult,
} from '../../agent/index.js';
import type { PolicyConfig } from '../../policy/index.js';
import { removeCheckoutCredentials, type RemovedCredentials } from '../../github/credentials.js';
import { gitConfigPath, Journal } from '../../survival/journal.js';
import { recoverJournal, stopServer } from '../../survival/recover.js';
import { cancelOnSignals, exitStatusFor, type Cancellation } from '../../survival/signals.js';
import { socketPathFor } from '../../terminal/tmux.js';
import { joinCommandFor } from '../../rescue/instructions.js';
import { ensureSessionFree, journalDir, recoverWorkspace, workspaceJournalPath } from '../survive.js';
import { BASE_URL_VARIABLE, CLI_PROVIDER_NAMES, providerFromEnvironment } from '../../providers.js';
import { unsealedRefusal, UNSEALED_WARNING } from '../../seal-environment.js';
import { knownSecrets } from '../../secrets/index.js';
import { defineCommand, parseCommand, type CommandArgs } from '../command.js';
import { POLICY_OPTIONS, policyFromFlags, policySettingsFrom, SESSION_OPTION, sessionFromFlag } from '../options.js';
import { EXIT_USAGE, type CliIo } from '../io.js';
import { cliSandbox, SANDBOX_HELP, SANDBOX_OPTIONS, sandboxSettingsFrom } from '../sandbox.js';
import { SandboxUnavailableError } from '../../sandbox/index.js';

import { changeRangeFromFlags, exitCodeFor, parseTrueFalse, summary } from '../repair-flags.js';

export { exitCodeFor, summary };

export const HELP = `Usage: ci-medic repair --check CMD [options]

Runs CMD; if it fails, an LLM repairs the workspace in a tmux session within hard budgets, and ci-medic
re-runs CMD to verify. Leaves a verified fix in the working tree (ci-medic repair never commits).

Options:
  --check CMD             the failing check command (required), run by bash in the workspace
  --setup CMD             setup command (say "npm ci") for the final clean-worktree verification
  --max-turns N           model calls at most (default ${DEFAULT_MAX_TURNS})
  --time-budget D         wall-clock budget, like 20m or 90s (default ${DEFAULT_TIME_BUDGET_MS / 60_000}m)
  --max-cost USD          dollar cap (default ${DEFAULT_MAX_COST_USD})
  --command-timeout D     per-command limit (default ${DEFAULT_COMMAND_TIMEOUT_MS / 60_000}m)
  --model M               model id (default ${DEFAULT_MODEL})
  --base-url URL          the platform's endpoint (default: ANTHROPIC_BASE_URL, or the platform's own variable)
  --provider P            anthropic (default), bedrock, vertex or foundry
  --aws-region R          Bedrock: the AWS region (default: AWS_REGION)
  --vertex-project-id P   Vertex AI: the Google Cloud project (default: ANTHROPIC_VERTEX_PROJECT_ID, GOOGLE_CLOUD_PROJECT)
  --vertex-region R       Vertex AI: the region, like us-east5 or global (default: CLOUD_ML_REGION)
  --foundry-resource R    Foundry: the resource name (default: ANTHROPIC_FOUNDRY_RESOURCE)
  --allow P               allow pattern (repeatable; any switches the policy to allowlist mode)
  --deny P                extra deny pattern (repeatable)
  --protected-path P      path the agent may read but never write (repeatable)
  --disable-rule R        drop a default policy rule by name (repeatable)
  --relax-tamper R        relax a tamper-guard rule (repeatable)
  --instructions TEXT     extra instructions for the model (.github/ci-medic.md is read as well)
  --workdir DIR           the repository to repair (default: the current directory)
  --session NAME          tmux session name (default: ${DEFAULT_SESSION_NAME}-<random>, unique to this run)
  --keep-session          leave the tmux session running afterwards
  --flaky-reruns N        re-runs of a failing check before the model starts (default 2; 0 turns them off)
  --on-flaky report|repair  a flaky check ends as 'flaky' (report, default) or the model fixes the flakiness
  --fail-on-flaky true|false  exit 1 on a 'flaky' result (default true)
  --pr-base SHA           the pull request's base commit: the model starts from the PR's diff (merge-base..HEAD)
  --push-range A..B       the pushed range: the model starts from its commits
  --transcript PATH       transcript (JSON lines; markdown beside it) (default: a new file under the temp directory)
  --json                  print the result as JSON instead of the summary
  --allow-unsealed        run on a Node that cannot seal the environment (before 22.15): the API key stays
                          readable by the agent's shell through /proc (a warning says so)
${SANDBOX_HELP}
  -h, --help              this help

Examples:
  ANTHROPIC_API_KEY=sk-ant-... ci-medic repair --check 'npm test'
  ci-medic repair --check 'pytest -q' --setup 'pip install -e .' --max-turns 10 --max-cost 1 --keep-session

Environment: ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN), ANTHROPIC_BASE_URL. Bedrock: AWS credentials as the AWS CLI
finds them (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, a profile, a web identity) or
AWS_BEARER_TOKEN_BEDROCK. Vertex AI: Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS). Foundry:
ANTHROPIC_FOUNDRY_API_KEY, or a Microsoft Entra token from the Azure CLI (az login / azure/login).
Secrets: every secret-named variable and the values in the credential files under HOME (~/.npmrc, ~/.netrc,
~/.docker/config.json, ... see the README) are masked in everything ci-medic prints, logs or sends to the model.
Exit codes: 0 fixed or already passing (or flaky with --fail-on-flaky false), 1 not fixed / flaky / budget
exhausted / error, 2 bad configuration, 130/143 cancelled by SIGINT/SIGTERM (.git/config and the session are
cleaned up first).
`;

/** The loop names its settings by neutral keys; the CLI's user knows them by the flags (and the key's variable). */
const FLAG_NAMES: Record<ConfigKey, string> = {
  check: '--check',
  workdir: '--workdir',
  apiKey: 'ANTHROPIC_API_KEY',
  model: '--model',
  maxTurns: '--max-turns',
  timeBudget: '--time-budget',
  maxCost: '--max-cost',
  commandTimeout: '--command-timeout',
  transcript: '--transcript',
  provider: '--provider',
};

const REPAIR_OPTIONS = {
  check: { type: 'string' },
  setup: { type: 'string' },
  'max-turns': { type: 'string' },
  'time-budget': { type: 'string' },
  'max-cost': { type: 'string' },
  'command-timeout': { type: 'string' },
  model: { type: 'string' },
  'base-url': { type: 'string' },
  provider: { type: 'string' },
  'aws-region': { type: 'string' },
  'vertex-project-id': { type: 'string' },
  'vertex-region': { type: 'string' },
  'foundry-resource': { type: 'string' },
  ...POLICY_OPTIONS,
  'relax-tamper': { type: 'string', multiple: true },
  instructions: { type: 'string' },
  workdir: { type: 'string' },
  ...SESSION_OPTION,
  'keep-session': { type: 'boolean' },
  'flaky-reruns': { type: 'string' },
  'on-flaky': { type: 'string' },
  'fail-on-flaky': { type: 'string' },
  'pr-base': { type: 'string' },
  'push-range': { type: 'string' },
  transcript: { type: 'string' },
  json: { type: 'boolean' },
  'allow-unsealed': { type: 'boolean' },
  ...SANDBOX_OPTIONS,
} as const;

const REPAIR = { name: 'repair', help: HELP, options: REPAIR_OPTIONS, flagNames: FLAG_NAMES };

interface RepairArgs {
  config: RepairConfig;
  /** The policy of the flags, checked (naming them) with the other flags. */
  policy: PolicyConfig;
  json: boolean;
  allowUnsealed: boolean;
  failOnFlaky: boolean;
  sessionGiven: boolean;
}

/** Build the configuration from flags and environment; throws ConfigError naming the flag. */
export function repairConfigFromArgs(argv: string[], env: NodeJS.ProcessEnv, cwd: string): RepairArgs | 'help' {
  const parsed = parseCommand(REPAIR, argv);
  return parsed === 'help' ? 'help' : repairArgsFrom(parsed.values, env, cwd);
}

function repairArgsFrom(
  values: CommandArgs<typeof REPAIR_OPTIONS>['values'],
  env: NodeJS.ProcessEnv,
  cwd: string,
): RepairArgs {
  const check = values.check?.trim();
  if (!check) throw new ConfigError('--check', 'is required: the command CI runs, like --check "npm test"');
  const platform = providerFromEnvironment(
    {
      provider: values.provider,
      awsRegion: values['aws-region'],
      vertexProjectId: values['vertex-project-id'],
      vertexRegion: values['vertex-region'],
      foundryResource: values['foundry-resource'],
    },
    env,
    CLI_PROVIDER_NAMES,
  );
  const baseUrl = values['base-url'] ?? platform.baseUrl;
  if (baseUrl) {
    let url: URL | undefined;
    try {
      url = new URL(baseUrl);
    } catch {
      url = undefined;
    }
    if (!url || !/^https?:$/.test(url.protocol)) {
      throw new ConfigError(
        values['base-url'] ? '--base-url' : BASE_URL_VARIABLE[platform.settings.name],
        `"${baseUrl}" is not an http(s) URL`,
      );
    }
  }
  const { apiKey, authToken } = platform;
  const model = values.model?.trim() || DEFAULT_MODEL;
  const workdir = resolve(cwd, values.workdir ?? '.');
  const sessionName = sessionFromFlag(
    values.session,
    uniqueSessionName({ id: env.GITHUB_RUN_ID, attempt: env.GITHUB_RUN_ATTEMPT }),
  );
  const transcript = values.transcript
    ? isAbsolute(values.transcript)
      ? values.transcript
      : resolve(cwd, values.transcript)
    : join(tmpdir(), 'ci-medic', `${sessionName}-${Date.now()}.jsonl`);
  const policy = policySettingsFrom(values);
  // Validates the patterns and rule names now, naming the CLI flag, before anything starts.
  const checkedPolicy = policyFromFlags(values, workdir, env.HOME);
  // Every flag is checked before the key, so one run reports a bad flag rather than the key first and the flag next.
  const maxTurns = values['max-turns'] ? parsePositiveInt('--max-turns', values['max-turns']) : DEFAULT_MAX_TURNS;
  const timeBudgetMs = values['time-budget']
    ? parseDuration('--time-budget', values['time-budget'])
    : DEFAULT_TIME_BUDGET_MS;
  const maxCostUsd = values['max-cost'] ? parseCost('--max-cost', values['max-cost']) : DEFAULT_MAX_COST_USD;
  const commandTimeoutMs = values['command-timeout']
    ? parseDuration('--command-timeout', values['command-timeout'])
    : DEFAULT_COMMAND_TIMEOUT_MS;
  const relaxedTamperRules = parseTamperRules('--relax-tamper', values['relax-tamper'] ?? []);
  const sandbox = sandboxSettingsFrom(values);
  if (platform.settings.name === 'anthropic' && !apiKey && !authToken) {
    throw new ConfigError(
      'ANTHROPIC_API_KEY',
      'is not set: export your Anthropic API key (or ANTHROPIC_AUTH_TOKEN for a gateway)',
    );
  }
  const config: RepairConfig = {
    check,
    setup: values.setup?.trim() || undefined,
    workdir,
    model,
    provider: platform.settings,
    baseUrl,
    apiKey,
    authToken,
    maxTurns,
    timeBudgetMs,
    maxCostUsd,
    budgetNames: CLI_BUDGET_NAMES,
    commandTimeoutMs,
    policy,
    instructions: values.instructions,
    sessionName,
    transcriptPath: transcript,
    relaxedTamperRules,
    secrets: [...platform.secrets, env.GITHUB_TOKEN, env.GH_TOKEN].filter((s): s is string => Boolean(s)),
    keepSession: values['keep-session'] ?? false,
    flakyReruns:
      values['flaky-reruns'] === undefined ? undefined : parseCount('--flaky-reruns', values['flaky-reruns']),
    onFlaky: values['on-flaky'] === undefined ? undefined : parseOnFlaky('--on-flaky', values['on-flaky']),
    changeRange: changeRangeFromFlags(values['pr-base'], values['push-range']),
    sandbox,
  };
  const failOnFlaky =
    values['fail-on-flaky'] === undefined ? true : parseTrueFalse('--fail-on-flaky', values['fail-on-flaky']);
  return {
    config,
    json: values.json ?? false,
    allowUnsealed: values['allow-unsealed'] ?? false,
    failOnFlaky,
    sessionGiven: values.session !== undefined,
    policy: checkedPolicy,
  };
}

const repairCommand = defineCommand(REPAIR, async ({ values }, io) => {
  const parsed = repairArgsFrom(values, io.env, io.cwd);
  const { config, json, sessionGiven, failOnFlaky } = parsed;
  const warnings: string[] = [];
  if (io.seal === 'unsupported' && parsed.allowUnsealed) {
    warnings.push(UNSEALED_WARNING);
    io.stderr(`ci-medic repair: warning: ${UNSEALED_WARNING}\n`);
  }
  const journalPath = workspaceJournalPath(journalDir(io.env), config.workdir);
  for (const line of recoverWorkspace(journalPath, config.workdir)) io.stderr(`ci-medic repair: ${line}\n`);
  await ensureSessionFree(config.sessionName, sessionGiven);
  // The rest of the configuration (the workspace a repository, …), checked once, before anything starts.
  const policy = await validateRepairConfig(config, io.env, parsed.policy);
  const watchCommand = joinCommandFor(socketPathFor(config.sessionName), config.sessionName, true);
  io.stderr(`ci-medic repair: agent session "${config.sessionName}"; watch it with: ${watchCommand}\n`);
  // Built once, here: the environment's and the credential files' secrets, masked on every path out of the run.
  const secrets = knownSecrets({ env: io.env, workdir: config.workdir, values: config.secrets });
  for (const warning of secrets.warnings) io.stderr(`ci-medic repair: warning: ${warning}\n`);
  const redactor = secrets.redactor;

  let journal: Journal | undefined;
  const cancel = cancelOnSignals({
    onSignal: (signal) => io.stderr(`\nci-medic repair: ${signal} received: cancelling and cleaning up\n`),
    onBackstop: (signal) => {
      // Unwinding hangs: undo what the journal lists, synchronously, and go.
      const done = journal ? recoverJournal(journal.path, { stopKeptSession: true }) : { repaired: [] };
      for (const line of done.repaired) io.stderr(`ci-medic repair: ${line}\n`);
      io.stderr(`ci-medic repair: cancelled (${signal})\n`);
      process.exit(exitStatusFor(signal));
    },
  });
  try {
    const sandbox = config.sandbox ?? { mode: 'off', allowDomains: [], allowWrite: [], denyRead: [] };
    let launcher;
    try {
      ({ launcher } = await cliSandbox(sandbox, config.workdir, config.policy.protectedPaths, io));
    } catch (error) {
      if (!(error instanceof SandboxUnavailableError)) throw error;
      io.stderr(`ci-medic repair: ${error.message}\n`);
      return 1;
    }
    journal = Journal.create(journalPath, config.workdir);
    const result = await repairWithJournal(config, journal, cancel, io, json, {
      redactor,
      baseEnv: secrets.sessionEnv,
      launcher: launcher ?? undefined,
      policy,
    });
    const recording = keepRecording(config.sessionName, config.transcriptPath);
    const shown = redactor.redactDeep(result);
    io.stdout(
      json
        ? `${JSON.stringify(warnings.length ? { ...shown, warnings } : shown, null, 2)}\n`
        : redactor.redact(summary(shown, warnings)),
    );
    if (recording && !json) io.stdout(`  recording: ${recording} (ci-medic replay ${recording})\n`);
    if (!cancel.received) return exitCodeFor(result, failOnFlaky);
    const status = exitStatusFor(cancel.received);
    // Nothing this run started may hold the process open past its caller's patience.
    setTimeout(() => process.exit(status), 500).unref();
    return status;
  } finally {
    journal?.close();
    cancel.dispose();
  }
});

export function main(argv: string[], io: CliIo): Promise<number> {
  // Before the flags are checked: on a Node that cannot seal, the first thing to fix is the Node.
  const asksHelp = argv.includes('--help') || argv.includes('-h');
  if (io.seal === 'unsupported' && !argv.includes('--allow-unsealed') && !asksHelp) {
    io.stderr(`ci-medic repair: ${unsealedRefusal('--allow-unsealed')}\n`);
    return Promise.resolve(EXIT_USAGE);
  }
  return repairCommand(argv, io);
}

/**
 * The loop between a journal's entries: checkout's persisted credential leaves .git/config for the loop (its values
 * redacted first) and comes back byte for byte; a cancelled run stops its session and says `cancelled`.
 */
async function repairWithJournal(
  config: RepairConfig,
  journal: Journal,
  cancel: Cancellation,
  io: CliIo,
  json: boolean,
  options: Pick<RepairOptions, 'redactor' | 'baseEnv' | 'launcher' | 'policy'>,
): Promise<RepairResult> {
  let credentials: RemovedCredentials | undefined;
  let found: string[] | undefined;
  const configPath = gitConfigPathOf(config.workdir); // none: not a repository, which repair() reports naming --workdir
  if (configPath) {
    // Scanned once, here, before checkout's credential leaves .git/config; the loop gets what was found.
    found = await gitConfigSecrets({ dir: config.workdir, env: options.baseEnv }).catch(() => []);
    config.secrets.push(...found);
    for (const secret of found) options.redactor?.add(secret);
    journal.keepGitConfig(configPath);
    credentials = await removeCheckoutCredentials(config.workdir, options.baseEnv);
    if (credentials.removed.length > 0) {
      io.stderr(
        'ci-medic repair: the persisted checkout credential is out of .git/config for the length of the repair\n',
      );
    }
  }
  journal.sessionStarting(config.sessionName, socketPathFor(config.sessionName));
  let result: RepairResult;
  try {
    result = await repair(config, {
      ...options,
      gitConfigSecrets: found,
      signal: cancel.signal,
      pipeOutput: sessionRecorder(
        config.sessionName,
        (m) => io.stderr(`ci-medic repair: ${m}\n`),
        config.transcriptPath,
      ),
      onEvent: json
        ? undefined
        : (e) =>
            io.stderr(`${e.type === 'turn' && e.message.startsWith('turn ') ? '\n' : ''}[${e.type}] ${e.message}\n`),
    });
  } finally {
    await credentials?.restore();
    journal.gitConfigRestored();
  }
  if (cancel.received) {
    if (config.keepSession) stopServer(socketPathFor(config.sessionName));
    result.result = 'cancelled';
    result.reason = `cancelled by ${cancel.received}: the model request and the running command were stopped, .git/config is as it was and the session is stopped; the changes so far are left in the working tree`;
  }
  // A session kept with --keep-session is the user's now, not something to clean up.
  journal.sessionStopped();
  return result;
}

function gitConfigPathOf(workdir: string): string | undefined {
  try {
    return gitConfigPath(workdir);
  } catch {
    return undefined;
  }
}
