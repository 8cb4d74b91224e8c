// Programs that act on the machine or on other processes rather than the workspace: privilege, services, devices,
// signals, and the environment of other processes.
import { deny } from '../context.js';
import type { Arg } from '../words.js';
import { program } from './program.js';
import type { CheckContext } from '../context.js';

const PRIVILEGED =
  'sudo su doas pkexec chroot mount umount shutdown reboot halt poweroff systemctl service init telinit insmod rmmod modprobe iptables ip6tables nft useradd usermod userdel passwd chpasswd visudo crontab fdisk sfdisk parted wipefs mkswap swapon swapoff losetup setcap chattr pkill killall killall5 runuser setpriv nsenter unshare';

export const privileged = program(
  PRIVILEGED,
  ({ name }, cx) => {
    deny(
      cx,
      'privilege',
      `${name} acts on the machine or other processes, not the workspace; a repair only needs to build, test and edit files`,
    );
    return 'stop';
  },
  (name) => name.startsWith('mkfs'),
);

export const ps = program('ps', ({ args }, cx) => {
  if (args.some((a, i) => (i === 0 && /^[a-zA-Z]*e[a-zA-Z]*$/.test(a.value)) || a.value === 'e')) {
    deny(cx, 'secrets', "ps with 'e' prints every process's environment; use ps aux");
  }
});

export const kill = program('kill', ({ args }, cx) => checkKill(args, cx));

function checkKill(args: Arg[], cx: CheckContext): void {
  let signalSeen = false;
  let options = true;
  for (let i = 0; i < args.length; i++) {
    const v = args[i].value;
    if (options && v === '--') {
      options = false;
      continue;
    }
    if (options && (v === '-s' || v === '-n')) {
      i++;
      signalSeen = true;
      continue;
    }
    if (options && (v === '-l' || v === '-L')) return;
    if (options && !signalSeen && /^-[A-Za-z0-9]+$/.test(v)) {
      signalSeen = true;
      continue;
    }
    if (v === '1' || v === '-1')
      return deny(
        cx,
        'privilege',
        `kill ${v} signals init or every process; kill the specific PID you started (see jobs -l or ps aux)`,
      );
    if (v === '0' || /^-?\$(\$|PPID|BASHPID|\{(PPID|BASHPID)\})$/.test(v) || /tmux|\$\$|PPID|BASHPID/.test(v)) {
      return deny(
        cx,
        'session',
        `kill ${v} signals the agent's own shell; kill the specific PID you started (jobs -l, ps aux)`,
      );
    }
  }
}
