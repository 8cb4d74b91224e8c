// Input parsing: defaults, validation errors that name the input, value and what is accepted, secrets collected.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigError, uniqueSessionName } from '../../src/config.js';
import { checkDelivery, DEFAULT_COMMIT_AUTHOR, readInputs } from '../../src/action/inputs.js';

const paths = { workspace: '/work/space', runnerTemp: '/runner/temp', defaultSessionName: 'ci-medic-7-1-abcdef' };
const from = (values: Record<string, string>) => (name: string) => values[name] ?? '';

function errorOf(values: Record<string, string>): ConfigError {
  try {
    readInputs(from(values), paths);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('readInputs', () => {
  it('reads exactly the inputs action.yml declares, with the same defaults', () => {
    const declared = parse(readFileSync('action.yml', 'utf8')).inputs as Record<string, { default?: string }>;
    const asked = new Set<string>();
    readInputs((name) => {
      asked.add(name);
      return name === 'check' ? 'npm test' : '';
    }, paths);
    expect([...asked].sort()).toEqual(Object.keys(declared).sort());
    // Feeding action.yml's defaults gives the same result as feeding nothing (the runner always sends the defaults).
    const withDefaults = readInputs((name) => (name === 'check' ? 'npm test' : (declared[name].default ?? '')), paths);
    const withNothing = readInputs(from({ check: 'npm test' }), paths);
    expect(withDefaults.settings).toEqual({ ...withNothing.settings, githubToken: '${{ github.token }}' });
    expect({ ...withDefaults.config, secrets: [] }).toEqual({ ...withNothing.config, secrets: [] });
  });

  it('requires check and says what it is', () => {
    const error = errorOf({});
    expect(error.input).toBe('check');
    expect(error.message).toContain("Input 'check' is required");
  });

  it('applies the documented defaults', () => {
    const { config, settings } = readInputs(from({ check: 'npm test' }), paths);
    expect(config).toMatchObject({
      check: 'npm test',
      workdir: '/work/space',
      model: 'claude-sonnet-5-5',
      maxTurns: 30,
      timeBudgetMs: 20 * 60_000,
      maxCostUsd: 3,
      commandTimeoutMs: 10 * 60_000,
      sessionName: 'ci-medic-7-1-abcdef',
      keepSession: true,
      relaxedTamperRules: [],
    });
    expect(config.policy.protectedPaths).toEqual(['.git/', '.github/']);
    expect(config.transcriptPath).toBe('/runner/temp/ci-medic/ci-medic-7-1-abcdef/transcript.jsonl');
    expect(settings).toMatchObject({
      pullRequest: 'create',
      branchPrefix: 'ci-medic/',
      failOnNotFixed: true,
      allowPullRequestTarget: false,
      rescue: 'instructions',
      rescueMaxMinutes: 45,
      rescueConnectTimeoutMs: 10 * 60_000,
      commitAuthor: DEFAULT_COMMIT_AUTHOR,
      sessionNameGiven: false,
    });
  });

  it('makes the default session name unique per run and per process, and keeps a given one', () => {
    const { workspace, runnerTemp } = paths;
    const names = new Set(
      Array.from({ length: 20 }, () => readInputs(from({ check: 'x' }), { workspace, runnerTemp }).config.sessionName),
    );
    expect(names.size).toBe(20);
    for (const name of names) expect(name).toMatch(/^ci-medic-[0-9a-f]{6}$/);
    expect(uniqueSessionName({ id: '987654321', attempt: '3' })).toMatch(/^ci-medic-987654321-3-[0-9a-f]{6}$/);
    expect(uniqueSessionName({ id: '987654321' })).toMatch(/^ci-medic-987654321-1-[0-9a-f]{6}$/);
    // Not a number: not trusted into a name.
    expect(uniqueSessionName({ id: '1;rm', attempt: 'x' })).toMatch(/^ci-medic-[0-9a-f]{6}$/);
    const given = readInputs(from({ check: 'x', 'session-name': 'mine' }), paths);
    expect(given.config.sessionName).toBe('mine');
    expect(given.settings.sessionNameGiven).toBe(true);
  });

  it.each([
    [
      'working-directory',
      '../elsewhere',
      /working-directory: "..\/elsewhere" resolves to \/work\/elsewhere, outside the workspace/,
    ],
    ['working-directory', '/etc', /working-directory: "\/etc" resolves to \/etc, outside the workspace/],
    ['base', 'feature..x', /base: "feature..x" is not a valid branch name/],
    ['base', 'refs/heads/main lock', /base: "refs\/heads\/main lock" is not a valid branch name/],
    ['base', '-main', /base: "-main" is not a valid branch name/],
    ['base', '@{-1}', /base: "@\{-1\}" is not a valid branch name/],
    ['labels', 'ok, bad\tlabel', /labels: "bad\\tlabel" holds a control character/],
    ['labels', 'esc\u001b[31m', /labels: "esc\\u001b\[31m" holds a control character/],
  ])('rejects %s=%j before anything starts', (name, value, message) => {
    const error = errorOf({ check: 'npm test', [name]: value });
    expect(error.input).toBe(name);
    expect(error.message).toMatch(message);
  });

  it('accepts a base branch git accepts and a working directory inside the workspace', () => {
    const { config, settings } = readInputs(
      from({ check: 'x', base: 'release/2.x', 'working-directory': './a/../b' }),
      paths,
    );
    expect(settings.base).toBe('release/2.x');
    expect(config.workdir).toBe('/work/space/b');
  });

  it('refuses an empty github-token while a pull request is wanted, naming the input', () => {
    const none = readInputs(from({ check: 'x', 'pull-request': 'none' }), paths);
    expect(() => checkDelivery(none.settings)).not.toThrow();
    const wanted = readInputs(from({ check: 'x', 'pull-request': 'draft' }), paths);
    expect(() => checkDelivery(wanted.settings)).toThrow(/^github-token: is empty, but pull-request is "draft"/);
    const withToken = readInputs(from({ check: 'x', 'github-token': 'ghs_x' }), paths);
    expect(() => checkDelivery(withToken.settings)).not.toThrow();
  });

  it('parses lists, durations, author, working directory and collects both tokens as secrets', () => {
    const { config, settings, secrets } = readInputs(
      from({
        check: 'pytest',
        'anthropic-api-key': 'sk-ant-secret-value',
        'github-token': 'ghs_tokenvalue123',
        'working-directory': 'packages/app',
        allow: 'npm *\ngit diff',
        deny: 'curl *, wget *',
        'relax-tamper-rules': 'lockfiles',
        labels: 'ci-medic, automated',
        'time-budget': '90s',
        'max-cost': '$0.50',
        'commit-author': 'Fix Bot <bot@example.com>',
        rescue: 'off',
        'pull-request': 'draft',
      }),
      paths,
    );
    expect(config.workdir).toBe('/work/space/packages/app');
    expect(config.policy.allow).toEqual(['npm *', 'git diff']);
    expect(config.policy.deny).toEqual(['curl *', 'wget *']);
    expect(config.relaxedTamperRules).toEqual(['lockfiles']);
    expect(config.timeBudgetMs).toBe(90_000);
    expect(config.maxCostUsd).toBe(0.5);
    expect(config.keepSession).toBe(false);
    expect(settings.labels).toEqual(['ci-medic', 'automated']);
    expect(settings.commitAuthor).toEqual({ name: 'Fix Bot', email: 'bot@example.com' });
    expect(settings.pullRequest).toBe('draft');
    expect(secrets).toEqual(['sk-ant-secret-value', 'ghs_tokenvalue123']);
    expect(config.secrets).toEqual(secrets);
  });

  it.each([
    ['max-turns', 'many', /max-turns: "many" is not a positive whole number/],
    ['time-budget', 'forever', /time-budget: "forever" is not a duration/],
    ['max-cost', '-1', /max-cost: "-1" is not an amount/],
    ['pull-request', 'yes', /pull-request: "yes" is not accepted; use one of: create, draft, none/],
    ['rescue', 'ssh', /rescue: "ssh" is not accepted; use one of: instructions, upterm, tmate, off/],
    ['fail-on-not-fixed', 'maybe', /fail-on-not-fixed: "maybe" is not a boolean; use true or false/],
    ['relax-tamper-rules', 'everything', /relax-tamper-rules: "everything" is not a tamper-guard rule/],
    ['commit-author', 'bot', /commit-author: "bot" is not an author; use the form Name <email@example.com>/],
    ['session-name', 'a b', /session-name: "a b" is not a valid session name/],
    ['branch-prefix', 'bad..prefix', /branch-prefix: "bad..prefix" is not a usable branch prefix/],
    ['anthropic-base-url', 'not a url', /anthropic-base-url: "not a url" is not a URL/],
  ])('rejects %s=%s naming the input, value and what is accepted', (name, value, message) => {
    const error = errorOf({ check: 'npm test', [name]: value });
    expect(error.input).toBe(name);
    expect(error.message).toMatch(message);
  });
});
