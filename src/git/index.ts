// The git room: the one command manager every git call goes through (loop, tamper guard, push, demo). It sits below
// both agent/ and github/, so neither reaches into the other for it.
export {
  configEnv,
  createGit,
  DEFAULT_GIT_TIMEOUT_MS,
  GitError,
  parseStatusZ,
  type ExecOptions,
  type Git,
  type GitOptions,
  type GitResult,
  type StatusEntry,
} from './command-manager.js';
