// `npm run bench`: runs every bench/*.bench.ts in turn (each prints its own section of ratios and figures).
// Run under Node 24 (type stripping); the benches import the compiled modules from lib/ (npm run build).
// `npm run bench -- terminal policy` runs only the benches whose file name contains one of the words.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
  .sort();

let failed = 0;
for (const file of benches) {
  console.log(`\n== ${file.replace('.bench.ts', '')} ==`);
  const result = spawnSync(process.execPath, [join(here, file)], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed++;
    console.log(`(${file} failed with exit code ${result.status})`);
  }
}
process.exitCode = failed ? 1 : 0;
