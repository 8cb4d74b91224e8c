// The GitHub stand-in itself: token checks, body validation and GitHub's shapes, through the real octokit client.
import { getOctokit } from '@actions/github';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_GITHUB_TOKEN, startFakeGitHub, type FakeGitHub } from '../fakes/github.js';

describe('fake GitHub REST', () => {
  let fake: FakeGitHub;
  beforeAll(async () => {
    fake = await startFakeGitHub({ keys: { octocat: [{ id: 7, key: 'ssh-ed25519 AAAAC3Nza octocat' }] } });
  });
  afterAll(() => fake.close());

  it('refuses a missing or wrong token with GitHub 401 bodies', async () => {
    const none = await fetch(`${fake.url}/repos/o/r`);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ message: 'Requires authentication', status: '401' });
    const wrong = getOctokit('ghs_wrong', { baseUrl: fake.url });
    await expect(wrong.rest.repos.get({ owner: 'o', repo: 'r' })).rejects.toMatchObject({ status: 401 });
    const bearer = await fetch(`${fake.url}/repos/o/r`, { headers: { authorization: `Bearer ${FAKE_GITHUB_TOKEN}` } });
    expect((await bearer.json()) as unknown).toMatchObject({ default_branch: 'main', full_name: 'o/r' });
  });

  it('creates, lists by owner:head, refuses a duplicate, updates and labels', async () => {
    const octokit = getOctokit(FAKE_GITHUB_TOKEN, { baseUrl: fake.url });
    const created = await octokit.rest.pulls.create({
      owner: 'o',
      repo: 'r',
      title: 't',
      head: 'fix',
      base: 'main',
      draft: true,
    });
    expect(created.data).toMatchObject({
      number: 1,
      state: 'open',
      draft: true,
      head: { ref: 'fix' },
      base: { ref: 'main' },
    });
    await expect(
      octokit.rest.pulls.create({ owner: 'o', repo: 'r', title: 't', head: 'o:fix', base: 'main' }),
    ).rejects.toMatchObject({ status: 422, message: expect.stringContaining('A pull request already exists') });
    const listed = await octokit.rest.pulls.list({ owner: 'o', repo: 'r', head: 'o:fix', state: 'open' });
    expect(listed.data.map((p) => p.number)).toEqual([1]);
    expect((await octokit.rest.pulls.list({ owner: 'o', repo: 'r', head: 'o:other' })).data).toEqual([]);
    await octokit.rest.pulls.update({ owner: 'o', repo: 'r', pull_number: 1, title: 't2' });
    await octokit.rest.issues.addLabels({ owner: 'o', repo: 'r', issue_number: 1, labels: ['ci-medic'] });
    expect(fake.pulls[0]).toMatchObject({ title: 't2', labels: [{ name: 'ci-medic' }] });
  });

  it('validates bodies: missing fields, wrong types, unknown keys', async () => {
    const post = (body: unknown) =>
      fetch(`${fake.url}/repos/o/r/pulls`, {
        method: 'POST',
        headers: { authorization: `token ${FAKE_GITHUB_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post({ head: 'a', base: 'main' })).status).toBe(422);
    expect((await post({ title: 't', head: 'a', base: 'main', draft: 'yes' })).status).toBe(422);
    expect((await post({ title: 't', head: 'a', base: 'main', labels: ['x'] })).status).toBe(422);
    expect(fake.requests.at(-1)).toMatchObject({ route: 'create-pull', status: 422, body: { labels: ['x'] } });
  });

  it('answers configured failures with the real messages, and public keys per user', async () => {
    const octokit = getOctokit(FAKE_GITHUB_TOKEN, { baseUrl: fake.url });
    fake.setFailure('create-pull', 403, undefined, 1);
    await expect(
      octokit.rest.pulls.create({ owner: 'o', repo: 'r', title: 't', head: 'x', base: 'main' }),
    ).rejects.toMatchObject({ status: 403, message: expect.stringContaining('not permitted to create or approve') });
    expect(
      (await octokit.rest.pulls.create({ owner: 'o', repo: 'r', title: 't', head: 'x', base: 'main' })).status,
    ).toBe(201);
    const keys = await fetch(`${fake.url}/users/octocat/keys`);
    expect(await keys.json()).toEqual([{ id: 7, key: 'ssh-ed25519 AAAAC3Nza octocat' }]);
    expect((await fetch(`${fake.url}/users/nobody/keys`)).status).toBe(404);
  });
});
