// Keep secrets out of /proc/<pid>/environ of the ci-medic process itself.
//
// The agent's shell runs as our user, so it can read /proc/<our pid>/environ: the environment block the kernel set up
// at exec time. Deleting a variable (unsetenv) never clears that block, and setting one (setenv) writes the heap,
// which /proc does not show. So the entry re-executes itself once, at start-up, before any session exists, with the
// secret-looking variables left out of the new environment; their values travel through a private file that the new
// image reads and deletes at once, then puts back into process.env, where only this process's own code sees them.
import { mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { collectFileSecrets } from './secrets/collect.js';
import { isSecretName } from './secrets/names.js';

/** Names the private file in the re-executed image's environment (not a secret: the file is gone by the time anyone could look). */
export const SEALED_ENV_FILE = 'CI_MEDIC_SEALED_ENV_FILE';

export type SealOutcome = 'sealed' | 'restored' | 'nothing-to-seal' | 'unsupported';

/** The first Node releases with `process.execve`, which the seal needs (the Action itself runs on Node 24). */
export const SEAL_NODE_REQUIREMENT = 'Node 22.15 or later (23.11 or later on the 23 line; the Action runs on Node 24)';

/** True when this Node can re-execute itself in place (`process.execve`, POSIX only). */
export function canSeal(): boolean {
  return typeof (process as unknown as { execve?: unknown }).execve === 'function' && process.platform !== 'win32';
}

/**
 * Why a run that needs the seal must not start here, naming the Node needed and the way out; `optIn` is the flag
 * that runs anyway (the CLI's --allow-unsealed; the Action has none).
 */
export function unsealedRefusal(optIn?: string): string {
  return (
    `this Node (${process.version}) cannot seal the environment: it has no process.execve, so the API key and tokens ` +
    `would stay readable in /proc/${process.pid}/environ, where the agent's shell can read them. Run ci-medic with ` +
    `${SEAL_NODE_REQUIREMENT}` +
    (optIn ? `, or pass ${optIn} to run anyway with the secrets readable by the session.` : '.')
  );
}

/** The warning an opted-in unsealed run prints at start and in its summary. */
export const UNSEALED_WARNING =
  "running unsealed (--allow-unsealed): the secrets in ci-medic's environment are readable by the agent's shell " +
  'through /proc; output is still redacted, but nothing keeps a command from sending them elsewhere.';

type Execve = (file: string, args: string[], env: Record<string, string>) => never;

/**
 * Call first thing in an entry, with the process's own environment (`process.env`, which a restore writes back into)
 * and working directory. Either re-executes the process (never returns), or returns what happened:
 * 'restored' in the re-executed image (secrets back in process.env, absent from /proc), 'nothing-to-seal', or
 * 'unsupported' where this Node has no execve (Node before 22.15, Windows) or it failed. The entry decides what an
 * unsupported seal means: `repair` and the Action refuse to start (unsealedRefusal), other commands go on.
 */
export function sealEnvironment(env: NodeJS.ProcessEnv, cwd: string): SealOutcome {
  const sealedFile = env[SEALED_ENV_FILE];
  if (sealedFile) return restore(env, sealedFile);

  // Checked first: a Node that could not seal is reported as such even when there is nothing to seal yet.
  if (!canSeal()) return 'unsupported';
  // A variable a credential file references (`_authToken=${REGISTRY_LOGIN}`) holds a credential whatever its name.
  const referenced = new Set(
    collectFileSecrets({ home: env.HOME || undefined, project: env.GITHUB_WORKSPACE || cwd, env }).variables,
  );
  const isSecret = (name: string): boolean => isSecretName(name) || referenced.has(name);
  const secrets = Object.entries(env).filter(([name, value]) => value !== undefined && isSecret(name));
  if (secrets.length === 0) return 'nothing-to-seal';
  const execve = (process as unknown as { execve: Execve }).execve;

  let dir: string | undefined;
  try {
    // RUNNER_TEMP is the job's own temporary directory on Actions; mkdtemp makes the folder 0700.
    dir = mkdtempSync(join(env.RUNNER_TEMP || tmpdir(), 'ci-medic-seal-'));
    const file = join(dir, 'env.json');
    writeFileSync(file, JSON.stringify(Object.fromEntries(secrets)), { mode: 0o600 });
    const next: Record<string, string> = {};
    for (const [name, value] of Object.entries(env)) {
      if (value !== undefined && !isSecret(name)) next[name] = value;
    }
    next[SEALED_ENV_FILE] = file;
    // The same process again: this Node, its flags and its script with their arguments.
    execve.call(process, process.execPath, [process.execPath, ...process.execArgv, ...process.argv.slice(1)], next);
  } catch {
    // execve was refused: the entry decides (repair and the Action refuse to start, other commands go on).
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
  return 'unsupported';
}

function restore(env: NodeJS.ProcessEnv, file: string): SealOutcome {
  delete env[SEALED_ENV_FILE];
  let values: Record<string, string>;
  try {
    values = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  } finally {
    // Only the file and the empty folder sealEnvironment made: the variable names a path, and a path is never trusted.
    rmSync(file, { force: true });
    if (basename(dirname(file)).startsWith('ci-medic-seal-')) {
      try {
        rmdirSync(dirname(file));
      } catch {
        // not empty or already gone: leave it
      }
    }
  }
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === 'string') env[name] = value;
  }
  return 'restored';
}
