// Archivers: options that make them run programs, remote archives, and the paths they write (tar -C/-f, unzip -d).
import { checkWrite, deny, type CheckContext } from '../context.js';
import { clip } from '../walk.js';
import type { Arg } from '../words.js';
import { program } from './program.js';

const TAR_PROGRAM_OPTIONS = [
  'checkpoint-action',
  'to-command',
  'use-compress-program',
  'rsh-command',
  'info-script',
  'new-volume-script',
  'rmt-command',
  'index-file',
];

export const tar = program('tar gtar bsdtar', ({ args }, cx) => checkTar(args, cx));

function checkTar(args: Arg[], cx: CheckContext): void {
  const isCluster = (v: string, i: number) => /^-[A-Za-z]+$/.test(v) || (i === 0 && /^[A-Za-z]+$/.test(v));
  // The mode first: -C matters when extracting, -f names a file written when creating, wherever they stand.
  const extracting = args.some(
    (a, i) => (isCluster(a.value, i) && /x/.test(a.value)) || /^--(extract|get)$/.test(a.value),
  );
  const creating = args.some(
    (a, i) =>
      (isCluster(a.value, i) && /[cru]/.test(a.value)) || /^--(create|append|update|concatenate)$/.test(a.value),
  );
  const remote = (file: string) => /^[^/]*:/.test(file) && !args.some((a) => a.value === '--force-local');
  for (let i = 0; i < args.length; i++) {
    const v = args[i].value;
    const long = /^--([a-z-]+)/.exec(v)?.[1];
    if (long && long.length >= 3 && TAR_PROGRAM_OPTIONS.some((o) => o.startsWith(long))) {
      return deny(
        cx,
        'code-in-arguments',
        `tar ${clip(v)} makes tar run a program; use plain tar options (-x, -c, -z, -f)`,
      );
    }
    let file: Arg | undefined;
    if (isCluster(v, i)) {
      // Old-style first argument (`tar xvf a.tar`) and short clusters: I/F take a program or script.
      if (/[IF]/.test(v)) {
        return deny(
          cx,
          'code-in-arguments',
          `tar ${v} (-I/-F) makes tar run a program; use -z, -j or -J for compression`,
        );
      }
      if (/f/.test(v)) file = args[i + 1];
    } else if (v.startsWith('--file=')) file = { ...args[i], value: v.slice(7) };
    else if (v === '--file') file = args[i + 1];
    if (file && remote(file.value)) {
      return deny(
        cx,
        'network-egress',
        `tar -f ${clip(file.value)} names a remote archive (host:path), reached over rsh/ssh; use a local file`,
      );
    }
    if (file && creating && file.value !== '-') checkWrite(file, cx, false, `tar -f ${clip(file.value)}`);
    if (!extracting) continue;
    if (/^-C./.test(v)) checkWrite({ ...args[i], value: v.slice(2) }, cx, true, `tar ${clip(v)}`);
    if ((v === '-C' || v === '--directory') && args[i + 1])
      checkWrite(args[i + 1], cx, true, `tar -C ${clip(args[i + 1].value)}`);
    if (v.startsWith('--directory=')) checkWrite({ ...args[i], value: v.slice(12) }, cx, true, `tar ${clip(v)}`);
  }
}

export const unzip = program('unzip', ({ args }, cx) => {
  for (let k = 0; k < args.length; k++) {
    if (args[k].value === '-d' && args[k + 1]) checkWrite(args[k + 1], cx, true, `unzip -d ${clip(args[k + 1].value)}`);
  }
});

export const zip = program('zip', ({ args }, cx) => {
  if (args.some((a) => a.value === '-TT' || a.value.startsWith('--unzip-command'))) {
    deny(cx, 'code-in-arguments', 'zip -TT/--unzip-command runs a program; test the archive with unzip -t instead');
  }
});
