// Which environment variables hold secrets, told by their names: the one filter the environment seal, the shell's
// scrub and the redactor's collection of environment values all use.

/** Name fragments that mark a variable as a secret (matched case-insensitively anywhere in the name). */
export const SECRET_NAME_PARTS = [
  'TOKEN',
  'SECRET',
  'KEY',
  'PASSWORD',
  'PASSWD',
  'PASSPHRASE',
  'CREDENTIAL',
  'AUTH',
  'PRIVATE',
  'COOKIE',
] as const;

/** Name prefixes dropped whole: the runner's job credentials and every Action input (inputs may carry secrets). */
export const SECRET_NAME_PREFIXES = ['ACTIONS_RUNTIME_', 'ACTIONS_ID_TOKEN_', 'INPUT_'] as const;

/** Environment values shorter than this are not collected: an `AUTH_MODE=none` is no secret worth masking. */
export const MIN_ENV_SECRET_LENGTH = 8;

export function isSecretName(name: string): boolean {
  const upper = name.toUpperCase();
  return (
    SECRET_NAME_PARTS.some((part) => upper.includes(part)) ||
    SECRET_NAME_PREFIXES.some((prefix) => upper.startsWith(prefix))
  );
}

/**
 * The values of the variables whose names mark secrets: the session cannot see them in its environment, but it can
 * read them from /proc/<pid>/environ of a process that holds them, so the redactor must know them. Action inputs
 * (INPUT_*) are left out: they are the inputs themselves (the check, the model), whose secret ones the entry names.
 */
export function secretValuesIn(env: Record<string, string | undefined>): string[] {
  return Object.entries(env)
    .filter(
      ([name, value]) =>
        value && value.length >= MIN_ENV_SECRET_LENGTH && !name.startsWith('INPUT_') && isSecretName(name),
    )
    .map(([, value]) => value as string);
}
