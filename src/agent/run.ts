// What one repair run shares between the loop, the bash tool and verification: the configuration, the session,
// the redactor, the budgets, the transcript and progress sinks, and the records that end up in the result.
import type { RepairConfig } from '../config.js';
import type { Redactor } from '../redact.js';
import { redactLogFile } from '../terminal/log.js';
import type { CommandResult } from '../terminal/types.js';
import type { Budget } from './budget.js';
import type { TranscriptEvent } from './transcript.js';
import type { CommandRecord, RepairResult } from './types.js';
import type { LoopSession } from './verify.js';

/** Progress for the entries' logs (the Action groups by turn). Messages are redacted. */
export interface RepairEvent {
  type: 'check' | 'turn' | 'command' | 'tool' | 'verify' | 'tamper' | 'budget' | 'end' | 'error';
  turn: number;
  message: string;
}

export interface LoopRun {
  config: RepairConfig;
  session: LoopSession;
  redactor: Redactor;
  budget: Budget;
  baseCommit: string;
  /** Files untracked before the loop began: never part of the fix. */
  untrackedBefore: ReadonlySet<string>;
  result: RepairResult;
  commands: CommandRecord[];
  /** tool_use id -> the full log of its command (named when old results are cleared from the context). */
  logPaths: Map<string, string>;
  record(event: TranscriptEvent): void;
  emit(type: RepairEvent['type'], message: string): void;
}

/**
 * The command's output, redacted; the terminal's full log is rewritten redacted too (the model may grep it), by
 * streaming it: the log may be far larger than `r.output`, which holds only its head and tail when truncated.
 */
export async function scrubbed(run: Pick<LoopRun, 'redactor'>, r: CommandResult): Promise<string> {
  const clean = run.redactor.redact(r.output);
  if (r.outputPath && (clean !== r.output || r.outputTruncated)) {
    try {
      redactLogFile(r.outputPath, (text) => run.redactor.redact(text));
    } catch {
      // the log is gone (session stopped): the output in hand is redacted
    }
  }
  return clean;
}
