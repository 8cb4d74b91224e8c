// The walk over unbash's syntax tree: every node is visited (forEachChild descends into word parts, substitutions,
// here-doc bodies, parameter-expansion operands, arithmetic and test expressions), every simple command is
// collected with its context, and constructs that are dangerous wherever they stand are reported on the way.
// Fail closed: a node type this walk does not know, a nested parse error or a missing nested script is a finding.
import {
  forEachChild,
  type ArrayValue,
  type Command,
  type ParsedScript,
  type Redirection,
  type SyntaxNode,
  type Word,
  type WordPart,
} from 'unbash';
import { arithmeticVariable, unknownValue } from './arithmetic.js';
import { checkAssignment } from './assignments.js';
import type { Finding } from './rules.js';
import { wordArg, type Arg } from './words.js';

/** A simple command as bash would run it, with what the checks need to know about its surroundings. */
export interface SimpleCommand {
  argv: Arg[];
  /** Prefix assignments (`NAME=value cmd`): the command's own environment. */
  env: { name: string; value: Arg }[];
  /** Standard input comes from a redirect, a here-document/here-string or an earlier pipeline stage. */
  stdin: boolean;
  /** More arguments arrive at run time (xargs appends what it reads). */
  extraArgs: boolean;
  /** The wrapper that runs this command (`timeout`, `xargs`, `find -exec`), if it was unwrapped from one. */
  via: string | null;
  /** Redirections of this command. */
  redirects: readonly Redirection[];
}

export interface WalkLimits {
  maxDepth: number;
  maxNodes: number;
  /** Simple commands and their words collected at most (the checks' own budgets): the walk stops past them. */
  maxCommands: number;
  maxArguments: number;
}

export interface WalkResult {
  /** Commands in source order; a command's nested substitutions come after it. */
  commands: SimpleCommand[];
  findings: Finding[];
  /** Code hidden in data that bash may still run (array subscripts in strings), to parse and check as well. */
  code: string[];
  /** Syntax nodes visited, and whether the walk stopped at a limit. */
  nodes: number;
  stopped: boolean;
}

const KNOWN_TYPES = new Set([
  'Script',
  'Statement',
  'CompoundList',
  'CaseItem',
  'Elif',
  'Command',
  'If',
  'For',
  'ArithmeticFor',
  'Select',
  'While',
  'Subshell',
  'BraceGroup',
  'Case',
  'TestCommand',
  'ArithmeticCommand',
  'Redirected',
  'Pipeline',
  'Time',
  'Negation',
  'AndOr',
  'Word',
  'Literal',
  'Glob',
  'SingleQuoted',
  'DoubleQuoted',
  'AnsiCQuoted',
  'LocaleString',
  'SimpleExpansion',
  'ParameterExpansion',
  'CommandExpansion',
  'ArithmeticExpansion',
  'ProcessSubstitution',
  'ExtendedGlob',
  'BraceExpansion',
  'Assignment',
  'ArrayValue',
  'Redirect',
  'HereString',
  'HereDoc',
  'FileDescriptor',
  'FileDescriptorVariable',
  'HereDocDelimiter',
  'HereDocBody',
  'ArithmeticBinary',
  'ArithmeticUnary',
  'ArithmeticTernary',
  'ArithmeticGroup',
  'ArithmeticWord',
  'ArithmeticCommandExpansion',
  'TestUnary',
  'TestBinary',
  'TestLogical',
  'TestNot',
  'TestGroup',
  'Default',
  'Remove',
  'Replace',
  'Slice',
  'CaseModification',
  'Transform',
  'Names',
  // Function and Coproc are handled (and Function reported) below.
  'Function',
  'Coproc',
]);

// A string that names an array element with a command substitution in the subscript: bash runs it when the string
// is evaluated as arithmetic (`$((x))`, `[[ -v ]]`, `printf -v`, `read`, declare -i) or used as a variable name.
// One forward pass that remembers the last `[` after a name and the last `]`: linear, whatever the text holds (a
// scan back from every `$(` would cost its length times the number of substitutions).
const MAX_SUBSCRIPT_SCAN = 512;
const NAME_CHAR = /[A-Za-z0-9_]/;

function subscriptCode(text: string): string | null {
  if (!text.includes('[') || (!text.includes('$(') && !text.includes('`'))) return null;
  let open = -1;
  let close = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 93)
      close = i; // ]
    else if (c === 91 && i >= 1 && NAME_CHAR.test(text[i - 1]))
      open = i; // [ after a name
    else if (
      (c === 96 || (c === 36 && text.charCodeAt(i + 1) === 40)) &&
      open > close &&
      i - open <= MAX_SUBSCRIPT_SCAN
    ) {
      const end = text.indexOf(']', i);
      return text.slice(open + 1, end < 0 ? Math.min(text.length, i + MAX_SUBSCRIPT_SCAN) : end);
    }
  }
  return null;
}

