// Contracts of the repair loop, used by the entries (CLI, Action) and rendered into the PR body and job summary.

/**
 * `flaky`: the check failed, then passed on a re-run with no change (see `RepairResult.flaky`); no fix is proposed
 * unless `on-flaky: repair`. `cancelled`: the runner (or the caller) cancelled the run.
 */
export type RepairOutcome =
  'fixed' | 'already-passing' | 'flaky' | 'not-fixed' | 'budget-exhausted' | 'cancelled' | 'error';

export interface CommandRecord {
  command: string;
  allowed: boolean;
  /** The policy's reason (denied) or rule (allowed). */
  policy: string;
  exitCode: number | null;
  durationMs: number;
  timedOut: boolean;
}

export interface RepairResult {
  result: RepairOutcome;
  /** One sentence on why it ended this way (budget that ran out, tamper rule, API error and what to do). */
  reason: string;
  turns: number;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  durationMs: number;
  /** Files the loop changed, relative to the workspace (files untracked before the loop began excluded). */
  changedFiles: string[];
  /** `git diff --stat` of the change. */
  diffStat: string;
  /** The change as a unified diff, bounded (git.ts MAX_DIFF_CHARS); the full change is on the branch. */
  diff?: string;
  /** The model's own account of root cause and fix (redacted). */
  explanation: string;
  /** The first failing run of the check: exit code and a shaped, redacted excerpt. */
  initialFailure: { exitCode: number | null; excerpt: string; firstErrorLine: string };
  /** The last verification run of the check. */
  verification?: { command: string; exitCode: number | null; tail: string };
  commands: CommandRecord[];
  /** The check's runs before the model started, when it failed first: how many passed and failed (flaky evidence). */
  flaky?: { runs: number; passes: number; failures: number };
  /**
   * Set when the fix could be judged only by the in-place re-run: one sentence saying why ("verification was
   * partial: setup `npm ci` fails on the base commit too: …"). The summary and PR body show it.
   */
  partialVerification?: string;
  /** Files already changed (tracked) before the loop began: not the fix's changes, never committed. */
  preexistingChanges?: string[];
  /** How often ci-medic ran the check and the setup, and for how long (the cost of verification). */
  verificationCost?: { checkRuns: number; checkMs: number; setupRuns: number; setupMs: number };
  /** HEAD when the loop began. */
  baseCommit: string;
  transcriptPath: string;
  transcriptMarkdownPath: string;
  sessionName: string;
  socketPath: string;
}
