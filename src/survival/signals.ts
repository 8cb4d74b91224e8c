// SIGINT and SIGTERM turn into one AbortSignal that the entry passes all the way down (the loop's budget already
// aborts the request in flight and interrupts the running command through it). The runner sends SIGINT on cancel,
// then SIGTERM, then kills: the entry unwinds cooperatively, and a backstop timer finishes synchronously in time if
// unwinding hangs.

export type CancelSignal = 'SIGINT' | 'SIGTERM';
const SIGNALS: CancelSignal[] = ['SIGINT', 'SIGTERM'];

/** Cooperative unwinding gets this long; then the backstop finishes, so the whole stays under 5 s (the runner waits ~7.5 s before SIGTERM). */
export const CANCEL_BACKSTOP_MS = 3_000;

export interface Cancellation {
  readonly signal: AbortSignal;
  /** The first signal received, or null. */
  readonly received: CancelSignal | null;
  /** Stop listening (the process's default handling returns). */
  dispose(): void;
}

export interface CancelHandlers {
  /** Called once, on the first signal, before the abort propagates. */
  onSignal?: (signal: CancelSignal) => void;
  /** Called when cooperative unwinding has not finished `backstopMs` after the first signal; must end the process. */
  onBackstop: (signal: CancelSignal) => void;
  backstopMs?: number;
}

/** The conventional exit status of a process ended by `signal` (128 + its number). */
export const exitStatusFor = (signal: CancelSignal): number => (signal === 'SIGINT' ? 130 : 143);

export function cancelOnSignals(handlers: CancelHandlers): Cancellation {
  const controller = new AbortController();
  let received: CancelSignal | null = null;
  let backstop: NodeJS.Timeout | undefined;
  const listener = (signal: CancelSignal): void => {
    if (received) return; // SIGTERM after SIGINT: the backstop is already counting
    received = signal;
    try {
      handlers.onSignal?.(signal);
    } finally {
      backstop = setTimeout(() => handlers.onBackstop(signal), handlers.backstopMs ?? CANCEL_BACKSTOP_MS);
      backstop.unref();
      controller.abort(new Error(`cancelled by ${signal}`));
    }
  };
  for (const signal of SIGNALS) process.on(signal, listener);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    dispose() {
      for (const signal of SIGNALS) process.off(signal, listener);
      if (backstop) clearTimeout(backstop);
    },
  };
}
