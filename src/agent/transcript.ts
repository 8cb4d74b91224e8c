// The transcript: every model turn, tool call, policy decision, command result, token count and cost, as JSON lines
// written as they happen (a crash leaves everything up to it on disk), and a markdown rendering for people.
// Everything recorded passes through the redactor first.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatDuration } from '../format.js';
import type { Redactor } from '../redact.js';
import { codeBlock as fence } from '../markdown.js';

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

export type TranscriptEvent =
  | {
      type: 'start';
      check: string;
      model: string;
      workdir?: string;
      baseCommit?: string;
      setup?: string;
      budgets: { maxTurns: number; timeBudgetMs: number; maxCostUsd: number; commandTimeoutMs: number };
      relaxedTamperRules?: string[];
      [extra: string]: unknown;
    }
  | {
      type: 'check';
      /** Which run: 'initial', 'verification', 'clean-worktree', … */
      phase?: string;
      command: string;
      exitCode: number | null;
      durationMs: number;
      outputChars: number;
      logPath?: string;
      excerpt?: string;
      timedOut?: boolean;
    }
  | { type: 'model-request'; turn: number; messagesCount: number; estimatedInputTokens: number }
  | {
      type: 'model-response';
      turn: number;
      stopReason: string | null;
      usage: Usage;
      costUsd: number;
      cumulativeCostUsd: number;
      text: string;
      durationMs?: number;
    }
  | { type: 'tool-call'; turn: number; id: string; name: string; input: unknown }
  | { type: 'policy'; command: string; allowed: boolean; reason: string; rule?: string; commands?: unknown }
  | {
      type: 'command-result';
      command: string;
      exitCode: number | null;
      durationMs: number;
      outputChars: number;
      logPath?: string;
      timedOut: boolean;
      interrupted: boolean;
      shellRestarted: boolean;
      /** A bounded, redacted excerpt of the output. */
      excerpt?: string;
    }
  | { type: 'tool-result'; id: string; isError: boolean; chars: number; name?: string }
  | { type: 'tamper'; violations: Array<{ rule: string; file: string; line?: string; message: string }> }
  | { type: 'budget'; which: string; detail: string }
  | { type: 'error'; message: string }
  | {
      type: 'end';
      result: string;
      reason: string;
      turns: number;
      costUsd: number;
      tokens: { input: number; output: number; cacheRead?: number; cacheWrite?: number };
      durationMs?: number;
      changedFiles?: string[];
      /** The final diff (bounded). */
      diff?: string;
    };

export type RecordedEvent = TranscriptEvent & { ts: string };

function inline(text: string): string {
  const oneLine = text.replace(/\s*\n\s*/g, ' ⏎ ');
  const clipped = oneLine.length > 300 ? `${oneLine.slice(0, 300)}…` : oneLine;
  const ticks = clipped.includes('`') ? '``' : '`';
  return `${ticks}${clipped.startsWith('`') ? ' ' : ''}${clipped}${clipped.endsWith('`') ? ' ' : ''}${ticks}`;
}

function usd(n: number): string {
  return `$${n.toFixed(n !== 0 && n < 0.01 ? 4 : 2)}`;
}

function exitText(code: number | null, extra: { timedOut?: boolean; interrupted?: boolean; shellRestarted?: boolean }) {
  const parts = [code === null ? 'no exit code' : `exit ${code}`];
  if (extra.timedOut) parts.push('timed out');
  if (extra.interrupted) parts.push('interrupted');
  if (extra.shellRestarted) parts.push('shell restarted');
  return parts.join(', ');
}

export class Transcript {
  readonly path: string;
  readonly markdownPath: string;
  readonly #redactor: Redactor;
  readonly #events: RecordedEvent[] = [];

  constructor(path: string, redactor: Redactor) {
    this.path = path;
    this.markdownPath = path.endsWith('.jsonl') ? `${path.slice(0, -'.jsonl'.length)}.md` : `${path}.md`;
    this.#redactor = redactor;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, '');
  }

  get events(): readonly RecordedEvent[] {
    return this.#events;
  }

  /** Append one event (redacted, stamped with `ts`) as a JSON line, synchronously. */
  record(event: TranscriptEvent): void {
    const stamped = this.#redactor.redactDeep({ ...event, ts: new Date().toISOString() }) as RecordedEvent;
    this.#events.push(stamped);
    appendFileSync(this.path, `${JSON.stringify(stamped)}\n`);
  }

