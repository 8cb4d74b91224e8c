// Read the credential files the agent's shell could reach (src/secrets/locations.ts) and collect their secret values,
// so the redactor masks them wherever a command prints them, and the commit scan refuses them.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { parseCredentialFile, scanLines } from './formats.js';
import { credentialFilePaths } from './locations.js';
import { SecretSink } from './values.js';

/** Larger files are read up to this size: a credential file is small; a huge one is not worth stalling the start. */
export const MAX_CREDENTIAL_FILE_BYTES = 4 * 1024 * 1024;

export interface CredentialFileReport {
  path: string;
  /** How many secret values it held (each is masked in every form the redactor knows). */
  values: number;
  /** Why it was read line by line instead of parsed, or why it was not read at all. */
  problem?: string;
}

export interface FileSecrets {
  values: string[];
  /**
   * The environment variables the files reference (`_authToken=${NPM_TOKEN}`): their values are credentials whatever
   * their names, so they are sealed and kept from the session like secret-named ones.
   */
  variables: string[];
  /** The credential files that exist, in the order of the list. */
  files: CredentialFileReport[];
}

export interface CollectOptions {
  /** The home directory whose credential files the shell can read (the entry passes HOME). */
  home: string | undefined;
  /** The project (workspace) directory: its own `.npmrc` and `.yarnrc.yml`. */
  project: string;
  /**
   * The environment: variables that move a credential file (`NPM_CONFIG_USERCONFIG`, `KUBECONFIG`), and the values
   * of `${VAR}` references in the files (an `_authToken=${NPM_TOKEN}`).
   */
  env: Record<string, string | undefined>;
}

/** Every secret value in the credential files that exist; never throws (a file it cannot parse is scanned by line). */
export function collectFileSecrets(options: CollectOptions): FileSecrets {
  const sink = new SecretSink(options.env);
  const files: CredentialFileReport[] = [];
  for (const { file, path } of credentialFilePaths(options.home, options.project, options.env)) {
    const text = readSmallFile(path);
    if (text === undefined) continue;
    const before = sink.values.size;
    const report: CredentialFileReport = { path, values: 0 };
    if (text instanceof Error) {
      report.problem = `not read: ${text.message}`;
    } else {
      try {
        parseCredentialFile(file.format, text, sink);
      } catch (error) {
        report.problem = `not valid ${file.format} (${firstLine(error)}); secret-looking values were taken line by line`;
        scanLines(text, sink);
      }
    }
    report.values = sink.values.size - before;
    files.push(report);
  }
  return { values: [...sink.values], variables: [...sink.variables], files };
}

/** The file's text; undefined when there is no such file; an Error when it exists but cannot be read. */
function readSmallFile(path: string): string | Error | undefined {
  let fd: number | undefined;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) return undefined;
    fd = openSync(path, 'r');
    const buffer = Buffer.alloc(Math.min(stat.size, MAX_CREDENTIAL_FILE_BYTES));
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, length).toString('utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    return new Error(firstLine(error));
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0].slice(0, 200);
}
