// The repair loop: run the check; if it fails, let the model work in the tmux session (through the policy) until
// ci-medic's own re-run of the check passes, within hard budgets; reject tampering; report everything.
import { ConfigError, DEFAULT_FLAKY_RERUNS, type RepairConfig } from '../config.js';
import { sandboxTmpDir, violationNote, violationsSince } from '../sandbox/violations.js';
import type { ShellLauncher } from '../terminal/types.js';
import type { PolicyConfig } from '../policy/types.js';
import { Redactor } from '../redact.js';
import { secretValuesIn } from '../secrets/names.js';
import { AgentSession } from '../terminal/session.js';
import { Budget } from './budget.js';
import { createClient, endpointOf, preflight } from './client.js';
import { changeSummary } from './change.js';
import { passed, runProgram } from './check.js';
import { converse } from './converse.js';
import { failureSummary } from './failure-line.js';
import { rerunFailingCheck } from './flaky.js';
import { dirtyTrackedFiles, git, snapshotTrackedTree, untrackedFiles, type Repo } from './git.js';
import { priceFor } from './pricing.js';
import { projectInstructions, taskMessage } from './prompt.js';
import { emptyResult, finish, openTranscript } from './result.js';
import type { LoopRun, RepairEvent } from './run.js';
import { shapeOutput, tail } from './shape.js';
import { workspaceDiff } from './tamper/git.js';
import type { TranscriptEvent } from './transcript.js';
import type { RepairOutcome, RepairResult } from './types.js';
import { gitConfigSecrets, validateRepairConfig } from './validate.js';
import { CHECK_OUTPUT_BUDGET, verifyFix } from './verify.js';
import { ignoredEntries } from './worktree.js';

export type { RepairEvent } from './run.js';
export { gitConfigSecrets, validateRepairConfig } from './validate.js';
export { CHECK_OUTPUT_BUDGET } from './verify.js';

export interface RepairOptions {
  /**
   * The environment the agent's shell and ci-medic's own git commands start from (each scrubbed: by the terminal
   * layer, by the git command manager); the entry passes the one it was given.
   */
  baseEnv: Record<string, string | undefined>;
  /**
   * The run's one Redactor, built by the entry with every secret it knows (environment, credential files); the loop
   * adds the key and checkout's credential. Without it the loop builds its own from the config and baseEnv.
   */
  redactor?: Redactor;
  onEvent?: (event: RepairEvent) => void;
  /** Aborting ends the run as soon as possible (request aborted, command interrupted). */
  signal?: AbortSignal;
  /** Starts the agent's shell inside the OS sandbox (src/sandbox); absent: the shell runs as this user. */
  launcher?: ShellLauncher;
  /** The session's recorder (StartOptions.pipeOutput); the entry builds it (src/watch). */
  pipeOutput?: string;
  /** What validateRepairConfig returned, when the entry validated the config before starting anything: not again. */
  policy?: PolicyConfig;
  /**
   * What gitConfigSecrets found, when the entry scanned .git/config (before taking checkout's credential out): masked
   * by the redactor it passes, and not scanned again.
   */
  gitConfigSecrets?: string[];
}

/**
 * Repair `config.check` in `config.workdir`. Throws ConfigError (naming the input) before anything starts when the
 * configuration cannot work (no key, not a repository, a rejected key, an unknown model, a bad policy pattern);
 * every later failure is a result. The session is stopped at the end unless `config.keepSession`.
 */
