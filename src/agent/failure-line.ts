// The first failing line: what the PR title, the commit subject, the annotation and the summary's "What failed" say.
// It is the failed assertion with its values where the output has one, not the line of the runner that threw it.
import { cleanOutput, firstErrorLine } from './shape.js';

/** The assertion (with expected and actual values) or first error of a check's output; '' when there is none. */
export function failureSummary(raw: string): string {
  return firstErrorLine(cleanOutput(raw));
}