/** The parts of a word whose text is fixed by the source (quotes removed), joined; expansions become NUL. */
function literalText(parts: readonly WordPart[]): string {
  let out = '';
  for (const p of parts) {
    if (p.type === 'Literal' || p.type === 'SingleQuoted' || p.type === 'AnsiCQuoted') out += p.value;
    else if (p.type === 'Glob')
      out += p.value; // kept as text when nothing matches
    else if (p.type === 'ExtendedGlob' || p.type === 'BraceExpansion') out += p.text;
    else if (p.type === 'DoubleQuoted' || p.type === 'LocaleString')
      out += p.parts.map((c) => (c.type === 'Literal' ? c.value : '\u0000')).join('');
    else out += '\u0000';
  }
  return out;
}

interface WalkState {
  result: WalkResult;
  limits: WalkLimits;
  nodes: number;
  arguments: number;
  stopped: boolean;
  /** Variables whose value this line shows (arithmetic may read them). */
  known: Set<string>;
}

export function walk(script: ParsedScript, limits: WalkLimits, findings: Finding[] = []): WalkResult {
  const state: WalkState = {
    result: { commands: [], findings, code: [], nodes: 0, stopped: false },
    limits,
    nodes: 0,
    arguments: 0,
    stopped: false,
    known: new Set(),
  };
  visit(script, 0, false, state);
  return { ...state.result, nodes: state.nodes, stopped: state.stopped };
}

function report(state: WalkState, finding: Finding): void {
  state.result.findings.push(finding);
}

function visit(node: SyntaxNode, depth: number, pipedIn: boolean, state: WalkState): void {
  if (state.stopped) return;
  if (++state.nodes > state.limits.maxNodes || depth > state.limits.maxDepth) {
    state.stopped = true;
    report(state, {
      rule: 'parse',
      reason: `the command is too large or too deeply nested to check (limits: ${state.limits.maxNodes} syntax nodes, nesting ${state.limits.maxDepth}); split it into smaller commands`,
    });
    return;
  }
  if (!KNOWN_TYPES.has(node.type)) {
    report(state, {
      rule: 'parse',
      reason: `the policy does not understand the construct '${node.type}'; rewrite the command more plainly`,
    });
    return;
  }
  const child = (n: SyntaxNode) => visit(n, depth + 1, false, state);
  switch (node.type) {
    case 'Script':
      checkScript(node, state);
      break;
    case 'CommandExpansion':
    case 'ProcessSubstitution':
    case 'ArithmeticCommandExpansion':
      if (!node.script) report(state, { rule: 'parse', reason: `could not parse the substitution ${clip(node.text)}` });
      break;
    case 'ArithmeticExpansion':
      if (!node.expression && node.text.replace(/^\$\(\(|\)\)$/g, '').trim()) {
        report(state, { rule: 'parse', reason: `could not parse the arithmetic ${clip(node.text)}` });
      }
      break;
    case 'ArithmeticCommand':
      if (!node.expression && node.body.trim())
        report(state, { rule: 'parse', reason: `could not parse the arithmetic (( ${clip(node.body)} ))` });
      break;
    case 'Pipeline':
      node.commands.forEach((c, i) => visit(c, depth + 1, i > 0, state));
      return;
    case 'Command':
      visitCommand(node, pipedIn, state);
      break;
    case 'Redirected':
      // Redirections of a compound command (`{ ...; } > file`, `done < file`): checked like a command's own.
      state.result.commands.push({
        argv: [],
        env: [],
        stdin: true,
        extraArgs: false,
        via: null,
        redirects: node.redirects,
      });
      break;
    case 'Function':
      report(state, {
        rule: 'shell-state',
        reason: `defining the function '${node.name.value}' would change what a command name runs; write the commands out, or put them in a script file and run it with bash FILE`,
      });
      break;
    case 'For':
    case 'Select':
      checkAssignment(node.name.value, null, true, state.result.findings);
      if (node.type === 'For' && node.wordlist?.every((w) => wordArg(w).literal)) state.known.add(node.name.value);
      else state.known.delete(node.name.value);
      break;
    case 'ArithmeticBinary':
      if (/^[^=!<>]?=$|^(<<|>>)=$/.test(node.operator) && node.left.type === 'ArithmeticWord') {
        checkAssignment(node.left.value, null, true, state.result.findings);
        // `x = ...` stores a number; the other assignment operators read x first.
        if (node.operator === '=') state.known.add(node.left.value);
      }
      break;
    case 'ArithmeticWord': {
      const name = arithmeticVariable(node.value);
      const finding = name === null ? null : unknownValue(name, state.known, `the arithmetic ${clip(node.value)}`);
      if (finding) report(state, finding);
      break;
    }
    case 'TestUnary':
      if (node.operator === '-v' && !wordArg(node.operand).literal)
        report(state, {
          rule: 'hidden-evaluation',
          reason: `[[ -v ${clip(node.operand.value)} ]] evaluates a variable name known only at run time (a subscript in it runs its $( )); write the name literally`,
        });
      break;
    case 'ParameterExpansion':
      if (node.operation?.type === 'Transform' && /P/.test(node.operation.operand.value)) {
        report(state, {
          rule: 'hidden-evaluation',
          reason: `${node.text} expands the value as a prompt, which runs command substitutions in it; use ${'${'}${node.parameter}} instead`,
        });
      }
      if (node.operation?.type === 'Default' && (node.operation.operator === '=' || node.operation.operator === ':=')) {
        checkAssignment(node.parameter, null, true, state.result.findings);
      }
      if (node.operation?.type === 'Unknown')
        report(state, { rule: 'parse', reason: `unknown parameter expansion ${clip(node.text)}` });
      if (node.prefix === '!' && node.operation?.type !== 'Names' && !node.index) {
        const finding = unknownValue(node.parameter, state.known, `\${!${node.parameter}}`);
        if (finding) report(state, finding);
      }
      break;
    case 'HereDoc':
      if (node.delimiter && !node.closing) {
        report(state, { rule: 'parse', reason: `the here-document is not closed by a line '${node.delimiter.value}'` });
      }
      break;
    case 'HereDocBody':
      // A quoted here-document is data; its text still must not hide code for array subscripts.
      if (!node.parts) checkSubscriptCode(state, node.text);
      forEachChild(node, (n) => visit(n, depth + 1, false, state));
      return;
    case 'Word':
      checkSubscriptCode(state, node.parts ? literalText(node.parts) : node.value);
      break;
    default:
      break;
  }
  forEachChild(node, child);
}

