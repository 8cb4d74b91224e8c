// The repair loop: run the check; if it fails, let the model work in the tmux session (through the policy) until
// ci-medic's own re-run of the check passes, within hard budgets; reject tampering; report everything.
import type {
  ContentBlockParam,
  Message,
  MessageCreateParamsNonStreaming,
  MessageParam,
  TextBlockParam,
  ToolResultBlockParam,
  ToolUseBlock,
} from '@anthropic-ai/sdk/resources/messages/messages';
import { ConfigError, type RepairConfig } from '../config.js';
import { protectedPaths } from '../policy/index.js';
import type { PolicyConfig } from '../policy/types.js';
import { Redactor } from '../redact.js';
import { secretValuesIn } from '../secrets/names.js';
import { AgentSession } from '../terminal/session.js';
import { runBashTool } from './bash-tool.js';
import { Budget, type BudgetKind } from './budget.js';
import type { ModelClient } from './model-client.js';
import { createClient, endpointOf, explainApiError, MAX_OUTPUT_TOKENS, preflight } from './client.js';
import { clearOldToolResults, estimateRequestTokens } from './context.js';
import { changedFiles, diffStat, git, untrackedFiles } from './git.js';
import { contextWindowFor, priceFor } from './pricing.js';
import { lastCommitSummary, projectInstructions, SYSTEM_PROMPT, taskMessage } from './prompt.js';
import { scrubbed, type LoopRun, type RepairEvent } from './run.js';
import { firstErrorLine, shapeOutput, tail } from './shape.js';
import { fileTools, runFileTool, toolDefinitions, toolResult, type ToolOutcome } from './tools.js';
import { Transcript, type TranscriptEvent } from './transcript.js';
import type { RepairOutcome, RepairResult } from './types.js';
import { gitConfigSecrets, validateRepairConfig } from './validate.js';
import { CHECK_OUTPUT_BUDGET, passed, verifyFix } from './verify.js';

export type { RepairEvent } from './run.js';
export { gitConfigSecrets, validateRepairConfig } from './validate.js';
export { CHECK_OUTPUT_BUDGET } from './verify.js';

export interface RepairOptions {
  /** The environment the agent's shell starts from (scrubbed by the terminal layer); the entry passes process.env. */
  baseEnv?: Record<string, string | undefined>;
  /**
   * The run's one Redactor, built by the entry with every secret it knows (environment, credential files); the loop
   * adds the key and checkout's credential. Without it the loop builds its own from the config and baseEnv.
   */
  redactor?: Redactor;
  onEvent?: (event: RepairEvent) => void;
  /** Aborting ends the run as soon as possible (request aborted, command interrupted). */
  signal?: AbortSignal;
  /** The session's recorder (StartOptions.pipeOutput); the entry builds it (src/watch). */
  pipeOutput?: string;
}

/** Clear old tool results once the conversation passes this share of the context window... */
export const CONTEXT_HIGH_WATER = 0.7;
/** ...down to this share. */
const CONTEXT_TARGET = 0.4;

const CUT_OFF = 'Your reply hit the output limit and was cut off. Continue in smaller steps.';

const textOf = (message: Message): string =>
  message.content
    .filter((b) => b.type === 'text')
    .map((b) => b.text)
    .join('\n')
    .trim();

/** How the conversation ended: an outcome, or a budget that ran out (after which ci-medic may still verify). */
type ConversationEnd =
  | { kind: 'done'; outcome: RepairOutcome; reason: string; explanation?: string }
  | { kind: 'budget'; budget: BudgetKind; reason: string; changedSinceVerify: boolean; explanation: string };

/**
 * Repair `config.check` in `config.workdir`. Throws ConfigError (naming the input) before anything starts when the
 * configuration cannot work (no key, not a repository, a rejected key, an unknown model, a bad policy pattern);
 * every later failure is a result. The session is stopped at the end unless `config.keepSession`.
 */
