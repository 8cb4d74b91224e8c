// The default deny set applied to one simple command: what holds for every command (its name, its arguments, its
// redirects, the files it writes), then the program families of the registry (programs/) that handle its name.
import type { Redirection } from 'unbash';
import { checkWrite, deny, positionals, spend, type CheckContext } from './context.js';
import { credentialArgument, credentialBelow, recursiveReadRoots } from './credentials.js';
import { secretPath } from './paths.js';
import { directoryArguments, withDirectories } from './programs/directory.js';
import { programsFor } from './programs/index.js';
import { clip, type SimpleCommand } from './walk.js';
import { baseName, wordArg, type Arg } from './words.js';

/** Nesting bound for wrappers inside wrappers (`timeout 5 env nice xargs ...`). */
const MAX_WRAPPER_DEPTH = 8;

export function checkCommand(cmd: SimpleCommand, cx: CheckContext, depth = 0): void {
  if (!spend(cx, 'commands') || !spend(cx, 'arguments', cmd.argv.length)) return;
  if (cmd.argv.length === 0) {
    checkRedirects(cmd.redirects, cx);
    return;
  }
  const name0 = homeName(cmd.argv[0], cx);
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
  checkRecursiveRead(name, args, cx);
  checkOutputOptions(name, args, cx);
  // In the sandbox a script written now is checked when it runs, by the boundary; standing alone the policy reads it
  // now, since writing a script and running it would otherwise step around every rule.
  if (!cx.sandboxed && (name === 'cat' || name === 'tee' || name === 'echo' || name === 'printf'))
    checkScriptWrite(name, args, cmd, cx);
  checkRedirects(cmd.redirects, cx);
  if (depth > MAX_WRAPPER_DEPTH) {
    deny(cx, 'parse', `wrappers are nested more than ${MAX_WRAPPER_DEPTH} deep; run the inner command directly`);
    return;
  }
  const invocation = { name, args, cmd, depth };
  // `git -C DIR`, `make -C DIR`, `npm --prefix DIR`: the command runs there, as after a cd (programs/directory.ts).
  withDirectories(directoryArguments(name, args), cx, () => {
    for (const family of programsFor(name)) {
      if (family.check(invocation, cx) === 'stop') return;
    }
  });
}

/**
 * `$HOME/.local/bin/tool`, `${HOME}/go/bin/x`: HOME is known (the policy refuses any assignment to it), so the name is
 * as literal as `/home/runner/.local/bin/tool` and is judged by its base name like any path. Harmless either way.
 */
function homeName(arg: Arg, cx: CheckContext): Arg {
  const home = cx.paths.home;
  if (arg.literal || arg.pattern || !home) return arg;
  const m = /^\$(?:HOME|\{HOME\})(\/[A-Za-z0-9._+@/-]+)$/.exec(arg.value);
  return m ? { value: `${home}${m[1]}`, literal: true, pattern: false } : arg;
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
  const secret = secretPath(arg, cx.paths) ?? credentialArgument(arg, cx.paths, cx.credentials);
  if (secret) {
    deny(
      cx,
      'secrets',
      `${clip(arg.value)} is where credentials live (${secret}); the repair does not need them, leave them alone`,
    );
  }
}

/** grep -r, rg --hidden, tar, zip over a directory that holds a credential file (grep -r _authToken ~). */
function checkRecursiveRead(name: string, args: Arg[], cx: CheckContext): void {
  const roots = recursiveReadRoots(name, args);
  if (!roots) return;
  for (const root of roots) {
    const hit = credentialBelow(root, cx.paths, cx.credentials);
    if (hit) {
      return deny(
        cx,
        'secrets',
        `${name} ${clip(root.value)} reads every file below it, ${hit} among them, where credentials live; search the workspace or name the files`,
      );
    }
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
      const secret =
        r.operator === '<' ? (secretPath(arg, cx.paths) ?? credentialArgument(arg, cx.paths, cx.credentials)) : null;
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
