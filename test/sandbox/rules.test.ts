// The sandbox's rules, ecosystem detection, input checks and the availability probe (pure parts and a real probe).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, parseDomains, parseSandboxMode } from '../../src/config.js';
import { checkSandbox, detectEcosystems, runtimeConfig } from '../../src/sandbox/index.js';
import { makeTempDir, removeTempDirs, writeFiles } from '../helpers/repo.js';

afterAll(() => removeTempDirs());

describe('ecosystems', () => {
  it('finds the registries of every ecosystem in the tree, skipping dependencies', () => {
    const ws = makeTempDir();
    writeFiles(ws, {
      'package.json': '{}',
      'services/api/go.mod': 'module x\n',
      'tools/requirements-dev.txt': 'pytest\n',
      'node_modules/x/Cargo.toml': '[package]\n', // a dependency's file says nothing about the project
    });
    expect(detectEcosystems(ws).map((e) => e.name)).toEqual(['npm', 'python', 'go']);
  });
});

describe('rules', () => {
  it('denies credentials, RUNNER_TEMP and the tmux socket directory; re-opens the state dir; protects .git', () => {
    const root = makeTempDir();
    const ws = join(root, 'ws');
    mkdirSync(join(ws, '.git'), { recursive: true });
    const stateDir = join(root, 'ci-medic-0', 's.d');
    const config = runtimeConfig({
      workspace: ws,
      home: '/home/u',
      stateDir,
      ownDir: join(stateDir, 'sandbox'),
      tmpDir: join(stateDir, 'tmp'),
      protectedPaths: ['.git/', '.github/'],
      ecosystems: detectEcosystems(ws),
      settings: { mode: 'auto', allowDomains: ['npm.example.com'], allowWrite: ['~/out'], denyRead: ['secret.txt'] },
      runnerTemp: '/runner/_temp',
    });
    const fs = config.filesystem;
    expect(fs.denyRead).toEqual(
      expect.arrayContaining([
        join(root, 'ci-medic-0'),
        '/home/u/.ssh',
        '/home/u/.npmrc',
        '/home/u/.git-credentials',
        '/runner/_temp',
        join(ws, 'secret.txt'),
      ]),
    );
    expect(fs.denyRead).not.toContain(join(ws, '.npmrc')); // the project's own install config stays readable
    expect(fs.allowRead).toContain(stateDir);
    expect(fs.allowWrite).toEqual(expect.arrayContaining([ws, stateDir, '/home/u/out']));
    expect(fs.denyWrite).toContain(join(ws, '.git'));
    expect(fs.denyWrite).not.toContain(join(ws, '.github')); // missing: no placeholder left in the workspace
    expect(config.network.allowedDomains).toEqual(['npm.example.com']);
  });
});

describe('inputs', () => {
  it('names the input and what is accepted', () => {
    expect(() => parseSandboxMode('sandbox', 'maybe')).toThrow(ConfigError);
    expect(() => parseSandboxMode('sandbox', 'maybe')).toThrow(/sandbox: "maybe" is not a sandbox mode; use auto/);
    expect(() => parseDomains('allow-domains', ['https://x.example.com/'])).toThrow(/allow-domains: .*no scheme/);
    expect(parseDomains('allow-domains', ['*.Example.com', 'h:8443'])).toEqual(['*.example.com', 'h:8443']);
  });
});

describe('probe', () => {
  it('says what to install when the programs are missing', async () => {
    const empty = makeTempDir();
    const check = await checkSandbox({ PATH: empty });
    expect(check.available).toBe(false);
    if (!check.available) {
      expect(check.missing).toEqual(['bubblewrap', 'socat', 'ripgrep', 'bsdutils']);
      expect(check.remedy).toContain('apt-get install -y bubblewrap socat ripgrep');
    }
  });

  it('runs bubblewrap for real where it is installed', async () => {
    expect(await checkSandbox({ PATH: process.env.PATH })).toEqual({ available: true });
  });
});
