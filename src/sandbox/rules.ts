// The sandbox's rules: what the agent's shell may reach. Pure: paths and settings in, the runtime's config out.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { SandboxRuntimeConfig } from '@anthropic-ai/sandbox-runtime';
import type { SandboxSettings } from '../config.js';
import { credentialFilePaths } from '../secrets/locations.js';
import type { Ecosystem } from './ecosystems.js';

export interface RulesContext {
  workspace: string;
  home?: string;
  /** The terminal protocol's state directory: the shell reads and writes it (N.sh, N.log, N.rc). */
  stateDir: string;
  /** The sandbox's own files (config, violations): inside stateDir, neither readable nor writable from inside. */
  ownDir: string;
  /** The shell's private temporary directory (TMPDIR). */
  tmpDir: string;
  /** Paths (relative to the workspace, or absolute) no command may write: `.git/`, `.github/` and configured ones. */
  protectedPaths: string[];
  ecosystems: Ecosystem[];
  settings: SandboxSettings;
  /** RUNNER_TEMP: checkout's git-credentials-*.config, the job's file commands, our journal. */
  runnerTemp?: string;
  /** The runner's own installation and the actions it downloaded (ci-medic among them). */
  runnerDirs?: string[];
  /** ci-medic's own files outside the workspace (the bundle, the transcript). */
  ownFiles?: string[];
}

/**
 * Files in the state directory that only ci-medic writes: a shell that rewrote the protocol's could steer a later
 * respawn; one that rewrote the recording (src/watch) or its transcript pointer could forge what a person replays.
 */
export const PROTOCOL_OWN_FILES = [
  'session.json',
  'tmux.conf',
  'shell.rc',
  'server.pid',
  'recording.cast',
  'transcript.path',
];

function absolute(path: string, ctx: RulesContext): string {
  if (path === '~' || path.startsWith('~/')) return join(ctx.home ?? '/nonexistent-home', path.slice(1));
  return isAbsolute(path) ? resolve(path) : resolve(ctx.workspace, path);
}

/** Cache directories of the detected ecosystems that exist (the launcher creates them first). */
export function cacheDirs(ctx: Pick<RulesContext, 'home' | 'ecosystems'>): string[] {
  if (!ctx.home) return [];
  return [...new Set(ctx.ecosystems.flatMap((e) => e.caches))].map((c) => join(ctx.home as string, c));
}

/** Hosts the proxy lets through: the detected ecosystems' registries plus `allow-domains`. */
export function allowedDomains(ctx: Pick<RulesContext, 'ecosystems' | 'settings'>): string[] {
  return [...new Set([...ctx.ecosystems.flatMap((e) => e.domains), ...ctx.settings.allowDomains])];
}

export function runtimeConfig(ctx: RulesContext): SandboxRuntimeConfig {
  const home = ctx.home;
  // The tmux socket and other sessions live beside the state directory: hide the whole base, re-open our state.
  const base = dirname(ctx.stateDir);
  const denyRead = [
    base,
    ctx.ownDir,
    ...(home ? [join(home, '.ssh'), join(home, '.gnupg')] : []),
    // The credential files of the home directory. A project's own .npmrc/.yarnrc.yml stays readable: its install
    // reads registry settings there, and whatever it holds is already in the repository (and redacted).
    ...credentialFilePaths(home, ctx.workspace)
      .filter(({ file }) => file.base === 'home')
      .map(({ path }) => path),
    ...(ctx.runnerTemp ? [ctx.runnerTemp] : []),
    ...(ctx.runnerDirs ?? []),
    ...(ctx.ownFiles ?? []),
    ...ctx.settings.denyRead.map((p) => absolute(p, ctx)),
  ];
  const allowWrite = [
    ctx.workspace,
    ctx.stateDir,
    ctx.tmpDir,
    ...cacheDirs(ctx).filter((p) => existsSync(p)),
    ...ctx.settings.allowWrite.map((p) => absolute(p, ctx)),
  ];
  // Only paths that exist: for a missing one the runtime would create an empty placeholder in the workspace (to
  // mount over), which git would then see as a new file. A protected path created later is the tamper guard's.
  const denyWrite = [
    ...ctx.protectedPaths.map((p) => absolute(p, ctx)),
    ...PROTOCOL_OWN_FILES.map((f) => join(ctx.stateDir, f)),
    ctx.ownDir,
  ].filter((p) => existsSync(p));
  return {
    network: {
      allowedDomains: allowedDomains(ctx),
      deniedDomains: [],
      // A server the agent starts inside the sandbox is reachable on the sandbox's own loopback.
      allowLocalBinding: true,
    },
    filesystem: {
      denyRead: [...new Set(denyRead)],
      // Re-opened inside a denied region (a self-hosted runner keeps the workspace under its own directory); a
      // denied path inside them stays denied.
      allowRead: [ctx.stateDir, ctx.workspace],
      allowWrite: [...new Set(allowWrite)],
      denyWrite: [...new Set(denyWrite)],
    },
  };
}
