// The default deny set applied to one simple command: names, wrappers (unwrapped and checked again), writes, and the
// validators of programs that run code from their arguments (in validators.ts).
import { posix } from 'node:path';
import type { Redirection } from 'unbash';
import { checkWrite, deny, hasFlag, positionals, type CheckContext } from './context.js';
import { isInside, mayHitProtected, protectedHit, resolvePath, secretPath } from './paths.js';
import { checkAwk, checkGit, checkInlineCode, checkRg, checkSed, checkTar, INLINE_CODE_FLAGS } from './validators.js';
import { checkAssignment, clip, type SimpleCommand } from './walk.js';
import { baseName, wordArg, type Arg } from './words.js';

/** Nesting bound for wrappers inside wrappers (`timeout 5 env nice xargs ...`). */
const MAX_WRAPPER_DEPTH = 8;

const NETWORK = new Set(
  'curl wget nc ncat netcat socat telnet ssh scp sftp rsync ftp tftp dig nslookup host whois ping ping6 traceroute tracepath nmap lynx links w3m aria2c http https xh wscat websocat smbclient sendmail mail mailx mutt ldapsearch ssh-keyscan sshpass autossh mosh'.split(
    ' ',
  ),
);
const PRIVILEGE = new Set(
  'sudo su doas pkexec chroot mount umount shutdown reboot halt poweroff systemctl service init telinit insmod rmmod modprobe iptables ip6tables nft useradd usermod userdel passwd chpasswd visudo crontab fdisk sfdisk parted wipefs mkswap swapon swapoff losetup setcap chattr pkill killall killall5 runuser setpriv nsenter unshare'.split(
    ' ',
  ),
);
const SESSION = new Set('tmux screen tmate upterm byobu exit logout suspend reset'.split(' '));
const SHELLS = new Set('bash sh zsh dash ksh mksh fish csh tcsh rbash ash yash'.split(' '));
/** Programs that run another command in a way this policy does not parse: run the inner command directly. */
const OPAQUE_RUNNERS = new Set(
  'at batch setsid ionice chrt taskset flock unbuffer faketime strace ltrace catchsegv fakeroot firejail systemd-run sg newgrp prlimit numactl cgexec chpst daemonize start-stop-daemon script parallel expect entr watchexec run-parts sh-c'.split(
    ' ',
  ),
);
const EDITORS = new Set('vi vim nvim view vimdiff nano pico emacs joe micro mcedit kak hx'.split(' '));
const PAGERS = new Set('less more most man info pinfo'.split(' '));
const MONITORS = new Set('top htop btop atop iotop glances nmon watch'.split(' '));
const REPLS = new Set(
  'python python2 python3 ipython node nodejs irb pry ruby perl php lua R ghci psql mysql sqlite3 redis-cli mongo mongosh gdb lldb bun deno'.split(
    ' ',
  ),
);
const HOLLOW_REPL_FLAGS = new Set(['-q', '-u', '-B', '-E', '-s', '-S', '-I', '-O', '-OO', '--quiet']);
/** Runners whose subcommand starts another program: `poetry run pytest`, `npx vitest`. */
const SUB_RUNNERS: Record<string, string[]> = {
  poetry: ['run'],
  pipenv: ['run'],
  uv: ['run'],
  pdm: ['run'],
  hatch: ['run'],
  rye: ['run'],
  bundle: ['exec'],
  npm: ['exec', 'x'],
  pnpm: ['exec', 'dlx'],
  yarn: ['exec', 'dlx'],
  conda: ['run'],
};
const PUBLISH_SUBCOMMANDS: Record<string, Set<string>> = {
  npm: new Set([
    'publish',
    'adduser',
    'login',
    'token',
    'owner',
    'dist-tag',
    'deprecate',
    'unpublish',
    'access',
    'team',
  ]),
  pnpm: new Set(['publish']),
  yarn: new Set(['publish', 'login', 'npm']),
  cargo: new Set(['publish', 'login', 'owner', 'yank']),
  docker: new Set(['push', 'login']),
  podman: new Set(['push', 'login']),
  twine: new Set(['upload']),
  gem: new Set(['push', 'signin', 'owner', 'yank']),
  poetry: new Set(['publish']),
  helm: new Set(['push']),
};
/** Commands whose path arguments are written (created, changed, moved or removed). */
const WRITERS = new Set(
  'gzip gunzip bzip2 bunzip2 xz unxz zstd lz4 dos2unix unix2dos tee touch truncate chmod chown chgrp mkdir rmdir unlink shred mv ln cp install mkfifo mknod'.split(
    ' ',
  ),
);

export function checkCommand(cmd: SimpleCommand, cx: CheckContext, depth = 0): void {
  if (cmd.argv.length === 0) {
    checkRedirects(cmd.redirects, cx);
    return;
  }
  const name0 = cmd.argv[0];
  if (!name0.literal) {
    deny(
      cx,
      'dynamic-command-name',
      `the command name ${clip(name0.value)} is built from an expansion, substitution, glob or brace; write the program's name literally`,
    );
    checkRedirects(cmd.redirects, cx);
    return;
  }
  if (name0.value === '') {
    deny(cx, 'dynamic-command-name', 'the command name is empty; write the program name literally');
    return;
  }
  const name = baseName(name0.value);
  const args = cmd.argv.slice(1);
  for (const a of cmd.argv) checkArgument(a, cx);
  checkOutputOptions(name, args, cx);
  if (name === 'cat' || name === 'tee' || name === 'echo' || name === 'printf') checkScriptWrite(name, args, cmd, cx);
  checkRedirects(cmd.redirects, cx);
  if (depth > MAX_WRAPPER_DEPTH) {
    deny(cx, 'parse', `wrappers are nested more than ${MAX_WRAPPER_DEPTH} deep; run the inner command directly`);
    return;
  }
  checkNamed(name, args, cmd, cx, depth);
}

const SHELL_SCRIPT = /\.(sh|bash)$/;
const SHELL_SHEBANG = /^#!\s*\S*\b(env\s+)?(ba|da|k|z)?sh\b/;

/**
 * A shell script written with a here-document (`cat > fix.sh <<'EOF'`) is checked like a command now, since the
 * next step will run it: otherwise writing a script and running it would step around every rule.
 */
