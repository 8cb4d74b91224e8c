// `ci-medic repair`'s result as printed and as an exit code, and the flags that describe the CI event.
import { ConfigError, type ChangeRange } from '../config.js';
import type { RepairResult } from '../agent/index.js';

export function summary(r: RepairResult, warnings: string[] = []): string {
  const lines = [
    ...warnings.map((w) => `ci-medic: warning: ${w}`),
    `ci-medic: ${r.result} - ${r.reason}`,
    `  turns: ${r.turns}, cost: $${r.costUsd.toFixed(4)}, time: ${(r.durationMs / 1000).toFixed(1)}s`,
    `  changed files: ${r.changedFiles.length ? r.changedFiles.join(', ') : '(none)'}`,
  ];
  if (r.partialVerification) lines.push(`  note: ${r.partialVerification}`);
  if (r.preexistingChanges?.length) {
    lines.push(`  changed before the run (not part of the fix): ${r.preexistingChanges.join(', ')}`);
  }
  if (r.explanation) lines.push(`  explanation: ${r.explanation.split('\n').join('\n    ')}`);
  lines.push(
    `  transcript: ${r.transcriptPath}${r.transcriptMarkdownPath ? ` (markdown: ${r.transcriptMarkdownPath})` : ''}`,
  );
  return `${lines.join('\n')}\n`;
}

export const exitCodeFor = (r: RepairResult, failOnFlaky = true): number =>
  r.result === 'fixed' || r.result === 'already-passing' || (r.result === 'flaky' && !failOnFlaky) ? 0 : 1;

export function parseTrueFalse(flag: string, value: string): boolean {
  if (/^(?:true|yes|1)$/i.test(value.trim())) return true;
  if (/^(?:false|no|0)$/i.test(value.trim())) return false;
  throw new ConfigError(flag, `"${value}" is not true or false`);
}

const SHA = /^[0-9a-f]{7,64}$/i;

export function changeRangeFromFlags(
  prBase: string | undefined,
  pushRange: string | undefined,
): ChangeRange | undefined {
  if (prBase !== undefined && pushRange !== undefined) {
    throw new ConfigError('--pr-base', 'and --push-range describe different events; give one of them');
  }
  if (prBase !== undefined) {
    if (!SHA.test(prBase.trim())) throw new ConfigError('--pr-base', `"${prBase}" is not a commit id (hex)`);
    return { event: 'pull_request', base: prBase.trim() };
  }
  if (pushRange !== undefined) {
    const m = /^\s*([0-9a-f]{7,64})\.\.([0-9a-f]{7,64})\s*$/i.exec(pushRange);
    if (!m) throw new ConfigError('--push-range', `"${pushRange}" is not BEFORE..AFTER with two commit ids`);
    return { event: 'push', before: m[1], after: m[2] };
  }
  return undefined;
}
