// The terminal layer's public surface (the only code that runs tmux lives behind it).
export { AgentSession, listSessions, DEFAULT_HISTORY_LIMIT, DEFAULT_RUN_TIMEOUT_MS } from './session.js';
export { ensureTmux, installPlan } from './install.js';
export { scrubEnvironment, shellEnvironment, isSecretName, NON_INTERACTIVE_ENV } from './env.js';
export {
  execTmux,
  socketPathFor,
  stateDirFor,
  tmuxSessionName,
  validateSessionName,
  tmuxVersion,
  TmuxError,
  type TmuxErrorKind,
} from './tmux.js';
export type {
  AttachOptions,
  CommandResult,
  ForegroundServer,
  RunOptions,
  SessionInfo,
  ShellLauncher,
  StartOptions,
  StopReason,
} from './types.js';
export { shellQuote } from './quote.js';
export { pidAlive, procStat } from './proc.js';
export { foregroundServerAdvice } from './listen.js';
export { redactLogFile, MAX_OUTPUT_BYTES } from './log.js';
