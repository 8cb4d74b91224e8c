// The sandbox's cost, measured side by side in one run (interleaved, so machine load hits both sides alike):
//   1. session start with the sandbox vs without (bubblewrap, the proxy, the host process)
//   2. median of run('true') in a sandboxed session vs a plain one (the shell starts once: goal, no difference)
//   3. a registry install through the sandbox's proxy vs direct (npm install of one small package, cold cache)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Terminal = typeof import('../src/terminal/session.js');
type Sandbox = typeof import('../src/sandbox/index.js');
const { AgentSession } = (await import(new URL('../lib/terminal/session.js', import.meta.url).href)) as Terminal;
const { SandboxLauncher, checkSandbox } = (await import(
  new URL('../lib/sandbox/index.js', import.meta.url).href
)) as Sandbox;

const START_ROUNDS = 5;
const SMALL_ROUNDS = 60;
const INSTALL_ROUNDS = 3;
const INSTALL = 'npm install --no-audit --no-fund --prefer-online --cache ./.npm-cache is-number@7.0.0';

const check = await checkSandbox({ PATH: process.env.PATH });
if (!check.available) {
  console.log(`the sandbox cannot run here: ${check.problem}; ${check.remedy}`);
  process.exit(1);
}

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (ms: number) => `${ms.toFixed(1)} ms`.padStart(10);
const settle = () => new Promise((resolve) => setTimeout(resolve, 15));
async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const ws = mkdtempSync(join(tmpdir(), 'ci-medic-bench-sbx-'));
writeFileSync(join(ws, 'package.json'), '{ "name": "bench", "version": "1.0.0" }\n');
// The CA settings pass through: where egress TLS is intercepted, npm needs them on both sides alike.
const baseEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS,
  SSL_CERT_FILE: process.env.SSL_CERT_FILE,
};
const launcher = () =>
  new SandboxLauncher({
    workspace: ws,
    home: process.env.HOME,
    settings: { mode: 'required', allowDomains: [], allowWrite: [], denyRead: [] },
    protectedPaths: ['.git/', '.github/'],
    hostCommand: [process.execPath, new URL('../lib/cli/index.js', import.meta.url).pathname],
  });
const start = (name: string, sandboxed: boolean) =>
  AgentSession.start({ name, cwd: ws, baseEnv, launcher: sandboxed ? launcher() : undefined });

try {
  const startBoxed: number[] = [];
  const startPlain: number[] = [];
  for (let i = 0; i < START_ROUNDS; i++) {
    for (const [list, boxed] of [
      [startBoxed, true],
      [startPlain, false],
    ] as const) {
      let s: Awaited<ReturnType<typeof AgentSession.start>> | undefined;
      list.push(await time(async () => (s = await start(`bsbx${process.pid}-${i}-${boxed}`, boxed))));
      await s?.stop({ removeState: true });
    }
  }
  console.log(`session start, sandboxed  ${fmt(median(startBoxed))}   (${START_ROUNDS} rounds)`);
  console.log(`session start, plain      ${fmt(median(startPlain))}`);
  console.log(`sandbox start-up cost     ${fmt(median(startBoxed) - median(startPlain))}`);

  const boxed = await start(`bsbx${process.pid}-run-b`, true);
  const plain = await start(`bsbx${process.pid}-run-p`, false);
  try {
    for (let i = 0; i < 10; i++) {
      await boxed.run('true');
      await plain.run('true');
    }
    const viaBoxed: number[] = [];
    const viaPlain: number[] = [];
    for (let i = 0; i < SMALL_ROUNDS; i++) {
      viaBoxed.push(await time(() => boxed.run('true')));
      await settle();
      viaPlain.push(await time(() => plain.run('true')));
      await settle();
    }
    const ratio = median(viaBoxed) / median(viaPlain);
    console.log(`run('true') sandboxed     ${fmt(median(viaBoxed))}   (${SMALL_ROUNDS} rounds)`);
    console.log(`run('true') plain         ${fmt(median(viaPlain))}`);
    console.log(
      `ratio                     ${ratio.toFixed(2)}x   (goal: no measurable difference, <= 1.2x) ${ratio <= 1.2 ? 'OK' : 'OVER GOAL'}`,
    );

    const installBoxed: number[] = [];
    const installPlain: number[] = [];
    for (let i = 0; i < INSTALL_ROUNDS; i++) {
      for (const [list, s] of [
        [installBoxed, boxed],
        [installPlain, plain],
      ] as const) {
        await s.run('rm -rf node_modules package-lock.json .npm-cache');
        const r = await s.run(INSTALL, { timeoutMs: 120_000 });
        if (r.exitCode !== 0) throw new Error(`install failed: ${r.output.slice(-500)}`);
        list.push(r.durationMs);
      }
    }
    const iratio = median(installBoxed) / median(installPlain);
    console.log(`npm install via proxy     ${fmt(median(installBoxed))}   (${INSTALL_ROUNDS} rounds, cold cache)`);
    console.log(`npm install direct        ${fmt(median(installPlain))}`);
    console.log(`ratio                     ${iratio.toFixed(2)}x`);
  } finally {
    await boxed.stop({ removeState: true });
    await plain.stop({ removeState: true });
  }
} finally {
  rmSync(ws, { recursive: true, force: true });
}
