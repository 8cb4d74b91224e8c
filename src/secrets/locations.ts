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

/** The absolute paths of the credential files, for a home directory and a project directory. */
export function credentialFilePaths(
  home: string | undefined,
  project: string,
): { file: CredentialFile; path: string }[] {
  const out: { file: CredentialFile; path: string }[] = [];
  for (const file of CREDENTIAL_FILES) {
    const base = file.base === 'home' ? home : project;
    if (!base) continue;
    out.push({ file, path: `${base.replace(/\/+$/, '')}/${file.path}` });
  }
  return out;
}
