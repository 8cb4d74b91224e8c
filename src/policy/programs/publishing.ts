// Publishing and logging in to registries, and talking to GitHub: ci-medic publishes nothing but the verified fix.
import { deny, positionals } from '../context.js';
import { program } from './program.js';

const PUBLISH_SUBCOMMANDS: Record<string, Set<string>> = {
  npm: new Set([
    'publish',
    'adduser',
    'login',
    'token',
    'owner',
    'dist-tag',
    'deprecate',
    'unpublish',
    'access',
    'team',
  ]),
  pnpm: new Set(['publish']),
  yarn: new Set(['publish', 'login', 'npm']),
  cargo: new Set(['publish', 'login', 'owner', 'yank']),
  docker: new Set(['push', 'login']),
  podman: new Set(['push', 'login']),
  twine: new Set(['upload']),
  gem: new Set(['push', 'signin', 'owner', 'yank']),
  poetry: new Set(['publish']),
  helm: new Set(['push']),
};

export const registries = program(Object.keys(PUBLISH_SUBCOMMANDS), ({ name, args }, cx) => {
  const sub = positionals(args)[0];
  if (
    sub &&
    PUBLISH_SUBCOMMANDS[name].has(sub.value) &&
    !(name === 'yarn' && sub.value === 'npm' && positionals(args)[1]?.value !== 'publish')
  ) {
    deny(
      cx,
      'publishing',
      `${name} ${sub.value} publishes or logs in to a registry; ci-medic only opens a pull request with the verified fix`,
    );
    return 'stop';
  }
});

export const githubClients = program('gh hub', ({ name }, cx) => {
  deny(
    cx,
    'publishing',
    `${name} talks to GitHub on your behalf; ci-medic opens the pull request itself once the check passes`,
  );
  return 'stop';
});
