// A stand-in for the `upterm` client (v0.24.0) with the parts ci-medic uses: `upterm host` with the real flags
// (unknown flags are refused, like cobra), an admin socket at $XDG_RUNTIME_DIR/upterm/<session>.sock, the session
// detail printed the way `--accept` prints it, `upterm session current [-o json] --admin-socket S`, `upterm version`.
// It never reaches a server: the "server" answers from files, so a test can play a person:
//   <runtime>/upterm/clients   the number of connected clients (a test writes it)
//   <runtime>/upterm/<id>.json what `host` was asked to do (argv, force command, authorized keys, pid, env names)
// A --server on 127.0.0.1 port 1 fails the way the real client fails when the server is unreachable.
import process from 'node:process';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';

const VERSION = 'v0.24.0';
const argv = process.argv.slice(2);
const runtimeDir = () => join(process.env.XDG_RUNTIME_DIR || join(homedir(), '.upterm'), 'upterm');

function fail(message) {
  process.stderr.write(`Error: ${message}\n`);
  process.exit(1);
}

const BOOL = new Set([
  '--accept',
  '--skip-host-key-check',
  '--read-only',
  '-r',
  '--no-sftp',
  '--hide-client-ip',
  '--allow-local-tcp-forwarding',
]);
const VALUE = new Set([
  '--server',
  '--force-command',
  '-f',
  '--private-key',
  '-i',
  '--known-hosts',
  '--authorized-keys',
  '--github-user',
  '--gitlab-user',
  '--codeberg-user',
  '--srht-user',
]);

function parseHost(args) {
  const flags = {};
  let command = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      command = args.slice(i + 1);
      break;
    }
    const [name, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (BOOL.has(name)) flags[name] = true;
    else if (VALUE.has(name)) flags[name] = inline ?? args[++i];
    else if (a.startsWith('-')) fail(`unknown flag: ${a}`);
    else {
      command = args.slice(i);
      break;
    }
  }
  return { flags, command };
}

const KEY = /^(ssh-|ecdsa-|sk-)[A-Za-z0-9@.-]+ [A-Za-z0-9+/=]+/;

function detail(state) {
  return [
    `Session: ${state.SessionID}`,
    '',
    `Command:          ${state.Command}`,
    ...(state.ForceCommand ? [`Force Command:    ${state.ForceCommand}`] : []),
    `Host:             ${state.Host}`,
    ...(state.AuthorizedKeys ? [`Authorized Keys:  ${state.AuthorizedKeys}`] : []),
    '',
    '➤ SSH:',
    `    ${state.SSHCommand}`,
    '➤ SFTP:',
    `    sftp ${state.SSHUser}@uptermd.upterm.dev`,
    '',
  ].join('\n');
}

async function host(args) {
  const { flags, command } = parseHost(args);
  if (!flags['--accept'] && !process.stdin.isTTY) {
    process.stderr.write('Error: interactive confirmation requires a terminal (TTY)\n');
    process.exit(1);
  }
  const server = flags['--server'] ?? 'ssh://uptermd.upterm.dev:22';
  if (!/^(ssh|ws|wss):\/\//.test(server)) fail(`unsupported server protocol ${server.split(':')[0]}`);
  let keys = [];
  if (flags['--authorized-keys']) {
    let text;
    try {
      text = readFileSync(flags['--authorized-keys'], 'utf8');
    } catch (e) {
      fail(`error reading authorized keys: ${e.message}`);
    }
    keys = text.split('\n').filter((l) => l.trim());
    if (keys.length === 0 || !keys.every((k) => KEY.test(k))) fail('error reading authorized keys: ssh: no key found');
  }
  if (/127\.0\.0\.1:1\b/.test(server)) {
    process.stdout.write(`Error: error creating reverse tunnel: dial tcp 127.0.0.1:1: connect: connection refused\n`);
    process.exit(1);
  }
  const id = Math.random().toString(36).slice(2, 12);
  const user = `${id}:${Math.random().toString(36).slice(2, 10)}`;
  const dir = runtimeDir();
  mkdirSync(dir, { recursive: true });
  const sock = join(dir, `${id}.sock`);
  const forceCommand = flags['--force-command'] ?? '';
  const state = {
    SessionID: id,
    SSHUser: user,
    Host: server,
    Command: (command.length ? command : ['bash']).join(' '),
    ForceCommand: forceCommand,
    AuthorizedKeys: keys.length ? `${keys.length} key(s)` : '',
    SSHCommand: `ssh ${user}@uptermd.upterm.dev`,
  };
  writeFileSync(
    join(dir, `${id}.json`),
    JSON.stringify(
      { argv: args, flags, command, keys, pid: process.pid, forceCommand, envNames: Object.keys(process.env) },
      null,
      2,
    ),
  );

  const admin = createServer((conn) => {
    const clientsFile = join(dir, 'clients');
    const count = existsSync(clientsFile) ? Number(readFileSync(clientsFile, 'utf8').trim()) || 0 : 0;
    conn.end(JSON.stringify({ ...state, ClientCount: count }));
  });
  await new Promise((resolve) => admin.listen(sock, resolve));
  process.stdout.write(detail(state));

  const child = spawn(command[0] ?? 'bash', command.slice(1), { stdio: 'inherit' });
  const end = (code) => {
    admin.close();
    rmSync(sock, { force: true });
    process.exit(code);
  };
  child.on('exit', (code) => end(code ?? 0));
  for (const signal of ['SIGHUP', 'SIGTERM', 'SIGINT']) {
    process.on(signal, () => {
      child.kill('SIGHUP');
      end(0);
    });
  }
}

async function current(args) {
  let socket = process.env.UPTERM_ADMIN_SOCKET ?? '';
  let output = '';
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--admin-socket') socket = args[++i];
    else if (args[i].startsWith('--admin-socket=')) socket = args[i].slice(15);
    else if (args[i] === '-o' || args[i] === '--output') output = args[++i];
    else fail(`unknown flag: ${args[i]}`);
  }
  if (!socket) fail('missing flag --admin-socket');
  const text = await new Promise((resolve, reject) => {
    const conn = createConnection(socket);
    let data = '';
    conn.on('data', (d) => (data += d));
    conn.on('end', () => resolve(data));
    conn.on('error', reject);
  }).catch((e) => fail(`failed to get session: ${e.message}`));
  const state = JSON.parse(text);
  if (output === 'json') {
    const { SessionID, ClientCount, Host, Command, ForceCommand } = state;
    process.stdout.write(`${JSON.stringify({ SessionID, ClientCount, Host, Command, ForceCommand }, null, 2)}\n`);
  } else if (output) {
    fail(`invalid output format "${output}": must be 'json' or 'go-template=<template>'`);
  } else {
    process.stdout.write(detail(state));
  }
}

const [sub, ...rest] = argv;
if (sub === 'host') await host(rest);
else if (sub === 'session' && rest[0] === 'current') await current(rest.slice(1));
else if (sub === 'version' || sub === '--version') process.stdout.write(`Upterm version ${VERSION}\n`);
else fail(`unknown command "${sub ?? ''}" for "upterm"`);