  renderMarkdown(): string {
    const events = this.#events;
    const start = events.find((e) => e.type === 'start');
    const end = [...events].reverse().find((e) => e.type === 'end');
    const out: string[] = ['# ci-medic repair transcript', ''];
    if (end?.type === 'end') {
      out.push(
        `**Result: ${end.result}** — ${end.reason}`,
        '',
        `- Turns: ${end.turns}`,
        `- Cost: ${usd(end.costUsd)}`,
        `- Tokens: ${end.tokens.input} input, ${end.tokens.output} output` +
          (end.tokens.cacheRead || end.tokens.cacheWrite
            ? `, ${end.tokens.cacheRead ?? 0} cache read, ${end.tokens.cacheWrite ?? 0} cache write`
            : ''),
      );
      if (end.durationMs !== undefined) out.push(`- Duration: ${formatDuration(end.durationMs)}`);
      if (end.changedFiles?.length) out.push(`- Changed files: ${end.changedFiles.map((f) => inline(f)).join(', ')}`);
    } else {
      out.push('**Result: unfinished** (no end event was recorded)');
    }
    if (start?.type === 'start') {
      const b = start.budgets;
      out.push(
        `- Check: ${inline(start.check)}`,
        `- Model: ${inline(start.model)}`,
        `- Budgets: ${b.maxTurns} turns, ${formatDuration(b.timeBudgetMs)}, ${usd(b.maxCostUsd)}, ${formatDuration(b.commandTimeoutMs)} per command`,
      );
      if (start.setup) out.push(`- Setup: ${inline(start.setup)}`);
      if (start.baseCommit) out.push(`- Base commit: ${inline(start.baseCommit)}`);
    }
    out.push('');

    for (const e of events) {
      switch (e.type) {
        case 'start':
        case 'end':
          break;
        case 'check':
          out.push(
            '',
            `## Check${e.phase ? ` (${e.phase})` : ''}: ${inline(e.command)}`,
            '',
            `${exitText(e.exitCode, e)} in ${formatDuration(e.durationMs)}, ${e.outputChars} characters of output${e.logPath ? ` (full log: ${inline(e.logPath)})` : ''}`,
            '',
          );
          if (e.excerpt) out.push(fence(e.excerpt), '');
          break;
        case 'command-result':
          out.push(
            `  - ${exitText(e.exitCode, e)} in ${formatDuration(e.durationMs)}, ${e.outputChars} chars${e.logPath ? `, log ${inline(e.logPath)}` : ''}`,
          );
          if (e.excerpt) out.push('', fence(e.excerpt).replace(/^/gm, '    '), '');
          break;
        case 'model-request':
          out.push(
            '',
            `## Turn ${e.turn}`,
            '',
            `_Request: ${e.messagesCount} messages, about ${e.estimatedInputTokens} input tokens._`,
            '',
          );
          break;
        case 'model-response': {
          const u = e.usage;
          out.push(
            `_Response: stop reason ${e.stopReason ?? 'none'}; ${u.input_tokens} in, ${u.output_tokens} out, ` +
              `${u.cache_read_input_tokens ?? 0} cache read, ${u.cache_creation_input_tokens ?? 0} cache write; ` +
              `${usd(e.costUsd)} (total ${usd(e.cumulativeCostUsd)})._`,
            '',
          );
          if (e.text.trim()) out.push(e.text.trim().replace(/^/gm, '> '), '');
          break;
        }
        case 'tool-call': {
          const input = e.input as Record<string, unknown> | null;
          const shown =
            e.name === 'bash' && input && typeof input.command === 'string'
              ? inline(input.command)
              : inline(JSON.stringify(input));
          out.push(`- **${e.name}** ${shown}`);
          break;
        }
        case 'policy':
          out.push(
            e.allowed
              ? `  - policy: allowed${e.rule ? ` (${e.rule})` : ''}`
              : `  - policy: **denied**${e.rule ? ` (${e.rule})` : ''}: ${e.reason}`,
          );
          break;
        case 'tool-result':
          if (e.isError) out.push(`  - tool result: error (${e.chars} chars)`);
          break;
        case 'tamper':
          out.push('', `**Tamper guard rejected the change** (${e.violations.length} violation(s)):`, '');
          for (const v of e.violations) out.push(`- \`${v.rule}\` ${inline(v.file)}: ${v.message}`);
          out.push('');
          break;
        case 'budget':
          out.push('', `**Budget: ${e.which}** — ${e.detail}`, '');
          break;
        case 'error':
          out.push('', `**Error:** ${e.message}`, '');
          break;
      }
    }
    if (end?.type === 'end' && end.diff) out.push('', '## Final diff', '', fence(end.diff, 'diff'), '');
    return `${out
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trimEnd()}\n`;
  }

  /** Write the markdown rendering beside the JSON lines and return its path. */
  close(): string {
    writeFileSync(this.markdownPath, this.#redactor.redact(this.renderMarkdown()));
    return this.markdownPath;
  }
}
