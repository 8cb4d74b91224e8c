// A failure's fingerprint names its repair branch: a re-run of the same failure must map to the same branch (so the
// open pull request is updated, not duplicated), and a different failure to a different one. The failure text is
// normalised first, so what changes from run to run (timings, timestamps, ids, temporary paths, line numbers) does not count.
import { createHash } from 'node:crypto';
import { stripAnsi } from '../terminal/ansi.js';

export interface FailureIdentity {
  workflow: string;
  job: string;
  baseBranch: string;
  check: string;
  failureText: string;
}

/** Length of the fingerprint in hex characters (48 bits: plenty for the failures of one repository). */
export const FINGERPRINT_LENGTH = 12;

const ISO_TIMESTAMP = /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/g;
const CLOCK = /\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b/g;
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
// A run of hex with at least one digit and one letter, or long enough to be an id (commit, object, address).
const HEX_ID = /\b(?:0x[0-9a-f]+|(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,}|[0-9a-f]{16,})\b/gi;
const TEMP_PATH =
  /(?:\/tmp|\/var\/tmp|\/var\/folders|\/private\/var\/folders|\/home\/runner\/work\/_temp|\/runner\/_work\/_temp|[A-Z]:\\Users\\[^\\\s]+\\AppData\\Local\\Temp)(?:[/\\][^\s:'"`)\]]*)?/g;
const LINE_COL = /:\d+(?::\d+)?\b/g;
const DURATION = /\b\d+(?:\.\d+)?\s?(?:ns|µs|us|ms|s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?)\b/gi;
const NUMBER = /\d+(?:\.\d+)?/g;

/** The failure text with everything that varies between runs of the same failure replaced by a placeholder. */
export function normaliseFailureText(text: string): string {
  return stripAnsi(text)
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line) => line.slice(line.lastIndexOf('\r') + 1)) // a progress line keeps only what was last drawn
    .join('\n')
    .replace(ISO_TIMESTAMP, '<time>')
    .replace(CLOCK, '<time>')
    .replace(UUID, '<id>')
    .replace(TEMP_PATH, '<tmp>')
    .replace(HEX_ID, '<hex>')
    .replace(LINE_COL, ':<line>')
    .replace(DURATION, '<duration>')
    .replace(NUMBER, '<n>')
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter(Boolean)
    .join('\n');
}

/** Short hex hash of workflow, job, base branch, check command and the normalised failure text. */
export function failureFingerprint(identity: FailureIdentity): string {
  const parts = [
    identity.workflow.trim(),
    identity.job.trim(),
    identity.baseBranch.trim(),
    identity.check.trim().replace(/\s+/g, ' '),
    normaliseFailureText(identity.failureText),
  ];
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, FINGERPRINT_LENGTH);
}

/**
 * The repair branch for a fingerprint: `<prefix><fingerprint>`. The prefix comes from the `branch-prefix` input, so a
 * prefix git would refuse is reported against that input.
 */
export function repairBranchName(prefix: string, fingerprint: string): string {
  const name = `${prefix}${fingerprint}`;
  const invalid =
    /[\s~^:?*[\\\x00-\x1f\x7f]/.test(name) ||
    name.includes('..') ||
    name.includes('@{') ||
    name.includes('//') ||
    name.startsWith('/') ||
    name.startsWith('-') ||
    name.split('/').some((part) => part.startsWith('.') || part.endsWith('.lock'));
  if (invalid) {
    throw new Error(
      `branch-prefix: "${prefix}" does not make a valid git branch name ("${name}"). ` +
        'Use letters, digits, "-", "_", "." and "/" (for example "ci-medic/").',
    );
  }
  return name;
}
