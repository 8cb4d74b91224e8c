// Credential files (issue 12): reading any file of src/secrets/locations.ts directly is denied, whichever reader;
// the tools that use them still run.
import { describe, expect, it } from 'vitest';
import { evaluate, type PolicyConfig } from '../../src/policy/index.js';
import { credentialFilePaths } from '../../src/secrets/locations.js';

const HOME = '/home/runner';
const WS = '/home/runner/work/app/app';
const config = (sandboxed: boolean): PolicyConfig => ({
  allow: [],
  deny: [],
  protectedPaths: [],
  disabledRules: [],
  workspace: WS,
  home: HOME,
  sandboxed,
});

describe.each([false, true])('credential files (sandboxed: %s)', (sandboxed) => {
  const files = credentialFilePaths(HOME, WS);

  it.each(files.map((f) => [f.path]))('denies cat, head, jq and a redirect from %s', (path) => {
    for (const c of [`cat ${path}`, `head -n 5 ${path}`, `jq . ${path}`, `grep token < ${path}`]) {
      expect(evaluate(c, config(sandboxed)), c).toMatchObject({ allowed: false, rule: 'default:secrets' });
    }
  });

  it.each(files.map((f) => [f.file.path]))('denies code that names %s', (relative) => {
    const python = `python3 -c "print(open('${HOME}/${relative}').read())"`;
    const node = `node -e "console.log(require('fs').readFileSync(require('os').homedir() + '/${relative}', 'utf8'))"`;
    for (const c of [python, node]) {
      expect(evaluate(c, config(sandboxed)), c).toMatchObject({ allowed: false, rule: 'default:secrets' });
    }
  });

  it.each([
    'grep -r _authToken ~',
    'grep -rn token /home',
    'cd ~ && grep -rIl password .',
    'rg --hidden -l token ~',
    'tar czf /tmp/home.tgz ~',
    'cat ~/.n*',
    'cat ~/.docker/*',
    'cat ~/.config/*/hosts.yml',
    '(cd ~ && cat .npmrc)',
    `python3 -c "import os; open(os.path.join(os.path.expanduser('~'), '.aws', 'credentials')).read()"`,
    'awk \'{ while ((getline line < "/home/runner/.netrc") > 0) print line }\' /dev/null',
  ])('denies %j', (c) => {
    expect(evaluate(c, config(sandboxed))).toMatchObject({ allowed: false, rule: 'default:secrets' });
  });

  it.each([
    'npm ci',
    'npm install --no-audit',
    'pip install -r requirements.txt',
    'docker pull node:20',
    'cargo build',
    'grep -rn "def main" .',
    'grep -rn token src tests',
    'rg token ~',
    'cat ~/work/app/app/package.json',
    'cat gradle.properties',
    'ls ~/.cache',
  ])('allows %j', (c) => {
    expect(evaluate(c, config(sandboxed))).toMatchObject({ allowed: true });
  });
});
