// Validators for programs that run code or commands taken from their own arguments: git (config, aliases, transport
// programs), sed (e, w), awk (system, pipes), tar (checkpoint actions, filters), rg (--pre), and interpreters given
// inline code. Each reads the arguments the way the program does, as far as that matters for what it may run.
import { checkWrite, deny, hasFlag, positionals, type CheckContext } from './context.js';
import { secretPath } from './paths.js';
import { clip } from './walk.js';
import type { Arg } from './words.js';

// ---------- git ----------

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

export function checkGit(args: Arg[], cx: CheckContext): void {
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
      `git ${sub} moves HEAD or rewrites history; ci-medic commits the verified change itself, so leave your edits in the working tree (use git diff to review them, git checkout -- FILE or git restore FILE to undo one)`,
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

function checkGitCheckout(args: Arg[], cx: CheckContext): void {
  if (args.some((a) => a.value === '-p' || a.value === '--patch')) {
    return deny(cx, 'interactive', 'git checkout -p asks at the terminal; use git checkout -- FILE');
  }
  const dashdash = args.findIndex((a) => a.value === '--');
  const before = dashdash < 0 ? args : args.slice(0, dashdash);
  if (before.some((a) => /^-[a-zA-Z]*[bB]$|^--(orphan|detach)$/.test(a.value))) {
    return deny(cx, 'git-history', 'git checkout -b/--orphan/--detach moves HEAD; ci-medic manages branches itself');
  }
  if (dashdash >= 0) return;
  const pos = positionals(before);
  if (pos.length > 0 && pos.every((a) => a.value === '.' || a.value.startsWith('./'))) return;
  deny(
    cx,
    'git-history',
    'git checkout without -- may switch branches and move HEAD; to undo changes to a file use git checkout -- FILE (or git restore FILE)',
  );
}

function checkGitReset(args: Arg[], cx: CheckContext): void {
  if (args.some((a) => a.value === '-p' || a.value === '--patch'))
    return deny(cx, 'interactive', 'git reset -p asks at the terminal; use git reset -- FILE');
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
        `git reset ${clip(p.value)} moves HEAD to another commit; to unstage or restore files use git reset -- FILE or git checkout -- FILE`,
      );
    }
  }
}

// ---------- sed ----------

/** Parses a sed script far enough to find the commands that run programs (e) or write files (w, W, s///w). */
export function checkSed(args: Arg[], cx: CheckContext): void {
  const scripts: Arg[] = [];
  const files: Arg[] = [];
  let inPlace = false;
  let options = true;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const v = a.value;
    if (options && v === '--') {
      options = false;
      continue;
    }
    if (options && v.startsWith('--')) {
      if (v === '--expression' || v === '--file') i++;
      if (v === '--expression' && args[i]) scripts.push(args[i]);
      else if (v.startsWith('--expression=')) scripts.push({ ...a, value: v.slice(13) });
      else if (v === '--file' || v.startsWith('--file='))
        return deny(
          cx,
          'code-in-arguments',
          'sed -f reads its script from a file the policy cannot check; pass the script with -e',
        );
      else if (v.startsWith('--in-place')) inPlace = true;
      continue;
    }
    if (options && v.startsWith('-') && v.length > 1) {
      // Short options cluster: -n, -E, -i[SUFFIX], -e SCRIPT, -f FILE, -l N, -s, -u, -z.
      for (let k = 1; k < v.length; k++) {
        const c = v[k];
        if (c === 'i') {
          inPlace = true;
          break; // the rest is the backup suffix
        }
        if (c === 'e' || c === 'f' || c === 'l') {
          const attached = v.slice(k + 1);
          const value = attached ? { ...a, value: attached } : args[++i];
          if (c === 'e' && value) scripts.push(value);
          if (c === 'f')
            return deny(
              cx,
              'code-in-arguments',
              'sed -f reads its script from a file the policy cannot check; pass the script with -e',
            );
          break;
        }
      }
      continue;
    }
    if (scripts.length === 0 && !args.slice(0, i).some((x) => /^-[a-zA-Z]*e|^--expression/.test(x.value)))
      scripts.push(a);
    else files.push(a);
  }
  for (const script of scripts) {
    if (!script.literal) {
      deny(cx, 'code-in-arguments', `the sed script ${clip(script.value)} is built at run time; write it literally`);
      continue;
    }
    const problem = sedScriptProblem(script.value, cx);
    if (problem) deny(cx, 'code-in-arguments', problem);
  }
  if (inPlace) for (const f of files) checkWrite(f, cx, false, `sed -i ${clip(f.value)}`);
}

