// The harness of the harm-based tests of the OS boundary: a corpus of evasions (evasions.ts) typed for real through `ci-medic run` (the
// CLI bundle) into a sandboxed session, with planted secrets in files and in another process's environment, a
// loopback listener outside the sandbox, and a workspace with .git/ and .github/. After every attempt: the listener
// saw nothing, no planted secret was printed, .git/ and .github/ are unchanged, ci-medic's own files are unchanged,
// and the tmux server is alive. The same corpus with --sandbox off pins which attempts only the sandbox stops.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { socketPathFor, stateDirFor } from '../../src/terminal/tmux.js';
import { git, makeTempDir, removeTempDirs, writeFiles } from '../helpers/repo.js';
import { EVASIONS, type Evasion } from './evasions.js';

const CLI = join(process.cwd(), 'dist/cli/index.js');
const tag = randomBytes(6).toString('hex');
const SECRETS = {
  ssh: `PLANTED-SSH-${tag}`,
  gitCredentials: `PLANTED-GITCRED-${tag}`,
  npm: `PLANTED-NPM-${tag}`,
  runnerTemp: `PLANTED-RT-${tag}`,
  environ: `PLANTED-ENV-${tag}`,
};

let root: string;
let ws: string;
let home: string;
let runnerTemp: string;
let backup: string;
let listener: Server;
let port = 0;
let connections: string[] = [];
let holder: ChildProcess;

function env(): NodeJS.ProcessEnv {
  // The CA settings only matter where egress TLS is intercepted (this machine): the registry check needs them.
  const ca = Object.fromEntries(
    ['NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR'].map((k) => [k, process.env[k]]).filter(([, v]) => v),
  );
  return { PATH: process.env.PATH, HOME: home, RUNNER_TEMP: runnerTemp, LANG: 'C.UTF-8', TERM: 'xterm', ...ca };
}

export function cli(args: string[]): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ws, env: env(), encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

function fill(step: string, name: string): string {
  return step
    .replaceAll('{PORT}', String(port))
    .replaceAll('{STATE}', stateDirFor(name))
    .replaceAll('{SOCK}', socketPathFor(name))
    .replaceAll('{RT}', runnerTemp)
    .replaceAll('{HOLDER}', String(holder.pid));
}

function treeHash(path: string): string {
  const h = createHash('sha256');
  const walk = (p: string) => {
    if (!existsSync(p)) return h.update(`missing ${p}\n`);
    const st = statSync(p);
    if (st.isDirectory()) for (const e of readdirSync(p).sort()) walk(join(p, e));
    else h.update(`${p}\n`).update(readFileSync(p));
  };
  walk(path);
  return h.digest('hex');
}

function guarded(name: string): Record<string, string> {
  return {
    gitConfig: treeHash(join(ws, '.git/config')),
    gitHead: treeHash(join(ws, '.git/HEAD')),
    gitHooks: treeHash(join(ws, '.git/hooks')),
    gitRefs: treeHash(join(ws, '.git/refs')),
    gitInfo: treeHash(join(ws, '.git/info')),
    gitWorktrees: treeHash(join(ws, '.git/worktrees')),
    gitPackedRefs: treeHash(join(ws, '.git/packed-refs')),
    github: treeHash(join(ws, '.github')),
    profile: treeHash(join(home, '.profile')),
    sessionJson: treeHash(join(stateDirFor(name), 'session.json')),
    // What a person replays: ci-medic appends to it, so a forged line shows as text the pane never drew.
    recording: forgedLines(join(stateDirFor(name), 'recording.cast')),
  };
}

function serverAlive(name: string): boolean {
  return spawnSync('tmux', ['-S', socketPathFor(name), 'has-session'], { stdio: 'ignore' }).status === 0;
}

/** Lines of the recording that claim a passing test run the attempts never printed (a forgery), counted. */
function forgedLines(path: string): string {
  if (!existsSync(path)) return '0'; // not started yet: the recorder creates it with the pane's first output
  return String(
    readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l.includes('all tests passed')).length,
  );
}

/** How `out` shows `secret`: as is, reversed, as hex or as base64 (at any byte offset), or null when it does not. */
function printedForm(out: string, secret: string): string | null {
  if (out.includes(secret)) return 'as is';
  if (out.includes([...secret].reverse().join(''))) return 'reversed';
  if (out.toLowerCase().includes(Buffer.from(secret).toString('hex'))) return 'hex';
  for (let offset = 0; offset < 3; offset++) {
    // The characters that encode only the secret's own bytes, whatever precedes it in the encoded text.
    const encoded = Buffer.concat([Buffer.alloc(offset), Buffer.from(secret)]).toString('base64');
    if (out.includes(encoded.slice(4, -4))) return 'base64';
  }
  return null;
}

