// Secrets never reach the shell: the scrubber, and the environment a real session's shell and tmux server hold.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { NON_INTERACTIVE_ENV, scrubEnvironment, shellEnvironment } from '../../src/terminal/env.js';
import { AgentSession } from '../../src/terminal/session.js';
import { stateDirFor } from '../../src/terminal/tmux.js';

const SECRET = 'sekrit-value-4242';
const PLANTED = {
  GITHUB_TOKEN: SECRET,
  ANTHROPIC_API_KEY: SECRET,
  MY_SECRET: SECRET,
  DB_PASSWORD: SECRET,
  AWS_SECRET_ACCESS_KEY: SECRET,
  GOOGLE_APPLICATION_CREDENTIALS: SECRET,
  npm_config__auth: SECRET,
  ACTIONS_RUNTIME_URL: SECRET,
  ACTIONS_ID_TOKEN_REQUEST_URL: SECRET,
  INPUT_ANTHROPIC_API_KEY: SECRET,
  INPUT_CHECK: SECRET,
  BASH_ENV: '/tmp/evil.sh',
  'BASH_FUNC_ls%%': '() { echo hijacked; }',
  PROMPT_COMMAND: 'echo hooked',
};

let session: AgentSession | null = null;
afterAll(async () => {
  if (session) {
    await session.stop();
    rmSync(session.stateDir, { recursive: true, force: true });
  }
});

describe('scrubEnvironment', () => {
  it('drops every secret-looking name and shell hooks, keeps the rest', () => {
    const out = scrubEnvironment({ ...PLANTED, PATH: '/bin', HOME: '/home/x', LANG: 'C.UTF-8', UNSET: undefined });
    expect(out).toEqual({ PATH: '/bin', HOME: '/home/x', LANG: 'C.UTF-8' });
  });

  it('adds the non-interactive settings, which win over the base', () => {
    const env = shellEnvironment({ PAGER: 'less', PATH: '/bin' }, { EXTRA: '1', EXTRA_TOKEN: SECRET });
    expect(env).toMatchObject({ ...NON_INTERACTIVE_ENV, PATH: '/bin', EXTRA: '1' });
    expect(env.EXTRA_TOKEN).toBeUndefined();
    expect(env.PAGER).toBe('cat');
    expect(shellEnvironment(undefined, undefined).PATH).toContain('/usr/bin');
  });
});

describe('a real session', () => {
  it('keeps planted secrets out of the shell and the tmux server', async () => {
    session = await AgentSession.start({
      name: `env${process.pid}`,
      cwd: '/tmp',
      baseEnv: { ...process.env, ...PLANTED },
      env: { CI_MEDIC_EXTRA: 'visible' },
    });
    const r = await session.run('env; declare -F; echo "hook=[$PROMPT_COMMAND]" | grep -c hooked; ls /dev/null');
    expect(r.output).not.toContain(SECRET);
    expect(r.output).not.toContain('hijacked');
    expect(r.output).toContain('CI_MEDIC_EXTRA=visible');
    for (const [k, v] of Object.entries(NON_INTERACTIVE_ENV)) expect(r.output).toContain(`\n${k}=${v}\n`);
    expect(r.output).toContain('/dev/null\n');
    const global = execFileSync('tmux', ['-S', session.socketPath, 'show-environment', '-g'], { encoding: 'utf8' });
    expect(global).not.toContain(SECRET);
    expect(global).toContain('CI=true');
    // The same holds for a respawned shell.
    await session.restart();
    const after = await session.run('env');
    expect(after.output).not.toContain(SECRET);
    expect(after.output).toContain('CI_MEDIC_EXTRA=visible');
    expect(stateDirFor(session.name)).toBe(session.stateDir);
  });
});
