// How a session gets recorded: the shell command tmux pipes the pane's output to (the hidden `__record` subcommand
// of the CLI bundle), and where the recording of a session lives.
import { copyFileSync, existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shellQuote } from '../terminal/quote.js';
import { PANE_HEIGHT, PANE_WIDTH } from '../terminal/server.js';
import { stateDirFor } from '../terminal/tmux.js';

export const RECORD_SUBCOMMAND = '__record';
export const RECORDING_FILE = 'recording.cast';

/** Where the session of that name is recorded (beside its protocol files; the dashboard follows it there). */
export const recordingPathFor = (name: string): string => join(stateDirFor(name), RECORDING_FILE);

/** A recording is there when its file holds something: a sandboxed session's is created empty, before it starts. */
export function hasRecording(path: string): boolean {
  try {
    return statSync(path).size > 0;
  } catch {
    return false;
  }
}

/**
 * The CLI bundle that hosts the recorder. The CLI is itself that bundle (dist/cli/index.js); the Action's bundle
 * (dist/index.js) finds it beside itself in cli/; source runs (tests, lib/) use the repository's dist/cli.
 */
export function recorderScript(entry: string | undefined = process.argv[1]): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    ...(entry ? [resolve(entry), join(dirname(resolve(entry)), 'cli', 'index.js')] : []),
    join(here, 'cli', 'index.js'),
    join(here, '..', '..', 'dist', 'cli', 'index.js'),
  ];
  const found = candidates.find((c) => c.endsWith(join('cli', 'index.js')) && existsSync(c));
  if (!found)
    throw new Error(`the recorder (dist/cli/index.js) was not found beside ${entry ?? here}; run npm run bundle`);
  return found;
}

/** The `pipe-pane` command line that records the pane into `castPath`. */
export function recorderCommand(
  castPath: string,
  size: { width: number; height: number },
  script = recorderScript(),
  transcriptPath?: string,
): string {
  return [
    process.execPath,
    script,
    RECORD_SUBCOMMAND,
    '--out',
    castPath,
    '--width',
    String(size.width),
    '--height',
    String(size.height),
    ...(transcriptPath ? ['--transcript', transcriptPath] : []),
  ]
    .map(shellQuote)
    .join(' ');
}

/**
 * The `pipeOutput` start option that records the session of that name, or undefined (with the reason passed to
 * `warn`) when the recorder cannot be found: a missing recording never stops a session or a repair.
 */
export function sessionRecorder(
  name: string,
  warn: (message: string) => void = () => {},
  transcriptPath?: string,
): string | undefined {
  try {
    return recorderCommand(
      recordingPathFor(name),
      { width: PANE_WIDTH, height: PANE_HEIGHT },
      undefined,
      transcriptPath,
    );
  } catch (error) {
    warn(`the session will not be recorded: ${(error as Error).message}`);
    return undefined;
  }
}

/**
 * Copy the session's recording beside the transcript (`T.jsonl` -> `T.cast`) so it outlives the session's state
 * directory; returns its path, or null when there is no recording.
 */
export function keepRecording(name: string, transcriptPath: string): string | null {
  const from = recordingPathFor(name);
  if (!hasRecording(from)) return null;
  const to = transcriptPath.replace(/\.jsonl$/, '') + '.cast';
  try {
    copyFileSync(from, to);
    return to;
  } catch {
    return null;
  }
}
