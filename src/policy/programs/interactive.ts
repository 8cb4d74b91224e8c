// Programs that wait for a person or never end: editors, pagers, monitors, tail -f, test runners in watch mode.
import { deny, positionals } from '../context.js';
import { program } from './program.js';

export const editors = program('vi vim nvim view vimdiff nano pico emacs joe micro mcedit kak hx', ({ name }, cx) => {
  deny(
    cx,
    'interactive',
    `${name} waits for a person at the keyboard; use sed -i, a here-document (cat > FILE <<'EOF') or the edit tool`,
  );
  return 'stop';
});

export const pagers = program('less more most man info pinfo', ({ name }, cx) => {
  deny(
    cx,
    'interactive',
    `${name} waits for a person at the keyboard; use cat, head, tail or sed -n '1,80p' FILE (for manuals: COMMAND --help | head -50)`,
  );
  return 'stop';
});

export const monitors = program('top htop btop atop iotop glances nmon watch', ({ name }, cx) => {
  deny(
    cx,
    'interactive',
    `${name} keeps redrawing until someone quits it; run a one-shot command instead (ps aux, free -m, or the command itself)`,
  );
  return 'stop';
});

export const tail = program('tail', ({ args }, cx) => {
  if (
    args.some((a) => a.value === '--follow' || a.value.startsWith('--follow=') || /^-[a-zA-Z0-9]*[fF]/.test(a.value))
  ) {
    deny(cx, 'interactive', 'tail -f never ends; use tail -n 100 FILE (run it again to see more)');
  }
});

/** `--watch=false`, `--watchAll=false`, `--watch false`: the flag turns watch mode off (harmless with or without a sandbox). */
function turnsOff(flag: string, next: string | undefined): boolean {
  const value = flag.includes('=') ? flag.slice(flag.indexOf('=') + 1) : next;
  return value !== undefined && /^(false|0|no|off)$/i.test(value);
}

export const watchModes = program('jest mocha tsc vitest nodemon', ({ name, args }, cx) => {
  if (
    name === 'nodemon' ||
    args.some(
      (a, i) =>
        (/^--watch(All)?(=|$)/.test(a.value) && !turnsOff(a.value, args[i + 1]?.value)) ||
        (name !== 'vitest' && a.value === '-w'),
    ) ||
    (name === 'vitest' && ['watch', 'dev'].includes(positionals(args)[0]?.value ?? ''))
  ) {
    deny(
      cx,
      'interactive',
      `${name} in watch mode never ends; run it once (vitest run, jest without --watch, tsc --noEmit)`,
    );
  }
});
