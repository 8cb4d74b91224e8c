// Differential test for protected paths: generated writes (redirects, tee, cp, mv, sed -i, rm, ln, ...) to many
// spellings of a path under .git/ or .github/ run in real bash with the real tools, in a fresh workspace each time.
// Whenever bash actually changed something under a protected path, the policy must have denied the command.
import { spawnSync } from 'node:child_process';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate, type PolicyConfig } from '../../src/policy/index.js';

const FILES: Record<string, string> = {
  '.git/HEAD': 'ref: refs/heads/main\n',
  '.git/hooks/pre-commit': '#!/bin/sh\n',
  '.github/workflows/ci.yml': 'run: npm test\n',
  'src/a.ts': 'export const a = 1;\n',
  'notes.txt': 'a\n',
  'spare.txt': 'spare\n',
};

/** Spellings of a protected file (pre-commit under .git/hooks, or ci.yml under .github/workflows). */
function targets(work: string): string[] {
  return [
    '.git/hooks/pre-commit',
    './.git/hooks/pre-commit',
    'src/../.git/hooks/pre-commit',
    '.git/hooks/../hooks/pre-commit',
    "'.git'/hooks/pre-commit",
    '~/.git/hooks/pre-commit',
    `${work}/.git/hooks/pre-commit`,
    '"$PWD/.git/hooks/pre-commit"',
    '$(echo .git)/hooks/pre-commit',
    '.gi?/hooks/pre-commit',
    '.g*/hooks/pre-commit',
    '.github/workflows/ci.yml',
    '${D:-.github}/workflows/ci.yml',
    '.[g]ithub/workflows/ci.yml',
    '.git/new-file',
  ];
}

/** Safe spellings: the same writes must be allowed (and do happen) here. */
const SAFE_TARGETS = ['src/a.ts', './notes.txt', 'src/new.ts'];

const WRITERS = [
  'echo x > T',
  'echo x >> T',
  'printf x >| T',
  'echo x &> T',
  ': > T',
  '{ echo x; } > T',
  'for i in 1; do echo x; done > T',
  'echo x | tee T',
  'echo x | tee -a T',
  'cp notes.txt T',
  'cp -f notes.txt T',
  'mv spare.txt T',
  'touch T',
  'ln -sf notes.txt T',
  "sed -i 's/a/b/' T",
  "sed -i.bak -e 's/n/m/' T",
  'dd if=notes.txt of=T status=none',
  'rm -f T',
  'truncate -s 0 T',
  'install -m 644 notes.txt T',
  'chmod 600 T',
  'timeout 5 cp notes.txt T',
  'env cp notes.txt T',
  'echo T | xargs touch',
];

/** Writes that name a directory instead of a file. */
const DIRECTORY_WRITES = [
  'cd .git && echo x > config',
  'cd .github/workflows && rm -f ci.yml',
  'env -C .git touch config',
  'find .git/hooks -name pre-commit -delete',
  'find .github -name "*.yml" -exec rm -f {} +',
  'rm -rf .git',
  'rm -rf .github/workflows',
  'rm -rf ./.g*',
  'mv .github gone',
  'cp -r src .git/',
  'mkdir -p .git/hooks/x',
  'ln -s /tmp .git/evil',
  'find . -type f -exec sed -i s/a/b/ {} +',
  'find . -name config -exec sed -i s/r/R/ {} +',
  "find . -name '*.yml' -exec sed -i s/npm/true/ {} +",
  'find . -path "*/.git/*" -delete',
  'find . -delete',
  "find . -name '.g*' -exec rm -rf {} +",
  'find .git -type f -exec truncate -s 0 {} +',
];

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'ci-medic-policy-writes-'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function freshWorkspace(work: string): void {
  rmSync(work, { recursive: true, force: true });
  for (const [path, content] of Object.entries(FILES)) {
    mkdirSync(join(work, path, '..'), { recursive: true });
    writeFileSync(join(work, path), content);
  }
}

/** Every entry under the given directories, with its content or link target, as one comparable string. */
function snapshot(work: string, dirs: string[]): string {
  const out: string[] = [];
  const walk = (rel: string) => {
    const abs = join(work, rel);
    let stat;
    try {
      stat = lstatSync(abs);
    } catch {
      out.push(`${rel} (missing)`);
      return;
    }
    if (stat.isSymbolicLink()) out.push(`${rel} -> ${readlinkSync(abs)}`);
    else if (stat.isDirectory()) {
      out.push(`${rel}/ ${stat.mode}`);
      for (const e of readdirSync(abs).sort()) walk(join(rel, e));
    } else out.push(`${rel} ${stat.mode} ${readFileSync(abs, 'utf8')}`);
  };
  for (const d of dirs) walk(d);
  return out.join('\n');
}

function runInBash(command: string, work: string): void {
  const result = spawnSync('/bin/bash', ['--noprofile', '--norc', '-c', command], {
    cwd: work,
    env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: work, LC_ALL: 'C' },
    input: '',
    timeout: 5000,
  });
  if (result.error) throw new Error(`bash did not finish ${JSON.stringify(command)}: ${result.error.message}`);
}

describe('differential: no write reaches a protected path unless the policy denied it', () => {
  it('agrees with bash on every spelling of every write', () => {
    const work = join(root, 'work');
    const config: PolicyConfig = {
      allow: [],
      deny: [],
      protectedPaths: [],
      disabledRules: [],
      workspace: work,
      home: work,
    };
    const protectedCommands = [
      ...WRITERS.flatMap((w) => targets(work).map((t) => w.replace('T', t))),
      ...DIRECTORY_WRITES,
    ];
    const misses: string[] = [];
    let changedAndDenied = 0;
    for (const command of protectedCommands) {
      freshWorkspace(work);
      const before = snapshot(work, ['.git', '.github']);
      runInBash(command, work);
      const changed = snapshot(work, ['.git', '.github']) !== before;
      const decision = evaluate(command, config);
      if (changed && decision.allowed) misses.push(command);
      if (changed && !decision.allowed) changedAndDenied++;
    }
    expect(misses).toEqual([]);
    // Not vacuous: most spellings really reach the protected files when bash runs them.
    expect(changedAndDenied).toBeGreaterThan(protectedCommands.length / 2);

    let safeWrites = 0;
    for (const command of WRITERS.flatMap((w) => SAFE_TARGETS.map((t) => w.replace('T', t)))) {
      freshWorkspace(work);
      const before = snapshot(work, ['src', 'notes.txt']);
      runInBash(command, work);
      const decision = evaluate(command, config);
      expect({ command, allowed: decision.allowed, reason: decision.reason }).toMatchObject({ command, allowed: true });
      if (snapshot(work, ['src', 'notes.txt']) !== before) safeWrites++;
    }
    expect(safeWrites).toBeGreaterThan(WRITERS.length);
  });
});
