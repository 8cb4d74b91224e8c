// The pre-parse bound (src/policy/size.ts): a linear count of words and operators, nesting and here-documents before
// any tree is built, shared by the code nested in the command. What it refuses, what it leaves to the parser, and that
// no command a real agent ran comes near it. The times are measured by `npm run bench -- policy`, not here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WORK_LIMITS } from '../../src/policy/context.js';
import { evaluate, MAX_HERE_DOCS, MAX_SOURCE_DEPTH, type PolicyConfig } from '../../src/policy/index.js';
import { measureShape } from '../../src/policy/size.js';
import { EVASIONS, REPAIR_COMMANDS } from './corpus.js';

const config: PolicyConfig = {
  allow: [],
  deny: [],
  protectedPaths: [],
  disabledRules: [],
  workspace: '/work/repo',
  home: '/home/runner',
  sandboxed: true,
};
const LIMIT = WORK_LIMITS.tokens.max;
const count = (source: string) => measureShape(source, Infinity, Infinity);

describe('measureShape', () => {
  it('counts words and operators of code, and stops just past the bound', () => {
    expect(count('echo a b c').tokens).toBe(4);
    expect(count('a && b | c; d').tokens).toBe(8); // each operator character is a token
    expect(count('echo $((1+2*3))').tokens).toBeGreaterThanOrEqual(8); // every arithmetic operator
    expect(measureShape('true; '.repeat(1000), 100, Infinity).tokens).toBe(101);
  });

  it('counts a quoted string as one token, and what is expanded inside double quotes', () => {
    expect(count(`echo '${'a b c; '.repeat(1000)}'`).tokens).toBe(2);
    expect(count(`echo "${'a b c; '.repeat(1000)}"`).tokens).toBe(2);
    expect(count(`echo "${'$x '.repeat(1000)}"`).tokens).toBeGreaterThan(1000);
    expect(count(`echo "$(${'true; '.repeat(500)})"`).tokens).toBeGreaterThan(1000);
  });

  it('skips quoted here-document bodies and comments, and counts what an unquoted body expands', () => {
    const text = 'const x = a[i] + b[j]; // $(not run) `nor this`\n'.repeat(1000);
    expect(count(`cat > a.ts <<'EOF'\n${text}EOF\necho done`).tokens).toBeLessThan(12);
    expect(count(`cat > a.ts <<"EOF"\n${text}EOF`).tokens).toBeLessThan(12);
    expect(count(`cat > a.ts <<\\EOF\n${text}EOF`).tokens).toBeLessThan(12);
    expect(count(`cat > a.ts <<EOF\n${text}EOF`).tokens).toBeGreaterThan(2000);
    expect(count(`cat > a.txt <<EOF\n${'plain words only\n'.repeat(1000)}EOF`).tokens).toBeLessThan(12);
    expect(count(`# ${'a b c; '.repeat(1000)}\necho x`).tokens).toBe(3); // #, echo, x
    expect(count(`echo a#b ${'x '.repeat(100)}`).tokens).toBeGreaterThan(100); // not a comment
  });

  it('reads the here-document forms a parser reads, and leaves the others as code', () => {
    const body = 'a b c d\n'.repeat(500);
    expect(count(`cat <<-'E'\n${body}\tE\necho z`).hereDocs).toBe(1);
    expect(count(`cat <<-'E'\n${body}\tE\necho z`).tokens).toBeLessThan(12);
    expect(count(`cat <<<'x' ${'y '.repeat(100)}`).hereDocs).toBe(0); // a here-string
    expect(count(`(( x = 1 << 2 ))\n${'a '.repeat(500)}`).tokens).toBeGreaterThan(500); // arithmetic, not a body
    expect(count(`echo "<<'E'"\n${'a '.repeat(500)}\nE`).tokens).toBeGreaterThan(500); // quoted, not an operator
  });

  it('follows case patterns inside $( ) and nesting of every kind', () => {
    expect(count(`echo "$(case x in a) ${'y; '.repeat(300)};; esac)"`).tokens).toBeGreaterThan(600);
    expect(count(`${'$('.repeat(10)}true${')'.repeat(10)}`).depth).toBe(11);
    expect(count(`echo ${'"$('.repeat(10)}x${')"'.repeat(10)}`).depth).toBe(21);
    expect(count(`${'( '.repeat(10)}true${' )'.repeat(10)}`).depth).toBe(11);
    expect(count(`echo ${'${a:-'.repeat(10)}b${'}'.repeat(10)}`).depth).toBe(11);
  });
});

