// git: subcommands that move HEAD or rewrite history, publish, reach other machines or hand out credentials; options
// and configuration that make git run programs (aliases, pagers, transport commands); and the paths it writes.
import { checkWrite, deny, hasFlag, positionals, type CheckContext } from '../context.js';
import { clip } from '../walk.js';
import type { Arg } from '../words.js';
import {
  checkGitCheckout,
  checkGitCheckoutIndex,
  checkGitClean,
  checkGitRestore,
  denyWholeTree,
  restoreHint,
} from './git-restore.js';
import { program } from './program.js';

/** `git -c` keys whose value is a program to run, a place to fetch code from, or credentials. */
const GIT_EXEC_KEYS =
  /^(core\.(sshcommand|pager|editor|fsmonitor|hookspath|askpass|gitproxy|alternaterefscommand)|sequence\.editor|diff\.external|diff\..+\.(textconv|command)|merge\..+\.driver|filter\..+|credential(\..+)?|gpg\.(.+\.)?program|pager\..+|uploadpack\..+|protocol\..+|include\.path|includeif\..+|url\..+|remote\..+\.(uploadpack|receivepack|proxy)|.+\.(cmd|command|tool|program|helper|driver|editor|pager|textconv)|http\..*extraheader|ssh\.variant|submodule\..+\.update|interactive\.difffilter|web\.browser)$/i;

/** Long options that name a program for git to run on the other side; git accepts any unambiguous prefix. */
const GIT_TRANSPORT_OPTIONS = ['upload-pack', 'receive-pack', 'exec'];

const GIT_HISTORY = new Set([
  'commit',
  'switch',
  'rebase',
  'merge',
  'cherry-pick',
  'revert',
  'am',
  'pull',
  'bisect',
  'update-ref',
  'filter-branch',
  'filter-repo',
  'replace',
  'fast-import',
]);
const GIT_NETWORK = new Set([
  'daemon',
  'instaweb',
  'send-email',
  'imap-send',
  'http-fetch',
  'http-push',
  'upload-pack',
  'receive-pack',
  'upload-archive',
  'remote-ext',
  'remote-fd',
  'svn',
  'p4',
  'cvsimport',
  'archimport',
  'request-pull',
  'send-pack',
  'fetch-pack',
]);
const GIT_GLOBAL_VALUE_OPTIONS = new Set([
  '-C',
  '--git-dir',
  '--work-tree',
  '--namespace',
  '--super-prefix',
  '--list-cmds',
  '--attr-source',
]);
const GIT_REMOTE_URL = /:\/\/|^[^/\s:]+@[^/\s:]+:|^[a-z][a-z0-9+.-]*::/i;
const GIT_SECRET_KEYS = /credential|extraheader|token|password|passwd|secret|auth|insteadof|cookie/i;

export const git = program('git', ({ args }, cx) => checkGit(args, cx));

