// Wrappers that only change how another command runs (timeout, nice, env, xargs, ...): the inner command is
// unwrapped and checked like any other. Runners that start a command in a way the policy cannot parse are refused.
import { checkAssignment } from '../assignments.js';
import { clip } from '../walk.js';
import {
  checkWrite,
  deny,
  inner,
  nestedCode,
  runInner,
  skipOptions,
  type CheckContext,
  type OptionSpec,
} from '../context.js';
import type { SimpleCommand } from '../walk.js';
import type { Arg } from '../words.js';
import { withDirectory } from './directory.js';
import { program, type Invocation } from './program.js';

const OPAQUE_RUNNERS =
  'at batch setsid ionice chrt taskset flock unbuffer faketime strace ltrace catchsegv fakeroot firejail systemd-run sg newgrp prlimit numactl cgexec chpst daemonize start-stop-daemon script parallel expect entr watchexec run-parts sh-c';

export const opaqueRunners = program(
  OPAQUE_RUNNERS,
  ({ name }, cx) => {
    deny(
      cx,
      'hidden-evaluation',
      `${name} runs another command in a way the policy cannot check; run the inner command directly`,
    );
    return 'stop';
  },
  (name) => /^ld(-linux[^/]*|-musl[^/]*)?\.so/.test(name),
);

const WRAPPER_OPTIONS: Record<string, OptionSpec> = {
  timeout: { short: 'sk', long: ['--signal', '--kill-after'] },
  nice: { short: 'n', long: ['--adjustment'] },
  nohup: { short: '', long: [] },
  stdbuf: { short: 'ioe', long: ['--input', '--output', '--error'] },
  command: { short: '', long: [] },
  builtin: { short: '', long: [] },
  time: { short: 'fo', long: ['--format', '--output'] },
  // -e, -i and -l take their optional value attached only.
  xargs: {
    short: 'adEILnPs',
    long: [
      '--arg-file',
      '--delimiter',
      '--max-args',
      '--max-procs',
      '--max-chars',
      '--max-lines',
      '--process-slot-var',
    ],
  },
  busybox: { short: '', long: [] },
  toybox: { short: '', long: [] },
};

export const wrappers = program(Object.keys(WRAPPER_OPTIONS), (inv, cx) => unwrap(inv, cx));

function unwrap({ name, args, cmd, depth }: Invocation, cx: CheckContext): void {
  let i = skipOptions(args, WRAPPER_OPTIONS[name]);
  if (name === 'command' && args.slice(0, i).some((a) => /^-[a-zA-Z]*[vV]/.test(a.value))) return; // lookup only
  if (name === 'timeout') i++; // the duration
  if (name === 'time') {
    const o = args.findIndex((a) => a.value === '-o' || a.value.startsWith('--output'));
    if (o >= 0) {
      const v = args[o].value;
      const target = v.includes('=') ? { ...args[o], value: v.slice(v.indexOf('=') + 1) } : args[o + 1];
      if (target) checkWrite(target, cx, false, `time -o ${clip(target.value)}`);
    }
  }
  if (name === 'xargs') {
    if (
      args.some((a) => a.value === '-p' || a.value === '--interactive' || a.value === '-o' || a.value === '--open-tty')
    ) {
      deny(cx, 'interactive', 'xargs -p/-o asks at the terminal; run xargs without them');
    }
    const rest = args.slice(i);
    // Without a command xargs runs echo.
    if (rest.length > 0) runInner(inner(rest, cmd, 'xargs', { extraArgs: true, stdin: false }), cx, depth);
    return;
  }
  const rest = args.slice(i);
  if (rest.length > 0) runInner(inner(rest, cmd, name), cx, depth);
}

export const env = program('env', ({ args, cmd, depth }, cx) => checkEnv(args, cmd, cx, depth));

function checkEnv(args: Arg[], cmd: SimpleCommand, cx: CheckContext, depth: number): void {
  let i = 0;
  let chdir: Arg | undefined;
  const env: SimpleCommand['env'] = [];
  for (; i < args.length; i++) {
    const a = args[i];
    const v = a.value;
    if (v === '--') {
      i++;
      break;
    }
    if (v.startsWith('--')) {
      if (v.startsWith('--split-string'))
        return denySplitString(v.includes('=') ? [{ ...a, value: v.slice(15) }] : args.slice(i + 1, i + 2), cx);
      if (v === '--chdir' || v === '--unset') {
        if (v === '--chdir') chdir = args[i + 1];
        i++;
      } else if (v.startsWith('--chdir=')) chdir = { ...a, value: v.slice(8) };
      continue;
    }
    if (v.startsWith('-') && v !== '-') {
      // Short clusters: -i, -0, -v; -u NAME and -C DIR take a value (attached or next); -S takes the rest.
      for (let k = 1; k < v.length; k++) {
        const c = v[k];
        if (c === 'S')
          return denySplitString(k < v.length - 1 ? [{ ...a, value: v.slice(k + 1) }] : args.slice(i + 1, i + 2), cx);
        if (c === 'u' || c === 'C') {
          const value = k < v.length - 1 ? { ...a, value: v.slice(k + 1) } : args[++i];
          if (c === 'C') chdir = value;
          break;
        }
      }
      continue;
    }
    if (v === '-') continue;
    const eq = /^([A-Za-z_][A-Za-z0-9_]*|[^=]*%%)=/.exec(v);
    if (!eq) break;
    const value = { ...a, value: v.slice(eq[0].length) };
    env.push({ name: eq[1], value });
    if (/^BASH_FUNC_/.test(eq[1]) || eq[1].endsWith('%%')) {
      deny(
        cx,
        'shell-state',
        'exporting a BASH_FUNC_ variable defines a function in the child shell; write the commands out',
      );
    } else {
      checkAssignment(eq[1], value, false, cx.findings);
    }
  }
  const rest = args.slice(i);
  if (rest.length === 0) {
    return deny(
      cx,
      'secrets',
      'env without a command prints the whole environment; use echo "$NAME" for the one variable you need',
    );
  }
  withDirectory(chdir, cx, () => runInner(inner(rest, cmd, 'env', { env }), cx, depth));
}

function denySplitString(words: Arg[], cx: CheckContext): void {
  deny(
    cx,
    'hidden-evaluation',
    'env -S splits a string into a command, hiding it from the policy; write the command as separate words',
  );
  nestedCode(words, cx);
}
