// The repair loop's public surface, for the entries (CLI, Action).
export { repair, validateRepairConfig, gitConfigSecrets, type RepairEvent, type RepairOptions } from './loop.js';
export { ModelCallError, MAX_OUTPUT_TOKENS, DEFAULT_BASE_URL } from './client.js';
export type { CommandRecord, RepairOutcome, RepairResult } from './types.js';
export type { Repo } from './git.js';
