// Search tools: rg --pre runs a program on every file it searches.
import { deny, type CheckContext } from '../context.js';
import type { Arg } from '../words.js';
import { program } from './program.js';

export const rg = program('rg', ({ args }, cx) => checkRg(args, cx));

function checkRg(args: Arg[], cx: CheckContext): void {
  for (const a of args) {
    if (a.value === '--') return;
    if (a.value === '--pre' || a.value.startsWith('--pre=')) {
      return deny(cx, 'code-in-arguments', 'rg --pre runs a program on every file searched; search the files directly');
    }
  }
}
