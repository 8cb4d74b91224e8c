// Client-side context editing: when the conversation nears the model's context window, the oldest tool results
// are replaced by a short note naming where their full output is. The latest turns are kept intact.
import type { MessageParam } from '@anthropic-ai/sdk/resources/messages/messages';

/** A rough, conservative token estimate (characters / 3.5). */
export const estimateTokens = (chars: number): number => Math.ceil(chars / 3.5);

export function estimateRequestTokens(parts: unknown[]): number {
  return estimateTokens(parts.reduce<number>((n, p) => n + JSON.stringify(p).length, 0));
}

/**
 * Clear old tool results until the estimate is under `targetTokens`. `logPaths` maps a tool_use id to where its
 * full output is. Keeps the last `keepMessages` messages untouched. Returns how many results were cleared.
 */
export function clearOldToolResults(
  messages: MessageParam[],
  fixedTokens: number,
  targetTokens: number,
  logPaths: ReadonlyMap<string, string>,
  keepMessages = 4,
): number {
  let total = fixedTokens + estimateRequestTokens(messages);
  let cleared = 0;
  for (let i = 0; i < messages.length - keepMessages && total > targetTokens; i++) {
    const message = messages[i];
    if (message.role !== 'user' || typeof message.content === 'string') continue;
    for (const block of message.content) {
      if (block.type !== 'tool_result' || total <= targetTokens) continue;
      const before = JSON.stringify(block.content ?? '').length;
      if (before < 200) continue;
      const where = logPaths.get(block.tool_use_id);
      block.content = `[cleared to save context: ${before} characters of output${where ? `, full log at ${where}` : ''}]`;
      total -= estimateTokens(before - JSON.stringify(block.content).length);
      cleared++;
    }
  }
  return cleared;
}
