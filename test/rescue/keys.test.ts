import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_GITHUB_TOKEN, startFakeGitHub, type FakeGitHub } from '../fakes/github.js';
import { ActorKeysError, fetchActorKeys } from '../../src/rescue/keys.js';

const ED25519 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';
const RSA = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7';

describe('fetchActorKeys (against the GitHub stand-in)', () => {
  let github: FakeGitHub;
  beforeAll(async () => {
    github = await startFakeGitHub({
      keys: {
        octocat: [
          { id: 1, key: ED25519 },
          { id: 2, key: RSA },
        ],
        keyless: [],
      },
    });
  });
  afterAll(async () => {
    await github.close();
  });

  it('returns the actor keys, sending the token as a header', async () => {
    const keys = await fetchActorKeys({ apiUrl: github.url, token: FAKE_GITHUB_TOKEN, actor: 'octocat' });
    expect(keys).toEqual([ED25519, RSA]);
    const request = github.requests.at(-1)!;
    expect(request.path).toBe('/users/octocat/keys');
    expect(request.headers.authorization).toBe(`Bearer ${FAKE_GITHUB_TOKEN}`);
  });

  it('works without a token (the endpoint is public)', async () => {
    expect(await fetchActorKeys({ apiUrl: `${github.url}/`, actor: 'octocat' })).toHaveLength(2);
  });

  it('no keys: a clear refusal that says how to turn limits off', async () => {
    const error = await fetchActorKeys({ apiUrl: github.url, actor: 'keyless' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActorKeysError);
    expect((error as ActorKeysError).kind).toBe('no-keys');
    expect((error as Error).message).toMatch(/keyless has no public SSH keys.*not launched/);
    expect((error as Error).message).toMatch(/--no-access-limit/);
  });

  it('unknown user: 404 classified', async () => {
    const error = (await fetchActorKeys({ apiUrl: github.url, actor: 'nobody-here' }).catch(
      (e: unknown) => e,
    )) as ActorKeysError;
    expect(error.kind).toBe('no-user');
    expect(error.status).toBe(404);
  });

  it('API error: status and GitHub message, never the token', async () => {
    github.setFailure('user-keys', 503, undefined, 1);
    const error = (await fetchActorKeys({ apiUrl: github.url, token: FAKE_GITHUB_TOKEN, actor: 'octocat' }).catch(
      (e: unknown) => e,
    )) as ActorKeysError;
    expect(error.kind).toBe('api');
    expect(error.status).toBe(503);
    expect(error.message).toMatch(/GitHub answered 503 \(Server Error\)/);
    expect(error.message).not.toContain(FAKE_GITHUB_TOKEN);
  });

  it('a wrong token is an API error (401), not "no keys"', async () => {
    const error = (await fetchActorKeys({ apiUrl: github.url, token: 'ghs_wrong', actor: 'octocat' }).catch(
      (e: unknown) => e,
    )) as ActorKeysError;
    expect(error.kind).toBe('api');
    expect(error.status).toBe(401);
    expect(error.message).not.toContain('ghs_wrong');
  });

  it('unreachable API: an API error naming the URL', async () => {
    const error = (await fetchActorKeys({ apiUrl: 'http://127.0.0.1:1', actor: 'octocat', timeoutMs: 3000 }).catch(
      (e: unknown) => e,
    )) as ActorKeysError;
    expect(error.kind).toBe('api');
    expect(error.message).toContain('http://127.0.0.1:1');
  });

  it('refuses a name that is not a GitHub login without calling the API', async () => {
    const before = github.requests.length;
    const error = (await fetchActorKeys({ apiUrl: github.url, actor: '../repos/x' }).catch(
      (e: unknown) => e,
    )) as ActorKeysError;
    expect(error.kind).toBe('bad-actor');
    expect(github.requests.length).toBe(before);
  });
});
