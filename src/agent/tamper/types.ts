// What the tamper guard reports, and what it needs to know about the check.
import type { TamperRule } from '../../config.js';

export type { TamperRule } from '../../config.js';

export interface TamperViolation {
  rule: TamperRule;
  file: string;
  /** The offending line (added or removed), when the rule is about a line. */
  line?: string;
  /** What was wrong and what to do instead, written for the model. */
  message: string;
}

export interface TamperOptions {
  /** The check command the loop must make pass. */
  check: string;
  relaxed?: TamperRule[];
  /** The package.json the check's npm/yarn/pnpm script lives in, before and after the change (exact scripts compare). */
  packageJsonBefore?: string;
  packageJsonAfter?: string;
  /** The check's failing output: names the failing tests' files (for the `test-only` rule). */
  failureOutput?: string;
}
