// Which package ecosystems a repository uses, and the registry hosts each needs: the sandbox's default network.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface Ecosystem {
  name: string;
  /** Files whose presence marks the ecosystem (exact names, or a suffix starting with '.'). */
  markers: string[];
  /** Hosts its package manager fetches from (the proxy's allowlist). */
  domains: string[];
  /** Cache directories under the home directory its package manager writes (kept writable so installs stay warm). */
  caches: string[];
}

export const ECOSYSTEMS: readonly Ecosystem[] = [
  {
    name: 'npm',
    markers: ['package.json', 'package-lock.json', 'yarn.lock', 'pnpm-lock.yaml', '.npmrc', '.yarnrc.yml'],
    domains: ['registry.npmjs.org', 'registry.yarnpkg.com', 'repo.yarnpkg.com'],
    caches: ['.npm', '.cache/yarn', '.yarn/berry', '.cache/pnpm', '.local/share/pnpm', '.cache/node'],
  },
  {
    name: 'python',
    markers: [
      'pyproject.toml',
      'setup.py',
      'setup.cfg',
      'Pipfile',
      'poetry.lock',
      'tox.ini',
      'uv.lock',
      '.txt:requirements',
    ],
    domains: ['pypi.org', 'files.pythonhosted.org'],
    caches: ['.cache/pip', '.cache/pypoetry', '.cache/uv'],
  },
  {
    name: 'go',
    markers: ['go.mod', 'go.sum'],
    domains: ['proxy.golang.org', 'sum.golang.org'],
    caches: ['go/pkg/mod', '.cache/go-build'],
  },
  {
    name: 'rust',
    markers: ['Cargo.toml', 'Cargo.lock'],
    domains: ['crates.io', 'index.crates.io', 'static.crates.io'],
    caches: ['.cargo/registry', '.cargo/git'],
  },
  {
    name: 'ruby',
    markers: ['Gemfile', 'Gemfile.lock', '.gemspec'],
    domains: ['rubygems.org', 'index.rubygems.org'],
    caches: ['.gem', '.bundle/cache', '.local/share/gem'],
  },
  {
    name: 'java',
    markers: [
      'pom.xml',
      'build.gradle',
      'build.gradle.kts',
      'settings.gradle',
      'settings.gradle.kts',
      'mvnw',
      'gradlew',
    ],
    domains: ['repo.maven.apache.org', 'repo1.maven.org', 'plugins.gradle.org', 'services.gradle.org'],
    caches: ['.m2/repository', '.gradle/caches', '.gradle/wrapper'],
  },
];

/** Directories never searched for markers: dependencies and build output say nothing about the project itself. */
const SKIPPED = new Set(['node_modules', 'vendor', 'target', 'dist', 'build', 'venv', '__pycache__']);
/** How deep below the workspace markers are looked for (monorepos keep packages one or two levels down). */
const MAX_DEPTH = 2;
/** Bound on the directories read, so a huge tree cannot slow the session's start. */
const MAX_DIRECTORIES = 400;

function matches(file: string, marker: string): boolean {
  if (marker.startsWith('.txt:')) return file.startsWith(marker.slice(5)) && file.endsWith('.txt');
  return marker.startsWith('.') && marker !== '.npmrc' && marker !== '.yarnrc.yml'
    ? file.endsWith(marker)
    : file === marker;
}

/** The ecosystems whose marker files appear in the workspace (top level and up to two directories down). */
export function detectEcosystems(workspace: string): Ecosystem[] {
  const found = new Set<Ecosystem>();
  const queue: { dir: string; depth: number }[] = [{ dir: workspace, depth: 0 }];
  let read = 0;
  while (queue.length && read < MAX_DIRECTORIES) {
    const { dir, depth } = queue.shift() as { dir: string; depth: number };
    read++;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (entry.isDirectory()) {
        if (depth < MAX_DEPTH && !entry.name.startsWith('.') && !SKIPPED.has(entry.name))
          queue.push({ dir: join(dir, entry.name), depth: depth + 1 });
        continue;
      }
      for (const eco of ECOSYSTEMS) if (eco.markers.some((m) => matches(entry.name, m))) found.add(eco);
    }
  }
  return ECOSYSTEMS.filter((e) => found.has(e));
}
