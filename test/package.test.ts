// The npm package as a user gets it: `npm pack` holds the bundles, action.yml, README, LICENSE and package.json only,
// installs into an empty directory with nothing from the registry (the bundles carry their dependencies), and its
// bin answers --help.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { makeTempDir, removeTempDirs } from './helpers/repo.js';

afterAll(() => removeTempDirs());

const npm = (args: string[], cwd: string): string =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });

describe('npm package', () => {
  const packDir = makeTempDir('ci-medic-pack-');
  const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', packDir], process.cwd())) as {
    filename: string;
    files: { path: string }[];
  }[];

  test('holds dist/, action.yml, README.md, LICENSE and package.json only', () => {
    const paths = packed[0].files.map((f) => f.path);
    expect(paths.filter((p) => !/^(dist\/.+|action\.yml|README\.md|LICENSE|package\.json)$/.test(p))).toEqual([]);
    for (const needed of ['dist/index.js', 'dist/cli/index.js', 'action.yml', 'README.md', 'LICENSE']) {
      expect(paths).toContain(needed);
    }
  });

  test('declares no runtime dependency: the bundles carry their own', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Record<string, unknown>;
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.bin).toEqual({ 'ci-medic': 'dist/cli/index.js' });
    for (const field of ['repository', 'keywords', 'files', 'engines', 'license']) expect(pkg[field]).toBeTruthy();
  });

  test('installs offline into an empty directory and its bin answers --help', () => {
    const dir = makeTempDir('ci-medic-install-');
    npm(['init', '--yes'], dir);
    npm(['install', '--offline', '--no-audit', '--no-fund', join(packDir, packed[0].filename)], dir);
    expect(readdirSync(join(dir, 'node_modules')).filter((n) => !n.startsWith('.'))).toEqual(['ci-medic']);
    const help = execFileSync(join(dir, 'node_modules', '.bin', 'ci-medic'), ['--help'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(help).toMatch(/^Usage: ci-medic/m);
    expect(help).toContain('repair');
  });
});