/** Every harm one attempt did, in words (empty: none). */
function attempt(evasion: Evasion, name: string): string[] {
  const before = guarded(name);
  connections = [];
  let out = '';
  for (const step of evasion.steps)
    out += cli(['run', '--session', name, '--timeout', '20s', '--', fill(step, name)]).out;
  const harms: string[] = [];
  if (connections.length) harms.push(`the listener saw ${connections.length} connection(s)`);
  for (const [which, value] of Object.entries(SECRETS)) {
    const form = printedForm(out, value);
    if (form) harms.push(`printed the ${which} secret (${form})`);
  }
  const after = guarded(name);
  for (const key of Object.keys(before)) if (before[key] !== after[key]) harms.push(`changed ${key}`);
  if (!serverAlive(name)) harms.push('killed the tmux server');
  return harms;
}

/**
 * Put the workspace, home and session back after an attempt that did harm (only expected without the sandbox). The
 * session starts afresh, so no trap, function, alias or background job of the attempt is left to harm the next.
 */
function restore(name: string, flags: string[]): void {
  for (const p of ['.git', '.github', 'gh-old']) rmSync(join(ws, p), { recursive: true, force: true });
  cpSync(join(backup, '.git'), join(ws, '.git'), { recursive: true });
  cpSync(join(backup, '.github'), join(ws, '.github'), { recursive: true });
  writeFileSync(join(home, '.profile'), '# profile\n');
  cli(['session', 'stop', '--name', name]);
  spawnSync('tmux', ['-S', socketPathFor(name), 'kill-server'], { stdio: 'ignore' });
  const start = cli(['session', 'start', '--name', name, '--cwd', ws, ...flags]);
  expect(start.code, start.out).toBe(0);
}

export function runCorpus(name: string, flags: string[]): Record<string, string[]> {
  const start = cli(['session', 'start', '--name', name, '--cwd', ws, ...flags]);
  expect(start.code, start.out).toBe(0);
  const harmed: Record<string, string[]> = {};
  for (const evasion of EVASIONS) {
    const harms = attempt(evasion, name);
    if (harms.length) {
      harmed[evasion.name] = harms;
      restore(name, flags);
    }
  }
  return harmed;
}

export function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmdline.includes(text) && Number(pid) !== process.pid) found.push(`${pid}: ${cmdline.slice(0, 120)}`);
    } catch {
      // gone already
    }
  }
  return found;
}

/** Call once per test file: builds the workspace, home, secrets, listener and the process holding a secret. */
export function useHarmFixture(): void {
  beforeAll(async () => {
    root = makeTempDir('ci-medic-harm-');
    ws = join(root, 'ws');
    home = join(root, 'home');
    runnerTemp = join(root, 'runner-temp');
    backup = join(root, 'backup');
    mkdirSync(ws);
    writeFiles(ws, {
      'package.json': '{ "name": "harm", "version": "1.0.0" }\n',
      'src/index.js': 'module.exports = 1;\n',
      '.github/workflows/ci.yml': 'name: ci\n',
    });
    git(ws, 'init', '-q', '-b', 'main');
    git(ws, 'add', '-A');
    git(ws, 'commit', '-qm', 'initial');
    cpSync(ws, backup, { recursive: true });
    writeFiles(home, {
      '.ssh/id_rsa': `-----BEGIN KEY-----\n${SECRETS.ssh}\n-----END KEY-----\n`,
      '.git-credentials': `https://user:${SECRETS.gitCredentials}@github.com\n`,
      '.npmrc': `//registry.npmjs.org/:_authToken=${SECRETS.npm}\n`,
      '.profile': '# profile\n',
    });
    writeFiles(runnerTemp, {
      'git-credentials-0c1d2e3f.config': `[http "https://github.com/"]\n\textraheader = AUTHORIZATION: basic ${SECRETS.runnerTemp}\n`,
    });
    // Another process holding a secret in its environment (its name does not look like one: no scrub would catch it).
    holder = spawn('sleep', ['600'], {
      env: { PATH: process.env.PATH, PLANTED_VALUE: SECRETS.environ },
      stdio: 'ignore',
    });
    listener = createServer((socket) => {
      connections.push(`${socket.remoteAddress}:${socket.remotePort}`);
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    port = (listener.address() as { port: number }).port;
    execFileSync('test', ['-f', CLI]); // the CLI bundle: npm run bundle first
  });

  afterAll(async () => {
    holder?.kill('SIGKILL');
    await new Promise<void>((resolve) => listener?.close(() => resolve()));
    removeTempDirs();
  });
}

/** A session name unique to this run (test files may share a process id). */
export const sessionName = (kind: string) => `harm-${kind}-${randomBytes(4).toString('hex')}`;
