// Interpreters: a bare one is a prompt that waits for input; inline code (-c, -e, a here-document on stdin) gets a
// best-effort look for spawned programs, sockets and protected paths; perl/ruby -i edit the files they name.
import { checkWrite, deny, positionals, type CheckContext } from '../context.js';
import { credentialInCode } from '../credentials.js';
import { clip } from '../walk.js';
import type { Arg } from '../words.js';
import { program, type Invocation } from './program.js';

const REPLS =
  'python python2 python3 ipython node nodejs irb pry ruby perl php lua R ghci psql mysql sqlite3 redis-cli mongo mongosh gdb lldb bun deno';
const HOLLOW_REPL_FLAGS = new Set(['-q', '-u', '-B', '-E', '-s', '-S', '-I', '-O', '-OO', '--quiet']);
const isVersionedPython = (name: string) => /^python3\.\d+$/.test(name);

export const repls = program(
  REPLS,
  ({ name, args, cmd }, cx) => {
    const explicit = args.some((a) => a.value === '-i' || a.value === '--interactive');
    const bare = args.every((a) => HOLLOW_REPL_FLAGS.has(a.value));
    if (explicit || (bare && !cmd.stdin && !cmd.extraArgs)) {
      deny(
        cx,
        'interactive',
        `${name} without a script starts an interactive prompt that waits for input; pass a file, use -c/-e for one-liners, or pipe a here-document into it`,
      );
    }
  },
  isVersionedPython,
);

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

export const inlineCode = program(
  Object.keys(INLINE_CODE_FLAGS),
  ({ name, args, cmd }: Invocation, cx) =>
    checkInlineCode(
      name,
      args,
      cx,
      cmd.redirects.flatMap((r) =>
        r.type === 'HereDoc' ? [r.body.text] : r.type === 'HereString' && r.target ? [r.target.value] : [],
      ),
    ),
  isVersionedPython,
);

export const inPlaceEdits = program('perl ruby', ({ name, args }, cx) => {
  if (!args.some((a) => /^-[a-zA-Z]*i/.test(a.value))) return;
  // In-place edits: the files are the arguments after the code (-e CODE) or after the script.
  const code = args.findIndex((a) => /^-[a-zA-Z]*e$/.test(a.value));
  const files = positionals(code >= 0 ? args.slice(code + 2) : args).slice(code >= 0 ? 0 : 1);
  for (const f of files) checkWrite(f, cx, false, `${name} -i ${clip(f.value)}`);
});

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
  const credential = credentialInCode(code);
  if (credential) {
    return deny(
      cx,
      'secrets',
      `${what} names ${credential}, a credential file; the repair does not need credentials (installs read them on their own)`,
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
