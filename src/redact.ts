// Secret masking used by every path that leaves the process: the model, the logs, the transcript, the PR, the job summary.
//
// Two passes over the text, each a single regular expression (so the cost is linear in the text, not text × secrets):
//  1. known values: every secret the caller named, in every form it is likely to appear in (raw, base64 at each of the
//     three byte alignments, URL-encoded, hex, JSON-escaped), compiled into one trie-shaped alternation;
//  2. token patterns: GitHub tokens, Anthropic keys, AWS keys, PEM private keys, Authorization header values.
//
// Values shorter than MIN_SECRET_LENGTH are ignored: masking every "abc" or "1234" would mangle the text the model
// needs to read, and such values are not secrets worth the name.

export const REDACTED = '[REDACTED]';

/** Known values shorter than this are not masked (they would match everywhere). */
export const MIN_SECRET_LENGTH = 6;

interface Pattern {
  name: string;
  /** Must be global. Group 1, when present, is a prefix kept as is; the rest of the match is masked. */
  regex: RegExp;
  /** Replacement for the whole match (PEM keeps its armour lines); defaults to keeping group 1 and masking the rest. */
  replace?: (match: string, ...groups: string[]) => string;
}

const PATTERNS: Pattern[] = [
  { name: 'GitHub token pattern (ghp_)', regex: /\bghp_[A-Za-z0-9]{20,}/g },
  { name: 'GitHub token pattern (gho_)', regex: /\bgho_[A-Za-z0-9]{20,}/g },
  { name: 'GitHub token pattern (ghu_)', regex: /\bghu_[A-Za-z0-9]{20,}/g },
  { name: 'GitHub token pattern (ghs_)', regex: /\bghs_[A-Za-z0-9]{20,}/g },
  { name: 'GitHub token pattern (ghr_)', regex: /\bghr_[A-Za-z0-9]{20,}/g },
  { name: 'GitHub token pattern (github_pat_)', regex: /\bgithub_pat_[A-Za-z0-9_]{20,}/g },
  { name: 'Anthropic API key pattern (sk-ant-)', regex: /\bsk-ant-[A-Za-z0-9_-]{16,}/g },
  { name: 'AWS access key id pattern (AKIA/ASIA)', regex: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g },
  {
    name: 'AWS secret access key (aws_secret_access_key=)',
    regex:
      /((?:aws_secret_access_key|aws_secret_key|secretaccesskey)["']?\s*[:=]\s*["']?)([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/gi,
  },
  {
    name: 'PEM private key block',
    // A log cut short may hold a BEGIN without its END: mask to the end of the text then.
    regex: /-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)-----[\s\S]*?(?:-----END \1-----|$(?![\s\S]))/g,
    replace: (_m, label) => `-----BEGIN ${label}-----\n${REDACTED}\n-----END ${label}-----`,
  },
  {
    name: 'Authorization header value',
    regex: /((?:proxy-)?authorization["']?\s*[:=]\s*["']?(?:(?:bearer|basic|token|digest)\s+)?)([^\s"'\\,;]{6,})/gi,
  },
  { name: 'Bearer token', regex: /(\bbearer\s+)([A-Za-z0-9._~+/-]{16,}=*)/gi },
  // `https://user:secret@host` (git remotes, registry URLs): mask the password, keep the rest readable.
  { name: 'password in a URL', regex: /(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:)([^/\s@]+)(?=@)/gi },
  { name: '.netrc password', regex: /(\bmachine\s+\S+\s+(?:login\s+\S+\s+)?password\s+)(\S+)/g },
  { name: 'npm token pattern (npm_)', regex: /\bnpm_[A-Za-z0-9]{36}\b/g },
  { name: 'Slack token pattern (xox*-)', regex: /\bxox[abeoprs]-[A-Za-z0-9-]{10,}/g },
  { name: 'PyPI token pattern (pypi-)', regex: /\bpypi-[A-Za-z0-9_-]{50,}/g },
];

/** The forms of one value that are worth masking, each with a short description of the form. */
function variantsOf(value: string): Array<[string, string]> {
  const out: Array<[string, string]> = [['raw', value]];
  const bytes = Buffer.from(value, 'utf8');
  const url = encodeURIComponent(value);
  if (url !== value) {
    out.push(['URL-encoded', url]);
    out.push(['URL-encoded', url.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())]);
    out.push(['URL-encoded', url.replace(/%20/g, '+')]);
  }
  const json = JSON.stringify(value).slice(1, -1);
  if (json !== value) out.push(['JSON-escaped', json]);
  const hex = bytes.toString('hex');
  out.push(['hex', hex], ['hex', hex.toUpperCase()]);
  // base64 of a larger blob holding the value (checkout's `x-access-token:<token>` extraheader, a .netrc, a JSON
  // document): the encoding of the value's bytes depends on where they fall in the 3-byte groups. For each alignment
  // keep only the characters whose 6 bits come entirely from the value; their neighbours mix in unknown bytes.
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const first = Math.ceil((8 * offset) / 6);
    const end = Math.floor((8 * (offset + bytes.length)) / 6);
    const core = encoded.slice(first, end);
    if (core.length >= MIN_SECRET_LENGTH) {
      out.push(['base64', core]);
      const urlSafe = core.replace(/\+/g, '-').replace(/\//g, '_');
      if (urlSafe !== core) out.push(['base64url', urlSafe]);
    }
  }
  return out;
}