function sedScriptProblem(script: string, cx: CheckContext): string | null {
  const n = script.length;
  let i = 0;
  const restOfLine = (): string => {
    const end = script.indexOf('\n', i);
    const text = script.slice(i, end < 0 ? n : end);
    i = end < 0 ? n : end;
    return text.trim();
  };
  const skipRegex = (delim: string): boolean => {
    while (i < n && script[i] !== delim) {
      if (script[i] === '\\') i++;
      else if (script[i] === '\n') return false;
      i++;
    }
    if (i >= n) return false;
    i++;
    return true;
  };
  const writeTarget = (file: string, what: string): string | null => {
    if (!file) return `sed ${what} without a file name`;
    if (file === '/dev/stdout' || file === '/dev/stderr') return null;
    const before = cx.findings.length;
    checkWrite({ value: file, literal: true, pattern: false }, cx, false, `sed ${what} ${file}`);
    return cx.findings.length > before ? (cx.findings.pop()?.reason ?? null) : null;
  };
  let guard = 0;
  while (i < n) {
    if (++guard > 100_000) return 'the sed script is too long to check';
    const c = script[i];
    if (/[\s;}]/.test(c)) {
      i++;
      continue;
    }
    if (c === '#') {
      restOfLine();
      continue;
    }
    // Addresses: numbers, $, /re/, \cREc, first~step, addr,addr, addr,+N, addr,~N; then optional !.
    for (let part = 0; part < 2; part++) {
      if (/[0-9$]/.test(script[i] ?? '')) {
        while (i < n && /[0-9$~]/.test(script[i])) i++;
      } else if (script[i] === '/') {
        i++;
        if (!skipRegex('/')) return 'the sed script has an unterminated address';
        while (/[IM]/.test(script[i] ?? '')) i++;
      } else if (script[i] === '\\') {
        const d = script[i + 1];
        i += 2;
        if (!d || !skipRegex(d)) return 'the sed script has an unterminated address';
        while (/[IM]/.test(script[i] ?? '')) i++;
      } else if (part === 1 && /[+~]/.test(script[i] ?? '')) {
        i++;
        while (i < n && /[0-9]/.test(script[i])) i++;
      }
      while (i < n && /[ \t]/.test(script[i])) i++;
      if (part === 0 && script[i] === ',') {
        i++;
        while (i < n && /[ \t]/.test(script[i])) i++;
        continue;
      }
      break;
    }
    while (i < n && /[\s!]/.test(script[i]) && script[i] !== '\n') i++;
    const cmd = script[i++];
    if (cmd === undefined) break;
    switch (cmd) {
      case '{':
      case '}':
      case '=':
      case 'd':
      case 'D':
      case 'g':
      case 'G':
      case 'h':
      case 'H':
      case 'n':
      case 'N':
      case 'p':
      case 'P':
      case 'x':
      case 'z':
      case 'F':
        break;
      case 'l':
      case 'L':
      case 'q':
      case 'Q':
      case 'v':
        while (i < n && /[0-9. \t]/.test(script[i])) i++;
        break;
      case ':':
      case 'b':
      case 't':
      case 'T':
        while (i < n && !/[;\n]/.test(script[i])) i++;
        break;
      case 'a':
      case 'i':
      case 'c':
        // Text to the end of the line (a backslash-newline continues it).
        while (i < n && script[i] !== '\n') {
          if (script[i] === '\\') i++;
          i++;
        }
        break;
      case 'r':
      case 'R': {
        const file = restOfLine();
        const secret = secretPath({ value: file, literal: true, pattern: false }, cx.paths);
        if (secret) return `sed ${cmd} ${file} reads credentials; leave them alone`;
        break;
      }
      case 'w':
      case 'W': {
        const problem = writeTarget(restOfLine(), cmd);
        if (problem) return problem;
        break;
      }
      case 'e':
        return "sed's e command runs a shell command; do the replacement with s/// or run the command yourself";
      case 'y':
      case 's': {
        const d = script[i++];
        if (!d || d === '\n' || d === '\\') return `the sed ${cmd} command has no delimiter`;
        if (!skipRegex(d) || !skipRegex(d)) return `the sed ${cmd} command is not terminated`;
        if (cmd === 'y') break;
        // Flags: g p i I m M e w FILE and numbers.
        while (i < n && /[gpiImMe0-9w]/.test(script[i])) {
          const f = script[i++];
          if (f === 'e') return 'the s///e flag runs the pattern space as a shell command; drop the e flag';
          if (f === 'w') {
            const problem = writeTarget(restOfLine(), 's///w');
            if (problem) return problem;
            break;
          }
        }
        break;
      }
      default:
        return `the sed script has a command the policy does not know ('${cmd}'); simplify the script`;
    }
  }
  return null;
}

// ---------- awk ----------

