// The check command: what it runs, so its own definition can be protected. The command is read by the policy's
// bash parser (unbash, through `evaluate`): every simple command wherever it stands — lists, pipelines, `bash -c`
// code — with wrappers (`timeout`, `env`, `nice`, `xargs`…) unwrapped the same way the policy unwraps them.
import { isAbsolute, posix } from 'node:path';
import { evaluate } from '../../policy/index.js';
import { isTestFile } from './tables.js';

export interface CheckTargets {
  /** Directory the check runs in, relative to the workspace ('' for the root). */
  dir: string;
  /** npm/yarn/pnpm/bun scripts the check runs (with their pre/post hooks). */
  scripts: string[];
  /** Files whose change redefines the check (scripts run directly, Makefiles, justfiles). */
  files: string[];
  /** True when the check runs make (any Makefile under dir is its definition). */
  make: boolean;
  cargo: boolean;
}

const INTERPRETERS = new Set([
  'bash',
  'sh',
  'zsh',
  'dash',
  'node',
  'python',
  'python3',
  'ruby',
  'perl',
  'pwsh',
  'deno',
  'bun',
  'tsx',
  'ts-node',
  'php',
]);

/** Nothing is denied here: the policy is asked only for the argument vectors of the commands a line runs. */
const READ_ONLY_POLICY = { allow: [], deny: [], protectedPaths: [], disabledRules: [], workspace: '/' };

/** Every simple command `line` runs, quote-removed, in source order (an unwrapped command after its wrapper). */
export function commandsOf(line: string): string[][] {
  return evaluate(line, READ_ONLY_POLICY).commands.filter((argv) => argv.length > 0);
}

function looksLikeFile(word: string): boolean {
  return !word.startsWith('-') && (/\//.test(word) || /\.(?:sh|bash|js|mjs|cjs|ts|mts|py|rb|pl|ps1)$/.test(word));
}

export function joinDir(dir: string, path: string): string {
  const joined = posix.normalize(posix.join(dir, path));
  return joined.replace(/^\.\//, '');
}

export function checkTargets(check: string): CheckTargets {
  const t: CheckTargets = { dir: '', scripts: [], files: [], make: false, cargo: false };
  const addScript = (name: string) => {
    for (const s of [name, `pre${name}`, `post${name}`]) if (!t.scripts.includes(s)) t.scripts.push(s);
  };
  for (const [cmd, ...args] of commandsOf(check)) {
    const base = posix.basename(cmd);
    if (cmd === 'cd' && args[0]) {
      t.dir = joinDir(t.dir, args[0]);
      continue;
    }
    const prefixAt = args.findIndex((a) => a === '--prefix' || a === '-C' || a === '--cwd' || a === '--dir');
    const dir = prefixAt >= 0 && args[prefixAt + 1] ? joinDir(t.dir, args[prefixAt + 1]) : t.dir;
    // Positional arguments, without options and the directory that follows a --prefix-like option.
    const rest = args.filter((a, i) => !a.startsWith('-') && !(prefixAt >= 0 && i === prefixAt + 1));
    if (base === 'npm' || base === 'yarn' || base === 'pnpm' || base === 'bun') {
      const sub = rest[0];
      if (prefixAt >= 0) t.dir = dir;
      if (!sub) {
        if (base === 'yarn') addScript('install');
        continue;
      }
      if (['test', 't', 'tst'].includes(sub)) addScript('test');
      else if (['start', 'stop', 'restart'].includes(sub)) addScript(sub);
      else if (['run', 'run-script', 'rum', 'urn'].includes(sub) && rest[1]) addScript(rest[1]);
      else if (base !== 'npm' && !['install', 'add', 'exec', 'dlx', 'x'].includes(sub)) addScript(sub);
    } else if (base === 'make' || base === 'gmake') {
      t.make = true;
      if (prefixAt >= 0) t.dir = dir;
      const fileAt = args.findIndex((a) => a === '-f' || a === '--file');
      if (fileAt >= 0 && args[fileAt + 1]) t.files.push(joinDir(t.dir, args[fileAt + 1]));
    } else if (base === 'just' || base === 'task' || base === 'rake') {
      const file = { just: 'justfile', task: 'Taskfile.yml', rake: 'Rakefile' }[base];
      t.files.push(joinDir(dir, file), joinDir(dir, file.toLowerCase()));
    } else if (base === 'cargo') {
      t.cargo = true;
    } else if (base === 'tox' || base === 'nox') {
      t.files.push(joinDir(dir, base === 'tox' ? 'tox.ini' : 'noxfile.py'));
    } else if (INTERPRETERS.has(base)) {
      // `bash -c 'code'`: the policy already parsed the code into the commands that follow.
      if (args.includes('-c') || args.includes('-e')) continue;
      // Test files named on the command line are guarded by the test rules, not frozen as the check's definition.
      const script = args.find((a) => looksLikeFile(a));
      if (script && !isTestFile(script)) t.files.push(joinDir(t.dir, script));
    } else if (looksLikeFile(cmd) && !isAbsolute(cmd)) {
      t.files.push(joinDir(t.dir, cmd));
    }
  }
  return t;
}

/** Files an npm script's text runs directly (`node scripts/test.js`, `./ci/test.sh`, `bash run-tests.sh`). */
export function filesInScript(script: string, dir: string): string[] {
  const files: string[] = [];
  for (const words of commandsOf(script)) {
    for (const w of words) {
      if (looksLikeFile(w) && !/^https?:/.test(w) && !w.includes('*') && !isAbsolute(w) && !isTestFile(w)) {
        files.push(joinDir(dir, w));
      }
    }
  }
  return [...new Set(files)];
}

export function parsePackageJson(json: string | undefined): Record<string, unknown> | undefined {
  if (json === undefined) return undefined;
  try {
    const parsed = JSON.parse(json) as { scripts?: Record<string, unknown> };
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