interface TrieNode {
  children: Map<string, TrieNode>;
  terminal: boolean;
}

function escapeChar(c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(c) ? `\\${c}` : c;
}

/**
 * One alternation shaped like a trie, so the regex engine branches on one character at a time instead of trying every
 * literal at every position. Longer matches win: an optional tail is greedy.
 */
function trieRegexSource(words: Iterable<string>): string {
  const root: TrieNode = { children: new Map(), terminal: false };
  for (const word of words) {
    let node = root;
    for (const c of word) {
      let next = node.children.get(c);
      if (!next) {
        next = { children: new Map(), terminal: false };
        node.children.set(c, next);
      }
      node = next;
    }
    node.terminal = true;
  }
  // Iterative post-order walk: secrets can be thousands of characters long (a private key), too deep for recursion.
  const sources = new Map<TrieNode, string>();
  const stack: Array<[TrieNode, boolean]> = [[root, false]];
  while (stack.length) {
    const [node, visited] = stack.pop()!;
    if (!visited) {
      stack.push([node, true]);
      for (const child of node.children.values()) stack.push([child, false]);
      continue;
    }
    const alts = [...node.children].map(([c, child]) => escapeChar(c) + sources.get(child)!);
    for (const child of node.children.values()) sources.delete(child);
    let source = '';
    if (alts.length === 1 && !node.terminal) source = alts[0];
    else if (alts.length > 0) source = `(?:${alts.join('|')})${node.terminal ? '?' : ''}`;
    sources.set(node, source);
  }
  return sources.get(root) ?? '';
}

export class Redactor {
  readonly #values: string[] = [];
  /** variant text -> description of what it is ("value of secret #2 (base64)"). */
  readonly #descriptions = new Map<string, string>();
  #ignored = 0;
  #literal: RegExp | null = null;
  #dirty = false;

  constructor(secrets?: Iterable<string>) {
    for (const secret of secrets ?? []) this.add(secret);
  }

  /**
   * Number of non-empty values ignored because they are shorter than MIN_SECRET_LENGTH: the caller should say so
   * ("2 secret values shorter than 6 characters are not masked").
   */
  get ignoredCount(): number {
    return this.#ignored;
  }

  /** Number of values being masked (after dropping short and duplicate ones). */
  get size(): number {
    return this.#values.length;
  }

