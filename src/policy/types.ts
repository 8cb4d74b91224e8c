// Contracts of the command policy. Pure: no tmux, no process.env.

export interface PolicyConfig {
  /** Allow patterns (`git diff*`, `npm run test:*`, `re:^make( |$)`); non-empty = allowlist mode. */
  allow: string[];
  /** Deny patterns, checked in addition to the default deny set. Deny wins over allow. */
  deny: string[];
  /** Paths no command may write (relative to workspace, or absolute); `.git/` and `.github/` always included. */
  protectedPaths: string[];
  /** Default rules dropped by name (rule names are listed by `ci-medic policy --list-rules`). */
  disabledRules: string[];
  /** The workspace root (absolute). `rm -r` outside it is denied; relative protected paths resolve against it. */
  workspace: string;
  /** The home directory, for `~` and `$HOME` in paths. */
  home?: string;
  /** The shell's current directory when known (absolute, or relative to the workspace); defaults to the workspace. */
  cwd?: string;
  /** The command runs inside the OS sandbox (src/sandbox): rules that only matter without a boundary may relax. */
  sandboxed?: boolean;
}

/** The policy's verdict on one command line. */
export interface Decision {
  allowed: boolean;
  /** Why, in words the model can act on (for a denial: what to do instead). */
  reason: string;
  /** Name of the rule that decided (`default:network-egress`, `deny:git push*`, `allow:npm test*`), or null. */
  rule: string | null;
  /** Every simple command found anywhere in the line, as argument vectors (quotes and escapes removed). */
  commands: string[][];
}
