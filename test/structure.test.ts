// The shape issue 15 set for src/, held by a test: small files, no import cycle, dependencies that point downward, and
// the process environment read only by the entries (the Action's and the CLI's), which turn it into RepairConfig.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = resolve('src');
const MAX_LINES = 450;
/** Over the limit, each capped at its size now so it can only shrink (none today: keep it that way). */
const LONG_FILES_LEFT = new Map<string, number>();
/** The entries: the only code that reads process.env (and @actions/core). */
const ENTRIES = ['src/action/', 'src/cli/'];
/** Below the entries, yet reading process.env, each with why it still does (none today: keep it that way). */
const ENV_READERS_LEFT = new Set<string>();

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

const FILES = sourceFiles(SRC);
const name = (path: string): string => relative(process.cwd(), path).split('\\').join('/');
const parsed = new Map(
  FILES.map((path) => [path, ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true)]),
);

/** The src files a file imports or re-exports from (type-only imports too: a cycle of types is still a knot). */
function importsOf(path: string): string[] {
  const found: string[] = [];
  for (const statement of parsed.get(path)!.statements) {
    const specifier =
      (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
      statement.moduleSpecifier &&
      ts.isStringLiteral(statement.moduleSpecifier)
        ? statement.moduleSpecifier.text
        : undefined;
    if (!specifier?.startsWith('.')) continue;
    const target = resolve(dirname(path), specifier.replace(/\.js$/, '.ts'));
    if (parsed.has(target)) found.push(target);
  }
  return found;
}

/** Every import cycle, each as the chain of files that closes it (depth-first search over the import graph). */
function cycles(): string[][] {
  const graph = new Map(FILES.map((path) => [path, importsOf(path)]));
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (path: string): void => {
    state.set(path, 'open');
    stack.push(path);
    for (const next of graph.get(path) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next].map(name));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(path, 'done');
  };
  for (const path of FILES) if (!state.has(path)) visit(path);
  return found;
}

/** `process.env` in code (not in comments or strings), as file:line. */
function envReads(path: string): string[] {
  const file = parsed.get(path)!;
  const reads: string[] = [];
  const walk = (node: ts.Node): void => {
    if (
      ts.isPropertyAccessExpression(node) &&
      node.name.text === 'env' &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'process'
    ) {
      reads.push(`${name(path)}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`);
    }
    ts.forEachChild(node, walk);
  };
  walk(file);
  return reads;
}

describe('src/ structure', () => {
  it('reads a real tree (the checks below are not vacuous)', () => {
    expect(FILES.length).toBeGreaterThan(100);
    expect(importsOf(join(SRC, 'cli/index.ts')).length).toBeGreaterThan(5);
    expect(envReads(join(SRC, 'cli/io.ts'))).not.toEqual([]);
  });

  it(`has no file over ${MAX_LINES} lines`, () => {
    const long = FILES.map((path) => [name(path), readFileSync(path, 'utf8').split('\n').length - 1] as const).filter(
      ([file, lines]) => lines > (LONG_FILES_LEFT.get(file) ?? MAX_LINES),
    );
    expect(long).toEqual([]);
  });

  it('has no import cycle', () => {
    expect(cycles()).toEqual([]);
  });

  it('reads process.env only in the entries', () => {
    const below = FILES.filter((path) => !ENTRIES.some((entry) => name(path).startsWith(entry)));
    const reads = below.filter((path) => !ENV_READERS_LEFT.has(name(path))).flatMap(envReads);
    expect(reads).toEqual([]);
    // An exception that no longer reads it is dropped from the list, so the list only ever shrinks.
    for (const left of ENV_READERS_LEFT) expect(envReads(resolve(left)), left).not.toEqual([]);
  });

  it('reaches the agent room only through agent/index.ts from outside it', () => {
    const past = FILES.filter((path) => !name(path).startsWith('src/agent/')).flatMap((path) =>
      importsOf(path)
        .map(name)
        .filter((target) => target.startsWith('src/agent/') && target !== 'src/agent/index.ts')
        .map((target) => `${name(path)} -> ${target}`),
    );
    expect(past).toEqual([]);
  });
});
