// Paths named in commands, resolved the way the shell would resolve them, and tested against the workspace, the
// protected paths and the places secrets live.
import { posix } from 'node:path';
import type { Arg } from './words.js';

export interface PathContext {
  workspace: string;
  home: string | undefined;
  /** The shell's directory as far as the line tells (a literal `cd` moves it); null when unknown. */
  cwd: string | null;
  /** Directories saved by pushd, for popd. */
  dirStack?: (string | null)[];
  /** Absolute protected paths (no trailing slash). */
  protectedPaths: string[];
}

/** An absolute path for a literal argument (`~`, `$HOME` and `${HOME}` expanded), or null when it cannot be known. */
export function resolvePath(arg: Arg, ctx: PathContext): string | null {
  if (arg.pattern) return null;
  if (arg.value.length < LONG_VALUE) return resolveUncached(arg, ctx);
  // Many checks resolve the same argument; normalising a long one costs milliseconds each time.
  const key = `${ctx.home ?? ''}\0${ctx.cwd ?? '\0'}\0${arg.literal ? 1 : 0}\0${arg.value}`;
  if (longResolved.has(key)) return longResolved.get(key) as string | null;
  const path = resolveUncached(arg, ctx);
  if (longResolved.size >= 16) longResolved.clear();
  longResolved.set(key, path);
  return path;
}

const LONG_VALUE = 1024;
const longResolved = new Map<string, string | null>();

function resolveUncached(arg: Arg, ctx: PathContext): string | null {
  let value = arg.value;
  const home = ctx.home;
  if (home) {
    if (value === '~' || value.startsWith('~/')) value = home + value.slice(1);
    else value = value.replace(/^\$\{HOME\}(?=\/|$)|^\$HOME(?=\/|$)/, home);
  } else if (value === '~' || value.startsWith('~/')) {
    return null;
  }
  if (/[$`]/.test(value) && !arg.literal) return null;
  if (value.startsWith('~')) return null; // ~user: someone else's home
  if (value.startsWith('/')) return posix.normalize(value).replace(/(.)\/$/, '$1');
  if (ctx.cwd === null) return null;
  // One plain name (no slash, no dot segment): joining is all resolving would do, and far cheaper on long lines.
  if (PLAIN_NAME.test(value)) return ctx.cwd === '/' ? `/${value}` : `${ctx.cwd}/${value}`;
  return posix.resolve(ctx.cwd, value);
}

const PLAIN_NAME = /^(?!\.\.?$)[^/]+$/;

export function isInside(path: string, dir: string): boolean {
  if (path.length === dir.length) return path === dir;
  if (dir.endsWith('/')) return path.startsWith(dir);
  return path.length > dir.length && path.charCodeAt(dir.length) === 47 && path.startsWith(dir);
}

/** The protected path a write to `path` would touch: inside one, or (for recursive operations) an ancestor of one. */
export function protectedHit(path: string, ctx: PathContext, recursive: boolean): string | null {
  // Any repository's .git directory, not only the workspace's: a nested or temporary repository's config runs programs.
  const gitDir = /^(.*?\/\.git)(\/|$)/.exec(path);
  if (gitDir) return gitDir[1];
  // ci-medic's own session state (command files, exit statuses, the tmux socket) and transcripts.
  const ours = /^(\/tmp\/ci-medic(-\d+)?)(\/|$)/.exec(path);
  if (ours) return ours[1];
  for (const p of ctx.protectedPaths) {
    if (isInside(path, p)) return p;
    if (recursive && isInside(p, path)) return p;
  }
  return null;
}

/** One path segment of a glob as a regular expression; a leading wildcard does not match a leading dot (no dotglob). */
function segmentRegExp(segment: string): RegExp | null {
  if (/[[{]/.test(segment)) return null; // classes and braces: treat as anything
  let out = /^[*?]/.test(segment) ? '(?!\\.)' : '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '\\' && i + 1 < segment.length) out += escape(segment[++i]);
    else out += escape(c);
  }
  return new RegExp(`^${out}$`);
}

function escape(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function segmentsMatch(pattern: string[], path: string[]): boolean {
  for (let i = 0; i < path.length; i++) {
    const re = segmentRegExp(pattern[i]);
    if (re && !re.test(path[i])) return false;
  }
  return true;
}

/**
 * For an argument whose path cannot be known exactly: could it name (or, recursively, contain) a protected path?
 * Conservative: an expansion could be anything; a glob is matched segment by segment against the protected paths.
 */
export function mayHitProtected(arg: Arg, ctx: PathContext, recursive: boolean): string | null {
  if (ctx.protectedPaths.length === 0) return null;
  const value = arg.value;
  if (!arg.pattern || /[$`]/.test(value) || ctx.cwd === null) return ctx.protectedPaths[0];
  const abs = value.startsWith('/') ? value : `${ctx.cwd}/${value}`;
  const patternSegments = abs.split('/').filter((s, i) => s !== '' && !(s === '.' && i > 0));
  if (patternSegments.includes('..')) return ctx.protectedPaths[0];
  for (const p of ctx.protectedPaths) {
    const pathSegments = p.split('/').filter(Boolean);
    if (patternSegments.length >= pathSegments.length) {
      if (segmentsMatch(patternSegments, pathSegments)) return p;
    } else if (recursive && segmentsMatch(patternSegments, pathSegments.slice(0, patternSegments.length))) {
      return p;
    }
  }
  return null;
}

