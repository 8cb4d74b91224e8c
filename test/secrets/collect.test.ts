// The credential-file collector: every listed file, parsed with its format's parser, gives up its secret values, and
// the Redactor built from them masks them in every form a command could print.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { collectFileSecrets } from '../../src/secrets/collect.js';
import { knownSecrets } from '../../src/secrets/index.js';
import { CREDENTIAL_FILES, credentialFilePaths } from '../../src/secrets/locations.js';
import { parseProperties } from '../../src/secrets/formats.js';
import { PLANTED, plantCredentials, plantedForms, plantedIn, REFERENCED_VARIABLE } from '../helpers/credentials.js';
import { makeTempDir, removeTempDirs, writeFiles } from '../helpers/repo.js';

afterEach(removeTempDirs);

function planted(): { home: string; project: string; env: Record<string, string> } {
  const home = makeTempDir('ci-medic-home-');
  const project = makeTempDir('ci-medic-project-');
  plantCredentials(home, project);
  return { home, project, env: { HOME: home, [REFERENCED_VARIABLE]: PLANTED.npmrcReferenced } };
}

describe('collectFileSecrets', () => {
  it('finds every planted value in every listed file, with no file read line by line', () => {
    const { home, project, env } = planted();
    const found = collectFileSecrets({ home, project, env });
    for (const [where, value] of Object.entries(PLANTED)) {
      expect(
        found.values.some((v) => v.includes(value)),
        where,
      ).toBe(true);
    }
    expect(found.files.filter((f) => f.problem)).toEqual([]);
    // Each planted file is reported with at least one value (the .cargo/credentials legacy name is not planted).
    const reported = new Set(found.files.map((f) => f.path));
    for (const { path } of credentialFilePaths(home, project)) {
      if (path.endsWith('/.cargo/credentials') || path === join(project, '.yarnrc.yml')) continue;
      expect(reported.has(path), path).toBe(true);
    }
    for (const file of found.files) expect(file.values, file.path).toBeGreaterThan(0);
  });

  it('keeps what is no secret readable: usernames of plain logins, regions, booleans, registry URLs, references', () => {
    const { home, project, env } = planted();
    const { values } = collectFileSecrets({ home, project, env });
    for (const readable of [
      'us-east-1',
      'true',
      '__token__',
      'ci-bot',
      'octo-ci',
      'https://registry.npmjs.org/',
      '-Xmx2g',
      'desktop',
      `\${${REFERENCED_VARIABLE}}`,
    ]) {
      expect(values, readable).not.toContain(readable);
    }
  });

  it('masks every planted value raw, base64-wrapped, URL-encoded and XML-escaped', () => {
    const { home, project, env } = planted();
    const { redactor } = knownSecrets({ env, workdir: project });
    const files = CREDENTIAL_FILES.map((f) => (f.base === 'home' ? join(home, f.path) : join(project, f.path)));
    const shown = execFileSync('bash', ['-c', 'cat "$@" 2>/dev/null; true', 'cat', ...files], { encoding: 'utf8' });
    expect(plantedIn(shown).length).toBeGreaterThan(10); // the files do hold them
    expect(plantedIn(redactor.redact(shown))).toEqual([]);
    // Values as other programs print them: inside a base64 blob, in a JSON string, URL-encoded in a remote.
    for (const value of plantedForms()) {
      const wrapped = [
        Buffer.from(`prefix:${value}:suffix`).toString('base64'),
        JSON.stringify({ value }),
        `https://user:${encodeURIComponent(value)}@example.com/repo.git`,
      ].join('\n');
      expect(plantedIn(redactor.redact(wrapped)), value).toEqual([]);
    }
  });

  it('reads the files that variables point to (setup-node userconfig, KUBECONFIG lists, DOCKER_CONFIG)', () => {
    const elsewhere = makeTempDir('ci-medic-runner-temp-');
    writeFiles(elsewhere, {
      'npmrc-from-setup-node': '//npm.pkg.github.com/:_authToken=${NODE_AUTH_TOKEN}\nrogue=x\n',
      'kube-a': 'users:\n- name: a\n  user:\n    token: KubeFromListA-Qz1Wx2Ec3\n',
      'kube-b': 'users:\n- name: b\n  user:\n    password: KubeFromListB-Rv4Tb5Yn6\n',
      'docker/config.json': '{"auths":{"x.io":{"registrytoken":"DockerCfgDir-Um7Ik8Ol9"}}}',
    });
    const env = {
      NPM_CONFIG_USERCONFIG: join(elsewhere, 'npmrc-from-setup-node'),
      NODE_AUTH_TOKEN: 'SetupNodeAuth-Pa1Sd2Fg3',
      KUBECONFIG: `${join(elsewhere, 'kube-a')}:${join(elsewhere, 'kube-b')}`,
      DOCKER_CONFIG: join(elsewhere, 'docker'),
    };
    const { values } = collectFileSecrets({ home: undefined, project: makeTempDir(), env });
    expect(values).toEqual(
      expect.arrayContaining([
        'SetupNodeAuth-Pa1Sd2Fg3',
        'KubeFromListA-Qz1Wx2Ec3',
        'KubeFromListB-Rv4Tb5Yn6',
        'DockerCfgDir-Um7Ik8Ol9',
      ]),
    );
  });

  it('scans a file its parser rejects line by line, and says so without printing a value', () => {
    const home = makeTempDir('ci-medic-home-');
    writeFiles(home, {
      '.docker/config.json': '{"auths": {"ghcr.io": {"auth": "cm9ib3Q6QnJva2VuSnNvbi1QdzlYeDg3"}},, }\n',
      '.kube/config': 'users:\n- name: x\n  user:\n    token: KubeBrokenYaml-Tk9Lp8\n  bad: [unclosed\n',
    });
    const { values, files } = collectFileSecrets({ home, project: makeTempDir(), env: {} });
    expect(values).toEqual(expect.arrayContaining(['BrokenJson-Pw9Xx87', 'KubeBrokenYaml-Tk9Lp8']));
    const problems = files.filter((f) => f.problem).map((f) => `${f.path}: ${f.problem}`);
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).toMatch(/not valid docker .*line by line/);
    expect(problems.join('\n')).not.toMatch(/BrokenJson|KubeBrokenYaml/);
  });

  it('reports an unreadable file instead of failing the start', () => {
    const home = makeTempDir('ci-medic-home-');
    writeFiles(home, { '.netrc/inside': 'a directory where a file should be' });
    writeFileSync(join(home, '.pypirc'), '[pypi]\npassword = UnreadablePypi-Pw1\n', { mode: 0o000 });
    const { values, files } = collectFileSecrets({ home, project: makeTempDir(), env: {} });
    // As root the 0000 file is still readable (as it is to the agent's shell, which runs as the same user).
    if (process.getuid?.() === 0) expect(values).toContain('UnreadablePypi-Pw1');
    else expect(files.find((f) => f.path.endsWith('.pypirc'))?.problem).toMatch(/^not read: .*EACCES/);
    expect(files.some((f) => f.path.endsWith('.netrc'))).toBe(false);
  });
});

describe('parseProperties', () => {
  it('reads the three separators, continuations, escapes and comments', () => {
    expect(
      parseProperties(
        '# comment\n! also\na=1\nb : 2\nc 3\nlong = one \\\n    two\nkey\\:with\\=seps = v\\u0041\\n\nempty\n',
      ),
    ).toEqual({ a: '1', b: '2', c: '3', long: 'one two', 'key:with=seps': 'vA\n', empty: '' });
  });
});
