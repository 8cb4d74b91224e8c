// What one run of the Action carries from step to step, and the outputs it always sets.
import type { Redactor } from '../redact.js';
import { type Journal } from '../survival/journal.js';
import type { Cancellation } from '../survival/signals.js';
import { type ActionInputs } from './inputs.js';
import { type ActionResult, type SummaryInput } from './summary.js';

export type Env = NodeJS.ProcessEnv;

/** Every output, always set (empty when it does not apply), so `steps.x.outputs.y` never surprises. */
export interface Outputs {
  result: ActionResult;
  'pr-url': string;
  'pr-number': string;
  branch: string;
  turns: string;
  'cost-usd': string;
  'input-tokens': string;
  'output-tokens': string;
  'transcript-path': string;
  'rescue-command': string;
  'session-name': string;
}

/** What one run carries from step to step. */
export interface Run {
  inputs: ActionInputs;
  env: Env;
  outputs: Outputs;
  summary: SummaryInput;
  redactor: Redactor;
  /** The agent session's environment: env minus the variables credential files reference. */
  sessionEnv: Env;
  /** The credentials found in .git/config at the start (checkout's header), masked; the loop does not scan again. */
  gitConfigSecrets: string[];
  /** The failure message for the step; unset when the step succeeds. */
  failure?: string;
  /** SIGINT/SIGTERM, as one signal from the entry down. */
  cancel?: Cancellation;
  /** What this run changed outside the process, for the post step (set once something may change). */
  journal?: Journal;
}

export function emptyOutputs(): Outputs {
  return {
    result: 'error',
    'pr-url': '',
    'pr-number': '',
    branch: '',
    turns: '0',
    'cost-usd': '0',
    'input-tokens': '0',
    'output-tokens': '0',
    'transcript-path': '',
    'rescue-command': '',
    'session-name': '',
  };
}

export function setResult(state: Run, result: ActionResult, reason: string): void {
  state.outputs.result = result;
  state.summary.result = result;
  state.summary.reason = state.redactor.redact(reason);
}

/** The step id the rescue snippet's `if:` refers to; the runner names anonymous steps `__run` or `__owner_repo`. */
export function stepId(env: Env): string | undefined {
  const id = env.GITHUB_ACTION ?? '';
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(id) && !id.startsWith('__') ? id : undefined;
}