function checkScriptWrite(name: string, args: Arg[], cmd: SimpleCommand, cx: CheckContext): void {
  const bodies =
    name === 'echo' || name === 'printf'
      ? [
          positionals(args)
            .map((a) => a.value.replace(/\\n/g, '\n'))
            .join(' '),
        ]
      : cmd.redirects.flatMap((r) => (r.type === 'HereDoc' ? [r.body.text] : []));
  if (bodies.length === 0 || bodies.every((b) => b.trim() === '')) return;
  const targets = [
    ...cmd.redirects.flatMap((r) =>
      r.type === 'Redirect' && r.target && /^(>|>>|>\||&>|&>>)$/.test(r.operator) ? [r.target.value] : [],
    ),
    ...(name === 'tee' ? positionals(args).map((a) => a.value) : []),
  ];
  for (const body of bodies) {
    if (targets.some((t) => SHELL_SCRIPT.test(t)) || SHELL_SHEBANG.test(body)) cx.nested(body, true);
  }
}

/** Compilers and converters whose -o names the file they write. */
const DASH_O_WRITERS = new Set(
  'gcc g++ cc c++ clang clang++ rustc go ld as objcopy shuf iconv pandoc nasm tcc zig'.split(' '),
);

/** Output options (`--output=FILE`, `--outfile FILE`, `--out-dir DIR`, and -o for compilers): written paths. */
function checkOutputOptions(name: string, args: Arg[], cx: CheckContext): void {
  for (let i = 0; i < args.length; i++) {
    const v = args[i].value;
    if (v === '--') return;
    const long = /^--(output|outfile|out-file|outdir|out-dir|output-dir|output-file|target-dir)(=(.*))?$/.exec(v);
    let target: Arg | undefined;
    if (long) target = long[2] ? { ...args[i], value: long[3] } : args[i + 1];
    else if (DASH_O_WRITERS.has(name) && v === '-o') target = args[i + 1];
    else if (DASH_O_WRITERS.has(name) && /^-o./.test(v)) target = { ...args[i], value: v.slice(2) };
    if (target) checkWrite(target, cx, /dir$/.test(long?.[1] ?? ''), `${name} ${clip(v)}`);
  }
}

