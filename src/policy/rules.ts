// The default deny set, by name. Each name can be dropped with `disabledRules` (`--disable-rule`, `disable-rules`).
// The parser's own refusals (`parse`: syntax errors, partial trees, unknown constructs, size bounds) cannot be dropped.

export const DEFAULT_RULES = [
  { name: 'dynamic-command-name', description: 'command names built from expansions, substitutions, globs or braces' },
  {
    name: 'hidden-evaluation',
    description:
      'eval, source/., exec, shells given code (-c, stdin, here-strings), fc, callbacks, ${x@P}, code in array subscripts',
  },
  {
    name: 'network-egress',
    description: 'curl, wget, nc, ssh, scp, rsync, dig, /dev/tcp and /dev/udp, git with URLs or ext::',
  },
  {
    name: 'publishing',
    description: 'git push, git remote add/set-url, npm/pnpm/yarn/cargo publish, gh, docker push/login',
  },
  {
    name: 'privilege',
    description:
      'sudo, su, doas, pkexec, chroot, mount, shutdown/reboot, systemctl, kill of pid 1/-1, pkill/killall, mkfs, dd to /dev',
  },
  {
    name: 'destructive-rm',
    description:
      'rm -r of /, ~, $HOME, .., .git, the workspace itself or anything outside the workspace; git clean, git checkout . and git restore . of the whole tree',
  },
  {
    name: 'secrets',
    description:
      'environment dumps (env, printenv, set, export -p, declare -p), /proc/*/environ, ~/.ssh, ~/.netrc, credentials in git config',
  },
  {
    name: 'session',
    description: 'tmux, screen, tmate, upterm, exit, logout, suspend, killing the shell, set -e/-n/-t',
  },
  {
    name: 'shell-state',
    description:
      'alias, trap, enable, bind, hash -p, function definitions, assigning PATH, LD_*, BASH_ENV, IFS, PS4 and friends',
  },
  {
    name: 'git-history',
    description:
      'git commit, switch, checkout of a branch, rebase, merge, reset to a ref, tag, pull, cherry-pick, bisect',
  },
  {
    name: 'git-exec',
    description:
      'git -c with aliases/pagers/editors/ssh commands, --upload-pack/--receive-pack/--exec, --exec-path, git config writes',
  },
  {
    name: 'code-in-arguments',
    description:
      'sed e and w to protected paths, awk system() and pipes, tar --checkpoint-action/--to-command, rg --pre, spawns in -c/-e code',
  },
  {
    name: 'protected-paths',
    description: 'writes (redirects, tee, cp, mv, sed -i, rm, ln, ...) into .git/, .github/ and configured paths',
  },
  {
    name: 'interactive',
    description:
      'programs that wait for a person: editors, pagers, top/watch, bare REPLs, git add -p, tail -f, watch modes',
  },
] as const;

export type RuleName = (typeof DEFAULT_RULES)[number]['name'];

/** A rule's name for the Decision: `default:network-egress`, or `parse` for the parser's refusals. */
export type FindingRule = RuleName | 'parse';

export interface Finding {
  rule: FindingRule;
  reason: string;
  /** What this finding guards against only matters where no OS sandbox stands under the shell (PolicyConfig.sandboxed). */
  outsideSandboxOnly?: boolean;
}

export function listDefaultRules(): { name: RuleName; description: string }[] {
  return DEFAULT_RULES.map((r) => ({ name: r.name, description: r.description }));
}

export function isRuleName(name: string): name is RuleName {
  return DEFAULT_RULES.some((r) => r.name === name);
}
