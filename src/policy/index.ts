// PLACEHOLDER until the policy lands (issue 3): the real module replaces this file and keeps this signature.
import type { Decision, PolicyConfig } from './types.js';

export type { Decision, PolicyConfig } from './types.js';

export function evaluate(command: string, _config: PolicyConfig): Decision {
  return { allowed: false, reason: 'the command policy is not implemented yet', rule: null, commands: [[command]] };
}
