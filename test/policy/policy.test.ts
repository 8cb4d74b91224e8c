import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { main as policyCommand } from '../../src/cli/commands/policy.js';
import type { CliIo } from '../../src/cli/io.js';
import {
  DEFAULT_RULES,
  evaluate,
  listDefaultRules,
  MAX_COMMAND_LENGTH,
  policyConfigFrom,
  type PolicyConfig,
} from '../../src/policy/index.js';
import type { ParsedScript } from 'unbash';
import { walk } from '../../src/policy/walk.js';
import { globMatches } from '../../src/policy/words.js';
import { EVASIONS } from './corpus.js';

const WS = '/work/repo';
const config = (over: Partial<PolicyConfig> = {}): PolicyConfig => ({
  allow: [],
  deny: [],
  protectedPaths: [],
  disabledRules: [],
  workspace: WS,
  home: '/home/runner',
  ...over,
});

describe('commands', () => {
  it('lists every simple command as an argument vector, quotes removed, in every position', () => {
    const d = evaluate(`g''it diff -- "src/a b.ts" | tail -n 5 && echo $(wc -l < x) \${u:-$(date)}`, config());
    expect(d.allowed).toBe(true);
    expect(d.commands).toEqual([
      ['git', 'diff', '--', 'src/a b.ts'],
      ['tail', '-n', '5'],
      ['echo', '$(wc -l < x)', '${u:-$(date)}'],
      ['wc', '-l'],
      ['date'],
    ]);
  });

  it('adds the inner commands of wrappers and the code handed to eval and bash -c', () => {
    expect(evaluate('timeout 60 env NODE_ENV=test npm test', config()).commands).toEqual([
      ['timeout', '60', 'env', 'NODE_ENV=test', 'npm', 'test'],
      ['env', 'NODE_ENV=test', 'npm', 'test'],
      ['npm', 'test'],
    ]);
    expect(evaluate('eval "ls; curl x"', config()).commands).toEqual([['eval', 'ls; curl x'], ['ls'], ['curl', 'x']]);
    expect(evaluate('find src -name "*.ts" -exec grep -l foo {} +', config()).commands).toEqual([
      ['find', 'src', '-name', '*.ts', '-exec', 'grep', '-l', 'foo', '{}', '+'],
      ['grep', '-l', 'foo', '{}'],
    ]);
  });

  it('gives a denial a reason that says what to do instead', () => {
    expect(evaluate('vim src/a.ts', config()).reason).toMatch(/sed -i|edit tool/);
    expect(evaluate('git commit -am x', config()).reason).toMatch(/ci-medic commits the verified change itself/);
    expect(evaluate('less log.txt', config()).reason).toMatch(/head|tail/);
  });
});

describe('user patterns', () => {
  it('globs match whole argument vectors: * crosses words, ? is one character, \\ quotes', () => {
    expect(globMatches('git push*', 'git push origin main')).toBe(true);
    expect(globMatches('git push*', 'git pull')).toBe(false);
    expect(globMatches('npm run test:*', 'npm run test:unit -- --ci')).toBe(true);
    expect(globMatches('npm run test:*', 'npm run build')).toBe(false);
    expect(globMatches('*curl*', 'timeout 5 curl x')).toBe(true);
    expect(globMatches('make ?', 'make a')).toBe(true);
    expect(globMatches('make ?', 'make ab')).toBe(false);
    expect(globMatches('echo \\*', 'echo *')).toBe(true);
    expect(globMatches('echo \\*', 'echo x')).toBe(false);
    expect(globMatches('a*b*c', `${'a'.repeat(50_000)}c`)).toBe(false);
  });

  it('deny patterns match the argument vector wherever the command stands, base name first', () => {
    const c = config({ deny: ['docker rm*', 're:^terraform (apply|destroy)'] });
    expect(evaluate('docker rm -f web', c)).toMatchObject({ allowed: false, rule: 'deny:docker rm*' });
    expect(evaluate('/usr/bin/docker rm web', c)).toMatchObject({ allowed: false, rule: 'deny:docker rm*' });
    expect(evaluate('echo $(timeout 5 "docker" rm web)', c)).toMatchObject({ allowed: false, rule: 'deny:docker rm*' });
    expect(evaluate('terraform destroy -auto-approve', c).rule).toBe('deny:re:^terraform (apply|destroy)');
    expect(evaluate('docker ps', c).allowed).toBe(true);
    expect(evaluate('terraform plan', c).allowed).toBe(true);
  });

  it('allowlist mode: every simple command must match; neutral wrappers pass through to the inner command', () => {
    const c = config({ allow: ['npm test*', 'npm run test:*', 'git diff*', 'tail *'] });
    expect(evaluate('npm test', c)).toMatchObject({ allowed: true, rule: 'allow:npm test*' });
    expect(evaluate('npm run test:unit 2>&1 | tail -n 20', c).allowed).toBe(true);
    expect(evaluate('timeout 60 npm test', c).allowed).toBe(true);
    expect(evaluate('ls', c)).toMatchObject({ allowed: false, rule: 'allowlist' });
    expect(evaluate('npm test && ls', c)).toMatchObject({ allowed: false, rule: 'allowlist' });
    expect(evaluate('git diff $(whoami)', c)).toMatchObject({ allowed: false, rule: 'allowlist' });
    expect(evaluate('npm run build', c).allowed).toBe(false);
  });

  it('deny wins over allow, and the default deny set over an allow pattern', () => {
    expect(evaluate('docker rm web', config({ allow: ['docker*'], deny: ['docker rm*'] })).rule).toBe(
      'deny:docker rm*',
    );
    expect(evaluate('curl https://x.invalid', config({ allow: ['curl*'] })).rule).toBe('default:network-egress');
  });

  it('an invalid pattern given straight to evaluate denies (fail closed) instead of throwing', () => {
    expect(evaluate('ls', config({ deny: ['re:('] }))).toMatchObject({ allowed: false, rule: 'deny:re:(' });
    expect(evaluate('ls', config({ allow: ['re:['] }))).toMatchObject({ allowed: false, rule: 'allow:re:[' });
  });
});

