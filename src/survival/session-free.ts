// A session name given explicitly must not be one another run is using: checked once, for both entries, before
// anything costs money. Each entry says how its user names the session and how to leave the name out.
import { ConfigError } from '../config.js';
import { AgentSession } from '../terminal/session.js';

export interface SessionNaming {
  /** The input or flag that named the session (`session-name`, `--session`). */
  input: string;
  /** Whose session holds the name, as the entry's user would say it. */
  holder: string;
  /** How to get a name unique to this run instead. */
  omit: string;
}

export async function ensureSessionFree(name: string, given: boolean, naming: SessionNaming): Promise<void> {
  if (!given) return;
  const running = await AgentSession.find(name).catch(() => null);
  if (!running) return;
  running.detach();
  throw new ConfigError(
    naming.input,
    `"${name}" is in use by ${naming.holder} (socket ${running.socketPath}); give another name, or ${naming.omit} ` +
      'for a name unique to this run',
  );
}
