// A stand-in for `tmate` (2.4.0) that behaves like the real one where ci-medic looks, without a tmate server: the
// terminal server is a real tmux server on the -S socket (tmate is a tmux fork), the config is read (tmate-* options
// taken out for tmux), -a must name a readable file ("Using F for access control"), and -F prints the same lines the
// real one prints in foreground mode ("ssh session: ssh …"), then waits until the server is gone ("Session closed").
// `display -p` understands #{tmate_ssh} and #{tmate_num_clients}; the client count is read from <socket>.clients,
// which a test writes to play a person connecting. Any other command goes to tmux as it is.
// A tmate-server-host of 127.0.0.1 with port 1 fails like the real one: "Error connecting: Connection refused".
import process from 'node:process';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const argv = process.argv.slice(2);
const opts = { S: undefined, f: undefined, a: undefined, F: false };
let i = 0;
for (; i < argv.length; i++) {
  const a = argv[i];
  if (a === '-V') {
    process.stdout.write('tmate 2.4.0\n');
    process.exit(0);
  }
  if (a === '-F') opts.F = true;
  else if (['-S', '-f', '-a', '-k', '-n', '-r', '-L'].includes(a)) opts[a.slice(1)] = argv[++i];
  else if (a === '-v' || a === '-u' || a === '-2') continue;
  else if (a.startsWith('-')) {
    process.stderr.write(`tmate: unknown option -- ${a.slice(1)}\n`);
    process.exit(1);
  } else break;
}
const command = argv.slice(i);
if (!opts.S) {
  process.stderr.write(
    'You must specify a socket name with -S. For example: \n  tmate -S /tmp/tmate.sock new-session -d\n',
  );
  process.exit(1);
}
const sock = opts.S;
const stateFile = `${sock}.standin.json`;
const tmux = (args, options = {}) => spawnSync('tmux', ['-S', sock, ...args], { encoding: 'utf8', ...options });
const say = (line) => process.stdout.write(`${line}\n`);
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

if (opts.F) {
  say(`To connect to the session locally, run: tmate -S ${sock} attach`);
  // tmux does not know tmate's own options: read them, hand tmux the rest.
  const settings = {};
  let tmuxConf = '';
  if (opts.f) {
    for (const line of readFileSync(opts.f, 'utf8').split('\n')) {
      const m = /^\s*set(?:-option)?\s+-g\s+(tmate-[a-z0-9-]+)\s+'?([^']*)'?\s*$/.exec(line);
      if (m) settings[m[1]] = m[2];
      else tmuxConf += `${line}\n`;
    }
  }
  writeFileSync(`${sock}.tmux.conf`, tmuxConf);
  if (opts.a) {
    say(`Using ${opts.a} for access control`);
    if (!existsSync(opts.a)) {
      say(`${opts.a}: No such file or directory`);
      process.exit(1);
    }
  }
  const host = settings['tmate-server-host'] ?? 'ssh.tmate.io';
  const port = settings['tmate-server-port'] ?? '22';
  const [cmd, ...rest] = command.length ? command : ['new-session'];
  const started = tmux(['-f', `${sock}.tmux.conf`, cmd, '-d', ...rest]);
  if (started.status !== 0) {
    process.stderr.write(started.stderr);
    process.exit(1);
  }
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT']) process.on(signal, () => (stopping = true));
  say(`Connecting to ${host}...`);
  const unreachable = host === '127.0.0.1' && port === '1';
  if (!unreachable) {
    const token = Math.random().toString(36).slice(2, 14);
    const ssh = `ssh ${token}@nyc1.tmate.io`;
    writeFileSync(stateFile, JSON.stringify({ ssh, web: `https://tmate.io/t/${token}` }));
    say('Note: clear your terminal before sharing readonly access');
    say(`ssh session read only: ssh ro-${token}@nyc1.tmate.io`);
    say(`ssh session: ${ssh}`);
  }
  // Foreground: stay until the server is gone (kill-server from outside) or a signal.
  let tick = 0;
  while (!stopping && tmux(['has-session']).status === 0) {
    sleep(200);
    if (unreachable && ++tick % 5 === 0)
      say(`Error connecting: Connection refused\nReconnecting...\nConnecting to ${host}...`);
  }
  if (stopping) tmux(['kill-server']);
  say('Session closed');
  process.exit(0);
}

// Client commands: the tmate formats first, then tmux.
const state = existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, 'utf8')) : {};
const clientsFile = `${sock}.clients`;
const clients = existsSync(clientsFile) ? readFileSync(clientsFile, 'utf8').trim() || '0' : '0';
const args = command.map((a) =>
  a
    .replaceAll('#{tmate_ssh}', state.ssh ?? '')
    .replaceAll('#{tmate_web}', state.web ?? '')
    .replaceAll('#{tmate_num_clients}', clients),
);
const result = tmux(args, { stdio: 'inherit' });
process.exit(result.status ?? 1);
