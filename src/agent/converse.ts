// The model's turns: call, run the tools it asks for, verify when it says it is done, within the budgets. The model
// can give up (the give_up tool, or a final answer starting "CANNOT FIX:"); a second "done" with the diff unchanged
// since the last rejected one ends the run without another full verification.
import { createHash } from 'node:crypto';
import type {
  ContentBlockParam,
  Message,
  MessageCreateParamsNonStreaming,
  MessageParam,
  TextBlockParam,
  ToolResultBlockParam,
  ToolUseBlock,
} from '@anthropic-ai/sdk/resources/messages/messages';
import { protectedPaths } from '../policy/index.js';
import type { PolicyConfig } from '../policy/types.js';
import { runBashTool } from './bash-tool.js';
import type { BudgetKind } from './budget.js';
import { endpointOf, explainApiError, MAX_OUTPUT_TOKENS } from './client.js';
import type { ModelClient } from './model-client.js';
import { clearOldToolResults, estimateRequestTokens } from './context.js';
import { contextWindowFor } from './pricing.js';
import { SYSTEM_PROMPT } from './prompt.js';
import type { LoopRun } from './run.js';
import { workspaceDiff } from './tamper/git.js';
import { fileTools, runFileTool, toolDefinitions, toolResult, type ToolOutcome } from './tools.js';
import type { RepairOutcome } from './types.js';
import { verifyFix } from './verify.js';

/** Clear old tool results once the conversation passes this share of the context window... */
export const CONTEXT_HIGH_WATER = 0.7;
/** ...down to this share. */
const CONTEXT_TARGET = 0.4;

const CUT_OFF = 'Your reply hit the output limit and was cut off. Continue in smaller steps.';

/** A final answer that gives up: a line starting "CANNOT FIX:" (what the system prompt tells the model to write). */
const GIVE_UP_ANSWER = /^\s*(?:\*\*)?cannot fix(?:\*\*)?\s*[:\-—]\s*(.*)$/im;

const textOf = (message: Message): string =>
  message.content
    .filter((b) => b.type === 'text')
    .map((b) => b.text)
    .join('\n')
    .trim();

/** How the conversation ended: an outcome, or a budget that ran out (after which ci-medic may still verify). */
export type ConversationEnd =
  | { kind: 'done'; outcome: RepairOutcome; reason: string; explanation?: string }
  | { kind: 'budget'; budget: BudgetKind; reason: string; changedSinceVerify: boolean; explanation: string };

/** A fingerprint of the workspace's diff against the base (new files included): did anything change? */
async function diffFingerprint(run: LoopRun): Promise<string> {
  const diff = await workspaceDiff(run.repo, run.startTree, { skipUntracked: run.untrackedBefore }).catch(
    (error: Error) => `unreadable: ${error.message}`,
  );
  return createHash('sha256').update(diff).digest('hex');
}

export async function converse(
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
  /** The diff's fingerprint when the last "done" was rejected. */
  let rejectedDiff: string | undefined;
  let turn = 0;
  let gaveUp: string | undefined;
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
    else if (use.name === 'give_up') {
      const reason = (use.input as { reason?: unknown } | null)?.reason;
      gaveUp = typeof reason === 'string' && reason.trim() ? reason.trim() : 'The model gave up without a reason.';
      outcome = { content: 'ci-medic ends the repair as not fixed.', isError: false };
    } else if (file) {
      emit('tool', `${use.name} ${JSON.stringify(use.input).slice(0, 200)}`);
      outcome = await runFileTool(file, use, redactor, budget.signal);
    } else {
      outcome = {
        content: `unknown tool '${use.name}'; the tools are bash, read, write, edit, glob, grep, give_up`,
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
  const givingUp = (why: string): ConversationEnd => {
    emit('end', `the model gave up: ${why.slice(0, 300)}`);
    return {
      kind: 'done',
      outcome: 'not-fixed',
      reason: 'the model gave up: it found no fix within the rules (its explanation says why)',
      explanation: why,
    };
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
    try {
      await run.session.mark(`turn ${turn}`);
    } catch {
      // A marker is for people watching; the repair goes on without it.
    }
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
      if (gaveUp !== undefined) return givingUp(gaveUp);
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
    // end_turn / stop_sequence: the model says it is done (or gives up). ci-medic decides.
    const cannot = GIVE_UP_ANSWER.exec(said);
    if (cannot) return givingUp(said);
    const fingerprint = await diffFingerprint(run);
    if (rejectedDiff !== undefined && fingerprint === rejectedDiff) {
      emit('verify', 'the model says it is done again, but the diff has not changed since the last rejection');
      return {
        kind: 'done',
        outcome: 'not-fixed',
        reason:
          'the model said it was done twice with no change to the diff in between; the last verification had already rejected that diff',
        explanation,
      };
    }
    changedSinceVerify = false;
    const verdict = await verifyFix(run);
    if (verdict.fixed) {
      const how = run.result.partialVerification
        ? ` (${run.result.partialVerification})`
        : `, also in a clean worktree${config.setup ? ' after the setup' : ''}`;
      return {
        kind: 'done',
        outcome: 'fixed',
        reason: `\`${config.check}\` passes when ci-medic re-runs it${how}`,
        explanation: said,
      };
    }
    rejectedDiff = await diffFingerprint(run);
    if (budget.signal.aborted) return outOfBudget(budget.exhausted ?? 'time');
    messages.push({ role: 'user', content: [{ type: 'text', text: redactor.redact(verdict.feedback) }] });
  }
}
