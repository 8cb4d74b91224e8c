// One rule for directory changes (issue 9): options that run a program elsewhere move the directory like cd does, and
// arithmetic or indirection over a variable whose value the line does not show is dynamic evaluation.
import { describe, expect, it } from 'vitest';
import { evaluate, type PolicyConfig } from '../../src/policy/index.js';

const config: PolicyConfig = {
  allow: [],
  deny: [],
  protectedPaths: ['docs/'],
  disabledRules: [],
  workspace: '/work/repo',
  home: '/home/runner',
};
const rule = (command: string) => evaluate(command, config).rule;

describe('directory options move the directory as cd does', () => {
  it.each([
    ['git -C .github rm -r workflows'],
    ['git -C sub -C ../.git status'],
    ['make -C .git'],
    ['make --directory=docs html'],
    ['npm --prefix .github install'],
    ['pnpm --dir docs build'],
    ['yarn --cwd .github test'],
  ])('%s runs inside a protected path: denied', (command) => {
    expect(rule(command)).toBe('default:protected-paths');
  });

  it('resolves the paths after the move against the new directory', () => {
    expect(rule('git -C docs rm index.md')).toBe('default:protected-paths');
    expect(rule('git -C sub rm index.md')).toBe(null);
    // A directory known only at run time: relative writes cannot be checked, as after cd "$D".
    expect(rule('git -C "$D" rm x')).toBe('default:protected-paths');
    expect(rule('cd "$D" && git rm x')).toBe('default:protected-paths');
  });

  it('allows the ordinary uses', () => {
    for (const c of [
      'git -C sub status',
      'make -C build test',
      'make -j4 -C build',
      'npm test --prefix app',
      'go -C tools build ./...',
    ]) {
      expect(evaluate(c, config)).toMatchObject({ allowed: true });
    }
  });
});

describe('dynamic evaluation through arithmetic and indirection', () => {
  it.each([
    ['echo $((x))'],
    ['echo $(( $x + 1 ))'],
    ['((n++))'],
    ['echo ${!name}'],
    ['[[ -v $name ]]'],
    ['[ -v "$name" ]'],
    ['x=$(cat f); echo $((x))'],
  ])('%s reads a value the line does not show: denied', (command) => {
    expect(rule(command)).toBe('default:hidden-evaluation');
  });

  it.each([
    ['x=3; echo $((x + 1))'],
    ['for i in 1 2 3; do echo $((i * 2)); done'],
    ['for ((i = 0; i < 3; i++)); do echo $i; done'],
    ['n=0; ((n++)); echo $n'],
    ['echo $((RANDOM % 6)) $(($# + 1))'],
    ['name=HOME; echo ${!name}'],
    ['echo ${!prefix*} ${!array[@]}'],
    ['[[ -v HOME ]]'],
  ])('%s shows the value: allowed', (command) => {
    expect(evaluate(command, config)).toMatchObject({ allowed: true });
  });
});