describe('default rules', () => {
  it('each has a unique name and a description, and the evasion corpus exercises every one', () => {
    const names = DEFAULT_RULES.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    expect(listDefaultRules()).toEqual(DEFAULT_RULES.map((r) => ({ name: r.name, description: r.description })));
    const exercised = new Set(EVASIONS.map((e) => e.rule.replace(/^default:/, '')));
    expect(names.filter((n) => !exercised.has(n))).toEqual([]);
  });

  it('a rule dropped by name no longer denies, and the others still do', () => {
    const c = config({ disabledRules: ['network-egress'] });
    expect(evaluate('curl -sS https://registry.npmjs.org/', c).allowed).toBe(true);
    expect(evaluate('git push origin main', c).rule).toBe('default:publishing');
    expect(evaluate('curl x > .git/hooks/pre-commit', c).rule).toBe('default:protected-paths');
  });

  it('the parser refusals cannot be dropped', () => {
    expect(evaluate('echo $(ls', config({ disabledRules: ['parse'] }))).toMatchObject({
      allowed: false,
      rule: 'parse',
    });
  });

  it('fails closed on a syntax node it does not know, and on a nested parse error', () => {
    const mystery = {
      type: 'Script',
      pos: 0,
      end: 1,
      commands: [{ type: 'Statement', pos: 0, end: 1, command: { type: 'Mystery', pos: 0, end: 1 } }],
    };
    const result = walk(mystery as unknown as ParsedScript, {
      maxDepth: 10,
      maxNodes: 100,
      maxCommands: 100,
      maxArguments: 100,
    });
    expect(result.findings).toEqual([{ rule: 'parse', reason: expect.stringContaining("'Mystery'") }]);
    expect(evaluate('echo "$(echo $(ls)"', config())).toMatchObject({ allowed: false, rule: 'parse' });
  });

  it('takes command names that are also names of object properties as plain names', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(evaluate(`${name} -e x`, config({ protectedPaths: ['constructor'] })).allowed).toBe(true);
    }
  });

  it('bounds the size of what it checks', () => {
    const long = `echo ${'a'.repeat(MAX_COMMAND_LENGTH)}`;
    expect(evaluate(long, config())).toMatchObject({ allowed: false, rule: 'parse' });
  });
});

describe('paths', () => {
  it('protects configured paths, relative to the workspace or the home directory', () => {
    const c = config({ protectedPaths: ['package-lock.json', 'docs/', '~/.config'] });
    expect(evaluate('echo {} > package-lock.json', c).rule).toBe('default:protected-paths');
    expect(evaluate("sed -i 's/a/b/' docs/index.md", c).rule).toBe('default:protected-paths');
    expect(evaluate('touch ~/.config/x', c).rule).toBe('default:protected-paths');
    expect(evaluate('echo x > src/index.ts', c).allowed).toBe(true);
  });

  it("follows a literal cd, and the shell's directory when the caller knows it", () => {
    expect(evaluate('cd src && echo x > ../.github/a', config()).rule).toBe('default:protected-paths');
    expect(evaluate('echo x > ../.github/a', config({ cwd: 'src' })).rule).toBe('default:protected-paths');
    expect(evaluate('echo x > a', config({ cwd: 'src' })).allowed).toBe(true);
    expect(evaluate('rm -rf build', config({ cwd: '/tmp' })).rule).toBe('default:destructive-rm');
    expect(evaluate('cd "$D" && rm -rf build', config()).rule).toBe('default:destructive-rm');
  });
});

