// Where a runner keeps credentials in files: the one list the secret collector reads and the policy protects.

/** How a credential file is written, so the collector can parse its secret values with a real parser. */
export type CredentialFormat =
  | 'npmrc' // ini: _authToken, _auth (base64 user:pass), _password (base64), password
  | 'yarnrc' // yaml: npmAuthToken, npmAuthIdent, npmPassword, npmRegistries.*.*
  | 'pypirc' // ini: password
  | 'netrc' // machine/login/password tokens
  | 'git-credentials' // one URL per line with user:password
  | 'docker' // json: auths.*.auth (base64 user:pass), identitytoken, registrytoken
  | 'gh-hosts' // yaml: <host>.oauth_token, users.*.oauth_token
  | 'aws' // ini: aws_access_key_id, aws_secret_access_key, aws_session_token
  | 'cargo' // toml: registry.token, registries.*.token
  | 'gradle' // java properties: *password*, *token*, *key*
  | 'maven' // xml: settings/servers/server/password, privateKey, passphrase
  | 'kube'; // yaml: users[].user.token, client-key-data, password

export interface CredentialFile {
  /** Where it lives: under the home directory, or under the project's working directory. */
  base: 'home' | 'project';
  /** Path relative to that base (posix separators). */
  path: string;
  format: CredentialFormat;
}

export const CREDENTIAL_FILES: readonly CredentialFile[] = [
  { base: 'home', path: '.npmrc', format: 'npmrc' },
  { base: 'project', path: '.npmrc', format: 'npmrc' },
  { base: 'home', path: '.yarnrc.yml', format: 'yarnrc' },
  { base: 'project', path: '.yarnrc.yml', format: 'yarnrc' },
  { base: 'home', path: '.pypirc', format: 'pypirc' },
  { base: 'home', path: '.netrc', format: 'netrc' },
  { base: 'home', path: '.git-credentials', format: 'git-credentials' },
  { base: 'home', path: '.docker/config.json', format: 'docker' },
  { base: 'home', path: '.config/gh/hosts.yml', format: 'gh-hosts' },
  { base: 'home', path: '.aws/credentials', format: 'aws' },
  { base: 'home', path: '.cargo/credentials.toml', format: 'cargo' },
  { base: 'home', path: '.cargo/credentials', format: 'cargo' },
  { base: 'home', path: '.gradle/gradle.properties', format: 'gradle' },
  { base: 'home', path: '.m2/settings.xml', format: 'maven' },
  { base: 'home', path: '.kube/config', format: 'kube' },
];

/**
 * Variables that move a credential file elsewhere (actions/setup-node's `NPM_CONFIG_USERCONFIG` in RUNNER_TEMP, a
 * `KUBECONFIG` list, `DOCKER_CONFIG`): each names the path(s) it points to, in the format of the file it replaces.
 */
export const CREDENTIAL_FILE_VARIABLES: readonly {
  name: string;
  format: CredentialFormat;
  /** The file(s) the variable's value points to. */
  paths: (value: string) => string[];
}[] = [
  { name: 'NPM_CONFIG_USERCONFIG', format: 'npmrc', paths: (v) => [v] },
  { name: 'npm_config_userconfig', format: 'npmrc', paths: (v) => [v] },
  { name: 'YARN_RC_FILENAME', format: 'yarnrc', paths: (v) => [v] },
  { name: 'NETRC', format: 'netrc', paths: (v) => [v] },
  { name: 'DOCKER_CONFIG', format: 'docker', paths: (v) => [`${v}/config.json`] },
  { name: 'GH_CONFIG_DIR', format: 'gh-hosts', paths: (v) => [`${v}/hosts.yml`] },
  { name: 'XDG_CONFIG_HOME', format: 'gh-hosts', paths: (v) => [`${v}/gh/hosts.yml`] },
  { name: 'AWS_SHARED_CREDENTIALS_FILE', format: 'aws', paths: (v) => [v] },
  { name: 'CARGO_HOME', format: 'cargo', paths: (v) => [`${v}/credentials.toml`, `${v}/credentials`] },
  { name: 'GRADLE_USER_HOME', format: 'gradle', paths: (v) => [`${v}/gradle.properties`] },
  { name: 'KUBECONFIG', format: 'kube', paths: (v) => v.split(':') },
];

/**
 * The absolute paths of the credential files, for a home directory and a project directory, and (given the
 * environment) the files its variables point to. Relative paths in variables are taken from the project directory.
 */
export function credentialFilePaths(
  home: string | undefined,
  project: string,
  env: Record<string, string | undefined> = {},
): { file: CredentialFile; path: string }[] {
  const out: { file: CredentialFile; path: string }[] = [];
  const seen = new Set<string>();
  const push = (file: CredentialFile, path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    out.push({ file, path });
  };
  const trim = (dir: string): string => dir.replace(/\/+$/, '');
  for (const file of CREDENTIAL_FILES) {
    const base = file.base === 'home' ? home : project;
    if (!base) continue;
    push(file, `${trim(base)}/${file.path}`);
  }
  for (const variable of CREDENTIAL_FILE_VARIABLES) {
    const value = env[variable.name];
    if (!value) continue;
    for (const path of variable.paths(trim(value))) {
      if (!path) continue;
      const absolute = path.startsWith('/') ? path : `${trim(project)}/${path}`;
      push({ base: 'project', path: absolute, format: variable.format }, absolute);
    }
  }
  return out;
}
