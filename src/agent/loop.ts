// The repair loop: run the check; if it fails, let the model work in the tmux session (through the policy) until
// ci-medic's own re-run of the check passes, within hard budgets; reject tampering; report everything.
import { stat, writeFile } from 'node:fs/promises';
import type Anthropic from '@anthropic-ai/sdk';
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
import { evaluate, policyConfigFrom, protectedPaths } from '../policy/index.js';
import type { PolicyConfig } from '../policy/types.js';
import { Redactor } from '../redact.js';
import { AgentSession } from '../terminal/session.js';
import type { CommandResult } from '../terminal/types.js';
import { Budget, type BudgetKind } from './budget.js';
import {
  createClient,
  DEFAULT_BASE_URL,
  explainApiError,
  MAX_OUTPUT_TOKENS,
  ModelCallError,
  preflight,
} from './client.js';
import { clearOldToolResults, estimateRequestTokens } from './context.js';
import { changedFiles, diffStat, git, gitOrEmpty, untrackedFiles } from './git.js';
import { contextWindowFor, priceFor } from './pricing.js';
import {
  lastCommitSummary,
  projectInstructions,
  stillFailingMessage,
  SYSTEM_PROMPT,
  tamperMessage,
  taskMessage,
} from './prompt.js';
import { firstErrorLine, shapeOutput, tail } from './shape.js';
import { checkWorkspaceTamper } from './tamper.js';
import {
  fileTools,
  parseBashInput,
  runFileTool,
  toolDefinitions,
  toolResult,
  TOOL_OUTPUT_BUDGET,
  type ToolOutcome,
} from './tools.js';
import { Transcript, type TranscriptEvent } from './transcript.js';
import type { CommandRecord, RepairOutcome, RepairResult } from './types.js';
import { passed, rerunCheck, verifyInCleanWorktree, type LoopSession } from './verify.js';

/** Progress for the entries' logs (the Action groups by turn). Messages are redacted. */
export interface RepairEvent {
  type: 'check' | 'turn' | 'command' | 'tool' | 'verify' | 'tamper' | 'budget' | 'end' | 'error';
  turn: number;
  message: string;
}

export interface RepairOptions {
  /** The environment the agent's shell starts from (scrubbed by the terminal layer); the entry passes process.env. */
  baseEnv?: Record<string, string | undefined>;
  onEvent?: (event: RepairEvent) => void;
  /** Aborting ends the run as soon as possible (request aborted, command interrupted). */
  signal?: AbortSignal;
}

/** Characters of a check's output the model sees on first view. */
export const CHECK_OUTPUT_BUDGET = 12_000;
/** Clear old tool results once the conversation passes this share of the context window. */
export const CONTEXT_HIGH_WATER = 0.7;

/** Fail fast, before tmux starts, on configuration that cannot work. */
export async function validateRepairConfig(config: RepairConfig, home?: string): Promise<PolicyConfig> {
  if (!config.check.trim())
    throw new ConfigError('check', 'the check command is empty; give the command CI runs, like "npm test"');
  if (!config.apiKey && !config.authToken) {
    throw new ConfigError(
      'ANTHROPIC_API_KEY',
      'no API key: set ANTHROPIC_API_KEY (the anthropic-api-key input), or ANTHROPIC_AUTH_TOKEN with --base-url for a gateway',
    );
  }
  const dir = await stat(config.workdir).catch(() => null);
  if (!dir?.isDirectory()) throw new ConfigError('workdir', `"${config.workdir}" is not a directory`);
  if (!(await gitOrEmpty(config.workdir, ['rev-parse', 'HEAD'])).trim()) {
    throw new ConfigError(
      'workdir',
      `"${config.workdir}" is not a git repository with a commit; ci-medic repairs a checkout`,
    );
  }
  for (const [name, value] of [
    ['max-turns', config.maxTurns],
    ['time-budget', config.timeBudgetMs],
    ['max-cost', config.maxCostUsd],
    ['command-timeout', config.commandTimeoutMs],
  ] as const) {
    if (!(value > 0)) throw new ConfigError(name, `"${value}" must be greater than zero`);
  }
  return policyConfigFrom(config.policy, config.workdir, home);
}

