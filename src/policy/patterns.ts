// User allow/deny patterns over argument vectors: `git push*` (a glob over the words joined by single spaces) or
// `re:^make( |$)` (a regular expression searched in that same string).
import { ConfigError } from '../config.js';
import { baseName, globMatches } from './words.js';

export interface CompiledPattern {
  source: string;
  test: (joined: string) => boolean;
}

const cache = new Map<string, CompiledPattern | Error>();

/** Compiles a pattern, or returns the Error that says why it is not one. Cached: configs are reused per command. */
export function compilePattern(source: string): CompiledPattern | Error {
  const hit = cache.get(source);
  if (hit) return hit;
  let compiled: CompiledPattern | Error;
  const trimmed = source.trim();
  if (trimmed === '') {
    compiled = new Error('an empty pattern matches nothing; remove it');
  } else if (trimmed.startsWith('re:')) {
    try {
      const re = new RegExp(trimmed.slice(3));
      compiled = { source: trimmed, test: (s) => re.test(s) };
    } catch (error) {
      compiled = new Error(
        `"${trimmed}" is not a valid regular expression (${(error as Error).message}); fix it or use a glob like "git diff*"`,
      );
    }
  } else {
    // Words separated by any run of blanks in the pattern match words separated by one space.
    const glob = trimmed.split(/\s+/).join(' ');
    compiled = { source: trimmed, test: (s) => globMatches(glob, s) };
  }
  if (cache.size > 1000) cache.clear();
  cache.set(source, compiled);
  return compiled;
}

/** Throws a ConfigError naming the input when a pattern is invalid. */
export function checkPattern(input: string, pattern: string): void {
  const compiled = compilePattern(pattern);
  if (compiled instanceof Error) throw new ConfigError(input, compiled.message);
}

/** The string patterns match: the program's base name, then its arguments, joined by single spaces. */
export function joinArgv(argv: readonly string[]): string {
  if (argv.length === 0) return '';
  return [baseName(argv[0]), ...argv.slice(1)].join(' ');
}
