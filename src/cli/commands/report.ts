// `ci-medic report --transcript T.jsonl [--cast F.cast] [--diff D.patch] -o report.html`
import { readFileSync, writeFileSync } from 'node:fs';
import { CastFormatError, parseCast } from '../../watch/asciicast.js';
import { renderReport } from '../../watch/report.js';
import { defineCommand, UsageError } from '../command.js';
import { resolve } from 'node:path';

export const HELP = `Usage: ci-medic report --transcript T.jsonl [--cast F.cast] [--diff D.patch] -o report.html

Writes one self-contained HTML page (it opens offline, from the downloaded artifact too): the turns, commands,
policy decisions, costs and changes of a repair beside a player of the session's recording.

Options:
  --transcript FILE   the transcript, JSON lines (transcript.jsonl)
  --cast FILE         the session's recording (asciicast v2, transcript.cast in the artifact)
  --diff FILE         a unified diff of the change to show
  -o, --output FILE   where to write the page
  -h, --help          this help

Example:
  ci-medic report --transcript transcript.jsonl --cast transcript.cast -o report.html
`;

const REPORT_OPTIONS = {
  transcript: { type: 'string' },
  cast: { type: 'string' },
  diff: { type: 'string' },
  output: { type: 'string', short: 'o' },
} as const;

export const main = defineCommand({ name: 'report', help: HELP, options: REPORT_OPTIONS }, async ({ values }, io) => {
  if (!values.transcript || !values.output) {
    throw new UsageError("--transcript FILE and -o FILE are required; see 'ci-medic report --help'");
  }
  const read = (flag: string, path: string): string => {
    try {
      return readFileSync(resolve(io.cwd, path), 'utf8');
    } catch (error) {
      throw new Error(
        `${flag} ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
        { cause: error },
      );
    }
  };
  try {
    const transcript = read('--transcript', values.transcript);
    const cast = values.cast ? read('--cast', values.cast) : undefined;
    if (cast !== undefined) parseCast(cast, values.cast);
    const diff = values.diff ? read('--diff', values.diff) : undefined;
    const out = resolve(io.cwd, values.output);
    writeFileSync(out, renderReport({ transcript, cast, diff }));
    io.stdout(`Wrote ${out}\n`);
    return 0;
  } catch (error) {
    const message = error instanceof CastFormatError ? `--cast: ${error.message}` : (error as Error).message;
    io.stderr(`ci-medic report: ${message}\n`);
    return 1;
  }
});
