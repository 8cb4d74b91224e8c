// The command policy: parse a command line with a real bash parser, find every simple command wherever it stands,
// unwrap wrappers, and decide. Pure: no tmux, no process.env, no I/O.
//
// Why there is no second, strict parse with `bash -n`: spawning bash costs milliseconds per command, ten times the
// whole budget of this module (< 1 ms per decision, see bench/policy.bench.ts). unbash reports its own errors and
// partial trees, and every one of them is a denial here; the differential test (test/policy/differential.test.ts)
// checks against real bash that nothing runs which the policy did not see.
//
// What it cannot see, by design (the boundary is the session's environment, not this module): code in files that
// run later (scripts, package.json scripts, Makefiles, test files), the contents of archives, paths that xargs
// reads at run time (writers fed by xargs are refused only when the line names a protected path), values assembled
// at run time that bash later evaluates as arithmetic, and what an allowed program does on its own.
import { posix } from 'node:path';
import { parse } from 'unbash';
import { ConfigError, DEFAULT_PROTECTED_PATHS, type PolicySettings } from '../config.js';
import { checkCommand } from './checks.js';
import { credentialPaths } from './credentials.js';
import { newBudget, spend, WORK_LIMITS, type CheckContext } from './context.js';
import { compilePattern, joinArgv } from './patterns.js';
import { protectedHit, resolvePath, type PathContext } from './paths.js';
import { DEFAULT_RULES, isRuleName, type Finding } from './rules.js';
import { measureShape } from './size.js';
import type { Decision, PolicyConfig } from './types.js';
import { walk, type SimpleCommand } from './walk.js';
import type { Arg } from './words.js';

export type { Decision, PolicyConfig } from './types.js';
export { DEFAULT_RULES, listDefaultRules, type RuleName } from './rules.js';
export { checkPattern } from './patterns.js';

/** Longest command line checked; past it the command is denied (a here-document with a whole source file fits). */
export const MAX_COMMAND_LENGTH = 256 * 1024;
/** Syntax nodes (over the command and all code nested in it) and nesting the walk visits at most. */
export const MAX_SYNTAX_NODES = WORK_LIMITS.nodes.max;
export const MAX_NESTING = 160;
/** Nesting of substitutions, quotes, parentheses and braces the pre-parse scan accepts (real commands: under 10). */
export const MAX_SOURCE_DEPTH = 64;
/** Here-documents in one piece of code (a parser's cost grows faster than their count when they share a line). */
export const MAX_HERE_DOCS = 100;

/** Wrappers that only change how the inner command runs: in allowlist mode the inner command must match instead. */
const NEUTRAL_WRAPPERS = new Set(['env', 'timeout', 'nice', 'nohup', 'stdbuf', 'command', 'builtin', 'time', 'xargs']);

export function evaluate(command: string, config: PolicyConfig): Decision {
  try {
    return decide(command, config);
  } catch (error) {
    // Fail closed: a bug here must never let a command through, nor crash the repair loop.
    return denied(
      `the policy could not check this command (${(error as Error).message}); write it more simply`,
      'parse',
      [],
    );
  }
}