describe('policyConfigFrom', () => {
  const settings = { allow: [], deny: [], protectedPaths: [], disabledRules: [] };

  it('keeps the default protected paths and the workspace', () => {
    expect(policyConfigFrom({ ...settings, protectedPaths: ['docs/'] }, '/work/repo/', '/home/u')).toEqual({
      allow: [],
      deny: [],
      protectedPaths: ['.git/', '.github/', 'docs/'],
      disabledRules: [],
      workspace: '/work/repo',
      home: '/home/u',
    });
  });

  it('names the input that is wrong and what is accepted', () => {
    expect(() => policyConfigFrom({ ...settings, deny: ['re:(oops'] }, WS)).toThrow(ConfigError);
    expect(() => policyConfigFrom({ ...settings, deny: ['re:(oops'] }, WS)).toThrow(
      /^deny: "re:\(oops" is not a valid regular expression/,
    );
    expect(() => policyConfigFrom({ ...settings, disabledRules: ['curl'] }, WS)).toThrow(
      /^disable-rules: "curl" is not a default rule; known rules: dynamic-command-name, .*network-egress/,
    );
    expect(() =>
      policyConfigFrom({ ...settings, allow: [' '] }, WS, undefined, {
        allow: '--allow',
        deny: '--deny',
        protectedPaths: '--protected-path',
        disabledRules: '--disable-rule',
      }),
    ).toThrow(/^--allow: an empty pattern/);
  });
});

function captureIo(): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout: (t: string) => {
      io.out += t;
    },
    stderr: (t: string) => {
      io.err += t;
    },
    env: { HOME: '/home/runner' },
    cwd: WS,
  };
  return io;
}

describe('ci-medic policy', () => {
  it('exits 0 when allowed and 1 when denied, printing the decision', async () => {
    const ok = captureIo();
    expect(await policyCommand(['--', 'npm test'], ok)).toBe(0);
    expect(ok.out).toMatch(/^allowed: no rule denies it\n {2}command: \["npm","test"\]\n$/);
    const no = captureIo();
    expect(await policyCommand(['--', "c''url x"], no)).toBe(1);
    expect(no.out).toMatch(/^denied \(default:network-egress\): curl reaches the network/);
  });

  it('prints the Decision object with --json, and applies the flags', async () => {
    const io = captureIo();
    expect(await policyCommand(['--allow', 'npm test*', '--json', '--', 'npm test && ls'], io)).toBe(1);
    expect(JSON.parse(io.out)).toEqual(evaluate('npm test && ls', config({ allow: ['npm test*'] })));
    const rule = captureIo();
    expect(await policyCommand(['--disable-rule', 'network-egress', '--', 'curl x'], rule)).toBe(0);
    const prot = captureIo();
    expect(await policyCommand(['--protected-path', 'docs', '--workdir', '/w', '--', 'touch docs/x'], prot)).toBe(1);
  });

  it('exits 2 on bad usage, naming the flag', async () => {
    const bad = captureIo();
    expect(await policyCommand(['--deny', 're:(', '--', 'ls'], bad)).toBe(2);
    expect(bad.err).toMatch(/--deny: "re:\(" is not a valid regular expression/);
    const rule = captureIo();
    expect(await policyCommand(['--disable-rule', 'nope', '--', 'ls'], rule)).toBe(2);
    expect(rule.err).toMatch(/--disable-rule: "nope" is not a default rule/);
    const none = captureIo();
    expect(await policyCommand(['--json'], none)).toBe(2);
    expect(none.err).toMatch(/COMMAND is required/);
    const unknown = captureIo();
    expect(await policyCommand(['--frobnicate', '--', 'ls'], unknown)).toBe(2);
    expect(unknown.err).toMatch(/--frobnicate/);
  });

  it('lists the default rules', async () => {
    const io = captureIo();
    expect(await policyCommand(['--list-rules'], io)).toBe(0);
    for (const r of DEFAULT_RULES) expect(io.out).toContain(r.name);
  });
});