export async function repair(config: RepairConfig, options: RepairOptions = {}): Promise<RepairResult> {
  const home = options.baseEnv?.HOME || undefined;
  const policy = await validateRepairConfig(config, home);
  const startedAt = Date.now();
  const baseUrl = endpointOf(config);
  // The entry's redactor (environment, credential files) when given. The session cannot see secret-named variables,
  // but it can read /proc/<pid>/environ of a process holding them: their values are masked either way.
  const redactor = options.redactor ?? new Redactor(secretValuesIn(options.baseEnv ?? {}));
  for (const secret of [...config.secrets, config.apiKey ?? '', config.authToken ?? '']) redactor.add(secret);
  // A rejected key or an unknown model fails now, before tmux starts. Tokens the platform issues are masked too.
  const client = await createClient(config, (token) => redactor.add(token));
  const checked = await preflight(client, config.model, baseUrl, options.signal, config.provider?.name);
  if (checked.ok === false) throw new ConfigError(checked.input, checked.message);

  for (const secret of await gitConfigSecrets(config.workdir)) redactor.add(secret);
  const transcript = openTranscript(config.transcriptPath, redactor);
  const budget = new Budget(config, config.model, options.signal);
  const baseCommit = (await git(config.workdir, ['rev-parse', 'HEAD'])).trim();
  const untrackedBefore = new Set(await untrackedFiles(config.workdir));
  const result = emptyResult(config, baseCommit);
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
      baseEnv: options.baseEnv ?? {},
      env: {},
      // What a person watching (or a rescuer, or the recording) sees goes through the same redaction as the model's view.
      redact: (text) => redactor.redact(text),
      pipeOutput: options.pipeOutput,
    });
    result.socketPath = session.socketPath;
    const run: LoopRun = {
      config,
      session,
      redactor,
      budget,
      baseCommit,
      untrackedBefore,
      result,
      commands: result.commands,
      logPaths: new Map(),
      record,
      emit,
    };

    // 1. ci-medic runs the check itself.
    emit('check', `running the check: ${config.check}`);
    const first = await session.run(config.check, { timeoutMs: config.commandTimeoutMs, signal: budget.signal });
    const firstOutput = await scrubbed(run, first);
    record({
      type: 'check',
      phase: 'initial',
      command: config.check,
      exitCode: first.exitCode,
      durationMs: first.durationMs,
      timedOut: first.timedOut,
      outputChars: first.output.length,
      logPath: first.outputPath,
    });
    if (passed(first)) {
      result.verification = { command: config.check, exitCode: first.exitCode, tail: tail(firstOutput, 20) };
      return end(
        'already-passing',
        `\`${config.check}\` passed when ci-medic ran it (the failure may have been flaky); no model was called`,
      );
    }
    if (budget.signal.aborted) return end('budget-exhausted', budget.describe('time'));
    const shapedFirst = shapeOutput(firstOutput, { budgetChars: CHECK_OUTPUT_BUDGET, logPath: first.outputPath });
    result.initialFailure = {
      exitCode: first.exitCode,
      excerpt: shapedFirst,
      firstErrorLine: firstErrorLine(firstOutput),
    };
    emit('check', `the check failed (exit ${first.exitCode ?? 'none'}): ${result.initialFailure.firstErrorLine}`);
    if (checked.ok === 'unknown') {
      record({ type: 'error', message: checked.note });
      emit('check', checked.note);
    }
    if (!priceFor(config.model).known) {
      const note = `model '${config.model}' is not in the price table: costs are computed at the highest known rates (conservative)`;
      record({ type: 'budget', which: 'cost', detail: note });
      emit('budget', note);
    }

    // 2. The conversation, until ci-medic's verification passes or a budget runs out.
    const task = taskMessage({
      check: config.check,
      exitCode: first.exitCode,
      shapedOutput: shapedFirst,
      logPath: first.outputPath,
      lastCommit: await lastCommitSummary(config.workdir),
      instructions: await projectInstructions(config.workdir, config.instructions),
      setup: config.setup,
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
      return end('error', 'the run was cancelled by the caller; the changes so far are left in the working tree');
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
    await finish(result, config, budget, untrackedBefore);
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

/** The model's turns: call, run the tools it asks for, verify when it says it is done, within the budgets. */
async function converse(
  run: LoopRun,
  policy: PolicyConfig,
  client: ModelClient,
  task: string,
  home: string | undefined,
  onTurn: (turn: number) => void,
): Promise<ConversationEnd> {
  const { config, budget, redactor, record, emit } = run;
  const files = fileTools(config.workdir, protectedPaths(config.policy.protectedPaths, config.workdir, home));
  const tools = toolDefinitions(files);
  // The stable prefix (tools + system) ends with this breakpoint; nothing in it changes between turns.
  const system: TextBlockParam[] = [{ type: 'text', text: SYSTEM_PROMPT, cache_control: { type: 'ephemeral' } }];
  const fixedTokens = estimateRequestTokens([tools, system]);
  const window = contextWindowFor(config.model);
  const messages: MessageParam[] = [{ role: 'user', content: [{ type: 'text', text: task }] }];
  let explanation = '';
  let changedSinceVerify = false;
  let turn = 0;
  const outOfBudget = (kind: BudgetKind, reason?: string): ConversationEnd => ({
    kind: 'budget',
    budget: kind,
    reason: reason ?? budget.describe(kind),
    changedSinceVerify,
    explanation,
  });

  const runTool = async (use: ToolUseBlock): Promise<ToolResultBlockParam> => {
    record({ type: 'tool-call', turn, id: use.id, name: use.name, input: use.input });
    let outcome: ToolOutcome;
    const file = files.find((t) => (t as unknown as { name: string }).name === use.name);
    if (budget.signal.aborted) outcome = { content: 'not run: the time budget ran out', isError: true };
    else if (use.name === 'bash') outcome = await runBashTool(run, policy, use);
    else if (file) {
      emit('tool', `${use.name} ${JSON.stringify(use.input).slice(0, 200)}`);
      outcome = await runFileTool(file, use, redactor, budget.signal);
    } else {
      outcome = {
        content: `unknown tool '${use.name}'; the tools are bash, read, write, edit, glob, grep`,
        isError: true,
      };
    }
    outcome.content = redactor.redact(outcome.content);
    record({
      type: 'tool-result',
      id: use.id,
      name: use.name,
      isError: outcome.isError,
      chars: outcome.content.length,
    });
    return toolResult(use.id, outcome);
  };

  for (;;) {
    const outstanding = fixedTokens + estimateRequestTokens(messages);
    if (outstanding > window * CONTEXT_HIGH_WATER) {
      const cleared = clearOldToolResults(messages, fixedTokens, window * CONTEXT_TARGET, run.logPaths);
      record({
        type: 'budget',
        which: 'context',
        detail: `cleared ${cleared} old tool results (~${outstanding} tokens)`,
      });
    }
    const estimate = fixedTokens + estimateRequestTokens(messages);
    const refusal = budget.refuseCall(estimate, MAX_OUTPUT_TOKENS);
    if (refusal) return outOfBudget(refusal.kind, refusal.message);

    onTurn(++turn);
    emit('turn', `turn ${turn}: asking ${config.model}`);
    const params: MessageCreateParamsNonStreaming = {
      model: config.model,
      max_tokens: MAX_OUTPUT_TOKENS,
      system,
      tools,
      messages,
      // Automatic caching of the growing conversation (the breakpoint moves to the last block each turn).
      cache_control: { type: 'ephemeral' },
    };
    record({ type: 'model-request', turn, messagesCount: messages.length, estimatedInputTokens: estimate });
    const callStarted = Date.now();
    let response: Message;
    try {
      response = await client.messages.create(params, { signal: budget.signal });
    } catch (error) {
      const failure = explainApiError(error, config.model, endpointOf(config), config.provider?.name);
      if (failure.aborted || budget.signal.aborted) {
        const kind = budget.exhausted ?? 'time';
        return outOfBudget(kind, budget.exhausted ? undefined : 'the run was cancelled');
      }
      record({ type: 'error', message: failure.message });
      emit('error', failure.message);
      return { kind: 'done', outcome: 'error', reason: failure.message, explanation };
    }
    const cost = budget.recordCall(response.usage);
    const said = textOf(response);
    record({
      type: 'model-response',
      turn,
      stopReason: response.stop_reason,
      usage: response.usage,
      costUsd: cost,
      cumulativeCostUsd: budget.totals.costUsd,
      text: said,
      durationMs: Date.now() - callStarted,
    });
    if (said) {
      emit('turn', said.slice(0, 500));
      explanation = said;
    }

    // The reply goes back verbatim (redacted, empty text dropped) so the next request extends this one's prefix.
    const assistant = response.content.flatMap((block): ContentBlockParam[] => {
      if (block.type === 'text') return block.text.trim() ? [{ type: 'text', text: redactor.redact(block.text) }] : [];
      if (block.type === 'tool_use') {
        return [{ type: 'tool_use', id: block.id, name: block.name, input: redactor.redactDeep(block.input) }];
      }
      return [];
    });
    if (assistant.length === 0) assistant.push({ type: 'text', text: '(no reply)' });
    messages.push({ role: 'assistant', content: assistant });

    const uses = response.content.filter((b): b is ToolUseBlock => b.type === 'tool_use');
    if (uses.length > 0) {
      const content: ContentBlockParam[] = [];
      for (const use of uses) content.push(await runTool(use));
      if (response.stop_reason === 'max_tokens') content.push({ type: 'text', text: CUT_OFF });
      messages.push({ role: 'user', content });
      changedSinceVerify = true;
      if (budget.signal.aborted) return outOfBudget(budget.exhausted ?? 'time');
      continue;
    }
    switch (response.stop_reason) {
      case 'pause_turn':
        messages.push({ role: 'user', content: [{ type: 'text', text: 'Continue.' }] });
        continue;
      case 'max_tokens':
        messages.push({ role: 'user', content: [{ type: 'text', text: CUT_OFF }] });
        continue;
      case 'refusal':
        return {
          kind: 'done',
          outcome: 'not-fixed',
          reason:
            'the model declined to continue (stop reason: refusal); the changes so far are left in the working tree',
          explanation,
        };
    }
    // end_turn / stop_sequence: the model says it is done. ci-medic decides.
    changedSinceVerify = false;
    const verdict = await verifyFix(run);
    if (verdict.fixed) {
      const how = config.setup ? ', also in a clean worktree after the setup' : '';
      return {
        kind: 'done',
        outcome: 'fixed',
        reason: `\`${config.check}\` passes when ci-medic re-runs it${how}`,
        explanation: said,
      };
    }
    if (budget.signal.aborted) return outOfBudget(budget.exhausted ?? 'time');
    messages.push({ role: 'user', content: [{ type: 'text', text: redactor.redact(verdict.feedback) }] });
  }
}

/** Usage, changed files and the flaky case, filled in however the run ended. */
async function finish(
  result: RepairResult,
  config: RepairConfig,
  budget: Budget,
  untrackedBefore: ReadonlySet<string>,
): Promise<void> {
  result.turns = budget.turns;
  result.costUsd = budget.totals.costUsd;
  result.inputTokens = budget.totals.inputTokens;
  result.outputTokens = budget.totals.outputTokens;
  result.cacheReadTokens = budget.totals.cacheReadTokens;
  result.cacheWriteTokens = budget.totals.cacheWriteTokens;
  const changed = await changedFiles(config.workdir, result.baseCommit, untrackedBefore).catch(() => []);
  result.changedFiles = changed;
  const created = await untrackedFiles(config.workdir)
    .then((u) => u.filter((f) => !untrackedBefore.has(f)))
    .catch(() => []);
  result.diffStat = await diffStat(config.workdir, result.baseCommit, created).catch(() => '');
  if (result.result === 'fixed' && changed.length === 0) {
    // Nothing changed, yet the check passes now: the first failure was not reproducible.
    result.result = 'already-passing';
    result.reason = `\`${config.check}\` passed on re-run without any change (the failure may have been flaky)`;
  }
}

function openTranscript(path: string, redactor: Redactor): Transcript {
  try {
    return new Transcript(path, redactor);
  } catch (error) {
    throw new ConfigError('transcript', `cannot write "${path}" (${(error as Error).message}); give a writable path`);
  }
}

function emptyResult(config: RepairConfig, baseCommit: string): RepairResult {
  return {
    result: 'error',
    reason: '',
    turns: 0,
    costUsd: 0,
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    durationMs: 0,
    changedFiles: [],
    diffStat: '',
    explanation: '',
    initialFailure: { exitCode: null, excerpt: '', firstErrorLine: '' },
    commands: [],
    baseCommit,
    transcriptPath: config.transcriptPath,
    transcriptMarkdownPath: '',
    sessionName: config.sessionName,
    socketPath: '',
  };
}