function decide(command: string, config: PolicyConfig): Decision {
  if (command.length > MAX_COMMAND_LENGTH) {
    return denied(
      `the command is ${command.length} characters long, more than the ${MAX_COMMAND_LENGTH} the policy checks; write long files with the edit tool or in smaller pieces`,
      'parse',
      [],
    );
  }
  if (command.includes('\0'))
    return denied('the command contains a NUL byte, which bash cannot run; remove it', 'parse', []);
  const disabled = new Set(config.disabledRules);
  const workspace = posix.resolve(config.workspace);
  const home = config.home ? posix.resolve(config.home) : undefined;
  const places = placesFor(config.protectedPaths, workspace, home);
  const all: SimpleCommand[] = [];
  const cx: CheckContext = {
    paths: {
      workspace,
      home,
      cwd: config.cwd ? posix.resolve(workspace, config.cwd) : workspace,
      protectedPaths: places.protectedPaths,
    },
    sandboxed: config.sandboxed === true,
    credentials: places.credentials,
    findings: [],
    unwrapped: [],
    nested: (code, asScript) => nestedAnalysis(code, cx, all, 1, asScript),
    check: (cmd, depth) => checkCommand(cmd, cx, depth),
    budget: newBudget(),
  };
  analyze(command, cx, all, 0);
  const commands = all.filter((c) => c.argv.length > 0).map((c) => c.argv.map((a) => a.value));

  const finding = firstFinding(cx.findings, disabled, cx.sandboxed);
  if (finding) return denied(finding.reason, finding.rule === 'parse' ? 'parse' : `default:${finding.rule}`, commands);

  const joined = config.deny.length > 0 ? commands.map(joinArgv) : [];
  for (const source of config.deny) {
    const pattern = compilePattern(source);
    if (pattern instanceof Error)
      return denied(`the deny pattern is invalid: ${pattern.message}`, `deny:${source}`, commands);
    for (const [k, argv] of commands.entries()) {
      if (pattern.test(joined[k])) {
        return denied(
          `'${joinArgv(argv)}' matches the deny pattern '${pattern.source}' set for this repository; find another way`,
          `deny:${pattern.source}`,
          commands,
        );
      }
    }
  }

  if (config.allow.length > 0) {
    const patterns = [];
    for (const source of config.allow) {
      const pattern = compilePattern(source);
      if (pattern instanceof Error)
        return denied(`the allow pattern is invalid: ${pattern.message}`, `allow:${source}`, commands);
      patterns.push(pattern);
    }
    let matched: string | null = null;
    for (const cmd of all) {
      if (cmd.argv.length === 0) continue;
      const argv = cmd.argv.map((a) => a.value);
      const wrapper =
        NEUTRAL_WRAPPERS.has(posix.basename(argv[0])) && all.some((c) => c.via === posix.basename(argv[0]));
      const hit = patterns.find((p) => p.test(joinArgv(argv)));
      if (hit) {
        matched ??= hit.source;
        continue;
      }
      if (wrapper) continue;
      return denied(
        `'${joinArgv(argv)}' matches none of the allowed patterns (${config.allow.join(', ')}); only those commands may run here`,
        'allowlist',
        commands,
      );
    }
    return {
      allowed: true,
      reason: `every command matches an allowed pattern`,
      rule: matched ? `allow:${matched}` : null,
      commands,
    };
  }
  return { allowed: true, reason: 'no rule denies it', rule: null, commands };
}

/** Code handed to eval, trap, `bash -c` and the like is parsed too, so `commands` shows what it would run. */
const MAX_NESTED_CODE = 4;

function analyze(source: string, cx: CheckContext, all: SimpleCommand[], level: number): void {
  if (cx.budget.exceeded) return;
  if (level > MAX_NESTED_CODE) {
    cx.findings.push({
      rule: 'parse',
      reason: `code nested in strings more than ${MAX_NESTED_CODE} deep; write the command out`,
    });
    return;
  }
  if (level > 0 && !spend(cx, 'nestedSource', source.length)) return;
  if (!withinShape(source, cx, level)) return;
  let script;
  try {
    script = parse(source);
  } catch (error) {
    cx.findings.push({
      rule: 'parse',
      reason: `the command could not be parsed (${(error as Error).message}); simplify it`,
    });
    return;
  }
  const { spent } = cx.budget;
  const result = walk(
    script,
    {
      maxDepth: MAX_NESTING,
      maxNodes: WORK_LIMITS.nodes.max - spent.nodes,
      maxCommands: WORK_LIMITS.commands.max - spent.commands,
      maxArguments: WORK_LIMITS.arguments.max - spent.arguments,
    },
    cx.findings,
  );
  cx.budget.spent.nodes += result.nodes;
  if (result.stopped) {
    cx.budget.exceeded ??= 'nodes';
    return;
  }
  const outer = cx.nested;
  cx.nested = (code, asScript) => nestedAnalysis(code, cx, all, level + 1, asScript);
  cx.mentionsProtected ||= result.commands.some((c) => c.argv.some((a) => namesProtected(a, cx.paths)));
  for (const cmd of result.commands) {
    if (cx.budget.exceeded) break;
    all.push(cmd);
    const saved = cx.unwrapped;
    cx.unwrapped = [];
    checkCommand(cmd, cx);
    for (const u of cx.unwrapped) all.push(u);
    cx.unwrapped = saved;
  }
  for (const code of result.code) analyze(code, cx, all, level + 1);
  cx.nested = outer;
}

