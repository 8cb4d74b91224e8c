// A pre-parse bound: one linear pass over the source that counts the syntax a bash parser would build nodes for, and
// how deep it nests, before any tree is built. Parsing, walking and checking cost grow with that count, so a command
// built to stall the policy (hundreds of thousands of words, statements or expansions) is refused here in about a
// millisecond instead of after a parse that alone can take tens of milliseconds.
//
// What it counts, conservatively: every word run and every operator or special character of code (the command
// itself, `$( )`, backticks, `${ }`, arithmetic), and each `$` or backtick inside double quotes and unquoted
// here-document text (what is expanded there is code again). What it does not count: quoted here-document bodies
// and the text of quoted strings, which a parser keeps as one literal. A quoted string that holds code (bash -c,
// eval, trap) is measured again when that code is analysed, against the same budget.
//
// It only has to be an upper bound on the work, not a parser: where it reads the source differently from bash, the
// parse that follows still decides, under the walk's own bounds (walk.ts, context.ts WORK_LIMITS).

export interface Shape {
  /** Words and operators counted, a substitution as 4 and a redirection as 3 (just past the bound when the scan stopped). */
  tokens: number;
  /** Deepest nesting of substitutions, quotes, parameter expansions, parentheses and braces seen. */
  depth: number;
  /** Here-documents (a parser's cost grows faster than their number when many share a line). */
  hereDocs: number;
}

const enum Kind {
  /** Commands: the top level, `$( )`, backticks, `( )` (closes on `)` or a backtick). */
  Code,
  /** `(( ))` and `$(( ))`: no here-documents or comments. */
  Arithmetic,
  /** `${ }`: a word with its own quotes and expansions. */
  Parameter,
  /** Inside double quotes. */
  DoubleQuoted,
  /** An unquoted here-document body: only expansions count. */
  HereText,
}

interface Frame {
  kind: Kind;
  /** Code closed by a backtick rather than a parenthesis. */
  backtick: boolean;
  parens: number;
  braces: number;
  /** Open `case` words: their `pattern)` does not close a `$(`. */
  cases: number;
}

interface PendingHereDoc {
  delimiter: string;
  quoted: boolean;
  stripTabs: boolean;
}