export async function repair(config: RepairConfig, options: RepairOptions): Promise<RepairResult> {
  const home = options.baseEnv.HOME || undefined;
  const repo: Repo = { dir: config.workdir, env: options.baseEnv };
  const validated = options.policy ?? (await validateRepairConfig(config, options.baseEnv));
  const policy = { ...validated, sandboxed: options.launcher !== undefined };
  const startedAt = Date.now();
  const baseUrl = endpointOf(config);
  // The entry's redactor (environment, credential files) when given. The session cannot see secret-named variables,
  // but it can read /proc/<pid>/environ of a process holding them: their values are masked either way.
  const redactor = options.redactor ?? new Redactor(secretValuesIn(options.baseEnv));
  for (const secret of [...config.secrets, config.apiKey ?? '', config.authToken ?? '']) redactor.add(secret);
  // A rejected key or an unknown model fails now, before tmux starts. Tokens the platform issues are masked too.
  const client = await createClient(config, (token) => redactor.add(token));
  const checked = await preflight(client, config.model, baseUrl, options.signal, config.provider?.name);
  if (checked.ok === false) throw new ConfigError(checked.input, checked.message);

  for (const secret of options.gitConfigSecrets ?? (await gitConfigSecrets(repo))) redactor.add(secret);
  const transcript = openTranscript(config.transcriptPath, redactor);
  const budget = new Budget(config, config.model, options.signal);
  const baseCommit = (await git(repo, ['rev-parse', 'HEAD'])).trim();
  const untrackedBefore = new Set(await untrackedFiles(repo));
  const ignoredBefore = await ignoredEntries(repo);
  // Changes present before the loop are the user's: named, never counted as the fix, never committed.
  const preexisting = await dirtyTrackedFiles(repo);
  const startTree = preexisting.length ? await snapshotTrackedTree(repo) : baseCommit;
  const stats: LoopRun['stats'] = { check: { runs: 0, ms: 0 }, setup: { runs: 0, ms: 0 } };
  const result = emptyResult(config, baseCommit);
  if (preexisting.length) result.preexistingChanges = preexisting;
  let turn = 0;
  const emit = (type: RepairEvent['type'], message: string): void => {
    try {
      options.onEvent?.({ type, turn, message: redactor.redact(message) });
    } catch {
      // A progress sink that throws must not end the repair.
    }
  };
  const record = (event: TranscriptEvent): void => {
    try {
      transcript.record(event);
    } catch {
      // A transcript write failure must not end the repair.
    }
  };
  const end = (outcome: RepairOutcome, reason: string): RepairResult => {
    result.result = outcome;
    result.reason = redactor.redact(reason);
    return result;
  };
  record({
    type: 'start',
    model: config.model,
    check: config.check,
    workdir: config.workdir,
    baseCommit,
    setup: config.setup,
    relaxedTamperRules: config.relaxedTamperRules,
    ...(preexisting.length ? { preexistingChanges: preexisting } : {}),
    budgets: {
      maxTurns: config.maxTurns,
      timeBudgetMs: config.timeBudgetMs,
      maxCostUsd: config.maxCostUsd,
      commandTimeoutMs: config.commandTimeoutMs,
    },
  });

  let session: AgentSession | undefined;
  try {
    session = await AgentSession.start({
      name: config.sessionName,
      cwd: config.workdir,
      baseEnv: options.baseEnv,
      env: {},
      // What a person watching (or a rescuer, or the recording) sees goes through the same redaction as the model's view.
      redact: (text) => redactor.redact(text),
      launcher: options.launcher,
      pipeOutput: options.pipeOutput,
    });
    result.socketPath = session.socketPath;
    const run: LoopRun = {
      config,
      repo,
      session,
      redactor,
      budget,
      baseCommit,
      startTree,
      untrackedBefore,
      ignoredBefore,
      result,
      commands: result.commands,
      logPaths: new Map(),
      stats,
      passesNeeded: 1,
      record,
      emit,
      scratchDir: options.launcher ? sandboxTmpDir(session.stateDir) : undefined,
      blockedSince: options.launcher
        ? (since) => violationNote(violationsSince((session as AgentSession).stateDir, since))
        : undefined,
    };
    if (preexisting.length) {
      emit(
        'check',
        `changes present before the loop (not part of any fix, never committed): ${preexisting.join(', ')}`,
      );
    }

    // 1. ci-medic runs the check itself, as a program; a failure is re-run to tell a flaky check from a broken one.
    emit('check', `running the check: ${config.check}`);
    const first = await runProgram(run, 'check', 'initial');
    if (passed(first.result)) {
      result.verification = { command: config.check, exitCode: first.result.exitCode, tail: tail(first.output, 20) };
      return end(
        'already-passing',
        `\`${config.check}\` passed when ci-medic ran it (the failure may have been flaky); no model was called`,
      );
    }
    if (options.signal?.aborted && !budget.exhausted) return end('cancelled', 'the run was cancelled by the caller');
    if (budget.signal.aborted) return end('budget-exhausted', budget.describe('time'));
    const logPath = first.result.outputPath;
    const shapedFirst = shapeOutput(first.output, { budgetChars: CHECK_OUTPUT_BUDGET, logPath });
    result.initialFailure = {
      exitCode: first.result.exitCode,
      excerpt: shapedFirst,
      firstErrorLine: failureSummary(first.output),
    };
    emit(
      'check',
      `the check failed (exit ${first.result.exitCode ?? 'none'}): ${result.initialFailure.firstErrorLine}`,
    );
    const flaky = await rerunFailingCheck(run);
    result.flaky = flaky;
    if (flaky.passes > 0) {
      const counts = `failed ${flaky.failures} and passed ${flaky.passes} of ${flaky.runs} runs with no change`;
      if (config.onFlaky !== 'repair') return end('flaky', `\`${config.check}\` is flaky: it ${counts}`);
      run.passesNeeded = (config.flakyReruns ?? DEFAULT_FLAKY_RERUNS) + 1;
      emit('check', `the check is flaky (${counts}); on-flaky: repair asks the model to fix the flakiness`);
    }
    if (budget.signal.aborted) return end('budget-exhausted', budget.describe('time'));
    if (checked.ok === 'unknown') {
      record({ type: 'error', message: checked.note });
      emit('check', checked.note);
    }
    if (!priceFor(config.model).known) {
      const note = `model '${config.model}' is not in the price table: costs are computed at the highest known rates (conservative)`;
      record({ type: 'budget', which: 'cost', detail: note });
      emit('budget', note);
    }

    // 2. The conversation, until ci-medic's verification passes, the model gives up or a budget runs out.
    const task = taskMessage({
      check: config.check,
      exitCode: first.result.exitCode,
      shapedOutput: shapedFirst,
      logPath,
      change: await changeSummary(repo, config.changeRange),
      instructions: await projectInstructions(config.workdir, config.instructions),
      setup: config.setup,
      flaky: flaky.passes > 0 ? { runs: flaky.runs, passes: flaky.passes } : undefined,
    });
    const ended = await converse(run, policy, client, redactor.redact(task), home, (n) => (turn = n));
    if (ended.kind === 'done') {
      if (ended.explanation !== undefined) result.explanation = redactor.redact(ended.explanation);
      return end(ended.outcome, ended.reason);
    }

    // 3. A budget ran out (or the caller cancelled). If the model changed things since the last verification
    // and time is left, ci-medic still verifies.
    result.explanation = redactor.redact(ended.explanation);
    if (options.signal?.aborted && !budget.exhausted) {
      return end('cancelled', 'the run was cancelled by the caller; the changes so far are left in the working tree');
    }
    if (ended.changedSinceVerify && ended.budget !== 'time' && !budget.signal.aborted) {
      const verdict = await verifyFix(run);
      if (verdict.fixed) {
        result.explanation ||= 'The budget ran out before the model summarised its fix.';
        return end(
          'fixed',
          `\`${config.check}\` passes when ci-medic re-runs it (verified after the budget ran out: ${ended.reason})`,
        );
      }
    }
    record({ type: 'budget', which: ended.budget, detail: ended.reason });
    emit('budget', ended.reason);
    return end('budget-exhausted', ended.reason);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    record({ type: 'error', message });
    emit('error', message);
    return end('error', `ci-medic failed: ${message}`);
  } finally {
    budget.dispose();
    await finish(result, { config, repo, budget, untrackedBefore, startTree, stats });
    if (session && !config.keepSession) await session.stop().catch(() => undefined);
    // A kept session stays for a person; this process's control client must not outlive it or hold the server.
    else session?.detach();
    result.durationMs = Date.now() - startedAt;
    record({
      type: 'end',
      result: result.result,
      reason: result.reason,
      turns: result.turns,
      costUsd: result.costUsd,
      changedFiles: result.changedFiles,
      diff: await finalDiff(repo, startTree, untrackedBefore),
      durationMs: result.durationMs,
      tokens: {
        input: result.inputTokens,
        output: result.outputTokens,
        cacheRead: result.cacheReadTokens,
        cacheWrite: result.cacheWriteTokens,
      },
    });
    emit('end', `${result.result}: ${result.reason}`);
    try {
      result.transcriptMarkdownPath = transcript.close();
    } catch {
      result.transcriptMarkdownPath = '';
    }
  }
}

/** Characters of the final diff kept in the transcript. */
const TRANSCRIPT_DIFF_CHARS = 20_000;

async function finalDiff(repo: Repo, startTree: string, untrackedBefore: ReadonlySet<string>): Promise<string> {
  const diff = await workspaceDiff(repo, startTree, { skipUntracked: untrackedBefore }).catch(() => '');
  return diff.length > TRANSCRIPT_DIFF_CHARS
    ? `${diff.slice(0, TRANSCRIPT_DIFF_CHARS)}\n[... ${diff.length - TRANSCRIPT_DIFF_CHARS} more characters of the diff not shown]`
    : diff;
}
