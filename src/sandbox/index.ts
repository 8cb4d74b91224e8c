// The OS boundary around the agent's shell: decide whether it runs (sandbox: auto | required | off), and build the
// launcher that starts the pane's shell inside it.
import { SandboxLauncher, type SandboxOptions } from './launcher.js';
import { checkSandbox, type SandboxCheck } from './probe.js';
import { installSandboxPackages } from './install.js';

export { SandboxLauncher, type SandboxOptions } from './launcher.js';
export { checkSandbox, USERNS_REMEDY, SANDBOX_PACKAGES, type SandboxCheck } from './probe.js';
export { detectEcosystems, ECOSYSTEMS, type Ecosystem } from './ecosystems.js';
export { runtimeConfig } from './rules.js';
export { runnerPrivatePaths } from './runner.js';
export { violationsSince, violationNote, isSandboxedSession } from './violations.js';
export { hostMain, HOST_ARGUMENT } from './host.js';

export class SandboxUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SandboxUnavailableError';
  }
}

export interface SandboxDecision {
  /** The launcher to pass to the session, or null when the shell runs without the sandbox. */
  launcher: SandboxLauncher | null;
  /** Set when `auto` found no working sandbox: to be shown loudly at start and in the job summary. */
  warning: string | null;
}

export interface PrepareOptions extends SandboxOptions {
  /** The PATH to look for bubblewrap, socat and ripgrep on. */
  path: string;
  /** Install missing packages with apt (the Action does; the CLI only says what to install). */
  install?: boolean;
}

export async function prepareSandbox(options: PrepareOptions): Promise<SandboxDecision> {
  const mode = options.settings.mode;
  if (mode === 'off') return { launcher: null, warning: null };
  let check: SandboxCheck = await checkSandbox({ PATH: options.path });
  if (!check.available && options.install && check.missing.length) {
    const failed = await installSandboxPackages(check.missing, options.path);
    check = await checkSandbox({ PATH: options.path });
    if (!check.available && failed) check = { ...check, problem: `${check.problem} (installing failed: ${failed})` };
  }
  if (check.available) return { launcher: new SandboxLauncher(options), warning: null };
  if (mode === 'required') {
    throw new SandboxUnavailableError(
      `sandbox: required, but the sandbox cannot run here: ${check.problem}. To fix it, ${check.remedy}`,
    );
  }
  return {
    launcher: null,
    warning:
      `the sandbox is NOT running (${check.problem}): only the command policy stands between the agent's commands ` +
      `and this machine's files, network and processes. To turn it on, ${check.remedy}; or set sandbox: off to ` +
      `silence this warning.`,
  };
}
