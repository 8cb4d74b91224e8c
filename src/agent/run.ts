// What one repair run shares between the loop, the bash tool and verification: the configuration, the session,
// the redactor, the budgets, the transcript and progress sinks, and the records that end up in the result.
import type { RepairConfig } from '../config.js';
import type { Redactor } from '../redact.js';
import { redactLogFile } from '../terminal/log.js';
import type { CommandResult, RunOptions } from '../terminal/types.js';
import type { Budget } from './budget.js';
import type { TranscriptEvent } from './transcript.js';
import type { CommandRecord, RepairResult } from './types.js';

/** The part of the terminal session the loop uses. */
export interface LoopSession {
  readonly name: string;
  readonly socketPath: string;
  run(command: string, options?: RunOptions): Promise<CommandResult>;
  restart(): Promise<unknown>;
  stop(): Promise<unknown>;
  /** A marker in the pane's output stream (`turn 3`): recordings turn it into a chapter. */
  mark(label: string): Promise<unknown>;
  /** Where the shell is now (an earlier command's `cd` moved it): the policy resolves relative paths against it. */
  currentDirectory(): string;
}

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
  /**
   * The tree of the tracked files when the loop began: the base commit's, or a snapshot of a dirty start. The fix is
   * what changed since (changes already there are the user's).
   */
  startTree: string;
  /** Files untracked before the loop began: never part of the fix. */
  untrackedBefore: ReadonlySet<string>;
  /** Top-level ignored entries before the loop began (dependencies installed outside the repository). */
  ignoredBefore: readonly string[];
  result: RepairResult;
  commands: CommandRecord[];
  /** tool_use id -> the full log of its command (named when old results are cleared from the context). */
  logPaths: Map<string, string>;
  /** Runs of the check and the setup and their time, for the result's `verificationCost`. */
  stats: Record<'check' | 'setup', { runs: number; ms: number }>;
  /** The check must pass this many times in a row to count as fixed (`flaky-reruns + 1` when repairing flakiness). */
  passesNeeded: number;
  /** Whether the clean-worktree verification can judge a fix, proven once on the base commit when first needed. */
  baseline?: { usable: true } | { usable: false; why: string };
  record(event: TranscriptEvent): void;
  emit(type: RepairEvent['type'], message: string): void;
  /** With the sandbox: what it blocked since a time, as a note for the model ('' when nothing). */
  blockedSince?: (sinceMs: number) => string;
  /** Where the clean worktree goes: the sandbox's private temp dir (the only place outside the workspace it writes). */
  scratchDir?: string;
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
