// The ShellLauncher that starts the agent's shell inside the sandbox: writes the rules where only ci-medic can change
// them, and hands tmux a command line that runs the sandbox host (see host.ts) in the pane.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SandboxSettings } from '../config.js';
import type { ShellLauncher } from '../terminal/index.js';
import { shellQuote } from '../terminal/quote.js';
import { detectEcosystems, type Ecosystem } from './ecosystems.js';
import { HOST_ARGUMENT, type HostConfig } from './host.js';
import { allowedDomains, cacheDirs, PROTOCOL_OWN_FILES, runtimeConfig, type RulesContext } from './rules.js';
import { ownDirOf, sandboxTmpDir } from './violations.js';

export interface SandboxOptions {
  workspace: string;
  home?: string;
  settings: SandboxSettings;
  /** Paths no command may write, relative to the workspace (`.git/`, `.github/` and the configured ones). */
  protectedPaths: string[];
  runnerTemp?: string;
  runnerDirs?: string[];
  ownFiles?: string[];
  /** How to start a ci-medic bundle from the pane: `[node, /path/to/dist/cli/index.js]`. */
  hostCommand: string[];
}

export class SandboxLauncher implements ShellLauncher {
  readonly ecosystems: Ecosystem[];

  constructor(private readonly options: SandboxOptions) {
    this.ecosystems = detectEcosystems(options.workspace);
  }

  /** The hosts the proxy lets through (for the start-up message and the job summary). */
  get domains(): string[] {
    return allowedDomains({ ecosystems: this.ecosystems, settings: this.options.settings });
  }

  wrap(shellCommand: string, ctx: { stateDir: string; cwd: string }): string {
    const ownDir = ownDirOf(ctx.stateDir);
    const tmpDir = sandboxTmpDir(ctx.stateDir);
    mkdirSync(ownDir, { recursive: true, mode: 0o700 });
    mkdirSync(tmpDir, { recursive: true, mode: 0o700 });
    // Caches must exist before the sandbox starts: a directory that does not exist cannot be mounted writable.
    for (const dir of cacheDirs({ home: this.options.home, ecosystems: this.ecosystems })) {
      try {
        mkdirSync(dir, { recursive: true });
      } catch {
        // an unwritable home: installs run without a warm cache
      }
    }
    // The protocol's own files may not exist yet (the terminal writes session.json after wrapping): create them
    // empty, so the sandbox mounts them read-only (a missing one would be left writable or get a placeholder that
    // the runtime deletes when the pane ends). The terminal rewrites them in place, so the mount follows.
    for (const file of PROTOCOL_OWN_FILES) {
      const path = join(ctx.stateDir, file);
      if (!existsSync(path)) writeFileSync(path, '', { mode: 0o600 });
    }
    const rules: RulesContext = {
      ...this.options,
      stateDir: ctx.stateDir,
      ownDir,
      tmpDir,
      ecosystems: this.ecosystems,
    };
    const config: HostConfig = {
      runtime: runtimeConfig(rules),
      shell: shellCommand,
      tmpDir,
      violations: join(ownDir, 'violations.jsonl'),
    };
    const configPath = join(ownDir, 'config.json');
    writeFileSync(configPath, JSON.stringify(config), { mode: 0o600 });
    return `exec ${[...this.options.hostCommand, HOST_ARGUMENT, configPath].map(shellQuote).join(' ')}`;
  }
}
