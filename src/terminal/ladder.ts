// The recovery ladder for a command that will not finish: C-c; leave an interactive program (q, Escape, :q!);
// C-\; respawn the shell. Each rung gets RUNG_WAIT_MS to bring the shell back to its prompt.
import { INTERACTIVE_PROGRAMS } from './hang.js';
import type { PaneState } from './pane.js';
import type { StopReason } from './types.js';

/** How long each rung of the ladder gets to bring the shell back to its prompt. */
export const RUNG_WAIT_MS = 1_000;

export interface LadderSteps {
  sendKeys: (...keys: string[]) => Promise<void>;
  pane: () => Promise<PaneState | null>;
  /** Wait up to `ms`; true once the command has reported back (the rung worked). */
  settled: (ms: number) => Promise<boolean>;
  respawn: () => Promise<void>;
}

/** Climb until the command reports; `recovery` gets each step taken. Returns true when the shell was respawned. */
export async function climbLadder(reason: StopReason, steps: LadderSteps, recovery: string[]): Promise<boolean> {
  const send = (...keys: string[]) => steps.sendKeys(...keys).catch(() => {});
  if (reason !== 'dead-shell') {
    recovery.push('C-c');
    await send('C-c');
    if (await steps.settled(RUNG_WAIT_MS)) return false;

    const pane = await steps.pane();
    if (pane && !pane.dead && (pane.alternate || INTERACTIVE_PROGRAMS.has(pane.command))) {
      recovery.push('leave interactive program (q, Escape, :q!)');
      for (const keys of [['q'], ['Escape'], ['Escape', ':q!', 'Enter']]) {
        await send(...keys);
        if (await steps.settled(RUNG_WAIT_MS / 3)) return false;
      }
    }

    recovery.push('C-\\');
    await send('C-\\');
    if (await steps.settled(RUNG_WAIT_MS)) return false;
  }
  recovery.push('respawn-pane -k');
  await steps.respawn();
  return true;
}
