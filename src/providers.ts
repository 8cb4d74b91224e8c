// Which platform serves the model, and where its credentials come from. Both entries call `providerFromEnvironment`
// with their own input/flag names; the credentials are the ones each platform's own Actions leave in the environment
// (aws-actions/configure-aws-credentials, google-github-actions/auth, azure/login) — never a new secret format.
import { readFileSync } from 'node:fs';
import { ConfigError, PROVIDERS, type ProviderName, type ProviderSettings } from './config.js';

// The platforms and their settings are part of RepairConfig (config.ts); re-exported here, where they are chosen.
export { PROVIDERS, type ProviderName, type ProviderSettings } from './config.js';

/** The environment variable each platform's SDK reads its endpoint override from. */
export const BASE_URL_VARIABLE: Record<ProviderName, string> = {
  anthropic: 'ANTHROPIC_BASE_URL',
  bedrock: 'ANTHROPIC_BEDROCK_BASE_URL',
  vertex: 'ANTHROPIC_VERTEX_BASE_URL',
  foundry: 'ANTHROPIC_FOUNDRY_BASE_URL',
};

/** What each entry calls the settings (Action inputs or CLI flags), so errors name what the user typed. */
export interface ProviderNames {
  provider: string;
  awsRegion: string;
  vertexProjectId: string;
  vertexRegion: string;
  foundryResource: string;
  apiKey: string;
}

export const ACTION_PROVIDER_NAMES: ProviderNames = {
  provider: 'provider',
  awsRegion: 'aws-region',
  vertexProjectId: 'vertex-project-id',
  vertexRegion: 'vertex-region',
  foundryResource: 'foundry-resource',
  apiKey: 'anthropic-api-key',
};

export const CLI_PROVIDER_NAMES: ProviderNames = {
  provider: '--provider',
  awsRegion: '--aws-region',
  vertexProjectId: '--vertex-project-id',
  vertexRegion: '--vertex-region',
  foundryResource: '--foundry-resource',
  apiKey: 'ANTHROPIC_API_KEY',
};

/** Values given explicitly (inputs or flags); each falls back to the platform's own environment variable. */
export interface ProviderChoice {
  provider?: string;
  awsRegion?: string;
  vertexProjectId?: string;
  vertexRegion?: string;
  foundryResource?: string;
}

/** The resolved platform, its credentials, and the secret values they hold (for the redactor and the log mask). */
export interface ResolvedProvider {
  settings: ProviderSettings;
  /** The platform's API key, when it uses one (Anthropic, a Bedrock API key, a Foundry key). */
  apiKey?: string;
  /** Anthropic: a gateway's bearer token. */
  authToken?: string;
  /** The endpoint override from the platform's own environment variable, when set. */
  baseUrl?: string;
  secrets: string[];
}

const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
const VERTEX_REGION = /^(global|[a-z]+-[a-z]+\d{1,2})$/;
const GCP_PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const AZURE_RESOURCE = /^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/;

function pick(explicit: string | undefined, env: NodeJS.ProcessEnv, ...names: string[]): string | undefined {
  if (explicit?.trim()) return explicit.trim();
  for (const name of names) if (env[name]?.trim()) return env[name]!.trim();
  return undefined;
}

function check(value: string, pattern: RegExp, input: string, example: string): string {
  if (!pattern.test(value)) throw new ConfigError(input, `"${value}" is not valid; use a value like ${example}`);
  return value;
}

/**
 * Resolve the provider and its credentials from explicit values and the environment; throws ConfigError naming the
 * input or flag. Nothing here talks to the network: the preflight confirms the credentials work.
 */