/**
 * The pre-parse bound (size.ts): a linear count of the words and operators, and of the nesting, before any tree is
 * built, so a command made to stall the policy is refused in a millisecond. Code nested in strings spends from the
 * same budget as the command around it.
 */
function withinShape(source: string, cx: CheckContext, level: number): boolean {
  const limit = WORK_LIMITS.tokens.max;
  const shape = measureShape(source, limit - cx.budget.spent.tokens, MAX_SOURCE_DEPTH);
  const where = level > 0 ? 'code nested in this command' : 'this command';
  let reason: string | null = null;
  if (shape.depth > MAX_SOURCE_DEPTH) {
    reason = `${where} nests substitutions, quotes or brackets more than ${MAX_SOURCE_DEPTH} levels deep, more than the policy judges; write it flatter, or write a script file and run it with bash FILE`;
  } else if (shape.hereDocs > MAX_HERE_DOCS) {
    reason = `${where} has ${shape.hereDocs} here-documents, more than the ${MAX_HERE_DOCS} the policy judges; write the files in several commands`;
  } else if (cx.budget.spent.tokens + shape.tokens > limit) {
    const size = `${Math.ceil(source.length / 1024)} KB`;
    reason = `the command is too large to judge: ${level > 0 ? `with the code nested in it (bash -c, eval, find -exec; ${size} at the deepest)` : `at ${size}`} it has more than ${limit.toLocaleString('en-US')} words and operators, the most the policy checks; split it into smaller commands, or write a script file and run it with bash FILE`;
  }
  if (reason === null) {
    cx.budget.spent.tokens += shape.tokens;
    return true;
  }
  cx.budget.exceeded ??= 'tokens';
  cx.findings.push({ rule: 'parse', reason });
  return false;
}

/** A word that is, or spells, a protected path (`.git/x`, `./.github`, an absolute protected path). */
function namesProtected(arg: Arg, paths: PathContext): boolean {
  if (/(^|\/)\.git(hub)?(\/|$)/.test(arg.value)) return true;
  const path = arg.literal ? resolvePath(arg, paths) : null;
  return path !== null && protectedHit(path, paths, false) !== null;
}

/** Rules about the agent's own shell: a script runs in a child shell, where exit, set -e, traps and the rest are its own. */
const SCRIPT_RELAXED = new Set(['session', 'shell-state', 'dynamic-command-name']);

function nestedAnalysis(code: string, cx: CheckContext, all: SimpleCommand[], level: number, asScript = false): void {
  if (!asScript) return analyze(code, cx, all, level);
  const outer = cx.findings;
  const savedCwd = cx.paths.cwd;
  cx.findings = [];
  try {
    analyze(code, cx, all, level);
  } finally {
    outer.push(...cx.findings.filter((f) => !SCRIPT_RELAXED.has(f.rule)));
    cx.findings = outer;
    cx.paths.cwd = savedCwd; // a cd inside the script does not move the agent's shell
  }
}

function firstFinding(findings: Finding[], disabled: Set<string>, sandboxed: boolean): Finding | undefined {
  // A parse failure outranks everything: the rest of the analysis stands on a tree that may be wrong.
  return (
    findings.find((f) => f.rule === 'parse') ??
    findings.find((f) => !disabled.has(f.rule) && !(sandboxed && f.outsideSandboxOnly))
  );
}

function denied(reason: string, rule: string, commands: string[][]): Decision {
  return { allowed: false, reason, rule, commands };
}