export function checkAwk(args: Arg[], cx: CheckContext): void {
  let program: Arg | undefined;
  for (let i = 0; i < args.length; i++) {
    const v = args[i].value;
    if (v === '--') {
      program ??= args[i + 1];
      break;
    }
    if (v === '-f' || v.startsWith('--file') || /^-f./.test(v) || v === '-E' || v.startsWith('--exec')) {
      return deny(
        cx,
        'code-in-arguments',
        'awk -f runs a program file the policy cannot check; pass the program inline',
      );
    }
    if (v === '-e' || v === '--source') {
      program = args[i + 1];
      break;
    }
    if (v === '-F' || v === '-v' || v === '--assign' || v === '--field-separator') {
      i++;
      continue;
    }
    if (v.startsWith('-') && v.length > 1) continue;
    program = args[i];
    break;
  }
  if (!program) return;
  if (!program.literal)
    return deny(
      cx,
      'code-in-arguments',
      `the awk program ${clip(program.value)} is built at run time; write it literally`,
    );
  const code = program.value;
  if (/\bsystem\s*\(/.test(code))
    return deny(
      cx,
      'code-in-arguments',
      'awk system() runs shell commands; do the work in awk or run the command yourself',
    );
  // Statements that print (split, not one regular expression over the program: that could backtrack at length).
  const printStatements = code.split(/[;{}\n]/).filter((st) => /\bprintf?\b/.test(st));
  if (
    /\|\s*&?\s*getline|\|&/.test(code) ||
    printStatements.some((st) => st.includes('|')) ||
    /"[^"]*"\s*\|\s*getline/.test(code)
  ) {
    return deny(
      cx,
      'code-in-arguments',
      'awk piping to or from a command runs it in a shell; run the command yourself and pipe its output into awk',
    );
  }
  if (/\/inet[46]?\//.test(code))
    return deny(cx, 'network-egress', 'awk /inet/ special files open network connections; the repair works offline');
  if (/@load|@include/.test(code))
    return deny(
      cx,
      'code-in-arguments',
      'awk @load/@include brings in code the policy cannot check; keep the program inline',
    );
  if (/\bENVIRON\b|\bPROCINFO\b/.test(code))
    return deny(cx, 'secrets', 'awk ENVIRON reads the environment; use echo "$NAME" for the one variable you need');
  const redirect = printStatements.map((st) => />>?\s*("[^"]*")/.exec(st)).find((m) => m !== null);
  if (redirect)
    checkWrite(
      { value: redirect[1].slice(1, -1), literal: true, pattern: false },
      cx,
      false,
      `awk print > ${redirect[1]}`,
    );
}

// ---------- tar, rg ----------

const TAR_PROGRAM_OPTIONS = [
  'checkpoint-action',
  'to-command',
  'use-compress-program',
  'rsh-command',
  'info-script',
  'new-volume-script',
  'rmt-command',
  'index-file',
];

export function checkTar(args: Arg[], cx: CheckContext): void {
  const isCluster = (v: string, i: number) => /^-[A-Za-z]+$/.test(v) || (i === 0 && /^[A-Za-z]+$/.test(v));
  // The mode first: -C matters when extracting, -f names a file written when creating, wherever they stand.
  const extracting = args.some(
    (a, i) => (isCluster(a.value, i) && /x/.test(a.value)) || /^--(extract|get)$/.test(a.value),
  );
  const creating = args.some(
    (a, i) =>
      (isCluster(a.value, i) && /[cru]/.test(a.value)) || /^--(create|append|update|concatenate)$/.test(a.value),
  );
  const remote = (file: string) => /^[^/]*:/.test(file) && !args.some((a) => a.value === '--force-local');
  for (let i = 0; i < args.length; i++) {
    const v = args[i].value;
    const long = /^--([a-z-]+)/.exec(v)?.[1];
    if (long && long.length >= 3 && TAR_PROGRAM_OPTIONS.some((o) => o.startsWith(long))) {
      return deny(
        cx,
        'code-in-arguments',
        `tar ${clip(v)} makes tar run a program; use plain tar options (-x, -c, -z, -f)`,
      );
    }
    let file: Arg | undefined;
    if (isCluster(v, i)) {
      // Old-style first argument (`tar xvf a.tar`) and short clusters: I/F take a program or script.
      if (/[IF]/.test(v)) {
        return deny(
          cx,
          'code-in-arguments',
          `tar ${v} (-I/-F) makes tar run a program; use -z, -j or -J for compression`,
        );
      }
      if (/f/.test(v)) file = args[i + 1];
    } else if (v.startsWith('--file=')) file = { ...args[i], value: v.slice(7) };
    else if (v === '--file') file = args[i + 1];
    if (file && remote(file.value)) {
      return deny(
        cx,
        'network-egress',
        `tar -f ${clip(file.value)} names a remote archive (host:path), reached over rsh/ssh; use a local file`,
      );
    }
    if (file && creating && file.value !== '-') checkWrite(file, cx, false, `tar -f ${clip(file.value)}`);
    if (!extracting) continue;
    if (/^-C./.test(v)) checkWrite({ ...args[i], value: v.slice(2) }, cx, true, `tar ${clip(v)}`);
    if ((v === '-C' || v === '--directory') && args[i + 1])
      checkWrite(args[i + 1], cx, true, `tar -C ${clip(args[i + 1].value)}`);
    if (v.startsWith('--directory=')) checkWrite({ ...args[i], value: v.slice(12) }, cx, true, `tar ${clip(v)}`);
  }
}

export function checkRg(args: Arg[], cx: CheckContext): void {
  for (const a of args) {
    if (a.value === '--') return;
    if (a.value === '--pre' || a.value.startsWith('--pre=')) {
      return deny(cx, 'code-in-arguments', 'rg --pre runs a program on every file searched; search the files directly');
    }
  }
}

// ---------- interpreters given inline code ----------

/** Options after which an interpreter's next argument is code. */
export const INLINE_CODE_FLAGS: Record<string, string[]> = {
  python: ['-c'],
  python2: ['-c'],
  python3: ['-c'],
  node: ['-e', '--eval', '-p', '--print'],
  nodejs: ['-e', '--eval', '-p', '--print'],
  bun: ['-e', '--eval', '-p', '--print'],
  deno: ['eval'],
  perl: ['-e', '-E'],
  ruby: ['-e'],
  php: ['-r'],
};

// Best effort, one layer among several: spotting code that starts programs, opens sockets or fetches URLs.
const SPAWNS =
  /\b(os\.(system|popen|exec\w*|spawn\w*|fork)|subprocess|pty\.spawn|commands\.getoutput|child_process|exec(Sync|File|FileSync)?\s*\(|spawn(Sync)?\s*\(|system\s*\(|popen|proc_open|shell_exec|passthru|IO\.popen|Open3|Kernel\.(exec|system|spawn)|%x[({[]|qx[\s({[/]|socket|urllib|requests\.|http\.client|httplib|fetch\s*\(|XMLHttpRequest|net\.(connect|createConnection)|https?\.(get|request)|Net::HTTP|LWP|IO::Socket|open-uri|ctypes|__import__|importlib)/;

export function checkInlineCode(name: string, args: Arg[], cx: CheckContext, stdinCode: string[] = []): void {
  const flags = Object.hasOwn(INLINE_CODE_FLAGS, name) ? INLINE_CODE_FLAGS[name] : INLINE_CODE_FLAGS.python;
  const letters = flags.filter((f) => /^-[a-zA-Z]$/.test(f)).map((f) => f[1]);
  for (let i = 0; i < args.length; i++) {
    const v = args[i].value;
    // A cluster ending in a code flag (`perl -ne CODE`, `node -pe CODE`) takes the next word.
    const clusterEndsInCode = /^-[a-zA-Z]+$/.test(v) && letters.includes(v[v.length - 1]);
    const attached = flags.find((f) => f.length === 2 && v.startsWith(f) && v.length > 2 && !v.startsWith('--'));
    let code: Arg | undefined;
    if (flags.includes(v) || clusterEndsInCode) code = args[i + 1];
    else if (attached) code = { ...args[i], value: v.slice(2) };
    else if (v.includes('=') && flags.includes(v.slice(0, v.indexOf('='))))
      code = { ...args[i], value: v.slice(v.indexOf('=') + 1) };
    if (code) return checkCodeText(name, `${name} ${v} code`, code.value, cx);
  }
  // Code read from a here-document or here-string (`python3 - <<'EOF'`) gets the same look.
  for (const text of stdinCode) checkCodeText(name, `${name} code from a here-document`, text, cx);
}

function checkCodeText(name: string, what: string, code: string, cx: CheckContext): void {
  if (/(^|[^A-Za-z0-9_-])\.git(hub)?(\/|['"\s]|$)/.test(code)) {
    return deny(
      cx,
      'protected-paths',
      `${what} names .git/ or .github/ and could change them, and the policy cannot see what it does; use git commands, or edit other files`,
    );
  }
  const backtick = (name === 'perl' || name === 'ruby' || name === 'php') && code.includes('`');
  if (SPAWNS.test(code) || backtick) {
    deny(
      cx,
      'code-in-arguments',
      `${what} starts programs or opens connections, hiding them from the policy; run the command itself in the shell, or put the code in a file`,
    );
  }
}
