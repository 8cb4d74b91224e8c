// The cost of verification: for a few broken projects repaired by a scripted model (the loopback Messages API fake,
// zero latency), how many times ci-medic ran the check and the setup per repair, and their share of the repair's
// wall time. ci-medic runs the check once, re-runs a failure `flaky-reruns` times (default 2), re-runs it once per
// "done", and runs setup and check in a clean worktree (proving the setup on the base commit only when it fails).
// Run: npm run bench -- verification   (builds lib/ first; imports the compiled loop from ../lib).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

type Fake = typeof import('../test/fakes/anthropic.js');
type Loop = typeof import('../src/agent/loop.js');
const fakeModule = (await import(new URL('../test/fakes/anthropic.ts', import.meta.url).href)) as Fake;
const loop = (await import(new URL('../lib/agent/loop.js', import.meta.url).href)) as Loop;
const { stateDirFor } = (await import(
  new URL('../lib/terminal/tmux.js', import.meta.url).href
)) as typeof import('../src/terminal/tmux.js');

interface Project {
  name: string;
  check: string;
  setup?: string;
  files: Record<string, string>;
  fix: { file_path: string; old_string: string; new_string: string };
}

const NODE_FILES = {
  'package.json': '{"name":"bench","type":"module","scripts":{"test":"node --test"}}\n',
  'math.js':
    'export function total(items) {\n  let sum = 0;\n  for (let i = 0; i < items.length - 1; i++) sum += items[i];\n  return sum;\n}\n',
  'test/math.test.js':
    "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { total } from '../math.js';\ntest('total', () => assert.equal(total([1, 2, 3]), 6));\n",
};
const NODE_FIX = { file_path: 'math.js', old_string: 'items.length - 1', new_string: 'items.length' };

const projects: Project[] = [
  { name: 'node --test, no setup', check: 'node --test', files: NODE_FILES, fix: NODE_FIX },
  {
    name: 'node --test, setup `npm ci` failing on the base commit (no lockfile)',
    check: 'node --test',
    setup: 'npm ci --ignore-scripts --no-audit --no-fund --offline',
    files: NODE_FILES,
    fix: NODE_FIX,
  },
  {
    name: 'pytest, setup passing',
    check: 'python3 -m pytest -q -p no:cacheprovider',
    setup: 'python3 -c "import pytest"',
    files: {
      'calc.py': 'def add(a, b):\n    return a - b\n',
      'test_calc.py': 'from calc import add\n\n\ndef test_add():\n    assert add(2, 2) == 4\n',
    },
    fix: { file_path: 'calc.py', old_string: 'a - b', new_string: 'a + b' },
  },
  {
    name: 'go test, setup `go vet`',
    check: 'go test ./...',
    setup: 'go vet ./...',
    files: {
      'go.mod': 'module example.com/calc\n\ngo 1.19\n',
      'calc.go': 'package calc\n\nfunc Add(a, b int) int { return a - b }\n',
      'calc_test.go':
        'package calc\n\nimport "testing"\n\nfunc TestAdd(t *testing.T) {\n\tif Add(2, 2) != 4 {\n\t\tt.Fatal("Add(2, 2) != 4")\n\t}\n}\n',
    },
    fix: { file_path: 'calc.go', old_string: 'a - b', new_string: 'a + b' },
  },
];

const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'b',
  GIT_AUTHOR_EMAIL: 'b@x',
  GIT_COMMITTER_NAME: 'b',
  GIT_COMMITTER_EMAIL: 'b@x',
};
const root = mkdtempSync(join(tmpdir(), 'ci-medic-verification-bench-'));
const pct = (part: number, whole: number): string => `${((part / Math.max(1, whole)) * 100).toFixed(0)}%`;

try {
  console.log('project | result | check runs | setup runs | check time | setup time | share of the repair');
  for (const [i, project] of projects.entries()) {
    const dir = join(root, `p${i}`);
    for (const [path, content] of Object.entries(project.files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
    execFileSync('git', ['add', '-A'], { cwd: dir });
    execFileSync('git', ['commit', '-q', '-m', 'bench'], { cwd: dir, env: gitEnv });
    const { say, text, toolUse } = fakeModule;
    const fake = await fakeModule.startFakeAnthropic([
      say(toolUse('edit', project.fix)),
      say(text('Fixed the arithmetic.')),
    ]);
    const sessionName = `cm-vbench-${process.pid}-${i}`;
    try {
      const r = await loop.repair(
        {
          check: project.check,
          setup: project.setup,
          workdir: dir,
          model: 'claude-sonnet-5-5',
          baseUrl: fake.url,
          apiKey: 'sk-ant-bench-0000000000',
          maxTurns: 6,
          timeBudgetMs: 5 * 60_000,
          maxCostUsd: 10,
          commandTimeoutMs: 120_000,
          policy: { allow: [], deny: [], protectedPaths: [], disabledRules: [] },
          sessionName,
          transcriptPath: join(root, `transcript-${i}.jsonl`),
          relaxedTamperRules: [],
          secrets: [],
          keepSession: false,
        },
        { baseEnv: process.env },
      );
      const c = r.verificationCost ?? { checkRuns: 0, checkMs: 0, setupRuns: 0, setupMs: 0 };
      const result = r.result + (r.partialVerification ? ' (verification was partial)' : '');
      console.log(
        `${project.name} | ${result} | ${c.checkRuns} | ${c.setupRuns} | ${c.checkMs} ms | ${c.setupMs} ms | ${pct(c.checkMs + c.setupMs, r.durationMs)} of ${r.durationMs} ms`,
      );
      if (r.result !== 'fixed') process.exitCode = 1;
    } finally {
      await fake.close();
      rmSync(stateDirFor(sessionName), { recursive: true, force: true });
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
