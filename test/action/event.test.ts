// Event handling: which branch a fix targets, and when ci-medic skips or refuses.
import { describe, expect, it } from 'vitest';
import { decideEvent } from '../../src/action/event.js';

const options = { branchPrefix: 'ci-medic/', allowPullRequestTarget: false, baseOverride: '' };
const repository = 'acme/app';
const sender = { login: 'octocat' };
const pr = (headRepo: string | null, ref = 'feature') => ({
  pull_request: { head: { ref, repo: headRepo ? { full_name: headRepo } : null }, base: { ref: 'main' } },
  sender,
});

describe('decideEvent', () => {
  it('push: the pushed branch', () => {
    expect(
      decideEvent(
        { eventName: 'push', payload: { ref: 'refs/heads/dev', sender }, ref: 'refs/heads/dev', repository },
        options,
      ),
    ).toEqual({
      action: 'run',
      base: 'dev',
      fromFork: false,
      actor: 'octocat',
    });
  });

  it('push of a tag: skipped', () => {
    const decision = decideEvent({ eventName: 'push', payload: {}, ref: 'refs/tags/v1', repository }, options);
    expect(decision).toMatchObject({ action: 'skip' });
  });

  it('same-repository pull_request: a fix into the pull request branch', () => {
    const decision = decideEvent(
      { eventName: 'pull_request', payload: pr('acme/app'), ref: 'refs/pull/3/merge', repository },
      options,
    );
    expect(decision).toMatchObject({ action: 'run', base: 'feature' });
  });

  it('fork pull_request: skipped, saying there are no secrets', () => {
    for (const head of ['someone/app', null]) {
      const decision = decideEvent(
        { eventName: 'pull_request', payload: pr(head), ref: 'refs/pull/3/merge', repository },
        options,
      );
      expect(decision.action).toBe('skip');
      if (decision.action === 'skip') expect(decision.reason).toMatch(/fork.*no secrets/);
    }
  });

  it('pull_request_target: refused with the reason unless allowed', () => {
    const context = { eventName: 'pull_request_target', payload: pr('acme/app'), ref: 'refs/heads/main', repository };
    const refused = decideEvent(context, options);
    expect(refused.action).toBe('refuse');
    if (refused.action === 'refuse') {
      expect(refused.reason).toMatch(/untrusted code/);
      expect(refused.reason).toContain('allow-pull-request-target: true');
    }
    expect(decideEvent(context, { ...options, allowPullRequestTarget: true })).toMatchObject({
      action: 'run',
      base: 'feature',
    });
  });

  it('workflow_run: its head branch; from a fork: skipped', () => {
    const payload = { workflow_run: { head_branch: 'main', head_repository: { full_name: 'acme/app' } }, sender };
    expect(
      decideEvent({ eventName: 'workflow_run', payload, ref: 'refs/heads/main', repository }, options),
    ).toMatchObject({
      action: 'run',
      base: 'main',
    });
    const fork = { workflow_run: { head_branch: 'main', head_repository: { full_name: 'evil/app' } } };
    expect(
      decideEvent({ eventName: 'workflow_run', payload: fork, ref: 'refs/heads/main', repository }, options).action,
    ).toBe('skip');
  });

  it('workflow_dispatch: the ref; the base input overrides', () => {
    const context = { eventName: 'workflow_dispatch', payload: {}, ref: 'refs/heads/release', repository };
    expect(decideEvent(context, options)).toMatchObject({ action: 'run', base: 'release' });
    expect(decideEvent(context, { ...options, baseOverride: 'main' })).toMatchObject({ action: 'run', base: 'main' });
  });

  it('a ci-medic branch: skipped (no repair of a repair)', () => {
    const decision = decideEvent(
      {
        eventName: 'push',
        payload: { ref: 'refs/heads/ci-medic/abc123' },
        ref: 'refs/heads/ci-medic/abc123',
        repository,
      },
      options,
    );
    expect(decision.action).toBe('skip');
    if (decision.action === 'skip') expect(decision.reason).toMatch(/repair of a repair/);
  });
});
