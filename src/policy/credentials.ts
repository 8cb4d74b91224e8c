// The credential files of src/secrets/locations.ts (the one list the secret collector reads too): reading one
// directly is denied with a reason, whichever reader does it — a path argument, a glob that may reach one, a recursive
// search over a directory that holds one, or code that names one. Tools that use them (npm ci, pip install, docker
// pull) never name them, and keep working. What a dump prints (npm config list) is the redactor's problem.
import { credentialFilePaths } from '../secrets/locations.js';
import { isInside, resolvePath, type PathContext } from './paths.js';
import type { Arg } from './words.js';

/** Absolute paths of the credential files for this home and workspace, and which lie under the home. */
export function credentialPaths(home: string | undefined, workspace: string): { path: string; home: boolean }[] {
  return credentialFilePaths(home, workspace).map(({ file, path }) => ({ path, home: file.base === 'home' }));
}

/** Patterns that find a credential file named in code (`os.path.join(home, '.aws', 'credentials')` too). */
const CODE_PATTERNS = (() => {
  const seen = new Set<string>();
  const out: { file: string; re: RegExp }[] = [];
  for (const { file } of credentialFilePaths('/h', '/p')) {
    if (seen.has(file.path)) continue;
    seen.add(file.path);
    const segments = file.path.split('/').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    // Segments in order, a few characters apart at most (quotes, commas, a join call): linear to test.
    out.push({ file: file.path, re: new RegExp(`${segments.join('[^\\n]{0,24}?')}(?![A-Za-z0-9_-])`) });
  }
  return out;
})();

/** The credential file that code text names, if any. */
export function credentialInCode(code: string): string | null {
  for (const { file, re } of CODE_PATTERNS) if (re.test(code)) return file;
  return null;
}

/** The credential file an argument names or may name (a glob), or null. `--file=X` and `@X` name X. */
export function credentialArgument(
  arg: Arg,
  paths: PathContext,
  credentials: { path: string; home: boolean }[],
): string | null {
  if (!arg.pattern && !/rc|credentials|config|hosts|properties|settings/.test(arg.value)) return null;
  const candidates = [arg.value];
  const eq = arg.value.indexOf('=');
  if (eq > 0) candidates.push(arg.value.slice(eq + 1));
  if (arg.value.startsWith('@')) candidates.push(arg.value.slice(1));
  for (const text of candidates) {
    const path = resolvePath({ ...arg, value: text }, paths);
    if (path !== null) {
      const hit = credentials.find((c) => c.path === path);
      if (hit) return hit.path;
    } else if (arg.pattern && !/[$`]/.test(text)) {
      // Globs only against the home's files: `rm -rf .*` in the workspace is about deleting, and what a glob there
      // prints from the project's .npmrc the secret collector redacts.
      const hit = credentials.find((c) => c.home && globMayName(text, c.path, paths));
      if (hit) return hit.path;
    }
  }
  return null;
}

/** Could the glob `pattern` (relative to the shell's directory, `~` for home) expand to `path`? */
function globMayName(pattern: string, path: string, paths: PathContext): boolean {
  const prefix = literalPrefix(pattern, paths);
  if (prefix === null) return true;
  if (!isInside(path, prefix.dir)) return false;
  const want = prefix.rest;
  const have = path.slice(prefix.dir.length).split('/').filter(Boolean);
  if (want.includes('..') || want.includes('**')) return true;
  if (want.length !== have.length) return false;
  return want.every((seg, i) => segmentMatches(seg, have[i]));
}

/** The directory a glob's literal leading segments name, and the segments after it; null when unknown. */
function literalPrefix(pattern: string, paths: PathContext): { dir: string; rest: string[] } | null {
  const segments = pattern.split('/');
  const first = segments.findIndex((s) => /[*?[{]/.test(s));
  const head = first < 0 ? pattern : segments.slice(0, first).join('/') || (pattern.startsWith('/') ? '/' : '.');
  const dir = resolvePath({ value: head, literal: true, pattern: false }, paths);
  if (dir === null) return null;
  const rest = (first < 0 ? [] : segments.slice(first)).filter((s) => s !== '' && s !== '.');
  return { dir, rest };
}

function segmentMatches(glob: string, name: string): boolean {
  if (/[[{]/.test(glob)) return true; // classes and braces: could be anything
  if (/^[*?]/.test(glob) && name.startsWith('.')) return false; // no dotglob
  let re = '';
  for (const c of glob) re += c === '*' ? '[^/]*' : c === '?' ? '[^/]' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${re}$`).test(name);
}

/** Programs that read every file below the directories they are given. */
export function recursiveReadRoots(name: string, args: Arg[]): Arg[] | null {
  const flags = args.filter((a) => a.value.startsWith('-'));
  const has = (re: RegExp) => flags.some((a) => re.test(a.value));
  const operands = args.filter((a) => !a.value.startsWith('-'));
  switch (name) {
    case 'grep':
    case 'egrep':
    case 'fgrep':
      if (!has(/^-[a-zA-Z]*[rR]|^--recursive$|^--dereference-recursive$|^-d$|^--directories=recurse$/)) return null;
      // The first operand is the pattern (unless -e/-f gave it); the rest are files and directories.
      return withDefault(has(/^-[a-zA-Z]*[ef]|^--regexp|^--file/) ? operands : operands.slice(1));
    case 'rgrep':
      return withDefault(operands.slice(1));
    case 'rg':
    case 'ag':
      // Both skip hidden files (every home credential file is one) unless told otherwise.
      if (!has(/^--hidden$|^-[a-zA-Z]*u|^--unrestricted$|^--no-ignore/)) return null;
      return withDefault(has(/^-[a-zA-Z]*e$|^--regexp|^-f$|^--file/) ? operands : operands.slice(1));
    case 'tar':
    case 'zip':
      return operands;
    default:
      return null;
  }
}

function withDefault(operands: Arg[]): Arg[] {
  return operands.length > 0 ? operands : [{ value: '.', literal: true, pattern: false }];
}

/** The home credential file a recursive read of `dir` would reach. */
export function credentialBelow(
  dir: Arg,
  paths: PathContext,
  credentials: { path: string; home: boolean }[],
): string | null {
  const root = dir.pattern ? (literalPrefix(dir.value, paths)?.dir ?? null) : resolvePath(dir, paths);
  // A search of the workspace reaches its own .npmrc too: that one the secret collector redacts, or no repair could
  // grep its sources. The home directory's files are never below the workspace.
  if (root === null) return dir.literal ? null : (credentials.find((c) => c.home)?.path ?? null);
  return credentials.find((c) => c.home && isInside(c.path, root) && !isInside(root, paths.workspace))?.path ?? null;
}
