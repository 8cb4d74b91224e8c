// Loop events -> the runner's log: one collapsible group per model turn, one line per event inside it.
import type { RepairEvent } from '../agent/index.js';

interface LogSink {
  startGroup(name: string): void;
  endGroup(): void;
  info(message: string): void;
}

export function progressReporter(log: LogSink, redact: (text: string) => string) {
  let openTurn = 0;
  const close = (): void => {
    if (openTurn) log.endGroup();
    openTurn = 0;
  };
  const onEvent = (event: RepairEvent): void => {
    if (event.turn > 0 && event.turn !== openTurn && event.type === 'turn') {
      close();
      log.startGroup(`ci-medic turn ${event.turn}`);
      openTurn = event.turn;
    }
    // Verification and the end of the run sit outside the turns' groups.
    if (event.type === 'verify' || event.type === 'end' || event.type === 'budget') close();
    log.info(redact(`[${event.type}] ${event.message}`));
  };
  return { onEvent, close };
}
