// Programs that control the terminal session ci-medic runs the agent in, or end the agent's shell.
import { deny } from '../context.js';
import { program } from './program.js';

export const sessionControl = program('tmux screen tmate upterm byobu exit logout suspend reset', ({ name }, cx) => {
  deny(
    cx,
    'session',
    name === 'exit' || name === 'logout' || name === 'suspend'
      ? `${name} would end or stop the agent's shell; to stop a script early use 'return' inside it or just run the next command`
      : `${name} controls the terminal session ci-medic runs you in; run commands directly`,
  );
  return 'stop';
});

export const stty = program('stty', ({ args }, cx) => {
  if (args.length > 0 && !args.every((a) => a.value === '-a' || a.value === 'size' || a.value === '--all')) {
    deny(cx, 'session', 'stty changes the terminal ci-medic reads your output from; leave it as it is');
  }
});
