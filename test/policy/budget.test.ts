// The policy cannot be used to stall the loop: past a counted bound of work the command is denied with a reason that
// names the bound (the times are measured by `npm run bench -- policy`, not here).
import { describe, expect, it } from 'vitest';
import { WORK_LIMITS } from '../../src/policy/context.js';
import { evaluate, MAX_COMMAND_LENGTH, type PolicyConfig } from '../../src/policy/index.js';

const config: PolicyConfig = {
  allow: [],
  deny: [],
  protectedPaths: [],
  disabledRules: [],
  workspace: '/work/repo',
  home: '/home/runner',
};

function findWithExecs(starts: number, execs: number, exec: string): string {
  const points = Array.from({ length: starts }, (_, i) => `src/d${i}`).join(' ');
  return `find ${points}${` -exec ${exec} \\;`.repeat(execs)}`;
}

describe('work bounds', () => {
  it('checks find -exec for every start point while that stays within the bound, and denies past it', () => {
    expect(evaluate(findWithExecs(20, 3, 'rm {}'), config).allowed).toBe(true);
    expect(evaluate(findWithExecs(20, 3, 'rm -rf {}/../../..'), config)).toMatchObject({
      allowed: false,
      rule: 'default:destructive-rm',
    });
    const big = findWithExecs(3000, 3000, 'rm {}');
    expect(big.length).toBeLessThan(MAX_COMMAND_LENGTH);
    const d = evaluate(big, config);
    expect(d).toMatchObject({ allowed: false, rule: 'parse' });
    expect(d.reason).toMatch(
      new RegExp(
        `more than (the )?(${WORK_LIMITS.commands.max} simple commands|${WORK_LIMITS.arguments.max} arguments|${WORK_LIMITS.tokens.max.toLocaleString('en-US')} words and operators)`,
      ),
    );
  });

  it('checks an -exec without {} once, whatever the number of start points', () => {
    const d = evaluate(findWithExecs(5000, 1, 'touch stamp'), config);
    expect(d).toMatchObject({ allowed: true });
  });

  it('bounds the code nested in strings, counted over every copy find makes of it', () => {
    const script = Array.from({ length: 300 }, (_, i) => `echo ${i} {}`).join('; ');
    const d = evaluate(findWithExecs(400, 1, `bash -c '${script}'`), { ...config, sandboxed: true });
    expect(d).toMatchObject({ allowed: false, rule: 'parse' });
    expect(d.reason).toMatch(
      /too large to check: it (needs|holds) more than \d+ (characters of nested code|simple commands|characters of find -exec)/,
    );
  });

  it('bounds the arguments checked, over every command of the line', () => {
    expect(evaluate(`echo ${'a '.repeat(5_000)}`, config).allowed).toBe(true);
    const d = evaluate(`echo ${'a '.repeat(WORK_LIMITS.arguments.max)}`, config);
    expect(d).toMatchObject({ allowed: false, rule: 'parse' });
    expect(d.reason).toContain(`more than ${WORK_LIMITS.arguments.max} arguments`);
  });

  it('bounds the syntax nodes over a whole line of statements', () => {
    const d = evaluate('true; '.repeat(40_000), config);
    expect(d).toMatchObject({ allowed: false, rule: 'parse' });
    expect(d.reason).toMatch(/too large/);
  });

  it('matches find filters of many stars without backtracking into a denial of service', () => {
    // No sample path under .git or .github has 2000 a's: what find deletes is an ordinary file.
    expect(evaluate(`find . -path "${'*a'.repeat(2000)}*b" -delete`, config).allowed).toBe(true);
    expect(evaluate(`find . -path "*.g*t*" -delete`, config).allowed).toBe(false);
  });
});