export function providerFromEnvironment(
  choice: ProviderChoice,
  env: NodeJS.ProcessEnv,
  names: ProviderNames,
): ResolvedProvider {
  const raw = (choice.provider?.trim() || 'anthropic').toLowerCase();
  if (!(PROVIDERS as readonly string[]).includes(raw)) {
    throw new ConfigError(names.provider, `"${choice.provider}" is not accepted; use one of: ${PROVIDERS.join(', ')}`);
  }
  const name = raw as ProviderName;
  const baseUrl = env[BASE_URL_VARIABLE[name]]?.trim() || undefined;
  if (baseUrl && !/^https?:\/\/[^\s]+$/.test(baseUrl)) {
    throw new ConfigError(BASE_URL_VARIABLE[name], `"${baseUrl}" is not an http(s) URL`);
  }

  if (name === 'anthropic') {
    const apiKey = env.ANTHROPIC_API_KEY || undefined;
    const authToken = env.ANTHROPIC_AUTH_TOKEN || undefined;
    return { settings: { name }, apiKey, authToken, baseUrl, secrets: [apiKey, authToken].filter(isSet) };
  }

  if (name === 'bedrock') {
    const region = pick(choice.awsRegion, env, 'AWS_REGION', 'AWS_DEFAULT_REGION');
    if (!region) {
      throw new ConfigError(
        names.awsRegion,
        'is required with provider bedrock: the AWS region of your Bedrock models, like us-east-1 (aws-actions/configure-aws-credentials sets AWS_REGION)',
      );
    }
    check(region, AWS_REGION, names.awsRegion, 'us-east-1');
    // A Bedrock API key (bearer) wins over AWS credentials, as in the SDK.
    const apiKey = env.AWS_BEARER_TOKEN_BEDROCK || undefined;
    const accessKeyId = env.AWS_ACCESS_KEY_ID || undefined;
    const secretAccessKey = env.AWS_SECRET_ACCESS_KEY || undefined;
    const sessionToken = env.AWS_SESSION_TOKEN || undefined;
    if (Boolean(accessKeyId) !== Boolean(secretAccessKey)) {
      throw new ConfigError(
        accessKeyId ? 'AWS_SECRET_ACCESS_KEY' : 'AWS_ACCESS_KEY_ID',
        'is not set while its pair is: set both (aws-actions/configure-aws-credentials does), or neither to use a profile or a web identity',
      );
    }
    const aws = accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, sessionToken } : undefined;
    return {
      settings: { name, region, aws },
      apiKey,
      baseUrl,
      secrets: [apiKey, secretAccessKey, sessionToken].filter(isSet),
    };
  }

  if (name === 'vertex') {
    const region = pick(choice.vertexRegion, env, 'CLOUD_ML_REGION');
    if (!region) {
      throw new ConfigError(
        names.vertexRegion,
        'is required with provider vertex: the region of your Claude models on Vertex AI, like us-east5 or global',
      );
    }
    check(region, VERTEX_REGION, names.vertexRegion, 'us-east5 or global');
    const projectId = pick(
      choice.vertexProjectId,
      env,
      'ANTHROPIC_VERTEX_PROJECT_ID',
      'GOOGLE_CLOUD_PROJECT',
      'CLOUDSDK_CORE_PROJECT',
      'GCLOUD_PROJECT',
    );
    if (!projectId) {
      throw new ConfigError(
        names.vertexProjectId,
        'is required with provider vertex: your Google Cloud project id (google-github-actions/auth sets GOOGLE_CLOUD_PROJECT)',
      );
    }
    check(projectId, GCP_PROJECT, names.vertexProjectId, 'my-project-123');
    const googleCredentialsFile = env.GOOGLE_APPLICATION_CREDENTIALS || undefined;
    return {
      settings: { name, region, projectId, googleCredentialsFile },
      baseUrl,
      secrets: googleCredentialsFile ? secretsInGoogleCredentials(googleCredentialsFile) : [],
    };
  }

  // foundry
  const resource = pick(choice.foundryResource, env, 'ANTHROPIC_FOUNDRY_RESOURCE');
  if (!resource && !baseUrl) {
    throw new ConfigError(
      names.foundryResource,
      'is required with provider foundry: your Foundry resource name (https://<resource>.services.ai.azure.com), or set ANTHROPIC_FOUNDRY_BASE_URL',
    );
  }
  if (resource) check(resource, AZURE_RESOURCE, names.foundryResource, 'my-foundry-resource');
  if (resource && baseUrl) {
    throw new ConfigError(
      names.foundryResource,
      'and ANTHROPIC_FOUNDRY_BASE_URL are both set; give one (the base URL names the resource already)',
    );
  }
  const apiKey = env.ANTHROPIC_FOUNDRY_API_KEY || undefined;
  return { settings: { name, resource }, apiKey, baseUrl, secrets: [apiKey].filter(isSet) };
}

const isSet = (value: string | undefined): value is string => Boolean(value);

/**
 * The secret values in an Application Default Credentials file: a service account's private key, an authorized
 * user's secret and refresh token, and the headers of an external account's credential source (the Actions OIDC
 * request token that google-github-actions/auth writes there). The file may sit in the workspace, where the
 * agent's shell can read it: every such value is masked.
 */
export function secretsInGoogleCredentials(path: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return []; // unreadable or not JSON: the SDK reports it when it tries
  }
  const out: string[] = [];
  const visit = (value: unknown, key: string): void => {
    if (typeof value === 'string') {
      if (/private_key$|secret|token|authorization|password/i.test(key)) {
        out.push(value);
        const bearer = /^(?:bearer|basic)\s+(\S+)$/i.exec(value)?.[1];
        if (bearer) out.push(bearer);
      }
      return;
    }
    if (Array.isArray(value)) value.forEach((v) => visit(v, key));
    else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) visit(v, k);
    }
  };
  visit(parsed, '');
  return out;
}

/** How to give this platform credentials, for error messages. */
export function credentialsHint(name: ProviderName, names: Pick<ProviderNames, 'apiKey'>): string {
  switch (name) {
    case 'anthropic':
      return `check ANTHROPIC_API_KEY (${names.apiKey}) or ANTHROPIC_AUTH_TOKEN`;
    case 'bedrock':
      return 'check the AWS credentials (aws-actions/configure-aws-credentials with role-to-assume, a profile, or AWS_BEARER_TOKEN_BEDROCK) and that the role may call bedrock:InvokeModel';
    case 'vertex':
      return 'check the Google credentials (google-github-actions/auth with workload identity, or GOOGLE_APPLICATION_CREDENTIALS) and that the account may call aiplatform.endpoints.predict';
    case 'foundry':
      return 'check ANTHROPIC_FOUNDRY_API_KEY, or the Microsoft Entra login (azure/login) and its access to the Foundry resource';
  }
}
