// Programs that reach other machines: network clients by name, DNS lookups through getent, openssl's clients.
import { deny } from '../context.js';
import { loopbackOnly } from './loopback.js';
import { program } from './program.js';

const NETWORK_CLIENTS =
  'curl wget nc ncat netcat socat telnet ssh scp sftp rsync ftp tftp dig nslookup host whois ping ping6 traceroute tracepath nmap lynx links w3m aria2c http https xh wscat websocat smbclient sendmail mail mailx mutt ldapsearch ssh-keyscan sshpass autossh mosh';

export const networkClients = program(NETWORK_CLIENTS, ({ name, args }, cx) => {
  if (cx.sandboxed && (name === 'curl' || name === 'wget') && loopbackOnly(name, args, cx)) return 'stop';
  deny(
    cx,
    'network-egress',
    `${name} reaches the network; the repair works offline with what is in the workspace (read local files, docs in node_modules or the package cache)`,
  );
  return 'stop';
});

export const getent = program('getent', ({ args }, cx) => {
  if (/^a?hosts(v[46])?$|^networks$/.test(args[0]?.value ?? '')) {
    deny(cx, 'network-egress', `getent ${args[0].value} resolves names over DNS; the repair works offline`);
  }
});

export const openssl = program('openssl', ({ args }, cx) => {
  if (['s_client', 's_server', 's_time'].includes(args[0]?.value ?? ''))
    deny(cx, 'network-egress', `openssl ${args[0].value} opens network connections; the repair works offline`);
});