function checkArgument(arg: Arg, cx: CheckContext): void {
  if (/\/dev\/(tcp|udp)\//.test(arg.value)) {
    deny(cx, 'network-egress', `${clip(arg.value)} opens a network connection; the repair works offline`);
  }
  if (!arg.literal && /^[a-z][a-z0-9+.-]*:\/\/.*(\$|`)/i.test(arg.value)) {
    deny(
      cx,
      'network-egress',
      `the URL ${clip(arg.value)} is built at run time, a way to send data out; write URLs literally`,
    );
  }
  const secret = secretPath(arg, cx.paths);
  if (secret) {
    deny(
      cx,
      'secrets',
      `${clip(arg.value)} is where credentials live (${secret}); the repair does not need them, leave them alone`,
    );
  }
}

const WRITE_REDIRECTS = new Set(['>', '>>', '>|', '&>', '&>>', '<>', '>&']);

export function checkRedirects(redirects: readonly Redirection[], cx: CheckContext): void {
  for (const r of redirects) {
    if (r.type !== 'Redirect' || !r.target) continue;
    const arg = wordArg(r.target);
    if (/^\/dev\/(tcp|udp)\//.test(arg.value)) {
      deny(
        cx,
        'network-egress',
        `the redirect to ${clip(arg.value)} opens a network connection; the repair works offline`,
      );
      continue;
    }
    if (!arg.literal && /^\/dev\//.test(arg.value)) {
      deny(
        cx,
        'network-egress',
        `the redirect to ${clip(arg.value)} picks a device at run time (it could be /dev/tcp); write the path literally`,
      );
      continue;
    }
    if (r.operator === '<' || r.operator === '<&') {
      const secret = r.operator === '<' ? secretPath(arg, cx.paths) : null;
      if (secret) deny(cx, 'secrets', `reading ${clip(arg.value)} reads credentials (${secret}); leave them alone`);
      continue;
    }
    if (!WRITE_REDIRECTS.has(r.operator)) continue;
    if ((r.operator === '>&' || r.operator === '<>') && /^(\d+-?|-)$/.test(arg.value)) continue; // fd duplication
    const before = cx.findings.length;
    checkWrite(arg, cx, false, `the redirect ${r.operator} ${clip(arg.value)}`);
    if (cx.findings.length > before) continue;
    const secret = secretPath(arg, cx.paths);
    if (secret)
      deny(
        cx,
        'secrets',
        `the redirect ${r.operator} ${clip(arg.value)} writes where credentials or runner files live (${secret}); leave them alone`,
      );
  }
}

function checkNamed(name: string, args: Arg[], cmd: SimpleCommand, cx: CheckContext, depth: number): void {
  if (NETWORK.has(name)) {
    deny(
      cx,
      'network-egress',
      `${name} reaches the network; the repair works offline with what is in the workspace (read local files, docs in node_modules or the package cache)`,
    );
    return;
  }
  if (PRIVILEGE.has(name) || name.startsWith('mkfs')) {
    deny(
      cx,
      'privilege',
      `${name} acts on the machine or other processes, not the workspace; a repair only needs to build, test and edit files`,
    );
    return;
  }
  if (SESSION.has(name)) {
    deny(
      cx,
      'session',
      name === 'exit' || name === 'logout' || name === 'suspend'
        ? `${name} would end or stop the agent's shell; to stop a script early use 'return' inside it or just run the next command`
        : `${name} controls the terminal session ci-medic runs you in; run commands directly`,
    );
    return;
  }
  if (EDITORS.has(name)) {
    deny(
      cx,
      'interactive',
      `${name} waits for a person at the keyboard; use sed -i, a here-document (cat > FILE <<'EOF') or the edit tool`,
    );
    return;
  }
  if (PAGERS.has(name)) {
    deny(
      cx,
      'interactive',
      `${name} waits for a person at the keyboard; use cat, head, tail or sed -n '1,80p' FILE (for manuals: COMMAND --help | head -50)`,
    );
    return;
  }
  if (MONITORS.has(name)) {
    deny(
      cx,
      'interactive',
      `${name} keeps redrawing until someone quits it; run a one-shot command instead (ps aux, free -m, or the command itself)`,
    );
    return;
  }
  if (OPAQUE_RUNNERS.has(name) || /^ld(-linux[^/]*|-musl[^/]*)?\.so/.test(name)) {
    deny(
      cx,
      'hidden-evaluation',
      `${name} runs another command in a way the policy cannot check; run the inner command directly`,
    );
    return;
  }
  if (SHELLS.has(name)) return checkShell(name, args, cmd, cx);
  if (REPLS.has(name) || /^python3\.\d+$/.test(name)) checkRepl(name, args, cmd, cx);
  if (Object.hasOwn(INLINE_CODE_FLAGS, name) || /^python3\.\d+$/.test(name))
    checkInlineCode(
      name,
      args,
      cx,
      cmd.redirects.flatMap((r) =>
        r.type === 'HereDoc' ? [r.body.text] : r.type === 'HereString' && r.target ? [r.target.value] : [],
      ),
    );
  if ((name === 'perl' || name === 'ruby') && args.some((a) => /^-[a-zA-Z]*i/.test(a.value))) {
    // In-place edits: the files are the arguments after the code (-e CODE) or after the script.
    const code = args.findIndex((a) => /^-[a-zA-Z]*e$/.test(a.value));
    const files = positionals(code >= 0 ? args.slice(code + 2) : args).slice(code >= 0 ? 0 : 1);
    for (const f of files) checkWrite(f, cx, false, `${name} -i ${clip(f.value)}`);
  }
  const publish = Object.hasOwn(PUBLISH_SUBCOMMANDS, name) ? PUBLISH_SUBCOMMANDS[name] : undefined;
  if (publish) {
    const sub = positionals(args)[0];
    if (
      sub &&
      publish.has(sub.value) &&
      !(name === 'yarn' && sub.value === 'npm' && positionals(args)[1]?.value !== 'publish')
    ) {
      deny(
        cx,
        'publishing',
        `${name} ${sub.value} publishes or logs in to a registry; ci-medic only opens a pull request with the verified fix`,
      );
      return;
    }
  }
  if (Object.hasOwn(SUB_RUNNERS, name)) return checkSubRunner(name, args, cmd, cx, depth);
  if (WRITERS.has(name)) checkWriter(name, args, cx);
  if (cmd.extraArgs && cx.mentionsProtected && writesItsArguments(name, args)) {
    deny(
      cx,
      'protected-paths',
      `${name} gets its paths from xargs at run time, and this line names a protected path; list the files to change explicitly`,
    );
  }
  switch (name) {
    case 'eval':
      deny(cx, 'hidden-evaluation', 'eval runs text as a command, hiding it from the policy; write the command itself');
      return nestedCode(args, cx);
    case 'source':
    case '.':
      return deny(
        cx,
        'hidden-evaluation',
        `${name} runs a file inside the agent's shell, changing its state; run scripts with bash FILE, and call a virtualenv's programs by path (.venv/bin/pytest)`,
      );
    case 'exec':
      return deny(
        cx,
        'hidden-evaluation',
        "exec replaces the agent's shell (or rewires its file descriptors); run the command without exec",
      );
    case 'fc':
      return deny(cx, 'hidden-evaluation', 'fc re-runs history or opens an editor; write the command out');
    case 'alias':
      return deny(cx, 'shell-state', 'alias changes what a command name runs; write the full command each time');
    case 'unalias':
      return;
    case 'trap':
      deny(
        cx,
        'shell-state',
        "trap installs a handler that runs later, outside the policy's view; run the cleanup as its own command",
      );
      return nestedCode(positionals(args).slice(0, 1), cx);
    case 'enable':
      return deny(
        cx,
        'shell-state',
        'enable changes which builtins exist (or loads new ones); use the commands as they are',
      );
    case 'bind':
      return deny(cx, 'shell-state', 'bind changes key bindings of the shell ci-medic types into; leave them alone');
    case 'hash':
      if (hasFlag(args, 'p'))
        deny(
          cx,
          'shell-state',
          'hash -p points a command name at another program; call the program by its path instead',
        );
      return;
    case 'complete':
    case 'compgen':
      if (hasFlag(args, 'C') || hasFlag(args, 'F'))
        deny(cx, 'hidden-evaluation', `${name} -C/-F runs a command or function later; not needed for a repair`);
      return;
    case 'mapfile':
    case 'readarray':
      if (args.some((a) => /^-[a-zA-Z]*C/.test(a.value))) {
        deny(cx, 'hidden-evaluation', `${name} -C runs a callback as code; read the lines and loop over them instead`);
        return nestedCode(args.slice(args.findIndex((a) => /^-[a-zA-Z]*C/.test(a.value)) + 1).slice(0, 1), cx);
      }
      return checkVariableNames(lastNames(args, 1), cx);
    case 'read':
      return checkVariableNames(readNames(args), cx);
    case 'printf': {
      const v = args.findIndex((a) => a.value === '-v');
      if (v >= 0 && args[v + 1]) checkVariableNames([args[v + 1].value.replace(/\[.*$/, '')], cx);
      return;
    }
    case 'getopts':
      return checkVariableNames(
        positionals(args)
          .slice(1, 2)
          .map((a) => a.value),
        cx,
      );
    case 'let':
      return checkVariableNames(
        args.map((a) => /^([A-Za-z_][A-Za-z0-9_]*)(\[.*\])?[^=]?=/.exec(a.value)?.[1]).filter((n): n is string => !!n),
        cx,
      );
    case 'unset':
      return checkVariableNames(
        positionals(args).map((a) => a.value),
        cx,
      );
    case 'export':
    case 'declare':
    case 'typeset':
    case 'local':
    case 'readonly':
      return checkDeclaration(name, args, cx);
    case 'set':
      return checkSet(args, cx);
    case 'shopt':
      if (hasFlag(args, 's') && args.some((a) => /^(dotglob|nocaseglob|cdable_vars)$/.test(a.value))) {
        deny(
          cx,
          'shell-state',
          'dotglob, nocaseglob and cdable_vars change what globs and cd reach (.git among them); leave the shell options as they are',
        );
      }
      return;
    case 'env':
      return checkEnv(args, cmd, cx, depth);
    case 'printenv':
      return deny(
        cx,
        'secrets',
        'printenv prints the environment; to see one setting use echo "$NAME" for that variable only',
      );
    case 'ps':
      if (args.some((a, i) => (i === 0 && /^[a-zA-Z]*e[a-zA-Z]*$/.test(a.value)) || a.value === 'e')) {
        deny(cx, 'secrets', "ps with 'e' prints every process's environment; use ps aux");
      }
      return;
    case 'kill':
      return checkKill(args, cx);
    case 'dd':
      return checkDd(args, cx);
    case 'rm':
      return checkRm(args, cmd, cx);
    case 'cd':
      return checkCd(args, cx);
    case 'pushd':
      (cx.paths.dirStack ??= []).push(cx.paths.cwd);
      return checkCd(args, cx);
    case 'popd':
      // Back to where the matching pushd was, or to a directory this line does not show.
      cx.paths.cwd = cx.paths.dirStack?.length ? (cx.paths.dirStack.pop() ?? null) : null;
      return;
    case 'getent':
      if (/^a?hosts(v[46])?$|^networks$/.test(args[0]?.value ?? '')) {
        deny(cx, 'network-egress', `getent ${args[0].value} resolves names over DNS; the repair works offline`);
      }
      return;
    case 'unzip':
      for (let k = 0; k < args.length; k++) {
        if (args[k].value === '-d' && args[k + 1])
          checkWrite(args[k + 1], cx, true, `unzip -d ${clip(args[k + 1].value)}`);
      }
      return;
    case 'sort':
      for (let k = 0; k < args.length; k++) {
        const v = args[k].value;
        if ((v === '-o' || v === '--output') && args[k + 1])
          checkWrite(args[k + 1], cx, false, `sort -o ${clip(args[k + 1].value)}`);
        else if (v.startsWith('--output=') || /^-o./.test(v))
          checkWrite({ ...args[k], value: v.replace(/^--output=|^-o/, '') }, cx, false, `sort ${clip(v)}`);
      }
      return;
    case 'zip':
      if (args.some((a) => a.value === '-TT' || a.value.startsWith('--unzip-command'))) {
        deny(cx, 'code-in-arguments', 'zip -TT/--unzip-command runs a program; test the archive with unzip -t instead');
      }
      return;
    case 'timeout':
    case 'nice':
    case 'nohup':
    case 'stdbuf':
    case 'command':
    case 'builtin':
    case 'time':
    case 'xargs':
    case 'busybox':
    case 'toybox':
      return unwrap(name, args, cmd, cx, depth);
    case 'find':
      return checkFind(args, cmd, cx, depth);
    case 'git':
      return checkGit(args, cx);
    case 'sed':
    case 'gsed':
      return checkSed(args, cx);
    case 'awk':
    case 'gawk':
    case 'mawk':
    case 'nawk':
    case 'busybox-awk':
      return checkAwk(args, cx);
    case 'tar':
    case 'gtar':
    case 'bsdtar':
      return checkTar(args, cx);
    case 'rg':
      return checkRg(args, cx);
    case 'npx':
    case 'bunx':
    case 'pnpx':
      return checkRunner(name, args, cmd, cx, depth);
    case 'tail':
      if (
        args.some(
          (a) => a.value === '--follow' || a.value.startsWith('--follow=') || /^-[a-zA-Z0-9]*[fF]/.test(a.value),
        )
      ) {
        deny(cx, 'interactive', 'tail -f never ends; use tail -n 100 FILE (run it again to see more)');
      }
      return;
    case 'jest':
    case 'mocha':
    case 'tsc':
    case 'vitest':
    case 'nodemon':
      if (
        name === 'nodemon' ||
        args.some((a) => /^--watch(All)?(=|$)/.test(a.value) || (name !== 'vitest' && a.value === '-w')) ||
        (name === 'vitest' && ['watch', 'dev'].includes(positionals(args)[0]?.value ?? ''))
      ) {
        deny(
          cx,
          'interactive',
          `${name} in watch mode never ends; run it once (vitest run, jest without --watch, tsc --noEmit)`,
        );
      }
      return;
    case 'gh':
    case 'hub':
      return deny(
        cx,
        'publishing',
        `${name} talks to GitHub on your behalf; ci-medic opens the pull request itself once the check passes`,
      );
    case 'openssl':
      if (['s_client', 's_server', 's_time'].includes(args[0]?.value ?? ''))
        deny(cx, 'network-egress', `openssl ${args[0].value} opens network connections; the repair works offline`);
      return;
    case 'stty':
      if (args.length > 0 && !args.every((a) => a.value === '-a' || a.value === 'size' || a.value === '--all')) {
        deny(cx, 'session', 'stty changes the terminal ci-medic reads your output from; leave it as it is');
      }
      return;
    default:
      return;
  }
}

/** Code given as words (eval, trap, bash -c): parsed and checked as well, when it is literal. */
function nestedCode(words: Arg[], cx: CheckContext): void {
  if (words.length > 0 && words.every((w) => w.literal)) cx.nested(words.map((w) => w.value).join(' '));
}

// ---------- shells and interpreters ----------

const STDIN_SCRIPTS = new Set(['-', '/dev/stdin', '/dev/fd/0', '/proc/self/fd/0']);

function checkShell(name: string, args: Arg[], cmd: SimpleCommand, cx: CheckContext): void {
  let i = 0;
  for (; i < args.length; i++) {
    const v = args[i].value;
    if (v === '--') {
      i++;
      break;
    }
    if (/^[-+]O$|^[-+]o$/.test(v)) {
      i++;
      continue;
    }
    if (v === '--rcfile' || v === '--init-file') {
      return deny(
        cx,
        'hidden-evaluation',
        `${name} ${v} runs a startup file inside the shell; run scripts with ${name} FILE`,
      );
    }
    if (!/^[-+]/.test(v)) break;
    if (/^-[a-zA-Z]*c/.test(v) || v === '--command') {
      deny(
        cx,
        'hidden-evaluation',
        `${name} -c runs a string as a command, hiding it from the policy; run the command itself, or write a script file and run ${name} FILE`,
      );
      return nestedCode(
        args
          .slice(i + 1)
          .filter((a) => !a.value.startsWith('-'))
          .slice(0, 1),
        cx,
      );
    }
    if (/^-[a-zA-Z]*s/.test(v))
      return deny(
        cx,
        'hidden-evaluation',
        `${name} -s reads a script from standard input; write the script to a file and run ${name} FILE`,
      );
    if (/^-[a-zA-Z]*i/.test(v) || v === '--login' || /^-[a-zA-Z]*l/.test(v)) {
      return deny(
        cx,
        'interactive',
        `${name} ${v} starts an interactive or login shell that waits for input; run the commands directly`,
      );
    }
  }
  const script = args[i];
  if (!script) {
    if (cmd.stdin)
      return deny(
        cx,
        'hidden-evaluation',
        `${name} reading a script from standard input or a here-string hides the commands; write them to a file and run ${name} FILE, or run them directly`,
      );
    return deny(
      cx,
      'interactive',
      `${name} alone starts an interactive shell that waits for input; run the commands directly`,
    );
  }
  if (
    !script.literal ||
    script.pattern ||
    STDIN_SCRIPTS.has(script.value) ||
    script.value.startsWith('/dev/fd/') ||
    script.value.startsWith('/proc/')
  ) {
    deny(
      cx,
      'hidden-evaluation',
      `${name} ${clip(script.value)} runs a script the policy cannot see; write the script to a file in the workspace and run ${name} FILE`,
    );
  }
}

function checkRepl(name: string, args: Arg[], cmd: SimpleCommand, cx: CheckContext): void {
  const explicit = args.some((a) => a.value === '-i' || a.value === '--interactive');
  const bare = args.every((a) => HOLLOW_REPL_FLAGS.has(a.value));
  if (explicit || (bare && !cmd.stdin && !cmd.extraArgs)) {
    deny(
      cx,
      'interactive',
      `${name} without a script starts an interactive prompt that waits for input; pass a file, use -c/-e for one-liners, or pipe a here-document into it`,
    );
  }
}

// ---------- state of the shell ----------

function checkVariableNames(names: string[], cx: CheckContext): void {
  for (const n of names) {
    if (/[$`]/.test(n)) {
      deny(
        cx,
        'shell-state',
        `the variable name ${clip(n)} is built at run time (it could be PATH); write variable names literally`,
      );
    } else {
      checkAssignment(n.replace(/\[.*$/, ''), null, true, cx.findings);
    }
  }
}

function lastNames(args: Arg[], count: number): string[] {
  return positionals(args)
    .slice(-count)
    .map((a) => a.value);
}

function readNames(args: Arg[]): string[] {
  const names: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const v = args[i].value;
    if (/^-[a-zA-Z]*[adinNptu]$/.test(v)) {
      if (v.endsWith('a')) names.push(args[i + 1]?.value ?? '');
      i++;
    } else if (!v.startsWith('-')) names.push(v);
  }
  return names;
}

function checkDeclaration(name: string, args: Arg[], cx: CheckContext): void {
  const names = args.filter((a) => !a.value.startsWith('-') && !a.value.startsWith('+'));
  const flags = args.filter((a) => a.value.startsWith('-') || a.value.startsWith('+')).map((a) => a.value);
  if (names.length === 0 && !flags.some((f) => /[fF]/.test(f))) {
    return deny(
      cx,
      'secrets',
      `${name} without names prints every variable (and their values); to see one use echo "$NAME" or declare -p NAME`,
    );
  }
  if (flags.some((f) => /^-[a-zA-Z]*n/.test(f)) && name !== 'export') {
    return deny(
      cx,
      'shell-state',
      `${name} -n makes a variable a reference to another (PATH, for instance); assign the variable you mean directly`,
    );
  }
  for (const a of names) {
    if (a.assigns === undefined && /[$`]/.test(a.value.split('=')[0])) {
      deny(
        cx,
        'shell-state',
        `${name} ${clip(a.value)}: the variable name is built at run time (it could be PATH); write it literally`,
      );
      continue;
    }
    const n = a.assigns ?? /^([A-Za-z_][A-Za-z0-9_]*)/.exec(a.value)?.[1];
    if (!n) continue;
    const isAssignment = a.assigns !== undefined || a.value.includes('=');
    const value: Arg | null = isAssignment ? { ...a, value: a.value.slice(a.value.indexOf('=') + 1) } : null;
    if (isAssignment) checkAssignment(n, value, true, cx.findings);
  }
}

function checkSet(args: Arg[], cx: CheckContext): void {
  if (args.length === 0)
    return deny(
      cx,
      'secrets',
      'set without arguments prints every variable and function; use echo "$NAME" for the one you need',
    );
  for (let i = 0; i < args.length; i++) {
    const v = args[i].value;
    if (v === '--' || v === '-') return;
    if (v === '-o' || v === '+o') {
      const opt = args[i + 1]?.value;
      i++;
      if (v === '-o' && opt && /^(errexit|noexec|onecmd)$/.test(opt)) return denySetOption(cx, opt);
      continue;
    }
    if (/^-[a-zA-Z]+$/.test(v)) {
      if (v.includes('e')) return denySetOption(cx, 'errexit');
      if (v.includes('n')) return denySetOption(cx, 'noexec');
      if (v.includes('t')) return denySetOption(cx, 'onecmd');
      if (v.includes('o')) i++; // -euo pipefail: the option name follows
    }
  }
}

function denySetOption(cx: CheckContext, opt: string): void {
  const what =
    opt === 'errexit'
      ? "set -e makes the agent's shell exit at the first failing command, ending the session"
      : opt === 'noexec'
        ? 'set -n stops the shell from running any further command'
        : 'set -t makes the shell exit after one more command';
  deny(cx, 'session', `${what}; check exit codes with && or $? instead (inside a script file, set -e is fine)`);
}

// ---------- processes, devices, files ----------

function checkKill(args: Arg[], cx: CheckContext): void {
  let signalSeen = false;
  let options = true;
  for (let i = 0; i < args.length; i++) {
    const v = args[i].value;
    if (options && v === '--') {
      options = false;
      continue;
    }
    if (options && (v === '-s' || v === '-n')) {
      i++;
      signalSeen = true;
      continue;
    }
    if (options && (v === '-l' || v === '-L')) return;
    if (options && !signalSeen && /^-[A-Za-z0-9]+$/.test(v)) {
      signalSeen = true;
      continue;
    }
    if (v === '1' || v === '-1')
      return deny(
        cx,
        'privilege',
        `kill ${v} signals init or every process; kill the specific PID you started (see jobs -l or ps aux)`,
      );
    if (v === '0' || /^-?\$(\$|PPID|BASHPID|\{(PPID|BASHPID)\})$/.test(v) || /tmux|\$\$|PPID|BASHPID/.test(v)) {
      return deny(
        cx,
        'session',
        `kill ${v} signals the agent's own shell; kill the specific PID you started (jobs -l, ps aux)`,
      );
    }
  }
}

function checkDd(args: Arg[], cx: CheckContext): void {
  for (const a of args) {
    if (!a.value.startsWith('of=')) continue;
    const target: Arg = { ...a, value: a.value.slice(3) };
    if (target.value.startsWith('/dev/') && !/^\/dev\/(null|stdout|stderr)$/.test(target.value)) {
      deny(cx, 'privilege', `dd of=${target.value} writes to a device; write to a file in the workspace`);
    } else {
      checkWrite(target, cx, false, `dd of=${clip(target.value)}`);
    }
  }
}

function writesItsArguments(name: string, args: Arg[]): boolean {
  if (WRITERS.has(name) || name === 'rm' || name === 'dd') return true;
  if (name === 'sed' || name === 'gsed' || name === 'perl') {
    return args.some((a) => /^-[a-zA-Z]*i/.test(a.value) || a.value.startsWith('--in-place'));
  }
  return false;
}

function checkWriter(name: string, args: Arg[], cx: CheckContext): void {
  let targets = positionals(args);
  const recursive =
    name === 'mv' || ((name === 'chmod' || name === 'chown' || name === 'chgrp') && hasFlag(args, 'R', '--recursive'));
  if (name === 'cp' || name === 'install') {
    const t = args.findIndex((a) => a.value === '-t' || a.value.startsWith('--target-directory'));
    if (t >= 0) {
      const v = args[t].value;
      targets = v.includes('=')
        ? [{ ...args[t], value: v.slice(v.indexOf('=') + 1) }]
        : args[t + 1]
          ? [args[t + 1]]
          : [];
    } else if (
      !args.some((a) => /^-[a-zA-Z]*[sl]/.test(a.value) || a.value === '--symbolic-link' || a.value === '--link')
    ) {
      // A plain copy reads its sources; with -s/-l it makes links to them, which later writes go through.
      targets = targets.slice(-1);
    }
  }
  for (const t of targets) checkWrite(t, cx, recursive, `${name} ${clip(t.value)}`);
}

function checkRm(args: Arg[], cmd: SimpleCommand, cx: CheckContext): void {
  const recursive = hasFlag(args, 'r', '--recursive') || hasFlag(args, 'R');
  const targets = positionals(args);
  if (!recursive) {
    for (const t of targets) checkWrite(t, cx, false, `rm ${clip(t.value)}`);
    return;
  }
  if (cmd.extraArgs) {
    return deny(
      cx,
      'destructive-rm',
      'rm -r of paths read at run time (xargs) cannot be checked; list the directories to delete literally',
    );
  }
  const ws = cx.paths.workspace;
  for (const t of targets) {
    const path = t.literal ? resolvePath(t, cx.paths) : null;
    if (path === null) {
      // A glob under a known directory is fine as long as that directory is in the workspace and .git is out of reach.
      const prefix = t.pattern && !/[$`]/.test(t.value) ? literalDirPrefix(t.value) : null;
      const base =
        prefix !== null ? resolvePath({ value: prefix || '.', literal: true, pattern: false }, cx.paths) : null;
      if (base === null || !isInside(base, ws)) {
        return deny(
          cx,
          'destructive-rm',
          `rm -r ${clip(t.value)}: the path is only known at run time; write the directory to delete literally (inside the workspace)`,
        );
      }
      const hit = mayHitProtected(t, cx.paths, true);
      if (hit)
        return deny(
          cx,
          'destructive-rm',
          `rm -r ${clip(t.value)} could delete ${hit}, which is protected; name the directories to delete`,
        );
      continue;
    }
    if (path === '/' || path === cx.paths.home || !isInside(path, ws) || path === ws) {
      return deny(
        cx,
        'destructive-rm',
        `rm -r ${clip(t.value)} deletes ${path === ws ? 'the whole workspace' : `${path}, outside the workspace`}; delete only build output inside the workspace (rm -rf dist node_modules/.cache)`,
      );
    }
    const hit = protectedHit(path, cx.paths, true);
    if (hit)
      return deny(
        cx,
        'destructive-rm',
        `rm -r ${clip(t.value)} deletes ${hit}, which is protected; the repair may not change it`,
      );
  }
}

function literalDirPrefix(value: string): string {
  const glob = value.search(/[*?[{]/);
  const head = glob < 0 ? value : value.slice(0, glob);
  const slash = head.lastIndexOf('/');
  return slash < 0 ? '' : head.slice(0, slash) || '/';
}

function checkCd(args: Arg[], cx: CheckContext): void {
  const target = positionals(args)[0] ?? args.find((a) => /^[-+]\d+$/.test(a.value));
  if (target && /^[-+]\d+$/.test(target.value)) {
    cx.paths.cwd = null; // pushd +N / -N rotates the directory stack
    return;
  }
  if (!target) {
    cx.paths.cwd = cx.paths.home ?? null;
    return;
  }
  const path = target.literal && target.value !== '-' ? resolvePath(target, cx.paths) : null;
  if (path !== null && protectedHit(path, cx.paths, false)) {
    deny(
      cx,
      'protected-paths',
      `cd ${clip(target.value)} moves into a protected path; read files there with their path (cat .git/HEAD) instead`,
    );
  }
  cx.paths.cwd = path;
}

// ---------- wrappers ----------

function inner(args: Arg[], cmd: SimpleCommand, via: string, extra: Partial<SimpleCommand> = {}): SimpleCommand {
  return { argv: args, env: [], stdin: cmd.stdin, extraArgs: cmd.extraArgs, via, redirects: [], ...extra };
}

function runInner(sub: SimpleCommand, cx: CheckContext, depth: number): void {
  cx.unwrapped.push(sub);
  checkCommand(sub, cx, depth + 1);
}

/** A program's options, getopt style: short letters that take a value, long names that take one. */
interface OptionSpec {
  short: string;
  long: string[];
}

/**
 * Index of the first argument after the options (getopt style): `-abc` clusters where a value-taking letter takes
 * the rest of the word or, at the end, the next word; `--name=value` or `--name value`; `--` ends the options.
 */
export function skipOptions(args: Arg[], spec: OptionSpec, start = 0): number {
  let i = start;
  while (i < args.length) {
    const v = args[i].value;
    if (v === '--') return i + 1;
    if (!v.startsWith('-') || v === '-') return i;
    if (v.startsWith('--')) {
      i += !v.includes('=') && spec.long.includes(v) ? 2 : 1;
      continue;
    }
    let takesNext = false;
    for (let k = 1; k < v.length; k++) {
      if (spec.short.includes(v[k])) {
        takesNext = k === v.length - 1;
        break;
      }
    }
    i += takesNext ? 2 : 1;
  }
  return i;
}

const WRAPPER_OPTIONS: Record<string, OptionSpec> = {
  timeout: { short: 'sk', long: ['--signal', '--kill-after'] },
  nice: { short: 'n', long: ['--adjustment'] },
  nohup: { short: '', long: [] },
  stdbuf: { short: 'ioe', long: ['--input', '--output', '--error'] },
  command: { short: '', long: [] },
  builtin: { short: '', long: [] },
  time: { short: 'fo', long: ['--format', '--output'] },
  // -e, -i and -l take their optional value attached only.
  xargs: {
    short: 'adEILnPs',
    long: [
      '--arg-file',
      '--delimiter',
      '--max-args',
      '--max-procs',
      '--max-chars',
      '--max-lines',
      '--process-slot-var',
    ],
  },
  busybox: { short: '', long: [] },
  toybox: { short: '', long: [] },
};

function unwrap(name: string, args: Arg[], cmd: SimpleCommand, cx: CheckContext, depth: number): void {
  let i = skipOptions(args, WRAPPER_OPTIONS[name]);
  if (name === 'command' && args.slice(0, i).some((a) => /^-[a-zA-Z]*[vV]/.test(a.value))) return; // lookup only
  if (name === 'timeout') i++; // the duration
  if (name === 'time') {
    const o = args.findIndex((a) => a.value === '-o' || a.value.startsWith('--output'));
    if (o >= 0) {
      const v = args[o].value;
      const target = v.includes('=') ? { ...args[o], value: v.slice(v.indexOf('=') + 1) } : args[o + 1];
      if (target) checkWrite(target, cx, false, `time -o ${clip(target.value)}`);
    }
  }
  if (name === 'xargs') {
    if (
      args.some((a) => a.value === '-p' || a.value === '--interactive' || a.value === '-o' || a.value === '--open-tty')
    ) {
      deny(cx, 'interactive', 'xargs -p/-o asks at the terminal; run xargs without them');
    }
    const rest = args.slice(i);
    // Without a command xargs runs echo.
    if (rest.length > 0) runInner(inner(rest, cmd, 'xargs', { extraArgs: true, stdin: false }), cx, depth);
    return;
  }
  const rest = args.slice(i);
  if (rest.length > 0) runInner(inner(rest, cmd, name), cx, depth);
}

function checkEnv(args: Arg[], cmd: SimpleCommand, cx: CheckContext, depth: number): void {
  let i = 0;
  let chdir: Arg | undefined;
  const env: SimpleCommand['env'] = [];
  for (; i < args.length; i++) {
    const a = args[i];
    const v = a.value;
    if (v === '--') {
      i++;
      break;
    }
    if (v.startsWith('--')) {
      if (v.startsWith('--split-string'))
        return denySplitString(v.includes('=') ? [{ ...a, value: v.slice(15) }] : args.slice(i + 1, i + 2), cx);
      if (v === '--chdir' || v === '--unset') {
        if (v === '--chdir') chdir = args[i + 1];
        i++;
      } else if (v.startsWith('--chdir=')) chdir = { ...a, value: v.slice(8) };
      continue;
    }
    if (v.startsWith('-') && v !== '-') {
      // Short clusters: -i, -0, -v; -u NAME and -C DIR take a value (attached or next); -S takes the rest.
      for (let k = 1; k < v.length; k++) {
        const c = v[k];
        if (c === 'S')
          return denySplitString(k < v.length - 1 ? [{ ...a, value: v.slice(k + 1) }] : args.slice(i + 1, i + 2), cx);
        if (c === 'u' || c === 'C') {
          const value = k < v.length - 1 ? { ...a, value: v.slice(k + 1) } : args[++i];
          if (c === 'C') chdir = value;
          break;
        }
      }
      continue;
    }
    if (v === '-') continue;
    const eq = /^([A-Za-z_][A-Za-z0-9_]*|[^=]*%%)=/.exec(v);
    if (!eq) break;
    const value = { ...a, value: v.slice(eq[0].length) };
    env.push({ name: eq[1], value });
    if (/^BASH_FUNC_/.test(eq[1]) || eq[1].endsWith('%%')) {
      deny(
        cx,
        'shell-state',
        'exporting a BASH_FUNC_ variable defines a function in the child shell; write the commands out',
      );
    } else {
      checkAssignment(eq[1], value, false, cx.findings);
    }
  }
  const rest = args.slice(i);
  if (rest.length === 0) {
    return deny(
      cx,
      'secrets',
      'env without a command prints the whole environment; use echo "$NAME" for the one variable you need',
    );
  }
  withDirectory(chdir, cx, () => runInner(inner(rest, cmd, 'env', { env }), cx, depth));
}

function denySplitString(words: Arg[], cx: CheckContext): void {
  deny(
    cx,
    'hidden-evaluation',
    'env -S splits a string into a command, hiding it from the policy; write the command as separate words',
  );
  nestedCode(words, cx);
}

/** Runs a check with the shell's directory moved to `dir` (env -C, git -C), then moves it back. */
export function withDirectory(dir: Arg | undefined, cx: CheckContext, check: () => void): void {
  if (!dir) return check();
  const saved = cx.paths.cwd;
  const path = dir.literal ? resolvePath(dir, cx.paths) : null;
  if (path !== null && protectedHit(path, cx.paths, false)) {
    deny(
      cx,
      'protected-paths',
      `running a command inside ${clip(dir.value)}, a protected path, could change it; stay in the workspace`,
    );
  }
  cx.paths.cwd = path;
  try {
    check();
  } finally {
    cx.paths.cwd = saved;
  }
}

function checkSubRunner(name: string, args: Arg[], cmd: SimpleCommand, cx: CheckContext, depth: number): void {
  const subs = SUB_RUNNERS[name];
  let i = 0;
  if (name === 'npm' && args[0]?.value === 'x') i = 1;
  // npx is `npm exec`; for the others the subcommand comes first.
  while (i < args.length && args[i].value.startsWith('-')) i++;
  const sub = args[i]?.value;
  if (sub === undefined || !subs.includes(sub)) return;
  checkRunner(`${name} ${sub}`, args.slice(i + 1), cmd, cx, depth);
}

const RUNNER_OPTIONS: OptionSpec = {
  short: 'pwnCe',
  long: [
    '--package',
    '--with',
    '--python',
    '--name',
    '--env',
    '--from',
    '--directory',
    '--project',
    '--cwd',
    '--filter',
  ],
};

export function checkRunner(label: string, args: Arg[], cmd: SimpleCommand, cx: CheckContext, depth: number): void {
  if (args.some((a) => a.value === '-c' || a.value === '--call' || a.value.startsWith('--call='))) {
    return deny(cx, 'hidden-evaluation', `${label} -c runs a string as a shell command; run the command itself`);
  }
  const i = skipOptions(args, RUNNER_OPTIONS);
  const rest = args.slice(i);
  if (rest.length > 0) runInner(inner(rest, cmd, label), cx, depth);
}

// ---------- find ----------

const FIND_EXEC = new Set(['-exec', '-execdir', '-ok', '-okdir']);

function checkFind(args: Arg[], cmd: SimpleCommand, cx: CheckContext, depth: number): void {
  let i = 0;
  while (i < args.length && /^-[HLPO]|^-D$/.test(args[i].value)) i += args[i].value === '-D' ? 2 : 1;
  const starts: Arg[] = [];
  while (i < args.length && !/^[-(!,]/.test(args[i].value)) starts.push(args[i++]);
  if (starts.length === 0) starts.push({ value: '.', literal: true, pattern: false });
  const found = starts.map((s) => foundPath(s, args.slice(i), cx));
  for (; i < args.length; i++) {
    const v = args[i].value;
    if (FIND_EXEC.has(v)) {
      const body: Arg[] = [];
      let j = i + 1;
      while (j < args.length && args[j].value !== ';' && !(args[j].value === '+' && args[j - 1]?.value === '{}'))
        body.push(args[j++]);
      i = j;
      if (v === '-ok' || v === '-okdir')
        deny(cx, 'interactive', `find ${v} asks at the terminal for every file; use ${v.replace('ok', 'exec')}`);
      if (body.length === 0) continue;
      // `{}` stands for each file found: check the command with what it may find in its place.
      cx.unwrapped.push(inner(body, cmd, `find ${v}`, { stdin: false }));
      for (const f of found) {
        const argv = body.map((a) =>
          a.value.includes('{}') ? { ...f.arg, value: a.value.split('{}').join(f.arg.value) } : a,
        );
        checkCommand(inner(argv, cmd, `find ${v}`, { stdin: false }), cx, depth + 1);
      }
    } else if (v === '-delete') {
      for (const f of found) {
        if (f.whole) checkRm([{ value: '-r', literal: true, pattern: false }, f.arg], cmd, cx);
        else checkWrite(f.arg, cx, false, `find ${clip(f.arg.value)} -delete`);
      }
    } else if (/^-f(print0?|printf|ls)$/.test(v) && args[i + 1]) {
      checkWrite(args[i + 1], cx, false, `find ${v} ${clip(args[i + 1].value)}`);
      i++;
    }
  }
}

const FIND_NAME_TESTS = new Set(['-name', '-iname']);
/** Names found inside the default protected directories, to test a find -name pattern against. */
const PROTECTED_SAMPLES: Record<string, string[]> = {
  '.git': [
    'HEAD',
    'ORIG_HEAD',
    'FETCH_HEAD',
    'config',
    'description',
    'index',
    'packed-refs',
    'exclude',
    'COMMIT_EDITMSG',
    'pre-commit',
    'pre-commit.sample',
    'post-checkout',
    'commit-msg',
    'main',
    'pack-1a2b.pack',
    'pack-1a2b.idx',
    'hooks',
    'objects',
    'refs',
    'info',
  ],
  '.github': [
    'ci.yml',
    'ci.yaml',
    'workflows',
    'dependabot.yml',
    'CODEOWNERS',
    'action.yml',
    'ci-medic.md',
    'PULL_REQUEST_TEMPLATE.md',
  ],
};
const FIND_PATH_TESTS = new Set(['-path', '-ipath', '-wholename', '-iwholename']);

/**
 * What find may hand to -exec/-delete for one starting point: a protected path when a -name/-path test can match
 * one, a path below the start when the tests keep away from them, or the whole start when nothing filters.
 */
function foundPath(start: Arg, expr: Arg[], cx: CheckContext): { arg: Arg; whole: boolean } {
  const names: string[] = [];
  const paths: string[] = [];
  let opaque = false;
  for (let k = 0; k < expr.length; k++) {
    const v = expr[k].value;
    const negated = k > 0 && (expr[k - 1].value === '-not' || expr[k - 1].value === '!');
    if (FIND_NAME_TESTS.has(v) && expr[k + 1]) {
      if (!negated) names.push(expr[k + 1].value);
      k++;
    } else if (FIND_PATH_TESTS.has(v) && expr[k + 1]) {
      if (!negated) paths.push(expr[k + 1].value);
      k++;
    } else if (/^-i?regex$/.test(v) || v === '-o' || v === '-or' || v === ',') opaque = true;
  }
  const root = start.literal ? resolvePath(start, cx.paths) : null;
  if (opaque || (names.length === 0 && paths.length === 0) || root === null) {
    // Nothing (known) filters: find reaches every protected path below the start.
    const below = root === null ? undefined : cx.paths.protectedPaths.find((p) => isInside(p, root) && p !== root);
    if (below && root !== null) {
      const asFound = `${start.value.replace(/\/+$/, '')}/${below.slice(root.length).replace(/^\//, '')}`;
      return { arg: { value: asFound, literal: true, pattern: false }, whole: true };
    }
    return { arg: start, whole: true };
  }
  for (const p of cx.paths.protectedPaths) {
    if (!isInside(p, root) || p === root) continue;
    const rel = p.slice(root.length).replace(/^\//, '');
    const asFound = `${start.value.replace(/\/+$/, '')}/${rel}`;
    const samples = [
      posix.basename(p),
      ...(Object.hasOwn(PROTECTED_SAMPLES, posix.basename(p)) ? PROTECTED_SAMPLES[posix.basename(p)] : []),
    ];
    const nameHit = names.some((n) => samples.some((f) => globMatch(n, f)));
    const pathHit = paths.some((n) => [asFound, ...samples.map((f) => `${asFound}/${f}`)].some((f) => globMatch(n, f)));
    if (nameHit || pathHit) return { arg: { value: asFound, literal: true, pattern: false }, whole: false };
  }
  return {
    arg: { value: `${start.value.replace(/\/+$/, '')}/found-file`, literal: true, pattern: false },
    whole: false,
  };
}

/** fnmatch without FNM_PERIOD, as find uses it: `*` matches a leading dot too. */
function globMatch(pattern: string, text: string): boolean {
  let re = '';
  for (let k = 0; k < pattern.length; k++) {
    const c = pattern[k];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', k + 2);
      if (end < 0) re += '\\[';
      else {
        re += `[${pattern
          .slice(k + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        k = end;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's').test(text);
}
