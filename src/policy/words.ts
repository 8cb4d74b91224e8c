// Words of the syntax tree as the policy sees them: the value bash would use after quote removal, and whether that
// value is fixed by the source alone (literal) or depends on expansions, substitutions, globs or braces.
import type { Word, WordPart } from 'unbash';

/** One argument of a simple command. */
export interface Arg {
  /** Quote-removed value; expansions keep their source text (`$HOME/x`, `$(cmd)`). */
  value: string;
  /** True when quote removal alone gives the value: no expansion, substitution, glob or brace. */
  literal: boolean;
  /** True when a glob (`*`, `?`, `[...]`, extglob) or brace expansion stands unquoted in the word. */
  pattern: boolean;
  /** The assignment's name when the argument is `name=value` given to a declaration builtin (export, declare...). */
  assigns?: string;
}

const LITERAL_PARTS = new Set(['Literal', 'SingleQuoted', 'AnsiCQuoted']);
const PATTERN_PARTS = new Set(['Glob', 'ExtendedGlob', 'BraceExpansion']);

function partsAreLiteral(parts: readonly WordPart[]): boolean {
  for (const part of parts) {
    if (LITERAL_PARTS.has(part.type)) continue;
    if (part.type === 'DoubleQuoted' || part.type === 'LocaleString') {
      if (!part.parts.every((child) => child.type === 'Literal')) return false;
      continue;
    }
    return false;
  }
  return true;
}

function hasPattern(parts: readonly WordPart[]): boolean {
  return parts.some((part) => PATTERN_PARTS.has(part.type));
}

export function wordArg(word: Word): Arg {
  // unbash leaves parts out only for a plain unquoted word without expansions, globs or braces.
  if (!word.parts) return { value: word.value, literal: true, pattern: false };
  const pattern = hasPattern(word.parts);
  return { value: word.value, literal: !pattern && partsAreLiteral(word.parts), pattern };
}

/** The last path segment: `/usr/bin/curl` is `curl`. */
export function baseName(value: string): string {
  const trimmed = value.replace(/\/+$/, '');
  const slash = trimmed.lastIndexOf('/');
  return slash < 0 ? trimmed : trimmed.slice(slash + 1);
}

/**
 * Matches a glob (`*` any run of characters, `?` one, `\\x` a literal x) against a whole string. `*` crosses spaces
 * and slashes: patterns match argument vectors joined by spaces. Iterative, backtracking only to the last star, so
 * a long command line costs O(length x pattern) whatever the pattern (a regular expression could take far longer).
 */
export function globMatches(glob: string, text: string): boolean {
  const tokens: { star: boolean; ch: string | null }[] = [];
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') tokens.push({ star: true, ch: null });
    else if (c === '?') tokens.push({ star: false, ch: null });
    else if (c === '\\' && i + 1 < glob.length) tokens.push({ star: false, ch: glob[++i] });
    else tokens.push({ star: false, ch: c });
  }
  let t = 0;
  let p = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    const token = tokens[p];
    if (token && !token.star && (token.ch === null || token.ch === text[t])) {
      t++;
      p++;
    } else if (token?.star) {
      starP = p++;
      starT = t;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (tokens[p]?.star) p++;
  return p === tokens.length;
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
