// Terminal layer, memory: ci-medic's peak RSS while one command prints 100 MB and 1 GB, against the size of the
// output (goal: under 300 MB for 1 GB, i.e. a ratio well under 0.3). Each size runs in a fresh Node process (peak
// RSS is per process); a command printing nothing gives the baseline.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MB = 1024 * 1024;

if (process.argv[2] === 'child') {
  const bytes = Number(process.argv[3]);
  type Terminal = typeof import('../src/terminal/session.js');
  const { AgentSession } = (await import(new URL('../lib/terminal/session.js', import.meta.url).href)) as Terminal;
  const { Redactor } = (await import(
    new URL('../lib/redact.js', import.meta.url).href
  )) as typeof import('../src/redact.js');
  const redactor = new Redactor(['not-a-known-prefix-secret-value']);
  const session = await AgentSession.start({
    name: `benchmem${process.pid}`,
    cwd: '/tmp',
    baseEnv: { PATH: process.env.PATH, HOME: process.env.HOME },
    redact: (text: string) => redactor.redact(text), // the path the repair loop takes: pane feed and log redacted
  });
  try {
    const r = await session.run(`yes 'a line of output, 0123456789 abcdefghijklmnopqrstuvwxyz' | head -c ${bytes}`, {
      timeoutMs: 600_000,
    });
    if (r.exitCode !== 0) throw new Error(`exit ${r.exitCode}`);
    console.log(JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS, truncated: r.outputTruncated }));
  } finally {
    await session.stop({ removeState: true });
  }
} else {
  const here = fileURLToPath(import.meta.url);
  const measure = (bytes: number) => {
    const child = spawnSync(process.execPath, [here, 'child', String(bytes)], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`child failed: ${child.stderr}`);
    return JSON.parse(child.stdout.trim().split('\n').pop() as string) as { maxRssKb: number; truncated: boolean };
  };
  const base = measure(0).maxRssKb / 1024;
  console.log(`peak RSS, command printing nothing   ${base.toFixed(0)} MB`);
  for (const size of [100 * MB, 1024 * MB]) {
    const { maxRssKb } = measure(size);
    const rss = maxRssKb / 1024;
    const ratio = (rss * MB) / size;
    console.log(
      `peak RSS, command printing ${String(size / MB).padStart(4)} MB  ${rss.toFixed(0)} MB   ratio RSS/output ${ratio.toFixed(3)}   (goal for 1 GB: < 300 MB) ${size < 1024 * MB || rss < 300 ? 'OK' : 'OVER GOAL'}`,
    );
  }
}
