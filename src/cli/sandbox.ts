// The sandbox flags shared by `repair`, `session start` and `run`: one set of defaults, so what a person tries by
// hand runs under the same boundary as the agent.
import {
  DEFAULT_PROTECTED_PATHS,
  parseDomains,
  parsePaths,
  parseSandboxMode,
  type SandboxSettings,
} from '../config.js';
import { prepareSandbox, type SandboxDecision } from '../sandbox/index.js';
import type { CliIo } from './io.js';

export const SANDBOX_OPTIONS = {
  sandbox: { type: 'string' },
  'allow-domain': { type: 'string', multiple: true },
  'allow-write': { type: 'string', multiple: true },
  'deny-read': { type: 'string', multiple: true },
} as const;

export const SANDBOX_HELP = `  --sandbox MODE          auto (default: on where bubblewrap works, a loud warning where not), required, off
  --allow-domain HOST     host the sandbox's proxy lets through, on top of the project's registries (repeatable)
  --allow-write PATH      path the sandboxed shell may write, on top of the workspace (repeatable)
  --deny-read PATH        path the sandboxed shell may not read, on top of the defaults (repeatable)`;

type SandboxValues = {
  sandbox?: string;
  'allow-domain'?: string[];
  'allow-write'?: string[];
  'deny-read'?: string[];
};

/** Settings from the flags; throws ConfigError naming the flag. */
export function sandboxSettingsFrom(values: SandboxValues): SandboxSettings {
  return {
    mode: values.sandbox === undefined ? 'auto' : parseSandboxMode('--sandbox', values.sandbox),
    allowDomains: parseDomains('--allow-domain', values['allow-domain'] ?? []),
    allowWrite: parsePaths('--allow-write', values['allow-write'] ?? []),
    denyRead: parsePaths('--deny-read', values['deny-read'] ?? []),
  };
}

/**
 * Decide the sandbox for a session in `workspace`; prints the warning of `auto` where it cannot run. Throws
 * SandboxUnavailableError for `required`. The pane runs this same bundle as the sandbox's host.
 */
export async function cliSandbox(
  settings: SandboxSettings,
  workspace: string,
  protectedPaths: string[],
  io: CliIo,
): Promise<SandboxDecision> {
  const entry = io.entry;
  if (!entry && settings.mode !== 'off') {
    return { launcher: null, warning: 'the sandbox is NOT running: no ci-medic bundle to host it (in-process use)' };
  }
  const decision = await prepareSandbox({
    settings,
    workspace,
    home: io.env.HOME || undefined,
    protectedPaths: [...DEFAULT_PROTECTED_PATHS, ...protectedPaths],
    runnerTemp: io.env.RUNNER_TEMP || undefined,
    hostCommand: entry ?? [],
    path: io.env.PATH ?? '',
  });
  if (decision.warning) io.stderr(`ci-medic: WARNING: ${decision.warning}\n`);
  return decision;
}
