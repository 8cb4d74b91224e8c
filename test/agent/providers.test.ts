// The scripted repair end to end on each platform that serves Claude: `ci-medic repair --provider …` with the real
// Bedrock, Vertex and Foundry SDK clients talking HTTP to loopback stand-ins of those platforms (which check the
// SigV4 signature's shape, the workload-identity token exchange and the key header), and the Messages stand-in behind
// them answering from the script. Also: bad platform settings fail before tmux starts, naming the flag or input.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readInputs } from '../../src/action/inputs.js';
import { main, repairConfigFromArgs } from '../../src/cli/commands/repair.js';
import { reproduceCommand } from '../../src/github/reproduce.js';
import { execFileSync } from 'node:child_process';
import { isKnownModel, normalizeModelId } from '../../src/agent/pricing.js';
import { say, startFakeAnthropic, text } from '../fakes/anthropic.js';
import { startFakePlatform, vertexCredentialsFile } from '../fakes/platforms.js';
import { makeTempDir } from '../helpers/repo.js';
import { brokenRepo, FIX_EDIT, FIXED_MATH, sessionName } from '../helpers/scenario.js';
import { cleanUpAfterEach } from '../helpers/cleanup.js';
import { captureIo } from '../helpers/cli.js';

const closeLater = cleanUpAfterEach();

const CLEAN_ENV = Object.fromEntries(
  Object.keys(process.env)
    .filter((k) => /^(ANTHROPIC_|AWS_|GOOGLE_|CLOUD_ML_|CLOUDSDK_|GCLOUD_)/.test(k))
    .map((k) => [k, undefined]),
);

const AWS = {
  AWS_ACCESS_KEY_ID: 'ASIAFAKEACCESSKEY123',
  AWS_SECRET_ACCESS_KEY: 'fake/secret+access+key/0123456789abcdefghij',
  AWS_SESSION_TOKEN: 'FwoGZXIvYXdzEFAKESESSIONTOKEN0123456789abcdefghijklmnop',
};

/** Repair the broken project through `ci-medic repair` with `args` and `env`; returns the CLI's output and files. */
async function repairWith(args: string[], env: Record<string, string>) {
  const dir = brokenRepo();
  const transcript = join(makeTempDir(), 't.jsonl');
  const cli = captureIo({ ...CLEAN_ENV, ...env }, dir);
  const code = await main(
    ['--check', 'npm test', '--session', sessionName(), '--transcript', transcript, '--max-turns', '4', ...args],
    cli,
  );
  return {
    code,
    cli,
    fixed: readFileSync(join(dir, 'math.js'), 'utf8') === FIXED_MATH,
    transcript: existsSync(transcript)
      ? readFileSync(transcript, 'utf8') + readFileSync(transcript.replace(/\.jsonl$/, '.md'), 'utf8')
      : '',
  };
}

const SCRIPT = () => [say(text('The loop stops one item early.'), FIX_EDIT), say(text('Fixed the loop bound.'))];

