// Repair-loop scenarios that go through the agent's shell: planted secrets, a hung command recovered, the time
// budget with a hung command. Real tmux, real policy, real git, the real SDK against the scripted stand-in.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { repair, type RepairEvent } from '../../src/agent/loop.js';
import { bash, say, text, toolUse } from '../fakes/anthropic.js';
import { git } from '../helpers/repo.js';
import {
  BROKEN_FILES,
  brokenRepo,
  configFor,
  FIX_EDIT,
  lastUserText,
  sessionLogs,
  useScriptedModel,
} from '../helpers/scenario.js';
import { freePort } from '../helpers/net.js';

const model = useScriptedModel();

describe('repair loop through the shell', () => {
  test('planted secrets (environment, a file the model cats, .git/config extraheader) reach no request, log or transcript', async () => {
    const envSecret = 'planted-env-password-7f3a9c';
    const userSecret = 'planted-user-secret-42ab9';
    const patternSecret = 'sk-ant-api03-PLANTEDpatternSecretValue0123456789abcdef';
    const ghs = 'ghs_PlantedCheckoutToken0123456789abcdefAB';
    const basic = Buffer.from(`x-access-token:${ghs}`).toString('base64');
    const dir = brokenRepo({
      ...BROKEN_FILES,
      'notes/deploy.txt': `user secret: ${userSecret}\nkey: ${patternSecret}\n`,
    });
    git(dir, 'config', 'http.https://github.com/.extraheader', `AUTHORIZATION: basic ${basic}`);

    const api = await model(
      say(bash('echo "pw=[$DEPLOY_PASSWORD] tok=[$GITHUB_TOKEN] path=$PATH"')),
      say(bash('cat notes/deploy.txt'), toolUse('read', { file_path: 'notes/deploy.txt' })),
      say(bash('grep -r extraheader .git'), toolUse('read', { file_path: '.git/config' }), bash('cat .git/config')),
      say(FIX_EDIT),
      say(text('Fixed the loop bound.')),
    );
    const events: RepairEvent[] = [];
    const config = configFor(dir, api, { secrets: [configFor(dir, api).apiKey!, userSecret] });
    const result = await repair(config, {
      baseEnv: { ...process.env, DEPLOY_PASSWORD: envSecret, GITHUB_TOKEN: ghs },
      onEvent: (e) => events.push(e),
    });

    expect(api.problems).toEqual([]);
    expect(result.result).toBe('fixed');
    // The commands really ran (their output came back), so absence below means redaction/scrubbing, not silence.
    // The terminal layer scrubbed the planted variables: the shell never had them.
    expect(lastUserText(api, 1)).toContain('pw=[] tok=[] path=/');
    expect(lastUserText(api, 2)).toContain('user secret:');
    expect(lastUserText(api, 3)).toContain('extraheader');
    expect(lastUserText(api, 3)).toContain('[REDACTED]');
    expect(lastUserText(api, 3)).toContain('Denied by the command policy');

    const everywhere = [
      ...api.requests.map((r) => r.raw),
      readFileSync(config.transcriptPath, 'utf8'),
      readFileSync(result.transcriptMarkdownPath, 'utf8'),
      sessionLogs(config.sessionName),
      JSON.stringify(events),
      JSON.stringify(result),
    ].join('\n');
    for (const secret of [envSecret, userSecret, patternSecret, ghs, basic, config.apiKey!]) {
      expect(everywhere.includes(secret), `secret ${secret.slice(0, 12)}… leaked`).toBe(false);
    }
  });

  test('a hung command is stopped at the command timeout and the model carries on', async () => {
    const dir = brokenRepo();
    const api = await model(say(bash('sleep 600')), say(FIX_EDIT), say(text('Fixed.')));
    const result = await repair(configFor(dir, api, { commandTimeoutMs: 3000 }), { baseEnv: process.env });
    expect(api.problems).toEqual([]);
    expect(lastUserText(api, 1)).toContain('time limit');
    expect(result.commands[0]).toMatchObject({ command: 'sleep 600', timedOut: true });
    expect(result.result).toBe('fixed');
  });

  test('a server run in the foreground is stopped long before the timeout and the model is told how to run it', async () => {
    const dir = brokenRepo();
    const port = await freePort();
    const api = await model(
      say(bash(`python3 -m http.server ${port} --bind 127.0.0.1`)),
      say(FIX_EDIT),
      say(text('Fixed.')),
    );
    const result = await repair(configFor(dir, api, { commandTimeoutMs: 60_000 }), { baseEnv: process.env });
    expect(api.problems).toEqual([]);
    const told = lastUserText(api, 1);
    expect(told).toContain(`on TCP port ${port} in the foreground and never returned; ci-medic stopped it`);
    expect(told).toContain(`\`python3 -m http.server ${port} --bind 127.0.0.1 > server.log 2>&1 &\``);
    expect(told).toContain(`curl localhost:${port}`);
    expect(result.commands[0].durationMs).toBeLessThan(20_000);
    expect(result.result).toBe('fixed');
  });

  test("the tool's timeout_ms is capped by the command timeout", async () => {
    const dir = brokenRepo();
    const api = await model(say(bash('sleep 600', { timeout_ms: 3_600_000 })), say(FIX_EDIT), say(text('Fixed.')));
    const started = Date.now();
    const result = await repair(configFor(dir, api, { commandTimeoutMs: 2000 }), { baseEnv: process.env });
    expect(result.commands[0].timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  test('time budget with a hung command: the command is interrupted and the run ends within 10 s of the deadline', async () => {
    const dir = brokenRepo();
    const api = await model(say(bash('sleep 600')), say(text('never reached')));
    const started = Date.now();
    // No flaky re-runs: the 4 s budget is for the model's hung command, not for re-running the check.
    const result = await repair(
      configFor(dir, api, { timeBudgetMs: 4000, commandTimeoutMs: 600_000, flakyReruns: 0 }),
      { baseEnv: process.env },
    );
    expect(result.result).toBe('budget-exhausted');
    expect(result.reason).toContain('--time-budget');
    expect(Date.now() - started).toBeLessThan(4000 + 10_000);
    expect(api.requests).toHaveLength(1);
  });

  test('a fix that only works because of an ignored file fails the clean-worktree verification and the model is told', async () => {
    const dir = brokenRepo({ ...BROKEN_FILES, '.gitignore': 'generated/\n' });
    const importing = (from: string): string =>
      `import { add } from '${from}';\nexport function total(items) {\n  return items.reduce(add, 0);\n}\n`;
    const api = await model(
      say(
        toolUse('write', { file_path: 'generated/sum.js', content: 'export const add = (a, b) => a + b;\n' }),
        toolUse('write', { file_path: 'math.js', content: importing('./generated/sum.js') }),
      ),
      say(text('Done.')),
      say(
        toolUse('write', { file_path: 'sum.js', content: 'export const add = (a, b) => a + b;\n' }),
        toolUse('write', { file_path: 'math.js', content: importing('./sum.js') }),
      ),
      say(text('Moved the helper into a tracked file.')),
    );
    const result = await repair(configFor(dir, api, { setup: 'true' }), { baseEnv: process.env });
    expect(api.problems).toEqual([]);
    expect(lastUserText(api, 2)).toContain('failed in the clean worktree');
    expect(result.result).toBe('fixed');
    expect(result.changedFiles).toEqual(['math.js', 'sum.js']);
  });

  test('with a setup command, the fix is verified again in a clean worktree (new files included)', async () => {
    const dir = brokenRepo();
    writeFileSync(join(dir, 'local-notes.txt'), 'untracked before the loop began: not part of the fix\n');
    const api = await model(
      say(
        toolUse('write', { file_path: 'lib/sum.js', content: 'export const add = (a, b) => a + b;\n' }),
        toolUse('write', {
          file_path: 'math.js',
          content:
            "import { add } from './lib/sum.js';\nexport function total(items) {\n  return items.reduce(add, 0);\n}\n",
        }),
      ),
      say(text('Rewrote total() with a helper module.')),
    );
    const result = await repair(configFor(dir, api, { setup: 'test -f package.json' }), { baseEnv: process.env });
    expect(api.problems).toEqual([]);
    expect(result.result).toBe('fixed');
    expect(result.reason).toContain('clean worktree');
    expect(result.changedFiles).toEqual(['lib/sum.js', 'math.js']);
    // The scratch worktree is gone.
    expect(git(dir, 'worktree', 'list').split('\n')).toHaveLength(1);
  });
});
