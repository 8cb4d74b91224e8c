// `ci-medic __record --out FILE --width W --height H`: hidden; tmux pipe-pane runs it to record a pane (src/watch).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TRANSCRIPT_POINTER } from '../../watch/sessions.js';
import { record } from '../../watch/recorder.js';
import { RECORD_SUBCOMMAND } from '../../watch/command.js';
import { defineCommand, UsageError } from '../command.js';

const RECORD_OPTIONS = {
  out: { type: 'string' },
  width: { type: 'string', default: '200' },
  height: { type: 'string', default: '50' },
  'max-bytes': { type: 'string' },
  transcript: { type: 'string' },
} as const;

export const main = defineCommand({ name: RECORD_SUBCOMMAND, options: RECORD_OPTIONS }, async ({ values }) => {
  const width = Number(values.width);
  const height = Number(values.height);
  const maxBytes = values['max-bytes'] === undefined ? undefined : Number(values['max-bytes']);
  if (!values.out || !(width > 0) || !(height > 0) || (maxBytes !== undefined && !(maxBytes > 0))) {
    throw new UsageError('--out FILE is required; --width, --height and --max-bytes must be positive numbers');
  }
  // Tells the dashboard which transcript belongs to this session (the session's state directory exists by now).
  if (values.transcript)
    writeFileSync(join(dirname(values.out), TRANSCRIPT_POINTER), values.transcript, { mode: 0o600 });
  await record(process.stdin, values.out, { width, height, maxBytes });
  return 0;
});
