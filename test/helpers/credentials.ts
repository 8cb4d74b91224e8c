// Planted credentials: one of every credential file src/secrets/locations.ts lists, written into a temporary HOME
// (and a project directory), each holding secret values with no recognisable prefix, so that only the collector
// (not a token pattern) can know them.
import { writeFiles } from './repo.js';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** A PEM key whose body no token pattern knows: masked only because kube's client-key-data names it. */
const KUBE_KEY_BODY = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDkubeplantedkeybody7Hq';
const KUBE_KEY_DATA = b64(`-----BEGIN RSA PRIVATE KEY-----\n${KUBE_KEY_BODY}\n-----END RSA PRIVATE KEY-----\n`);

/**
 * The planted values, by where they were planted. Every one must be masked everywhere; none has a prefix a token
 * pattern would recognise (no ghp_, npm_, sk-ant-, AKIA, pypi-).
 */
export const PLANTED = {
  npmrcToken: 'Zr8kQ2vN5mWx7PbT4hLc9JdF3sYg6Ae1',
  npmrcAuthPassword: 'artifactory-Pw-6tR2yU8iO0pL4kJ',
  npmrcPasswordField: 'reg3-Secr3t-Pass-Hv7Nb2',
  npmrcReferenced: 'Referenced-Env-Value-Kd83Jf72Lq',
  projectNpmrcToken: 'ProjNpmrc-Mf4Gh8Jk2Ls6Qw0Er',
  yarnToken: 'YarnBerry-Tk-Xc5Vb7Nm9As1Df3',
  yarnIdentPassword: 'yarn-ident-Pw-Lo9Ki8Ju7',
  pypiPassword: 'PyPiUpload-Qa2Ws3Ed4Rf5Tg6Yh',
  netrcPassword: 'NetrcMachinePw-Uj7Ik8Ol9P0',
  gitCredentialPassword: 'GitCredPw-Zx1Cv2Bn3Mm4Kk5',
  dockerPassword: 'DockerRobotPw-Hg6Fd5Sa4Qp3',
  dockerIdentityToken: 'DockerIdentity-Rt5Yu6Io7Pa8Sd9',
  ghOauthToken: 'GhHostsOauth-Pl0Ok9Ij8Uh7Yg6',
  awsSecretKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKE',
  awsSessionToken: 'AwsSessionTok-Fq1Gw2Hr3Jt4Ky5',
  cargoToken: 'CargoRegistry-Tk-Bq8Nw7Me6Rt5',
  cargoAltToken: 'CargoAlt-Reg-Vb3Nm4Qw5Er6',
  gradlePassword: 'GradleSigning-Pw-Dk4Fl5Gm6Hn7',
  gradleToken: 'GradlePublish-Tk-Jq8Kr9Ls0Mt1',
  mavenPassword: 'MavenServer&Pw-Ty7Ui8Op9',
  kubeToken: 'KubeUserToken-Ae2Sr3Dt4Fy5Gu6',
  kubeKeyBody: KUBE_KEY_BODY,
} as const;

/** The `${VAR}` the home .npmrc references: its value is a secret only because the file uses it. */
export const REFERENCED_VARIABLE = 'CORP_REGISTRY_LOGIN_REF';

