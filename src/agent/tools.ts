// The model's tools: our `bash` (the SDK agent toolset's input schema, backed by the tmux session and the policy)
// and the SDK's file tools (`read`, `write`, `edit`, `glob`, `grep`) confined to the workspace, with the
// protected paths read-only. Every output is redacted and bounded before it reaches the model.
import type { Tool, ToolResultBlockParam, ToolUseBlock } from '@anthropic-ai/sdk/resources/messages/messages';
import {
  betaEditTool,
  betaGlobTool,
  betaGrepTool,
  betaReadTool,
  betaWriteTool,
  type AgentToolContext,
} from '@anthropic-ai/sdk/tools/agent-toolset/node';
import { runRunnableTool, type BetaRunnableTool } from '@anthropic-ai/sdk/lib/tools/BetaRunnableTool';
import type { Redactor } from '../redact.js';

/** Our bash tool's definition: the same input schema as the SDK agent toolset's bash. */
export const BASH_TOOL: Tool = {
  name: 'bash',
  description:
    'Run a bash command in a persistent shell (a tmux session in the workspace). State (cwd, env vars) persists across calls. ' +
    'Each command is checked by a policy first; a denied command is not run and the reason says what to do instead. ' +
    'Output is shortened to its head, tail and error lines; the full log path is given. restart: true starts a fresh shell.',
  input_schema: {
    type: 'object',
    properties: {
      command: { type: 'string', description: 'The command to run' },
      restart: { type: 'boolean', description: 'Restart the persistent shell before running' },
      timeout_ms: { type: 'integer', description: 'Per-call timeout in milliseconds' },
    },
  },
};

/** The model's way to end without a fix: the run ends `not-fixed` with its reason as the explanation. */
export const GIVE_UP_TOOL: Tool = {
  name: 'give_up',
  description:
    'End the repair without a fix, when the failure cannot be fixed by changing this repository within the rules ' +
    '(a broken external service, a missing secret, a requirement you cannot meet). Say what you found and what a ' +
    'person should do. Do not call it while a fix is still possible.',
  input_schema: {
    type: 'object',
    properties: { reason: { type: 'string', description: 'What you found, and what a person should do next' } },
    required: ['reason'],
  },
};

/** Characters a tool result may hold when sent to the model. */
export const TOOL_OUTPUT_BUDGET = 10_000;

export function fileTools(workdir: string, readOnlyRoots: string[]): BetaRunnableTool[] {
  const ctx: AgentToolContext = { workdir, readOnlyRoots };
  return [betaReadTool(ctx), betaWriteTool(ctx), betaEditTool(ctx), betaGlobTool(ctx), betaGrepTool(ctx)];
}

/** Tool definitions as sent to the API: name, description, schema only (stable across turns). */
export function toolDefinitions(files: BetaRunnableTool[]): Tool[] {
  const defs = files.map((t) => {
    const tool = t as unknown as Tool;
    return { name: tool.name, description: tool.description, input_schema: tool.input_schema } as Tool;
  });
  return [BASH_TOOL, ...defs, GIVE_UP_TOOL];
}

export interface ToolOutcome {
  content: string;
  isError: boolean;
}

/** Characters of a file tool's result the model gets (a whole-file read can be 256 KiB). */
export const FILE_OUTPUT_BUDGET = 40_000;

export function boundFileOutput(text: string): string {
  if (text.length <= FILE_OUTPUT_BUDGET) return text;
  const cut = text.lastIndexOf('\n', FILE_OUTPUT_BUDGET);
  const head = text.slice(0, cut > 0 ? cut : FILE_OUTPUT_BUDGET);
  const lines = head.split('\n').length;
  return `${head}\n[... ${text.length - head.length} more characters not shown: read with view_range: [${lines + 1}, ${lines + 400}], or grep]`;
}

/** Run one of the SDK file tools; the result is redacted and bounded. */
export async function runFileTool(
  tool: BetaRunnableTool,
  use: ToolUseBlock,
  redactor: Redactor,
  signal: AbortSignal,
): Promise<ToolOutcome> {
  const outcome = await runRunnableTool(tool, use.input, { toolUse: use, toolUseBlock: use, signal });
  const text =
    typeof outcome.content === 'string'
      ? outcome.content
      : outcome.content.map((b) => (b.type === 'text' ? b.text : `[${b.type} block omitted]`)).join('\n');
  // File contents go back verbatim (the model edits by exact match), only bounded.
  return { content: boundFileOutput(redactor.redact(text)) || '(empty)', isError: outcome.isError };
}

export function toolResult(id: string, outcome: ToolOutcome): ToolResultBlockParam {
  return {
    type: 'tool_result',
    tool_use_id: id,
    content: outcome.content,
    ...(outcome.isError ? { is_error: true } : {}),
  };
}

export interface BashInput {
  command?: string;
  restart?: boolean;
  timeout_ms?: number;
}

export function parseBashInput(input: unknown): BashInput | string {
  if (typeof input !== 'object' || input === null) return 'bash: the input must be an object with a command';
  const { command, restart, timeout_ms } = input as Record<string, unknown>;
  if (command !== undefined && typeof command !== 'string') return 'bash: command must be a string';
  if (restart !== undefined && typeof restart !== 'boolean') return 'bash: restart must be a boolean';
  if (timeout_ms !== undefined && (typeof timeout_ms !== 'number' || !(timeout_ms > 0))) {
    return 'bash: timeout_ms must be a positive number of milliseconds';
  }
  return { command, restart, timeout_ms: timeout_ms as number | undefined };
}