const SECRET_PATHS: RegExp[] = [
  /(^|\/)\.ssh(\/|$)/,
  /(^|\/)\.netrc$/,
  /(^|\/)\.?git-credentials[^/]*$/, // ~/.git-credentials, and checkout's $RUNNER_TEMP/git-credentials-<id>.config
  /(^|\/)\.cargo\/credentials(\.toml)?$/,
  /\/_runner_file_commands(\/|$)/, // GITHUB_ENV, GITHUB_PATH, GITHUB_OUTPUT: they steer later workflow steps
  /(^|\/)\.docker\/config\.json$/,
  /(^|\/)\.config\/gh(\/|$)/,
  /(^|\/)\.aws(\/|$)/,
  /(^|\/)\.gnupg(\/|$)/,
  /(^|\/)\.kube\/config$/,
  /(^|\/)\.pypirc$/,
  /(^|\/)\.git\/config$/,
  /^\/proc\/.*\/(environ|mem)$/,
  // A glob or a variable in the last part of a /proc path may resolve to another process's environ.
  /^\/proc\/(?:.*\/)?[^/]*[*?[$][^/]*$/,
  // Any process's environ or memory by a path known only at run time (`$p/environ` in a loop over /proc/*).
  /[*?[$].*\/(environ|mem)$/,
  /^\/run\/secrets(\/|$)/,
  /^\/etc\/shadow$/,
];

/** Where secrets live: a path that names one of them (checked on the raw text and the resolved path). */
// Every secret path's text contains one of these, whatever the spelling of its directories (`~`, `..`, `$HOME`).
const SECRET_HINT =
  /ssh|netrc|credentials|docker|gh|aws|gnupg|kube|pypirc|config|environ|mem|secrets|shadow|_runner|npmrc|yarnrc|proc|envir/;

export function secretPath(arg: Arg, ctx: PathContext): string | null {
  if (!SECRET_HINT.test(arg.value)) return null;
  const candidates = [arg.value];
  const eq = arg.value.indexOf('=');
  if (eq > 0) candidates.push(arg.value.slice(eq + 1)); // --file=~/.netrc, if=/proc/self/environ
  for (const text of candidates) {
    // A glob is placed where it would expand (`cd /proc/1 && cat envir*`), for the /proc rule.
    const placed = arg.pattern && ctx.cwd !== null && !/[$`~]/.test(text) ? posix.resolve(ctx.cwd, text) : null;
    const resolved = resolvePath({ ...arg, value: text }, ctx) ?? placed;
    for (const re of SECRET_PATHS) {
      if (re.test(text.replace(/\/+$/, '')) || (resolved !== null && re.test(resolved))) return resolved ?? text;
    }
    // Registry tokens live in the home directory's rc files (a workspace .npmrc is ordinary configuration).
    if (
      resolved !== null &&
      ctx.home &&
      /^\/\.(npmrc|yarnrc(\.yml)?)$/.test(resolved.slice(ctx.home.length)) &&
      resolved.startsWith(ctx.home)
    ) {
      return resolved;
    }
  }
  return null;
}