describe('providers', () => {
  test('bedrock: SigV4-signed invoke with the session credentials of configure-aws-credentials', async () => {
    const messages = closeLater(await startFakeAnthropic(SCRIPT()));
    const platform = closeLater(
      await startFakePlatform('bedrock', messages, {
        awsRegion: 'eu-central-1',
        awsAccessKeyId: AWS.AWS_ACCESS_KEY_ID,
        awsSessionToken: AWS.AWS_SESSION_TOKEN,
      }),
    );
    const r = await repairWith(['--provider', 'bedrock', '--model', 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0'], {
      ...AWS,
      AWS_REGION: 'eu-central-1',
      ANTHROPIC_BEDROCK_BASE_URL: platform.url,
    });
    expect(platform.problems).toEqual([]);
    expect(messages.problems).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.fixed).toBe(true);
    const invokes = platform.requests.filter((q) => q.path.endsWith('/invoke'));
    expect(invokes).toHaveLength(2);
    expect(decodeURIComponent(invokes[0].path)).toBe('/model/eu.anthropic.claude-sonnet-4-5-20250929-v1:0/invoke');
    expect(String(invokes[0].headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=ASIAFAKEACCESSKEY123\//);
    // Prompt caching works the same: the stable prefix carries its breakpoint on Bedrock too.
    expect(invokes[1].raw).toContain('cache_control');
    // The budget priced the platform's model id from the table (not the unknown-model fallback).
    expect(r.cli.err).not.toMatch(/not in the price table|unknown model/i);
    for (const secret of [AWS.AWS_SECRET_ACCESS_KEY, AWS.AWS_SESSION_TOKEN]) {
      expect(r.cli.out + r.cli.err + r.transcript).not.toContain(secret);
      for (const q of messages.requests) expect(q.raw).not.toContain(secret);
    }
  });

  test('vertex: rawPredict with the bearer token from a workload-identity exchange (google-github-actions/auth)', async () => {
    const messages = closeLater(await startFakeAnthropic(SCRIPT()));
    const platform = closeLater(
      await startFakePlatform('vertex', messages, {
        vertexProject: 'ci-medic-test',
        vertexRegion: 'us-east5',
      }),
    );
    const credentials = join(makeTempDir(), 'gha-creds-0123.json');
    writeFileSync(credentials, vertexCredentialsFile(platform));
    const r = await repairWith(
      ['--provider', 'vertex', '--vertex-region', 'us-east5', '--model', 'claude-sonnet-4-5@20250929'],
      {
        GOOGLE_APPLICATION_CREDENTIALS: credentials,
        GOOGLE_CLOUD_PROJECT: 'ci-medic-test',
        ANTHROPIC_VERTEX_BASE_URL: platform.url,
      },
    );
    expect(platform.problems).toEqual([]);
    expect(messages.problems).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.fixed).toBe(true);
    const paths = platform.requests.map((q) => q.path);
    // The preflight exchanged the token before tmux started: OIDC, then STS, then the model calls.
    expect(paths.slice(0, 2)).toEqual(['/oidc', '/sts/v1/token']);
    expect(paths.filter((p) => p.endsWith(':rawPredict'))).toEqual([
      '/projects/ci-medic-test/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict',
      '/projects/ci-medic-test/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict',
    ]);
    // The access token and the OIDC request token in the credentials file are secrets.
    for (const secret of [platform.accessToken, platform.oidcRequestToken]) {
      expect(r.cli.out + r.cli.err + r.transcript).not.toContain(secret);
      for (const q of messages.requests) expect(q.raw).not.toContain(secret);
    }
  });

  test('foundry: the Messages API at the resource, with its key header', async () => {
    const key = 'foundry-key-0123456789abcdef0123456789abcdef';
    const messages = closeLater(await startFakeAnthropic(SCRIPT()));
    const platform = closeLater(await startFakePlatform('foundry', messages, { foundryKey: key }));
    const r = await repairWith(['--provider', 'foundry'], {
      ANTHROPIC_FOUNDRY_API_KEY: key,
      ANTHROPIC_FOUNDRY_BASE_URL: platform.url,
    });
    expect(platform.problems).toEqual([]);
    expect(messages.problems).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.fixed).toBe(true);
    expect(platform.requests.filter((q) => q.path === '/anthropic/v1/messages')).toHaveLength(2);
    expect(r.cli.out + r.cli.err + r.transcript).not.toContain(key);
  });

  test('rejected platform credentials end before tmux starts, with what to check', async () => {
    const messages = closeLater(await startFakeAnthropic([]));
    const platform = closeLater(await startFakePlatform('vertex', messages));
    const credentials = join(makeTempDir(), 'gha-creds.json');
    // The credential source presents the wrong request token: the exchange fails in the preflight.
    writeFileSync(credentials, vertexCredentialsFile({ ...platform, oidcRequestToken: 'wrong-request-token' }));
    const r = await repairWith(['--provider', 'vertex', '--vertex-region', 'us-east5'], {
      GOOGLE_APPLICATION_CREDENTIALS: credentials,
      GOOGLE_CLOUD_PROJECT: 'ci-medic-test',
      ANTHROPIC_VERTEX_BASE_URL: platform.url,
    });
    expect(r.code).toBe(2);
    expect(r.cli.err).toMatch(/vertex: no usable credentials .*google-github-actions\/auth/);
    expect(messages.requests).toHaveLength(0);
  });

  test('bad platform settings name the flag or input', async () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [
        ['--provider', 'azure'],
        {},
        /--provider: "azure" is not accepted; use one of: anthropic, bedrock, vertex, foundry/,
      ],
      [['--provider', 'bedrock'], {}, /--aws-region: is required with provider bedrock/],
      [['--provider', 'bedrock', '--aws-region', 'Frankfurt'], {}, /--aws-region: "Frankfurt" is not valid/],
      [
        ['--provider', 'bedrock', '--aws-region', 'us-east-1'],
        { AWS_ACCESS_KEY_ID: 'AKIAONLYHALF' },
        /AWS_SECRET_ACCESS_KEY: is not set/,
      ],
      [['--provider', 'vertex', '--vertex-region', 'us-east5'], {}, /--vertex-project-id: is required/],
      [['--provider', 'vertex', '--vertex-project-id', 'p-123456'], {}, /--vertex-region: is required/],
      [['--provider', 'foundry'], {}, /--foundry-resource: is required/],
    ];
    for (const [args, env, expected] of cases) {
      const cli = captureIo({ ...CLEAN_ENV, ...env }, process.cwd());
      expect(await main(['--check', 'npm test', ...args], cli)).toBe(2);
      expect(cli.err).toMatch(expected);
    }
    const inputs = (values: Record<string, string>) => (name: string) => values[name] ?? '';
    const paths = { workspace: '/w', runnerTemp: '/t' };
    expect(() =>
      readInputs(inputs({ check: 'npm test', provider: 'vertex', 'vertex-region': 'us-east5' }), paths, {}),
    ).toThrow(/vertex-project-id: is required/);
    expect(() =>
      readInputs(inputs({ check: 'npm test', provider: 'bedrock', 'aws-region': 'nowhere' }), paths, {}),
    ).toThrow(/aws-region: "nowhere" is not valid/);
  });

  test('the Action takes platform credentials from the environment and masks them', () => {
    const dir = makeTempDir();
    const credentials = join(dir, 'gha-creds.json');
    writeFileSync(
      credentials,
      JSON.stringify({
        type: 'external_account',
        token_url: 'https://sts.googleapis.com/v1/token',
        credential_source: { url: 'https://x/oidc', headers: { Authorization: 'Bearer request-token-0123456789' } },
      }),
    );
    const { config, secrets } = readInputs(
      (name) => ({ check: 'npm test', provider: 'vertex', 'vertex-region': 'global' })[name] ?? '',
      { workspace: dir, runnerTemp: dir },
      { GOOGLE_APPLICATION_CREDENTIALS: credentials, GOOGLE_CLOUD_PROJECT: 'my-project-1' },
    );
    expect(config.provider).toEqual({
      name: 'vertex',
      region: 'global',
      projectId: 'my-project-1',
      googleCredentialsFile: credentials,
    });
    expect(secrets).toContain('request-token-0123456789');
    const bedrock = readInputs(
      (name) => ({ check: 'npm test', provider: 'bedrock' })[name] ?? '',
      { workspace: dir, runnerTemp: dir },
      { ...AWS, AWS_REGION: 'us-west-2' },
    );
    expect(bedrock.config.provider?.region).toBe('us-west-2');
    expect(bedrock.secrets).toEqual(expect.arrayContaining([AWS.AWS_SECRET_ACCESS_KEY, AWS.AWS_SESSION_TOKEN]));
  });

  test("the price table knows each platform's spelling of a model id", () => {
    for (const id of [
      'anthropic.claude-sonnet-4-5-20250929-v1:0',
      'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      'global.anthropic.claude-sonnet-4-5-20250929-v1:0',
      'apac.anthropic.claude-sonnet-4-5-20250929-v1:0',
      'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      'claude-sonnet-4-5@20250929',
      'claude-sonnet-4-5',
    ]) {
      expect(normalizeModelId(id), id).toBe('claude-sonnet-4-5');
      expect(isKnownModel(id), id).toBe(true);
    }
  });

  test("the pull request's reproduce command gives the CLI the same check, setup and platform", () => {
    const check = `npm test -- --grep "it's \\$HOME" && echo 'done'`;
    const text = reproduceCommand({
      check,
      setup: 'npm ci',
      model: 'claude-sonnet-4-5@20250929',
      provider: { name: 'vertex', region: 'us-east5', projectId: 'my-project-1' },
    });
    const cli = text.split('\n')[1];
    expect(cli.startsWith('node /tmp/ci-medic/dist/cli/index.js repair ')).toBe(true);
    // bash splits the line back into the argv the CLI parses.
    const argv = execFileSync('bash', ['-c', `set -- ${cli.slice(cli.indexOf(' repair ') + 8)}; printf '%s\\0' "$@"`], {
      encoding: 'utf8',
    })
      .split('\0')
      .slice(0, -1);
    const parsed = repairConfigFromArgs(argv, { GOOGLE_CLOUD_PROJECT: 'other-project' }, process.cwd());
    if (parsed === 'help') throw new Error('unexpected help');
    expect(parsed.config.check).toBe(check);
    expect(parsed.config.setup).toBe('npm ci');
    expect(parsed.config.model).toBe('claude-sonnet-4-5@20250929');
    expect(parsed.config.provider).toMatchObject({ name: 'vertex', region: 'us-east5', projectId: 'my-project-1' });
  });
});