const NEWLINE = 10;
/** A command substitution is a script of its own to parse and walk; a redirection is a path to check as a write. */
const SUBSTITUTION_WEIGHT = 4;
const REDIRECTION_WEIGHT = 3;
const BLANKS = /[ \t\r\f\v]+/y;
const table = (chars: string) => {
  const t = new Uint8Array(128);
  for (const c of chars) t[c.charCodeAt(0)] = 1;
  return t;
};
const BLANK = table(' \t\r\f\v');
/** What ends a word run in code: a blank, a newline or a character that counts as a token of its own. */
const CODE_STOP = table(';&|<>(){}[]$`\'"\\#*?!,=~@\n \t\r\f\v');
/** In arithmetic every operator character is a token: `1+1+1` is five of them, as a parser sees it. */
const ARITHMETIC_STOP = new Uint8Array(128).map((_, c) => (/[A-Za-z0-9_]/.test(String.fromCharCode(c)) ? 0 : 1));
/** Where something happens inside double quotes, and inside unquoted here-document text. */
const QUOTED_STOP = /[\\"$`]/g;
const HERE_TEXT_STOP = /[\\$`]/g;
/** Characters after which a `#` starts a comment. */
const COMMENT_BEFORE = new Uint8Array(128);
for (const c of ' \t\n;&|()<>') COMMENT_BEFORE[c.charCodeAt(0)] = 1;
const DELIMITER_END = /[ \t\r\f\v\n;&|<>()]/;

/** What the scans of one source (and of its here-document bodies) add up to. */
interface Tally {
  tokens: number;
  maxSeen: number;
  hereDocs: number;
  maxDepth: number;
  maxTokens: number;
}

/** Measures `source`; stops as soon as the count passes `maxTokens` or the nesting `maxDepth`. */
export function measureShape(source: string, maxTokens: number, maxDepth: number): Shape {
  const tally: Tally = { tokens: 0, maxSeen: 0, hereDocs: 0, maxDepth, maxTokens };
  new Scanner(source, tally).run(Kind.Code, 0);
  return { tokens: tally.tokens, depth: tally.maxSeen, hereDocs: tally.hereDocs };
}

/** One pass over one text: the command, or an unquoted here-document body (scanned as its own text). */
class Scanner {
  private pending: PendingHereDoc[] = [];
  private readonly stack: Frame[] = [];
  private depth = 0;

  constructor(
    private readonly s: string,
    private readonly tally: Tally,
  ) {}

  /** Scans the whole text starting in a frame of `kind`, `base` levels deep. */
  run(kind: Kind, base: number): void {
    const { s, tally, stack } = this;
    const end = s.length;
    stack.push(frame(kind));
    this.depth = base;
    this.see(++this.depth);
    let i = 0;
    while (i < end && !over(tally)) {
      const top = stack[stack.length - 1];
      if (top.kind === Kind.DoubleQuoted || top.kind === Kind.HereText) {
        const stop = top.kind === Kind.DoubleQuoted ? QUOTED_STOP : HERE_TEXT_STOP;
        stop.lastIndex = i;
        const m = stop.exec(s);
        if (!m) break;
        i = m.index;
        const c = s.charCodeAt(i);
        if (c === 92) i += 2;
        else if (c === 34) {
          this.pop();
          i++;
        } else i = this.expansion(i, false);
        continue;
      }
      const c = s.charCodeAt(i);
      if (c < 128 && BLANK[c] === 1) {
        i++;
        continue;
      }
      if (c === NEWLINE) {
        i++;
        if (top.kind === Kind.Code && this.pending.length > 0) i = this.hereDocBodies(i);
        continue;
      }
      const stops = top.kind === Kind.Arithmetic ? ARITHMETIC_STOP : CODE_STOP;
      if (c >= 128 || stops[c] === 0) {
        const start = i;
        for (i++; i < end; i++) {
          const d = s.charCodeAt(i);
          if (d < 128 && stops[d] === 1) break;
        }
        tally.tokens++;
        if (top.kind === Kind.Code && i - start === 4) {
          const w = s.slice(start, i);
          if (w === 'case') top.cases++;
          else if (w === 'esac' && top.cases > 0) top.cases--;
        }
        continue;
      }
      tally.tokens++;
      i = this.special(c, i, top);
    }
  }

  /** One character that is a token of its own, in code, arithmetic or `${ }`; returns the next index. */
  private special(c: number, i: number, top: Frame): number {
    const s = this.s;
    switch (c) {
      case 92: // backslash: the next character is literal
        return i + 2;
      case 39: // '...'
        return closingQuote(s, i + 1);
      case 34: // "..."
        this.push(Kind.DoubleQuoted);
        return i + 1;
      case 36: // $
        return this.expansion(i, true);
      case 96: // backtick
        if (top.kind === Kind.Code && top.backtick) {
          this.pop();
          return i + 1;
        }
        return this.expansion(i, true);
      case 35: // # starts a comment at the start of a word in code
        if (top.kind === Kind.Code && (i === 0 || COMMENT_BEFORE[s.charCodeAt(i - 1)] === 1)) {
          const nl = s.indexOf('\n', i);
          return nl < 0 ? s.length : nl;
        }
        return i + 1;
      case 40: // (
        if (top.kind === Kind.Code && s.charCodeAt(i + 1) === 40) {
          this.push(Kind.Arithmetic);
          return i + 2;
        }
        top.parens++;
        this.see(++this.depth);
        return i + 1;
      case 41: // )
        if (top.parens > 0) {
          top.parens--;
          this.depth--;
        } else if (top.kind === Kind.Arithmetic) {
          this.pop();
          return s.charCodeAt(i + 1) === 41 ? i + 2 : i + 1;
        } else if (top.kind === Kind.Code && !top.backtick && top.cases === 0) this.pop();
        return i + 1;
      case 123: // {
        top.braces++;
        this.see(++this.depth);
        return i + 1;
      case 125: // }
        if (top.braces > 0) {
          top.braces--;
          this.depth--;
        } else if (top.kind === Kind.Parameter) this.pop();
        return i + 1;
      case 62: // > : a redirection, checked as a write (it weighs more than a word)
        this.tally.tokens += REDIRECTION_WEIGHT - 1;
        return i + 1;
      case 60: // < : a redirection, a here-string or a here-document operator in code
        if (top.kind !== Kind.Code || s.charCodeAt(i + 1) !== 60) {
          this.tally.tokens += REDIRECTION_WEIGHT - 1;
          return i + 1;
        }
        if (s.charCodeAt(i + 2) === 60) return i + 3; // <<< is a here-string
        return this.hereDocOperator(i + 2);
      default:
        return i + 1;
    }
  }

  private push(kind: Kind, backtick = false): void {
    this.stack.push(frame(kind, backtick));
    this.see(++this.depth);
  }

  private pop(): void {
    if (this.stack.length === 1) return; // a stray closer: the frame this scan started in stays open
    const f = this.stack.pop() as Frame;
    this.depth -= 1 + f.parens + f.braces;
  }

  private see(depth: number): void {
    if (depth > this.tally.maxSeen) this.tally.maxSeen = depth;
  }

  /** At `$` or a backtick: opens what it starts (`$(`, `$((`, `${`, `$'`, `` ` ``); returns the next index. */
  private expansion(i: number, inCode: boolean): number {
    const s = this.s;
    this.tally.tokens++;
    if (s.charCodeAt(i) === 96) {
      this.tally.tokens += SUBSTITUTION_WEIGHT - 1;
      this.push(Kind.Code, true);
      return i + 1;
    }
    const next = s.charCodeAt(i + 1);
    if (next === 40) {
      if (s.charCodeAt(i + 2) === 40) {
        this.push(Kind.Arithmetic);
        return i + 3;
      }
      this.tally.tokens += SUBSTITUTION_WEIGHT - 1;
      this.push(Kind.Code);
      return i + 2;
    }
    if (next === 123) {
      this.push(Kind.Parameter);
      return i + 2;
    }
    if (next === 39 && inCode) return closingAnsiQuote(s, i + 2); // $'...' has its own escapes
    return i + 1;
  }

  /** After `<<`: reads the delimiter word and queues the body, which starts after the next newline of code. */
  private hereDocOperator(i: number): number {
    const s = this.s;
    let stripTabs = false;
    if (s.charCodeAt(i) === 45) {
      stripTabs = true;
      i++;
    }
    BLANKS.lastIndex = i;
    if (BLANKS.test(s)) i = BLANKS.lastIndex;
    let delimiter = '';
    let quoted = false;
    while (i < s.length && !DELIMITER_END.test(s[i])) {
      const c = s.charCodeAt(i);
      if (c === 39 || c === 34) {
        quoted = true;
        const close = s.indexOf(s[i], i + 1);
        const stop = close < 0 ? s.length : close;
        delimiter += s.slice(i + 1, stop);
        i = stop + 1;
      } else if (c === 92) {
        quoted = true;
        delimiter += s[i + 1] ?? '';
        i += 2;
      } else {
        delimiter += s[i];
        i++;
      }
    }
    if (delimiter !== '') {
      this.pending.push({ delimiter, quoted, stripTabs });
      this.tally.hereDocs++;
      this.tally.tokens += 2; // the delimiter and the body
    }
    return Math.min(i, s.length);
  }

  /** At the start of the line after a command with here-documents: skips or scans each body; returns the next index. */
  private hereDocBodies(i: number): number {
    const s = this.s;
    const queued = this.pending;
    this.pending = [];
    for (const doc of queued) {
      const bodyStart = i;
      let bodyEnd = s.length;
      let after = s.length;
      while (i < s.length) {
        const nl = s.indexOf('\n', i);
        const lineEnd = nl < 0 ? s.length : nl;
        if (lineIs(s, i, lineEnd, doc)) {
          bodyEnd = i;
          after = Math.min(s.length, lineEnd + 1);
          break;
        }
        i = lineEnd + 1;
      }
      i = after;
      // An unquoted body is scanned as a text of its own, so no search in it runs past its end.
      if (!doc.quoted && bodyEnd > bodyStart)
        new Scanner(s.slice(bodyStart, bodyEnd), this.tally).run(Kind.HereText, this.depth);
      if (over(this.tally)) return s.length;
    }
    return i;
  }
}

function over(tally: Tally): boolean {
  return tally.tokens > tally.maxTokens || tally.maxSeen > tally.maxDepth;
}

/** The line [start, end) is the here-document's delimiter (after leading tabs, for `<<-`). */
function lineIs(s: string, start: number, end: number, doc: PendingHereDoc): boolean {
  if (doc.stripTabs) while (start < end && s.charCodeAt(start) === 9) start++;
  return end - start === doc.delimiter.length && s.startsWith(doc.delimiter, start);
}

function frame(kind: Kind, backtick = false): Frame {
  return { kind, backtick, parens: 0, braces: 0, cases: 0 };
}

function closingAnsiQuote(s: string, from: number): number {
  let i = from;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 92) i += 2;
    else if (c === 39) return i + 1;
    else i++;
  }
  return s.length;
}

function closingQuote(s: string, from: number): number {
  const close = s.indexOf("'", from);
  return close < 0 ? s.length : close + 1;
}