function checkGit(args: Arg[], cx: CheckContext): void {
  let i = 0;
  for (; i < args.length; i++) {
    const v = args[i].value;
    if (!v.startsWith('-')) break;
    if (v === '-c') {
      checkGitConfigPair(args[++i]?.value ?? '', cx);
    } else if (v.startsWith('--config-env')) {
      return deny(
        cx,
        'git-exec',
        'git --config-env sets configuration from the environment, which may run programs; use the defaults',
      );
    } else if (v.startsWith('--exec-path=')) {
      return deny(cx, 'git-exec', 'git --exec-path=DIR makes git run its subcommands from DIR; use the installed git');
    } else if (GIT_GLOBAL_VALUE_OPTIONS.has(v)) {
      i++;
    }
  }
  const subArg = args[i];
  if (!subArg) return;
  if (!subArg.literal) {
    return deny(
      cx,
      'dynamic-command-name',
      `the git subcommand ${clip(subArg.value)} is built at run time; write it literally`,
    );
  }
  const sub = subArg.value;
  const rest = args.slice(i + 1);
  for (const a of rest) {
    if (/(^|[\s'"=])ext::/.test(a.value) || a.value.startsWith('ext::') || a.value.startsWith('fd::')) {
      return deny(
        cx,
        'git-exec',
        `${clip(a.value)} is an ext:: URL, which makes git run a command; the repair works with the local repository`,
      );
    }
    const long = /^--([a-z-]+)/.exec(a.value)?.[1];
    if (long && GIT_TRANSPORT_OPTIONS.some((o) => o.startsWith(long) && (long.length >= 2 || o === 'exec'))) {
      return deny(cx, 'git-exec', `git ${sub} ${clip(a.value)} names a program for git to run; leave it out`);
    }
  }
  const output = rest.findIndex(
    (a) => a.value === '--output' || a.value.startsWith('--output=') || (sub === 'format-patch' && a.value === '-o'),
  );
  if (output >= 0) {
    const v = rest[output].value;
    const target = v.includes('=') ? { ...rest[output], value: v.slice(v.indexOf('=') + 1) } : rest[output + 1];
    if (target) checkWrite(target, cx, false, `git ${sub} ${clip(v)}`);
  }
  if (sub === 'push')
    return deny(
      cx,
      'publishing',
      'git push publishes commits; ci-medic pushes the verified fix itself, just leave the change in the working tree',
    );
  if (sub === 'remote') {
    const action = positionals(rest)[0]?.value;
    if (action && ['add', 'set-url', 'rename', 'set-head', 'set-branches'].includes(action)) {
      return deny(
        cx,
        'publishing',
        `git remote ${action} changes where the repository fetches and pushes; the repair does not need another remote`,
      );
    }
    return;
  }
  if (GIT_HISTORY.has(sub)) {
    return deny(
      cx,
      'git-history',
      `git ${sub} moves HEAD or rewrites history; ci-medic commits the verified change itself, so leave your edits in the working tree (use git diff to review them, ${restoreHint(cx)} to undo one)`,
    );
  }
  if (GIT_NETWORK.has(sub))
    return deny(cx, 'network-egress', `git ${sub} talks to other machines; the repair works with the local repository`);
  if (sub === 'credential' || sub.startsWith('credential-'))
    return deny(cx, 'secrets', `git ${sub} hands out credentials; the repair does not need them`);
  if (sub === 'clone' || sub === 'fetch' || sub === 'ls-remote' || sub === 'archive') {
    if ((sub === 'clone' || sub === 'ls-remote') && rest.some((a) => /^-[a-zA-Z]*u/.test(a.value))) {
      return deny(cx, 'git-exec', `git ${sub} -u names a program for git to run on the remote side; leave it out`);
    }
    if (rest.some((a) => GIT_REMOTE_URL.test(a.value) || a.value.startsWith('--remote'))) {
      return deny(
        cx,
        'network-egress',
        `git ${sub} with a URL reaches other machines; the repair works with the local repository (git fetch origin is fine)`,
      );
    }
    return;
  }
  switch (sub) {
    case 'config':
      return checkGitConfig(rest, cx);
    case 'rm':
    case 'mv':
    case 'init':
      for (const p of positionals(rest)) checkWrite(p, cx, sub !== 'init', `git ${sub} ${clip(p.value)}`);
      return;
    case 'checkout':
      return checkGitCheckout(rest, cx);
    case 'checkout-index':
      return checkGitCheckoutIndex(rest, cx);
    case 'reset':
      return checkGitReset(rest, cx);
    case 'tag':
      if (
        positionals(rest).length > 0 ||
        rest.some(
          (a) => /^-[a-zA-Z]*[adfsmuF]/.test(a.value) || /^--(delete|force|annotate|sign|message|file)/.test(a.value),
        )
      ) {
        return deny(
          cx,
          'git-history',
          'git tag creates or moves tags; ci-medic does not tag, leave it out (git tag -l lists tags)',
        );
      }
      return;
    case 'branch':
      if (
        positionals(rest).length > 0 ||
        rest.some(
          (a) =>
            /^-[a-zA-Z]*[dDmMcCfu]/.test(a.value) ||
            /^--(delete|move|copy|force|set-upstream|unset-upstream|edit-description|track)/.test(a.value),
        )
      ) {
        if (!rest.some((a) => /^(--list|-l|--contains|--merged|--no-merged|--points-at)$/.test(a.value))) {
          return deny(
            cx,
            'git-history',
            'git branch creating, moving or deleting branches changes refs; ci-medic makes its own branch, list branches with git branch -a',
          );
        }
      }
      return;
    case 'symbolic-ref':
      if (positionals(rest).length > 1 || hasFlag(rest, 'd', '--delete'))
        return deny(cx, 'git-history', 'git symbolic-ref changing a ref moves HEAD; leave it');
      return;
    case 'worktree': {
      const action = positionals(rest)[0]?.value;
      if (action !== undefined && action !== 'list')
        return deny(
          cx,
          'git-history',
          `git worktree ${action} changes the repository's worktrees and branches; ci-medic verifies the change in a clean worktree itself, so work in this one (git worktree list shows them)`,
        );
      return;
    }
    case 'submodule':
      if (positionals(rest)[0]?.value === 'foreach')
        return deny(
          cx,
          'hidden-evaluation',
          'git submodule foreach runs a shell string; run the command in each submodule directory yourself',
        );
      return;
    case 'grep':
      if (
        rest.some(
          (a) =>
            /^-[a-zA-Z]*O/.test(a.value) ||
            /^--op(e(n(-(f(i(l(e(s(-(i(n(-(p(a(g(er?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?(=|$)/.test(a.value),
        )
      ) {
        return deny(cx, 'code-in-arguments', 'git grep -O runs a program on the matching files; leave it out');
      }
      return;
    case 'add':
    case 'stash':
    case 'restore':
    case 'clean':
      if (
        rest.some(
          (a) =>
            (/^-[a-zA-Z]*[pie]$/.test(a.value) && !(sub === 'clean' && /^-[a-zA-Z]*e$/.test(a.value))) ||
            /^--(patch|interactive|edit)$/.test(a.value),
        )
      ) {
        if (sub !== 'clean' || rest.some((a) => /^-[a-zA-Z]*i/.test(a.value) || a.value === '--interactive')) {
          return deny(
            cx,
            'interactive',
            `git ${sub} -p/-i asks at the terminal; name the files instead (git ${sub} FILE)`,
          );
        }
      }
      if (sub === 'clean') return checkGitClean(rest, cx);
      if (sub === 'restore') return checkGitRestore(rest, cx);
      return;
    case 'difftool':
    case 'mergetool':
      return deny(cx, 'interactive', `git ${sub} opens an external tool; use git diff`);
    case 'help':
      return;
    default:
      return;
  }
}

function checkGitConfigPair(pair: string, cx: CheckContext): void {
  const eq = pair.indexOf('=');
  const key = eq < 0 ? pair : pair.slice(0, eq);
  const value = eq < 0 ? '' : pair.slice(eq + 1);
  if (/^alias\./i.test(key)) {
    if (/^\s*!/.test(value)) {
      deny(
        cx,
        'git-exec',
        `git -c ${clip(key)}=!… defines an alias that runs a shell command; run the command directly`,
      );
      cx.nested(value.replace(/^\s*!/, ''));
    }
    return;
  }
  if (GIT_EXEC_KEYS.test(key)) {
    deny(
      cx,
      'git-exec',
      `git -c ${clip(key)} sets a program, source or credential for git to use; leave it out and use the defaults`,
    );
  }
}

function checkGitConfig(args: Arg[], cx: CheckContext): void {
  const values = args.map((a) => a.value);
  if (values.some((v) => v === '-e' || v === '--edit' || v === 'edit')) {
    return deny(cx, 'interactive', 'git config --edit opens an editor; the repair does not change git configuration');
  }
  const withValue = new Set(['-f', '--file', '--blob', '--type', '--default', '--comment', '--value']);
  const pos: string[] = [];
  for (let i = 0; i < values.length; i++) {
    if (withValue.has(values[i])) i++;
    else if (!values[i].startsWith('-')) pos.push(values[i]);
  }
  const sub = ['get', 'set', 'unset', 'list', 'rename-section', 'remove-section'].includes(pos[0] ?? '')
    ? pos.shift()
    : undefined;
  if (sub === 'list' || values.some((v) => /^(-l|--list|--get-regexp|--get-urlmatch)$/.test(v))) {
    return deny(
      cx,
      'secrets',
      'listing the git configuration can print credentials (extraheader); ask for one key: git config --get user.name',
    );
  }
  const writes =
    (sub !== undefined && sub !== 'get') ||
    values.some((v) => /^--(add|unset|unset-all|replace-all|rename-section|remove-section)$/.test(v)) ||
    (sub === undefined && pos.length >= 2);
  if (writes) {
    return deny(
      cx,
      'git-exec',
      'git config writes change how git runs (aliases, hooks, pagers) and live in protected files; the repair does not change git configuration',
    );
  }
  if (pos.some((k) => GIT_SECRET_KEYS.test(k)) || pos.length === 0) {
    return deny(cx, 'secrets', 'that git configuration key can hold credentials; the repair does not need it');
  }
}

function checkGitReset(args: Arg[], cx: CheckContext): void {
  if (args.some((a) => a.value === '-p' || a.value === '--patch'))
    return deny(cx, 'interactive', `git reset -p asks at the terminal; to restore files use ${restoreHint(cx)}`);
  const dashdash = args.findIndex((a) => a.value === '--');
  const before = dashdash < 0 ? args : args.slice(0, dashdash);
  const mode = before.some((a) => /^--(hard|soft|mixed|keep|merge)$/.test(a.value));
  for (const p of positionals(before)) {
    if (p.value === 'HEAD') continue;
    const looksLikeFile = dashdash < 0 && !mode && /\.[A-Za-z0-9]+$/.test(p.value) && !/[~^@:]/.test(p.value);
    if (!looksLikeFile) {
      return deny(
        cx,
        'git-history',
        `git reset ${clip(p.value)} moves HEAD to another commit; ${cx.sandboxed ? `to restore files use ${restoreHint(cx)}` : 'to unstage or restore files use git reset -- FILE or git checkout -- FILE'}`,
      );
    }
  }
  // --hard at HEAD moves nothing, but throws away every change in the tree like git checkout . does.
  if (before.some((a) => a.value === '--hard')) denyWholeTree('git reset --hard', cx);
}