/** The `http.<url>.extraheader` values actions/checkout leaves in .git/config, and the tokens inside them. */
export async function gitConfigSecrets(workdir: string): Promise<string[]> {
  const out = await gitOrEmpty(workdir, ['config', '--local', '--get-regexp', '^http\\..*\\.extraheader$']);
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

interface LoopState {
  messages: MessageParam[];
  commands: CommandRecord[];
  explanation: string;
  lastVerification?: { command: string; result: CommandResult };
}

const textOf = (message: Message): string =>
  message.content
    .filter((b) => b.type === 'text')
    .map((b) => b.text)
    .join('\n')
    .trim();

export async function repair(config: RepairConfig, options: RepairOptions = {}): Promise<RepairResult> {
  const home = options.baseEnv?.HOME || undefined;
  const policy = await validateRepairConfig(config, home);
  const startedAt = Date.now();
  const baseUrl = config.baseUrl ?? DEFAULT_BASE_URL;
  // A rejected key or an unknown model fails now, before tmux starts.
  const client = createClient(config);
  const checked = await preflight(client, config.model, baseUrl, options.signal);
  if (checked.ok === false) throw new ConfigError(checked.input, checked.message);
  const redactor = new Redactor([...config.secrets, config.apiKey ?? '', config.authToken ?? ''].filter(Boolean));
  for (const secret of await gitConfigSecrets(config.workdir)) redactor.add(secret);
  const transcript = new Transcript(config.transcriptPath, redactor);
  const budget = new Budget(config, config.model, options.signal);
  const state: LoopState = { messages: [], commands: [], explanation: '' };
  let turn = 0;
  const emit = (type: RepairEvent['type'], message: string): void => {
    options.onEvent?.({ type, turn, message: redactor.redact(message) });
  };
  const record = (event: TranscriptEvent): void => {
    try {
      transcript.record(event);
    } catch {
      // A transcript write failure must not end the repair.
    }
  };

  const baseCommit = (await git(config.workdir, ['rev-parse', 'HEAD'])).trim();
  const untrackedBefore = new Set(await untrackedFiles(config.workdir));
  const result: RepairResult = {
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
    commands: state.commands,
    baseCommit,
    transcriptPath: config.transcriptPath,
    transcriptMarkdownPath: '',
    sessionName: config.sessionName,
    socketPath: '',
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

  let session: LoopSession | undefined;
  const end = (outcome: RepairOutcome, reason: string): void => {
    result.result = outcome;
    result.reason = redactor.redact(reason);
  };
  try {
    session = await AgentSession.start({
      name: config.sessionName,
      cwd: config.workdir,
      baseEnv: options.baseEnv ?? {},
      env: {},
    });
    result.socketPath = session.socketPath;
    const runOptions = { timeoutMs: config.commandTimeoutMs, signal: budget.signal };
    const scrub = async (r: CommandResult): Promise<string> => {
      // The terminal's full log is the model's to grep: it must hold no secret either.
      const clean = redactor.redact(r.output);
      if (clean !== r.output) await writeFile(r.outputPath, clean).catch(() => undefined);
      return clean;
    };

    // 1. ci-medic runs the check itself.
    emit('check', `running the check: ${config.check}`);
    const first = await session.run(config.check, runOptions);
    const firstOutput = await scrub(first);
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
      end(
        'already-passing',
        `\`${config.check}\` passed when ci-medic ran it (the failure may have been flaky); no model was called`,
      );
      result.verification = { command: config.check, exitCode: first.exitCode, tail: tail(firstOutput, 20) };
      return result;
    }
    if (budget.signal.aborted) {
      end('budget-exhausted', budget.describe('time'));
      return result;
    }
    const shapedFirst = shapeOutput(firstOutput, { budgetChars: CHECK_OUTPUT_BUDGET, logPath: first.outputPath });
    result.initialFailure = {
      exitCode: first.exitCode,
      excerpt: shapedFirst,
      firstErrorLine: firstErrorLine(firstOutput),
    };
    emit('check', `the check failed (exit ${first.exitCode ?? 'none'}): ${result.initialFailure.firstErrorLine}`);

    // 2. The conversation.
    if (checked.ok === 'unknown') {
      record({ type: 'error', message: checked.note });
      emit('check', checked.note);
    }
    if (!priceFor(config.model).known) {
      const note = `model '${config.model}' is not in the price table: costs are computed at the highest known rates (conservative)`;
      record({ type: 'budget', which: 'cost', detail: note });
      emit('budget', note);
    }
    const roots = protectedPaths(config.policy.protectedPaths, config.workdir, home);
    const files = fileTools(config.workdir, roots);
    const tools = toolDefinitions(files);
    const system: TextBlockParam[] = [{ type: 'text', text: SYSTEM_PROMPT, cache_control: { type: 'ephemeral' } }];
    const fixedTokens = estimateRequestTokens([tools, system]);
    const window = contextWindowFor(config.model);
    const logPaths = new Map<string, string>();
    const task = taskMessage({
      check: config.check,
      exitCode: first.exitCode,
      shapedOutput: shapedFirst,
      logPath: first.outputPath,
      lastCommit: await lastCommitSummary(config.workdir),
      instructions: await projectInstructions(config.workdir, config.instructions),
      setup: config.setup,
    });
    state.messages.push({ role: 'user', content: [{ type: 'text', text: redactor.redact(task) }] });

    const runBash = async (use: ToolUseBlock): Promise<ToolOutcome> => {
      const input = parseBashInput(use.input);
      if (typeof input === 'string') return { content: input, isError: true };
      const s = session as LoopSession;
      if (input.restart) {
        await s.restart();
        if (!input.command)
          return {
            content: 'bash session restarted: a fresh shell in the workspace, environment reset',
            isError: false,
          };
      }
      if (!input.command?.trim()) return { content: 'bash: command is required', isError: true };
      const command = input.command;
      const decision = evaluate(command, policy);
      record({
        type: 'policy',
        command,
        allowed: decision.allowed,
        rule: decision.rule ?? undefined,
        reason: decision.reason,
        commands: decision.commands,
      });
      if (!decision.allowed) {
        state.commands.push({
          command: redactor.redact(command),
          allowed: false,
          policy: decision.reason,
          exitCode: null,
          durationMs: 0,
          timedOut: false,
        });
        emit('command', `denied: ${command} (${decision.reason})`);
        return {
          content: `Denied by the command policy (${decision.rule ?? 'policy'}): ${decision.reason}\nNothing was run.`,
          isError: true,
        };
      }
      const timeoutMs = Math.min(config.commandTimeoutMs, Math.max(1000, input.timeout_ms ?? config.commandTimeoutMs));
      emit('command', `$ ${command}`);
      const r = await s.run(command, { timeoutMs, signal: budget.signal });
      const output = await scrub(r);
      state.commands.push({
        command: redactor.redact(command),
        allowed: true,
        policy: decision.rule ?? 'allowed',
        exitCode: r.exitCode,
        durationMs: r.durationMs,
        timedOut: r.timedOut,
      });
      record({
        type: 'command-result',
        command,
        exitCode: r.exitCode,
        durationMs: r.durationMs,
        timedOut: r.timedOut,
        interrupted: r.interrupted,
        shellRestarted: r.shellRestarted,
        outputChars: r.output.length,
        logPath: r.outputPath,
      });
      logPaths.set(use.id, r.outputPath);
      const notes: string[] = [];
      if (r.timedOut)
        notes.push(
          `The command hit its ${Math.round(timeoutMs / 1000)}s time limit and was stopped. Narrow it down or run it with a smaller scope.`,
        );
      else if (r.interrupted) notes.push('The command was interrupted.');
      if (r.shellRestarted)
        notes.push('The shell had to be restarted; the working directory was restored, the environment reset.');
      const head = `exit code ${r.exitCode ?? 'none'} (${(r.durationMs / 1000).toFixed(1)}s; full log: ${r.outputPath})`;
      const shaped = shapeOutput(output, { budgetChars: TOOL_OUTPUT_BUDGET, logPath: r.outputPath });
      return { content: [head, ...notes, shaped || '(no output)'].join('\n'), isError: r.exitCode !== 0 };
    };

    const runTool = async (use: ToolUseBlock): Promise<ToolResultBlockParam> => {
      record({ type: 'tool-call', turn, id: use.id, name: use.name, input: use.input });
      let outcome: ToolOutcome;
      if (budget.signal.aborted) outcome = { content: 'not run: the time budget ran out', isError: true };
      else if (use.name === 'bash') outcome = await runBash(use);
      else {
        const tool = files.find((t) => (t as unknown as { name: string }).name === use.name);
        if (tool) emit('tool', `${use.name} ${JSON.stringify(use.input).slice(0, 200)}`);
        outcome = tool
          ? await runFileTool(tool, use, redactor, budget.signal)
          : { content: `unknown tool '${use.name}'; the tools are bash, read, write, edit, glob, grep`, isError: true };
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

    /** ci-medic's verdict after the model says it is done: null = fixed, else what to tell the model. */
    const verify = async (): Promise<{ fixed: boolean; feedback: string }> => {
      const s = session as LoopSession;
      emit('verify', `verifying: re-running ${config.check} in a fresh shell`);
      const r = await rerunCheck(s, config.check, runOptions);
      const output = await scrub(r);
      state.lastVerification = { command: config.check, result: r };
      result.verification = { command: config.check, exitCode: r.exitCode, tail: tail(output, 20) };
      record({
        type: 'check',
        phase: 'verify',
        command: config.check,
        exitCode: r.exitCode,
        durationMs: r.durationMs,
        timedOut: r.timedOut,
        outputChars: r.output.length,
        logPath: r.outputPath,
      });
      if (!passed(r)) {
        emit('verify', `still failing (exit ${r.exitCode ?? 'none'})`);
        const shaped = shapeOutput(output, { budgetChars: CHECK_OUTPUT_BUDGET, logPath: r.outputPath });
        return { fixed: false, feedback: stillFailingMessage(config.check, r.exitCode, shaped, r.outputPath) };
      }
      const violations = await checkWorkspaceTamper(
        config.workdir,
        baseCommit,
        config.check,
        config.relaxedTamperRules,
      );
      if (violations.length > 0) {
        record({ type: 'tamper', violations });
        emit('tamper', `rejected: ${violations.map((v) => `${v.rule} in ${v.file}`).join(', ')}`);
        result.reason = `tamper guard: ${violations.map((v) => `${v.rule} (${v.file})`).join(', ')}`;
        return { fixed: false, feedback: tamperMessage(violations) };
      }
      if (config.setup) {
        const newFiles = (await untrackedFiles(config.workdir)).filter((f) => !untrackedBefore.has(f));
        emit('verify', `verifying: ${config.setup} and ${config.check} in a clean worktree with only the diff applied`);
        const clean = await verifyInCleanWorktree(
          s,
          config.workdir,
          baseCommit,
          newFiles,
          config.setup,
          config.check,
          runOptions,
        );
        record({
          type: 'check',
          phase: `clean-worktree${clean.failedStep ? ` (${clean.failedStep} failed)` : ''}`,
          command: clean.command,
          exitCode: clean.result?.exitCode ?? null,
          durationMs: clean.result?.durationMs ?? 0,
          outputChars: clean.result?.output.length ?? 0,
          logPath: clean.result?.outputPath,
          timedOut: clean.result?.timedOut,
        });
        if (clean.failedStep) {
          const out = clean.result ? await scrub(clean.result) : '';
          if (clean.result)
            result.verification = { command: clean.command, exitCode: clean.result.exitCode, tail: tail(out, 20) };
          const shaped = clean.result
            ? shapeOutput(out, { budgetChars: CHECK_OUTPUT_BUDGET, logPath: clean.result.outputPath })
            : '';
          result.reason = clean.message;
          return {
            fixed: false,
            feedback: `The check passes in the workspace, but ${clean.message}. Your change must work from a clean checkout (files outside the diff, like build outputs, are not there).\n\`\`\`\n${shaped}\n\`\`\``,
          };
        }
      }
      return { fixed: true, feedback: '' };
    };

    let stopKind: BudgetKind | null = null;
    let pendingToolsRan = false;
    for (;;) {
      const outstanding = fixedTokens + estimateRequestTokens(state.messages);
      if (outstanding > window * CONTEXT_HIGH_WATER) {
        const cleared = clearOldToolResults(state.messages, fixedTokens, window * 0.4, logPaths);
        record({
          type: 'budget',
          which: 'context',
          detail: `cleared ${cleared} old tool results (about ${outstanding} tokens estimated)`,
        });
      }
      const estimate = fixedTokens + estimateRequestTokens(state.messages);
      const refusal = budget.refuseCall(estimate, MAX_OUTPUT_TOKENS);
      if (refusal) {
        stopKind = refusal.kind;
        result.reason = refusal.message;
        break;
      }
      turn++;
      emit('turn', `turn ${turn}: asking ${config.model}`);
      const params: MessageCreateParamsNonStreaming = {
        model: config.model,
        max_tokens: MAX_OUTPUT_TOKENS,
        system,
        tools,
        messages: state.messages,
        // Automatic caching of the growing conversation; the system block carries the stable prefix's breakpoint.
        cache_control: { type: 'ephemeral' },
      };
      record({ type: 'model-request', turn, messagesCount: state.messages.length, estimatedInputTokens: estimate });
      const callStarted = Date.now();
      let response: Message;
      try {
        response = await (client as Anthropic).messages.create(params, { signal: budget.signal });
      } catch (error) {
        const failure = error instanceof ModelCallError ? error : explainApiError(error, config.model, baseUrl);
        if (failure.aborted || budget.signal.aborted) {
          stopKind = budget.exhausted ?? 'time';
          result.reason =
            options.signal?.aborted && !budget.exhausted ? 'the run was cancelled' : budget.describe(stopKind);
          break;
        }
        record({ type: 'error', message: failure.message });
        emit('error', failure.message);
        end('error', failure.message);
        return result;
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
      if (said) emit('turn', said.slice(0, 500));

      const assistant = response.content.flatMap((block): ContentBlockParam[] => {
        if (block.type === 'text')
          return block.text.trim() ? [{ type: 'text', text: redactor.redact(block.text) }] : [];
        if (block.type === 'tool_use')
          return [{ type: 'tool_use', id: block.id, name: block.name, input: redactor.redactDeep(block.input) }];
        return [];
      });
      if (assistant.length === 0) assistant.push({ type: 'text', text: '(no reply)' });
      state.messages.push({ role: 'assistant', content: assistant });
      const uses = response.content.filter((b): b is ToolUseBlock => b.type === 'tool_use');

      if (uses.length > 0) {
        const results: ToolResultBlockParam[] = [];
        for (const use of uses) results.push(await runTool(use));
        const content: ContentBlockParam[] = [...results];
        if (response.stop_reason === 'max_tokens') {
          content.push({
            type: 'text',
            text: 'Your reply hit the output limit and was cut off. Work in smaller steps.',
          });
        }
        state.messages.push({ role: 'user', content });
        pendingToolsRan = true;
        if (budget.signal.aborted) {
          stopKind = budget.exhausted ?? 'time';
          result.reason = budget.describe(stopKind);
          break;
        }
        continue;
      }
      if (response.stop_reason === 'pause_turn') {
        // The turn was paused mid-way: send the conversation back as it is so the model continues.
        state.messages.push({ role: 'user', content: [{ type: 'text', text: 'Continue.' }] });
        continue;
      }
      if (response.stop_reason === 'refusal') {
        end(
          'not-fixed',
          'the model declined to continue (stop reason: refusal); the changes so far are left in the working tree',
        );
        return result;
      }
      if (response.stop_reason === 'max_tokens') {
        state.messages.push({
          role: 'user',
          content: [
            { type: 'text', text: 'Your reply hit the output limit and was cut off. Continue in smaller steps.' },
          ],
        });
        continue;
      }
      // end_turn / stop_sequence: the model says it is done. ci-medic decides.
      state.explanation = said;
      pendingToolsRan = false;
      const verdict = await verify();
      if (verdict.fixed) {
        result.explanation = redactor.redact(said);
        end(
          'fixed',
          `\`${config.check}\` passes when ci-medic re-runs it${config.setup ? ', also in a clean worktree after the setup' : ''}`,
        );
        return result;
      }
      if (budget.signal.aborted) {
        stopKind = budget.exhausted ?? 'time';
        result.reason = budget.describe(stopKind);
        break;
      }
      state.messages.push({ role: 'user', content: [{ type: 'text', text: redactor.redact(verdict.feedback) }] });
    }

    // A budget ran out. If the model's last tool calls fixed it (and time allows), ci-medic still verifies.
    const why = result.reason || budget.describe(stopKind ?? 'turns');
    if (pendingToolsRan && stopKind !== 'time' && !budget.signal.aborted) {
      const verdict = await verify();
      if (verdict.fixed) {
        result.explanation = redactor.redact(
          state.explanation || 'The budget ran out before the model summarised its fix.',
        );
        end('fixed', `\`${config.check}\` passes when ci-medic re-runs it (verified after the budget ran out: ${why})`);
        return result;
      }
    }
    record({ type: 'budget', which: stopKind ?? 'turns', detail: why });
    emit('budget', why);
    result.explanation = redactor.redact(state.explanation);
    end('budget-exhausted', why);
    return result;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    record({ type: 'error', message });
    emit('error', message);
    end('error', `ci-medic failed: ${message}`);
    return result;
  } finally {
    budget.dispose();
    result.turns = budget.turns;
    result.costUsd = budget.totals.costUsd;
    result.inputTokens = budget.totals.inputTokens;
    result.outputTokens = budget.totals.outputTokens;
    result.cacheReadTokens = budget.totals.cacheReadTokens;
    result.cacheWriteTokens = budget.totals.cacheWriteTokens;
    const changed = await changedFiles(config.workdir, baseCommit, untrackedBefore).catch(() => []);
    result.changedFiles = changed;
    const created = await untrackedFiles(config.workdir)
      .then((u) => u.filter((f) => !untrackedBefore.has(f)))
      .catch(() => []);
    result.diffStat = await diffStat(config.workdir, baseCommit, created).catch(() => '');
    if (result.result === 'fixed' && changed.length === 0) {
      // Nothing changed yet the check passes now: the first failure was not reproducible.
      result.result = 'already-passing';
      result.reason = `\`${config.check}\` passed on re-run without any change (the failure may have been flaky)`;
    }
    if (session && !config.keepSession) await session.stop().catch(() => undefined);
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