function checkScript(script: ParsedScript, state: WalkState): void {
  for (const error of script.errors ?? []) {
    report(state, {
      rule: 'parse',
      reason: `the command does not parse: ${error.message} (at offset ${error.pos}); fix the syntax`,
    });
  }
}

function visitCommand(node: Command, pipedIn: boolean, state: WalkState): void {
  const findings = state.result.findings;
  if (!node.name) {
    // Only assignments (and maybe redirects): they last in the shell.
    for (const p of node.prefix) {
      if (p.type !== 'Assignment') continue;
      const value = assignmentArg(p);
      checkAssignment(p.name, value, true, findings);
      if ((value.literal || isArithmetic(p.value)) && !p.append) state.known.add(p.name);
      else state.known.delete(p.name);
    }
    if (node.redirects.length > 0) {
      state.result.commands.push({
        argv: [],
        env: [],
        stdin: true,
        extraArgs: false,
        via: null,
        redirects: node.redirects,
      });
    }
    return;
  }
  const env: SimpleCommand['env'] = [];
  for (const p of node.prefix) {
    if (p.type === 'Assignment') {
      const value = assignmentArg(p);
      env.push({ name: p.name, value });
      checkAssignment(p.name, value, false, findings);
    }
  }
  const argv: Arg[] = [wordArg(node.name)];
  for (const a of node.args) {
    if (a.type === 'Word') argv.push(wordArg(a));
    else {
      const value = assignmentArg(a);
      argv.push({ ...value, value: `${a.name}${a.append ? '+' : ''}=${value.value}`, assigns: a.name });
      // `local i=0`, `export N=3`: the value is shown here.
      if (value.literal && !a.append) state.known.add(a.name);
      else state.known.delete(a.name);
    }
  }
  const stdin =
    pipedIn ||
    node.redirects.some(
      (r) =>
        r.type !== 'Redirect' ||
        ((r.operator === '<' || r.operator === '<>' || r.operator === '<&') &&
          (!r.descriptor || (r.descriptor.type === 'FileDescriptor' && r.descriptor.value === 0))),
    );
  state.result.commands.push({ argv, env, stdin, extraArgs: false, via: null, redirects: node.redirects });
  state.arguments += argv.length;
  const { maxCommands, maxArguments } = state.limits;
  if (state.result.commands.length > maxCommands || state.arguments > maxArguments) {
    state.stopped = true;
    report(state, {
      rule: 'parse',
      reason: `the command is too large to check: it holds more than ${state.result.commands.length > maxCommands ? `${maxCommands} simple commands` : `${maxArguments} arguments`}; split it into smaller commands`,
    });
  }
}

/** `$((…))` alone: bash stores the number it evaluates to (the expression itself is checked where it stands). */
function isArithmetic(value: Word | ArrayValue): boolean {
  return value.type === 'Word' && value.parts?.length === 1 && value.parts[0].type === 'ArithmeticExpansion';
}

function assignmentArg(a: { value: Word | ArrayValue }): Arg {
  const value = a.value;
  if (value.type === 'ArrayValue') {
    const elements = value.elements.map(wordArg);
    return {
      value: `(${elements.map((e) => e.value).join(' ')})`,
      literal: elements.every((e) => e.literal),
      pattern: elements.some((e) => e.pattern),
    };
  }
  return wordArg(value);
}

function checkSubscriptCode(state: WalkState, text: string): void {
  const code = subscriptCode(text);
  if (code === null) return;
  report(state, {
    rule: 'hidden-evaluation',
    reason: `the text ${clip(text)} holds a command substitution inside an array subscript, which bash runs when the text is used in arithmetic or as a variable name; write the value without $( ) or backticks`,
  });
  // What it would run, for the Decision's commands and the other rules.
  state.result.code.push(`: ${code}`);
}

export function clip(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
