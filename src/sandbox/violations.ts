// What the sandbox blocked, as the host recorded it: read back after a command so the model (and a person running
// `ci-medic run`) learns what was blocked instead of retrying blindly.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The sandbox's own directory inside the protocol's state directory (unreadable from inside the sandbox). */
export const ownDirOf = (stateDir: string) => join(stateDir, 'sandbox');

/** The sandboxed shell's private temporary directory (TMPDIR), writable from inside. */
export const sandboxTmpDir = (stateDir: string) => join(stateDir, 'tmp');

/** Whether the session with this state directory runs its shell inside the sandbox. */
export function isSandboxedSession(stateDir: string): boolean {
  return existsSync(join(ownDirOf(stateDir), 'config.json'));
}

/** Most blocked actions reported for one command (a loop of denied requests must not flood the model). */
const MAX_REPORTED = 10;

/** The sandbox's reports (one line each, like `deny network-outbound example.com:443 (…)`) since `sinceMs`. */
export function violationsSince(stateDir: string, sinceMs: number): string[] {
  let text: string;
  try {
    text = readFileSync(join(ownDirOf(stateDir), 'violations.jsonl'), 'utf8');
  } catch {
    return [];
  }
  const lines: string[] = [];
  for (const raw of text.split('\n')) {
    if (!raw) continue;
    try {
      const v = JSON.parse(raw) as { time: number; line: string };
      if (v.time >= sinceMs && !lines.includes(v.line)) lines.push(v.line);
    } catch {
      // a torn last line while the host writes
    }
  }
  return lines.length > MAX_REPORTED
    ? [...lines.slice(0, MAX_REPORTED), `… and ${lines.length - MAX_REPORTED} more`]
    : lines;
}

/** The note appended to a command's result when the sandbox blocked something during it. */
export function violationNote(lines: string[]): string {
  if (!lines.length) return '';
  return (
    `The sandbox blocked ${lines.length === 1 ? 'this' : 'these'} during the command ` +
    `(network goes only to the project's package registries; .git/, .github/ and paths outside the workspace are ` +
    `read-only; credentials are unreadable; do not retry it, work within these limits):\n` +
    lines.map((l) => `  ${l}`).join('\n')
  );
}
