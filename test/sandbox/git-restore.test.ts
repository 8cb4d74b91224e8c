// Restoring one file in a sandboxed session, for real through `ci-medic run` (the CLI bundle): git checkout -- FILE and
// git restore FILE cannot work there (git locks .git/index, and .git is read-only), so the policy denies them at once
// and names what works; what it names restores the file, and .git/config, .git/hooks and .github/ stay unwritable.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, makeTempDir, removeTempDirs, writeFiles } from '../helpers/repo.js';

const CLI = join(process.cwd(), 'dist/cli/index.js');
const name = `git-restore-${randomBytes(4).toString('hex')}`;
const ORIGINAL = 'export const answer = 42;\n';
const BROKEN = 'export const answer = ;\n';
let ws: string;
let home: string;

function cli(args: string[]): { code: number | null; out: string } {
  const env = { PATH: process.env.PATH, HOME: home, LANG: 'C.UTF-8', TERM: 'xterm' };
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ws, env, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

const run = (command: string, ...flags: string[]) =>
  cli(['run', '--session', name, '--timeout', '20s', ...flags, '--', command]);

/** Every file under the guarded places, with its content (a directory's listing included). */
function snapshot(): string {
  const out: string[] = [];
  const walk = (p: string) => {
    const st = statSync(p);
    if (st.isDirectory()) for (const e of readdirSync(p).sort()) walk(join(p, e));
    else out.push(`${p} ${st.mode} ${readFileSync(p, 'base64')}`);
  };
  for (const p of ['.git/config', '.git/hooks', '.git/HEAD', '.git/index', '.github']) walk(join(ws, p));
  return out.join('\n');
}

const file = () => readFileSync(join(ws, 'src/answer.ts'), 'utf8');

beforeAll(() => {
  const root = makeTempDir('ci-medic-git-restore-');
  ws = join(root, 'ws');
  home = join(root, 'home');
  writeFiles(ws, { 'src/answer.ts': ORIGINAL, '.github/workflows/ci.yml': 'name: ci\n' });
  writeFiles(home, { '.profile': '# profile\n' });
  git(ws, 'init', '-q', '-b', 'main');
  git(ws, 'add', '-A');
  git(ws, 'commit', '-qm', 'initial');
  const start = cli(['session', 'start', '--name', name, '--cwd', ws, '--sandbox', 'required']);
  expect(start.code, start.out).toBe(0);
  expect(start.out).toContain('inside the sandbox');
}, 120_000);

afterAll(() => {
  cli(['session', 'stop', '--name', name]);
  removeTempDirs();
});

describe('restoring one file in the sandbox', () => {
  it('denies git checkout -- FILE and git restore FILE at once, naming what works', () => {
    writeFiles(ws, { 'src/answer.ts': BROKEN });
    for (const command of ['git checkout -- src/answer.ts', 'git restore src/answer.ts']) {
      const r = run(command);
      expect(r.code, r.out).toBe(126);
      expect(r.out).toContain('.git is read-only inside the sandbox');
      expect(r.out).toContain('git checkout-index -f -- src/answer.ts');
    }
    const fromCommit = run('git checkout HEAD -- src/answer.ts');
    expect(fromCommit.code).toBe(126);
    expect(fromCommit.out).toContain('git show HEAD:./src/answer.ts > src/answer.ts');
    expect(file()).toBe(BROKEN);
  }, 120_000);

  it('is right to: with the rule set aside, git itself fails on .git/index.lock', () => {
    for (const command of ['git checkout -- src/answer.ts', 'git restore src/answer.ts']) {
      const r = run(command, '--disable-rule', 'protected-paths');
      expect(r.code, r.out).toBe(128);
      expect(r.out).toMatch(/index\.lock.*Read-only file system/);
    }
    expect(file()).toBe(BROKEN);
  }, 120_000);

  it('restores the file with what the reason names', () => {
    writeFiles(ws, { 'src/answer.ts': BROKEN });
    const fromIndex = run('git checkout-index -f -- src/answer.ts && git status --porcelain');
    expect(fromIndex.code, fromIndex.out).toBe(0);
    expect(file()).toBe(ORIGINAL);
    expect(fromIndex.out.trim()).toBe('');
    writeFiles(ws, { 'src/answer.ts': BROKEN });
    const fromCommit = run('git show HEAD:./src/answer.ts > src/answer.ts');
    expect(fromCommit.code, fromCommit.out).toBe(0);
    expect(file()).toBe(ORIGINAL);
    // A deleted file comes back too.
    expect(run('rm src/answer.ts && git checkout-index -f -- src/answer.ts').code).toBe(0);
    expect(file()).toBe(ORIGINAL);
  }, 120_000);

  it('keeps .git/config, .git/hooks and .github/ unwritable, the policy set aside', () => {
    const before = snapshot();
    const attempts = [
      'echo "[core]" >> .git/config',
      'echo "#!/bin/sh" > .git/hooks/pre-commit && chmod +x .git/hooks/pre-commit',
      'echo x > .github/workflows/ci.yml',
      'git checkout-index -f --prefix=.github/ -a',
      'git config core.hooksPath /tmp',
    ];
    for (const command of attempts) {
      const r = run(command, '--disable-rule', 'protected-paths', '--disable-rule', 'git-exec');
      expect(r.code, `${command}: ${r.out}`).not.toBe(0);
    }
    expect(snapshot()).toBe(before);
  }, 120_000);
});
