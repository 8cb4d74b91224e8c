// The secrets an entry knows at start, gathered once into the one Redactor every path out uses: the values the caller
// names, the environment's secret-named variables, and the credential files the agent's shell could read.
import { MIN_SECRET_LENGTH, Redactor } from '../redact.js';
import { collectFileSecrets, type CredentialFileReport } from './collect.js';
import { secretValuesIn } from './names.js';

export { CREDENTIAL_FILES, credentialFilePaths, type CredentialFile } from './locations.js';
export { isSecretName, secretValuesIn } from './names.js';
export { collectFileSecrets } from './collect.js';
export type { CredentialFileReport } from './collect.js';

export interface KnownSecretsOptions {
  /** The entry's environment (process.env): its secret-named values, HOME, and `${VAR}` references in the files. */
  env: Record<string, string | undefined>;
  /** The project directory (its own `.npmrc`, `.yarnrc.yml`). */
  workdir: string;
  /** Values the entry knows to be secret (API key, GitHub token, inputs marked secret, checkout's credential). */
  values?: Iterable<string | undefined>;
}

export interface KnownSecrets {
  redactor: Redactor;
  /** Every value collected (for `core.setSecret` and the like); the redactor holds them in all their forms. */
  values: string[];
  /** The credential files that exist, with how many values each held. */
  files: CredentialFileReport[];
  /**
   * The environment for the agent's session: the entry's, minus the variables a credential file references (the
   * terminal layer drops the secret-named ones itself). Pass it as `baseEnv`.
   */
  sessionEnv: Record<string, string | undefined>;
  /** What the entry should tell the user: files read line by line or not at all. Never holds a value. */
  warnings: string[];
}

/** Build the run's Redactor. Reads files; never throws on a bad one (it says so in `warnings`). */
export function knownSecrets(options: KnownSecretsOptions): KnownSecrets {
  const named = [...(options.values ?? [])].filter((v): v is string => typeof v === 'string' && v.length > 0);
  const fromFiles = collectFileSecrets({
    home: options.env.HOME || undefined,
    project: options.workdir,
    env: options.env,
  });
  // Values too short to mask are left out here, so that `core.setSecret` does not mask every "ci" in the log either.
  const values = [...new Set([...named, ...secretValuesIn(options.env), ...fromFiles.values])].filter(
    (v) => v.trim().length >= MIN_SECRET_LENGTH,
  );
  const warnings = fromFiles.files.filter((f) => f.problem).map((f) => `credential file ${f.path}: ${f.problem}`);
  const sessionEnv = { ...options.env };
  for (const name of fromFiles.variables) delete sessionEnv[name];
  return { redactor: new Redactor(values), values, files: fromFiles.files, warnings, sessionEnv };
}