describe('the pre-parse bound', () => {
  it(`refuses a command past ${LIMIT} words and operators before parsing it, saying how to go on`, () => {
    const d = evaluate(`echo ${'a '.repeat(LIMIT + 10)}`, config);
    expect(d).toMatchObject({ allowed: false, rule: 'parse' });
    expect(d.reason).toMatch(/too large to judge: at \d+ KB it has more than 12,000 words and operators/);
    expect(d.reason).toContain('split it into smaller commands, or write a script file and run it with bash FILE');
    expect(evaluate(`echo ${'a '.repeat(9000)}`, config).allowed).toBe(true);
  });

  it('refuses nesting past the bound, and here-documents past theirs', () => {
    const deep = evaluate(`echo ${'"$('.repeat(40)}x${')"'.repeat(40)}`, config);
    expect(deep).toMatchObject({ allowed: false, rule: 'parse' });
    expect(deep.reason).toContain(`more than ${MAX_SOURCE_DEPTH} levels deep`);
    expect(evaluate(`echo ${'"$(echo '.repeat(10)}x${')"'.repeat(10)}`, config).allowed).toBe(true);
    const doc = "cat <<'E' >/dev/null\nx\nE\n";
    expect(evaluate(doc.repeat(MAX_HERE_DOCS), config).allowed).toBe(true);
    const many = evaluate(doc.repeat(MAX_HERE_DOCS + 1), config);
    expect(many).toMatchObject({ allowed: false, rule: 'parse' });
    expect(many.reason).toContain(`${MAX_HERE_DOCS + 1} here-documents`);
  });

  it('lets large data through: a quoted here-document, a quoted argument', () => {
    const source = 'export const x = [1, 2, 3]; // $(not run)\n'.repeat(5000);
    expect(evaluate(`cat > src/big.ts <<'EOF'\n${source}EOF`, config).allowed).toBe(true);
    expect(evaluate(`python3 -c '${'print(1); '.repeat(10_000)}'`, config).allowed).toBe(true);
  });

  it('counts code nested in strings against the same budget as the command around it', () => {
    // 25 tokens a statement, a little over half the bound (and under the bounds on commands and arguments).
    const script = 'echo a b c d e f g h i j k l m n o p q r s t u v w; '.repeat(Math.floor(LIMIT / 2 / 25) + 10);
    expect(evaluate(`bash -c '${script}'`, config).allowed).toBe(true);
    const twice = evaluate(`bash -c '${script}'; eval '${script}'`, config);
    expect(twice).toMatchObject({ allowed: false, rule: 'parse' });
    expect(twice.reason).toContain('with the code nested in it');
  });

  it('passes every command real agents ran with room to spare (the largest under 5% of the bound)', () => {
    const rows = readFileSync(new URL('./false-deny.jsonl', import.meta.url), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { cmd: string }).cmd);
    const largest = Math.max(...[...rows, ...REPAIR_COMMANDS].map((c) => count(c).tokens));
    expect(largest).toBeLessThan(LIMIT * 0.05);
    const deepest = Math.max(...[...rows, ...REPAIR_COMMANDS].map((c) => count(c).depth));
    expect(deepest).toBeLessThan(MAX_SOURCE_DEPTH / 4);
    // The evasion corpus's deep nesting is refused here now, as it was by the walk before.
    const refused = EVASIONS.filter((e) => /levels deep|too large to judge/.test(evaluate(e.command, config).reason));
    expect(refused.every((e) => e.rule === 'parse')).toBe(true);
  });
});
