// Loop events -> the runner's log: one collapsible group per model turn, a progress line per command.
// The event shapes belong to the loop; this reads them loosely so a new event kind never breaks the log.

interface LogSink {
  startGroup(name: string): void;
  endGroup(): void;
  info(message: string): void;
}

type LoopEvent = { type: string } & Record<string, unknown>;

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

export function progressReporter(log: LogSink, redact: (text: string) => string) {
  let open = false;
  const close = (): void => {
    if (open) log.endGroup();
    open = false;
  };
  const onEvent = (event: LoopEvent): void => {
    const type = event.type;
    if (/turn/i.test(type) && /start|begin/i.test(type)) {
      close();
      const turn = event.turn ?? event.index ?? '';
      log.startGroup(`ci-medic turn ${str(turn)}`.trim());
      open = true;
      return;
    }
    if (/command/i.test(type) || /tool/i.test(type)) {
      const command = str(event.command ?? (event.input as { command?: string } | undefined)?.command);
      const decision = event.allowed === false ? ' (denied)' : '';
      const exit = event.exitCode !== undefined ? ` -> exit ${str(event.exitCode)}` : '';
      if (command) log.info(redact(`$ ${command}${decision}${exit}`));
      return;
    }
    const message = str(event.message ?? event.text ?? event.reason);
    if (message) log.info(redact(`${type}: ${message}`));
  };
  return { onEvent, close };
}
