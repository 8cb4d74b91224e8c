// Input parsing: defaults, validation errors that name the input, value and what is accepted, secrets collected.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { DEFAULT_COMMIT_AUTHOR, readInputs } from '../../src/action/inputs.js';

const paths = { workspace: '/work/space', runnerTemp: '/runner/temp' };
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
      sessionName: 'ci-medic',
      keepSession: true,
      relaxedTamperRules: [],
    });
    expect(config.policy.protectedPaths).toEqual(['.git/', '.github/']);
    expect(config.transcriptPath).toBe('/runner/temp/ci-medic/ci-medic/transcript.jsonl');
    expect(settings).toMatchObject({
      pullRequest: 'create',
      branchPrefix: 'ci-medic/',
      failOnNotFixed: true,
      allowPullRequestTarget: false,
      rescue: 'instructions',
      rescueMaxMinutes: 45,
      rescueConnectTimeoutMs: 10 * 60_000,
      commitAuthor: DEFAULT_COMMIT_AUTHOR,
    });
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
