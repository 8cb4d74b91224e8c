// The registry of program families. For one command, every family that handles its name runs in this order; a
// family that denies the invocation as a whole stops the rest (so the reason is the most telling one).
import { tar, unzip, zip } from './archives.js';
import { awk } from './awk.js';
import { declarations, evaluation, printenv, set, shellHooks, shopt, testVariable, variables } from './builtins.js';
import { cd, popd, pushd } from './directory.js';
import { dd, fedByXargs, rm, sort, writers } from './files.js';
import { find } from './find.js';
import { git } from './git.js';
import { editors, monitors, pagers, tail, watchModes } from './interactive.js';
import { inlineCode, inPlaceEdits, repls } from './interpreters.js';
import { getent, networkClients, openssl } from './network.js';
import { kill, privileged, ps } from './processes.js';
import type { Program } from './program.js';
import { githubClients, registries } from './publishing.js';
import { packageRunners, subRunners } from './runners.js';
import { rg } from './search.js';
import { sed } from './sed.js';
import { sessionControl, stty } from './session.js';
import { shells } from './shells.js';
import { env, opaqueRunners, wrappers } from './wrappers.js';

export type { Invocation, Program } from './program.js';

const PROGRAMS: readonly Program[] = [
  // Denied by name alone: nothing else about them matters.
  networkClients,
  privileged,
  sessionControl,
  editors,
  pagers,
  monitors,
  opaqueRunners,
  shells,
  // Interpreters, publishing and runners, before the generic writers.
  repls,
  inlineCode,
  inPlaceEdits,
  registries,
  subRunners,
  writers,
  fedByXargs,
  // One family per program or group of builtins.
  evaluation,
  shellHooks,
  variables,
  declarations,
  testVariable,
  set,
  shopt,
  env,
  printenv,
  ps,
  kill,
  dd,
  rm,
  cd,
  pushd,
  popd,
  getent,
  unzip,
  tar,
  zip,
  sort,
  wrappers,
  find,
  git,
  sed,
  awk,
  rg,
  packageRunners,
  tail,
  watchModes,
  githubClients,
  openssl,
  stty,
];

const NAMES = new Map<string, Set<Program>>();
for (const p of PROGRAMS) {
  for (const n of p.names) {
    if (!NAMES.has(n)) NAMES.set(n, new Set());
    NAMES.get(n)?.add(p);
  }
}
const MATCHERS = PROGRAMS.filter((p) => p.matches);

const cache = new Map<string, readonly Program[]>();
const MAX_CACHED_NAMES = 2000;

/** The families that handle a program name, in registry order. */
export function programsFor(name: string): readonly Program[] {
  const hit = cache.get(name);
  if (hit) return hit;
  const listed = NAMES.get(name);
  const found =
    !listed && MATCHERS.every((p) => !p.matches?.(name))
      ? []
      : PROGRAMS.filter((p) => listed?.has(p) || p.matches?.(name));
  if (cache.size >= MAX_CACHED_NAMES) cache.clear();
  cache.set(name, found);
  return found;
}

/** Every name some family lists (for documentation and tests). */
export function handledNames(): string[] {
  return [...NAMES.keys()].sort();
}