/** Write every credential file into `home` (and the project's own `.npmrc` into `project`, when given). */
export function plantCredentials(home: string, project?: string): void {
  writeFiles(home, {
    '.npmrc': [
      'registry=https://registry.npmjs.org/',
      'always-auth=true',
      `//npm.pkg.github.com/:_authToken=${PLANTED.npmrcToken}`,
      `//artifactory.example.com/api/npm/npm/:_auth=${b64(`ci-deployer:${PLANTED.npmrcAuthPassword}`)}`,
      `//registry3.example.com/:username=ci`,
      `//registry3.example.com/:_password=${b64(PLANTED.npmrcPasswordField)}`,
      `//registry4.example.com/:_authToken=\${${REFERENCED_VARIABLE}}`,
      '',
    ].join('\n'),
    '.yarnrc.yml': [
      'npmRegistries:',
      '  "https://npm.example.com":',
      `    npmAuthToken: "${PLANTED.yarnToken}"`,
      '    npmAlwaysAuth: true',
      '  "https://npm2.example.com":',
      `    npmAuthIdent: "yarn-user:${PLANTED.yarnIdentPassword}"`,
      '',
    ].join('\n'),
    '.pypirc': [
      '[distutils]',
      'index-servers = pypi',
      '',
      '[pypi]',
      'username = __token__',
      `password = ${PLANTED.pypiPassword}`,
      '',
    ].join('\n'),
    '.netrc': `machine api.example.com\n  login ci-bot\n  password ${PLANTED.netrcPassword}\n`,
    '.git-credentials': `https://deploy:${encodeURIComponent(PLANTED.gitCredentialPassword)}@git.example.com\n`,
    '.docker/config.json': JSON.stringify(
      {
        auths: {
          'ghcr.io': { auth: b64(`robot-ci:${PLANTED.dockerPassword}`) },
          'registry.example.com': { identitytoken: PLANTED.dockerIdentityToken },
        },
        credsStore: 'desktop',
      },
      null,
      2,
    ),
    '.config/gh/hosts.yml': `github.com:\n  user: octo-ci\n  oauth_token: ${PLANTED.ghOauthToken}\n  git_protocol: https\n`,
    '.aws/credentials': [
      '[default]',
      'aws_access_key_id = AKIAIOSFODNN7EXAMPLE',
      `aws_secret_access_key = ${PLANTED.awsSecretKey}`,
      `aws_session_token = ${PLANTED.awsSessionToken}`,
      'region = us-east-1',
      '',
    ].join('\n'),
    '.cargo/credentials.toml': `[registry]\ntoken = "${PLANTED.cargoToken}"\n\n[registries.corp]\ntoken = "${PLANTED.cargoAltToken}"\n`,
    '.gradle/gradle.properties': [
      'org.gradle.jvmargs=-Xmx2g',
      `signing.password=${PLANTED.gradlePassword}`,
      `mavenCentralToken : ${PLANTED.gradleToken}`,
      '',
    ].join('\n'),
    '.m2/settings.xml': [
      '<settings>',
      '  <servers>',
      '    <server>',
      '      <id>corp</id>',
      '      <username>deployer</username>',
      `      <password>${PLANTED.mavenPassword.replace(/&/g, '&amp;')}</password>`,
      '    </server>',
      '  </servers>',
      '</settings>',
      '',
    ].join('\n'),
    '.kube/config': [
      'apiVersion: v1',
      'kind: Config',
      'users:',
      '- name: ci',
      '  user:',
      `    token: ${PLANTED.kubeToken}`,
      `    client-key-data: ${KUBE_KEY_DATA}`,
      '',
    ].join('\n'),
  });
  if (project) {
    writeFiles(project, {
      '.npmrc': `@corp:registry=https://npm.corp.example.com/\n//npm.corp.example.com/:_authToken=${PLANTED.projectNpmrcToken}\n`,
    });
  }
}

/** Every form of the planted values that must never appear: the values, and the base64 blobs that hold them. */
export function plantedForms(): string[] {
  return [
    ...Object.values(PLANTED),
    PLANTED.mavenPassword.replace(/&/g, '&amp;'),
    encodeURIComponent(PLANTED.gitCredentialPassword),
    b64(`ci-deployer:${PLANTED.npmrcAuthPassword}`),
    b64(PLANTED.npmrcPasswordField),
    b64(`robot-ci:${PLANTED.dockerPassword}`),
    KUBE_KEY_DATA,
  ];
}

/** The planted values found in `text` (by name), for a readable failure. */
export function plantedIn(text: string): string[] {
  return plantedForms().filter((value) => text.includes(value));
}
