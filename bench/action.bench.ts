// The Action's bundle: sizes of the committed bundles, and the start-up of `node dist/index.js` with no inputs
// (it must fail fast with the message about `check`) side by side with `node -e 0`, as a ratio.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ACTION = join(root, 'dist/index.js');
const CLI = join(root, 'dist/cli/index.js');
const RUNS = 15;

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KiB`;

/** The entry plus the chunks ncc writes beside it (`NNN.index.js`). */
function bundleSize(entry: string): number {
  const dir = dirname(entry);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const env = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !k.startsWith('INPUT_') && !k.startsWith('GITHUB_')),
);

function time(args: string[]): { ms: number; status: number | null; output: string } {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { encoding: 'utf8', env });
  return {
    ms: Number(process.hrtime.bigint() - started) / 1e6,
    status: result.status,
    output: result.stdout + result.stderr,
  };
}

for (const path of [ACTION, CLI]) {
  if (!existsSync(path)) {
    console.log(`${path} is missing: run 'npm run bundle' first`);
    process.exit(1);
  }
}

console.log(
  `bundle sizes: dist/index.js ${kib(statSync(ACTION).size)} (with chunks ${kib(bundleSize(ACTION))}), dist/cli/index.js ${kib(statSync(CLI).size)}`,
);

// Interleaved, so both see the same machine load.
const bare: number[] = [];
const action: number[] = [];
let last = time([ACTION]);
for (let i = 0; i < RUNS; i++) {
  bare.push(time(['-e', '0']).ms);
  last = time([ACTION]);
  action.push(last.ms);
}
const clear = last.status === 1 && last.output.includes("Input 'check' is required");
console.log(
  `start-up, median of ${RUNS}: node -e 0 ${median(bare).toFixed(0)} ms | node dist/index.js (no inputs) ${median(action).toFixed(0)} ms | ratio ${(median(action) / median(bare)).toFixed(2)}x`,
);
console.log(
  `no inputs: exit ${last.status}, ${clear ? "clear message about 'check'" : 'UNEXPECTED OUTPUT'}; under 1 s: ${median(action) < 1000 ? 'yes' : 'NO'}`,
);
if (!clear) {
  console.log(last.output);
  process.exitCode = 1;
}