/** Files in the home directory that configure git, the shell or registries: writing them changes what later runs. */
const HOME_PROTECTED_PATHS = [
  '~/.gitconfig',
  '~/.config/git',
  '~/.bashrc',
  '~/.bash_profile',
  '~/.bash_login',
  '~/.bash_logout',
  '~/.profile',
  '~/.inputrc',
  '~/.ssh',
  '~/.netrc',
  '~/.git-credentials',
  '~/.docker',
  '~/.npmrc',
];

/**
 * The protected and credential paths of one configuration, kept from the last decision: a loop asks about the same
 * workspace, home and protected paths every time, and building them was a tenth of a decision.
 */
let lastPlaces: {
  configured: readonly string[];
  workspace: string;
  home: string | undefined;
  protectedPaths: string[];
  credentials: { path: string; home: boolean }[];
} | null = null;

function placesFor(configured: readonly string[], workspace: string, home: string | undefined) {
  const last = lastPlaces;
  if (last && last.configured === configured && last.workspace === workspace && last.home === home) return last;
  lastPlaces = {
    configured,
    workspace,
    home,
    protectedPaths: protectedPaths(configured, workspace, home),
    credentials: credentialPaths(home, workspace),
  };
  return lastPlaces;
}

/** Absolute protected paths: the defaults plus the configured ones; `~/` against home, relative against the workspace. */
export function protectedPaths(configured: readonly string[], workspace: string, home: string | undefined): string[] {
  const out = new Set<string>();
  for (const raw of [...DEFAULT_PROTECTED_PATHS, ...HOME_PROTECTED_PATHS, ...configured]) {
    const p = raw.trim();
    if (!p) continue;
    let abs: string;
    if (p === '~' || p.startsWith('~/')) {
      if (!home) continue;
      abs = posix.join(home, p.slice(1));
    } else {
      abs = posix.resolve(workspace, p);
    }
    out.add(abs.length > 1 ? abs.replace(/\/+$/, '') : abs);
  }
  return [...out];
}

/** Input names used in configuration errors; the Action's names by default, the CLI passes its flags. */
export interface PolicyInputNames {
  allow: string;
  deny: string;
  protectedPaths: string;
  disabledRules: string;
}

const ACTION_INPUTS: PolicyInputNames = {
  allow: 'allow',
  deny: 'deny',
  protectedPaths: 'protected-paths',
  disabledRules: 'disable-rules',
};

/**
 * The PolicyConfig both entries build: validates patterns and rule names (ConfigError naming the input), keeps the
 * default protected paths.
 */
export function policyConfigFrom(
  settings: PolicySettings,
  workspace: string,
  home?: string,
  inputs: PolicyInputNames = ACTION_INPUTS,
): PolicyConfig {
  for (const p of settings.allow) checkPatternFor(inputs.allow, p);
  for (const p of settings.deny) checkPatternFor(inputs.deny, p);
  for (const r of settings.disabledRules) {
    if (!isRuleName(r)) {
      throw new ConfigError(
        inputs.disabledRules,
        `"${r}" is not a default rule; known rules: ${DEFAULT_RULES.map((d) => d.name).join(', ')}`,
      );
    }
  }
  for (const p of settings.protectedPaths) {
    if (p.trim() === '' || /[*?[]/.test(p)) {
      throw new ConfigError(
        inputs.protectedPaths,
        `"${p}" is not a path; give a directory or file relative to the workspace, like docs/ or package-lock.json`,
      );
    }
  }
  return {
    allow: [...settings.allow],
    deny: [...settings.deny],
    protectedPaths: [...new Set([...DEFAULT_PROTECTED_PATHS, ...settings.protectedPaths])],
    disabledRules: [...settings.disabledRules],
    workspace: posix.resolve(workspace),
    ...(home ? { home } : {}),
  };
}

function checkPatternFor(input: string, pattern: string): void {
  const compiled = compilePattern(pattern);
  if (compiled instanceof Error) throw new ConfigError(input, compiled.message);
}