  /**
   * Mask `secret` from now on. Values shorter than MIN_SECRET_LENGTH (after trimming) are ignored; each line of a
   * multi-line value is masked on its own as well, since logs re-wrap and re-indent such values.
   */
  add(secret: string): void {
    if (typeof secret !== 'string') return;
    if (secret.trim().length > 0 && secret.trim().length < MIN_SECRET_LENGTH) {
      this.#ignored++;
      return;
    }
    const candidates = [secret, secret.trim()];
    if (/[\r\n]/.test(secret)) candidates.push(...secret.split(/\r?\n/).map((l) => l.trim()));
    const index = this.#values.length + 1;
    let added = false;
    for (const value of candidates) {
      if (value.length < MIN_SECRET_LENGTH || this.#descriptions.has(value)) continue;
      for (const [form, variant] of variantsOf(value)) {
        if (variant.length < MIN_SECRET_LENGTH || this.#descriptions.has(variant)) continue;
        this.#descriptions.set(variant, `value of secret #${index} (${form})`);
        added = true;
      }
    }
    if (added) {
      this.#values.push(secret);
      this.#dirty = true;
    }
  }

  #literalRegex(): RegExp | null {
    if (this.#dirty) {
      const source = trieRegexSource(this.#descriptions.keys());
      this.#literal = source ? new RegExp(source, 'g') : null;
      this.#dirty = false;
    }
    return this.#literal;
  }

  redact(text: string): string {
    if (typeof text !== 'string' || text.length === 0) return text;
    let out = text;
    const literal = this.#literalRegex();
    if (literal) {
      literal.lastIndex = 0;
      out = out.replace(literal, REDACTED);
    }
    for (const pattern of PATTERNS) {
      pattern.regex.lastIndex = 0;
      out = out.replace(pattern.regex, (match: string, ...rest: unknown[]) => {
        // The callback gets (match, ...groups, offset, whole text): drop the last two.
        const groups = rest.slice(0, -2) as Array<string | undefined>;
        if (pattern.replace) return pattern.replace(match, ...groups.map((g) => g ?? ''));
        const kept = groups[0] ?? '';
        return match.slice(kept.length) === REDACTED ? match : kept + REDACTED;
      });
    }
    return out;
  }

  /**
   * A copy of `value` with every string inside it (object keys included) redacted. Class instances come back as plain
   * data (errors as name and message, buffers as redacted text); the input is not modified.
   */
  redactDeep<T>(value: T): T {
    const seen = new WeakMap<object, unknown>();
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return this.redact(v);
      if (v === null || typeof v !== 'object') return v;
      if (seen.has(v)) return seen.get(v);
      if (Array.isArray(v)) {
        const copy: unknown[] = [];
        seen.set(v, copy);
        for (const item of v) copy.push(walk(item));
        return copy;
      }
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) {
        // Not a plain object: reduce it to data first, so no secret survives inside a class instance.
        if (v instanceof Error) return walk({ name: v.name, message: v.message });
        if (v instanceof Date) return v;
        if (v instanceof Map) return walk(Object.fromEntries(v));
        if (v instanceof Set) return walk([...v]);
        if (ArrayBuffer.isView(v))
          return this.redact(Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8'));
        const toJSON = (v as { toJSON?: () => unknown }).toJSON;
        if (typeof toJSON === 'function') return walk(toJSON.call(v));
      }
      const copy: Record<string, unknown> = {};
      seen.set(v, copy);
      for (const [k, item] of Object.entries(v)) copy[this.redact(k)] = walk(item);
      return copy;
    };
    return walk(value) as T;
  }

  containsSecret(text: string): boolean {
    return this.findSecrets(text).length > 0;
  }

  /** What secrets `text` holds, as descriptions (never the values), in order of first appearance, without repeats. */
  findSecrets(text: string): string[] {
    if (typeof text !== 'string' || text.length === 0) return [];
    const found: Array<[number, string]> = [];
    const literal = this.#literalRegex();
    if (literal) {
      literal.lastIndex = 0;
      for (const m of text.matchAll(literal))
        found.push([m.index, this.#descriptions.get(m[0]) ?? 'value of a secret']);
    }
    for (const pattern of PATTERNS) {
      pattern.regex.lastIndex = 0;
      for (const m of text.matchAll(pattern.regex)) {
        const kept = !pattern.replace && m.length > 2 ? (m[1] ?? '') : '';
        const masked = m[0].slice(kept.length);
        if (masked === REDACTED || (pattern.replace && m[0].includes(`\n${REDACTED}\n`))) continue;
        found.push([m.index, pattern.name]);
      }
    }
    found.sort((a, b) => a[0] - b[0]);
    return [...new Set(found.map(([, d]) => d))];
  }
}
