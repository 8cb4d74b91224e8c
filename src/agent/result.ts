// The repair's result: its empty shape, and what is filled in however the run ended (usage, the files the loop
// changed — never those already changed before it began — the cost of verification, the flaky case).
import { ConfigError, type RepairConfig } from '../config.js';
import type { Redactor } from '../redact.js';
import type { Budget } from './budget.js';
import { boundedDiff, changedFiles, diffStat, untrackedFiles, type Repo } from './git.js';
import type { LoopRun } from './run.js';
import { Transcript } from './transcript.js';
import type { RepairResult } from './types.js';

export function emptyResult(config: RepairConfig, baseCommit: string): RepairResult {
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

export function openTranscript(path: string, redactor: Redactor): Transcript {
  try {
    return new Transcript(path, redactor);
  } catch (error) {
    throw new ConfigError('transcript', `cannot write "${path}" (${(error as Error).message}); give a writable path`);
  }
}

/** What the run shares that `finish` needs (the run itself may not exist when the session failed to start). */
export interface FinishContext {
  config: RepairConfig;
  repo: Repo;
  budget: Budget;
  untrackedBefore: ReadonlySet<string>;
  /** The tree of the tracked files when the loop began (differs from the base commit's when the tree was dirty). */
  startTree: string;
  stats?: LoopRun['stats'];
}

/** Usage, changed files, the verification cost and the flaky case, filled in however the run ended. */
export async function finish(result: RepairResult, cx: FinishContext): Promise<void> {
  const { config, budget, untrackedBefore } = cx;
  result.turns = budget.turns;
  result.costUsd = budget.totals.costUsd;
  result.inputTokens = budget.totals.inputTokens;
  result.outputTokens = budget.totals.outputTokens;
  result.cacheReadTokens = budget.totals.cacheReadTokens;
  result.cacheWriteTokens = budget.totals.cacheWriteTokens;
  if (cx.stats) {
    result.verificationCost = {
      checkRuns: cx.stats.check.runs,
      checkMs: cx.stats.check.ms,
      setupRuns: cx.stats.setup.runs,
      setupMs: cx.stats.setup.ms,
    };
  }
  const changed = await changedFiles(cx.repo, cx.startTree, untrackedBefore).catch(() => []);
  result.changedFiles = changed;
  const created = await untrackedFiles(cx.repo)
    .then((u) => u.filter((f) => !untrackedBefore.has(f)))
    .catch(() => []);
  result.diffStat = await diffStat(cx.repo, cx.startTree, created).catch(() => '');
  result.diff = await boundedDiff(cx.repo, cx.startTree, created).catch(() => '');
  if (result.result === 'fixed' && changed.length === 0) {
    // Nothing changed, yet the check passes now: the failure was not reproducible, so the check is flaky.
    result.result = 'flaky';
    result.reason = `\`${config.check}\` failed, then passed when ci-medic re-ran it without any change: the check is flaky`;
  }
}
