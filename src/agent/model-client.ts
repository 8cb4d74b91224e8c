// One Messages client for every platform, each through its official SDK client (Anthropic, Bedrock, Vertex AI,
// Foundry). The loop sees the same `messages.create` whichever serves the model; what differs is how credentials
// are found and what the preflight can check cheaply.
import { execFile } from 'node:child_process';
import Anthropic from '@anthropic-ai/sdk';
import type { ProviderSettings } from '../providers.js';

/** What the loop needs of a client: the Messages API, and the models route where the platform has one. */
export interface ModelClient {
  messages: Pick<Anthropic['messages'], 'create'>;
  models?: Pick<Anthropic['models'], 'retrieve'>;
  /** A cheap check of the platform's credentials, where there is no models route (returns a note, or throws). */
  checkCredentials?: (signal?: AbortSignal) => Promise<string>;
}

export interface ClientSettings {
  provider?: ProviderSettings;
  apiKey?: string;
  authToken?: string;
  baseUrl?: string;
  maxRetries: number;
  timeoutMs: number;
  /** The fetch every platform's SDK uses (the client's check of malformed 200s). */
  fetch?: typeof fetch;
  /** Called with every credential obtained at run time (access tokens), so the redactor masks it too. */
  onSecret?: (value: string) => void;
}

const GOOGLE_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
const AZURE_SCOPE = 'https://cognitiveservices.azure.com/.default';
const TOKEN_COMMAND_TIMEOUT_MS = 30_000;

/**
 * The platform SDKs load only when chosen (dynamic imports: the bundle's start-up stays that of the Anthropic client;
 * the AWS and Google libraries are large).
 */
export async function createModelClient(s: ClientSettings): Promise<ModelClient> {
  const provider = s.provider ?? { name: 'anthropic' };
  const common = {
    maxRetries: s.maxRetries,
    timeout: s.timeoutMs,
    ...(s.baseUrl ? { baseURL: s.baseUrl } : {}),
    ...(s.fetch ? { fetch: s.fetch } : {}),
  };
  switch (provider.name) {
    case 'anthropic': {
      // apiKey and authToken are mutually exclusive in the SDK: the key wins when both are given.
      const credentials = s.apiKey ? { apiKey: s.apiKey, authToken: null } : { apiKey: null, authToken: s.authToken };
      return new Anthropic({ ...credentials, ...common });
    }
    case 'bedrock': {
      const { AnthropicBedrock } = await import('@anthropic-ai/bedrock-sdk');
      const aws = provider.aws;
      const options = { awsRegion: provider.region, ...common };
      const client = s.apiKey
        ? new AnthropicBedrock({ ...options, apiKey: s.apiKey })
        : aws
          ? new AnthropicBedrock({
              ...options,
              awsAccessKey: aws.accessKeyId,
              awsSecretKey: aws.secretAccessKey,
              awsSessionToken: aws.sessionToken ?? null,
            })
          : new AnthropicBedrock(options);
      return {
        messages: client.messages as unknown as ModelClient['messages'],
        checkCredentials: async () => {
          if (s.apiKey) return 'a Bedrock API key is set';
          if (aws) return 'AWS credentials are set';
          // Profiles, web identity, container and instance roles: the SDK's own chain, resolved now so a runner
          // without credentials fails before tmux starts.
          const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
          const found = await fromNodeProviderChain()();
          if (found.secretAccessKey) s.onSecret?.(found.secretAccessKey);
          if (found.sessionToken) s.onSecret?.(found.sessionToken);
          return 'AWS credentials found';
        },
      };
    }
    case 'vertex': {
      const [{ AnthropicVertex }, { GoogleAuth }] = await Promise.all([
        import('@anthropic-ai/vertex-sdk'),
        import('google-auth-library'),
      ]);
      const googleAuth = new GoogleAuth({ scopes: GOOGLE_SCOPE, keyFilename: provider.googleCredentialsFile });
      const client = new AnthropicVertex({
        region: provider.region,
        projectId: provider.projectId,
        googleAuth,
        ...common,
      });
      return {
        messages: client.messages as unknown as ModelClient['messages'],
        checkCredentials: async () => {
          // Workload identity: exchanges the Actions OIDC token for an access token (no model tokens spent).
          const token = await googleAuth.getAccessToken();
          if (!token) throw new Error('Google returned no access token');
          s.onSecret?.(token);
          return 'Google credentials work';
        },
      };
    }
    case 'foundry': {
      const { AnthropicFoundry } = await import('@anthropic-ai/foundry-sdk');
      const base = provider.resource ? { resource: provider.resource } : {};
      if (s.apiKey) {
        const client = new AnthropicFoundry({ apiKey: s.apiKey, ...base, ...common });
        return { messages: client.messages as unknown as ModelClient['messages'] };
      }
      const token = (): Promise<string> => azureCliToken(s.onSecret);
      const client = new AnthropicFoundry({ azureADTokenProvider: token, ...base, ...common });
      return {
        messages: client.messages as unknown as ModelClient['messages'],
        checkCredentials: async () => {
          await token();
          return 'a Microsoft Entra token was issued';
        },
      };
    }
  }
}

/** A Microsoft Entra token from the Azure CLI, which azure/login (OIDC) has signed in. */
function azureCliToken(onSecret?: (value: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'az',
      ['account', 'get-access-token', '--scope', AZURE_SCOPE, '--query', 'accessToken', '--output', 'tsv'],
      { timeout: TOKEN_COMMAND_TIMEOUT_MS, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const token = stdout.trim();
        if (error || !token) {
          const why =
            (error as NodeJS.ErrnoException | null)?.code === 'ENOENT'
              ? 'the Azure CLI (az) is not installed'
              : stderr.trim() || error?.message || 'no token';
          reject(
            new Error(
              `no Foundry API key and no Microsoft Entra token (${why}): set ANTHROPIC_FOUNDRY_API_KEY or sign in with azure/login`,
            ),
          );
          return;
        }
        onSecret?.(token);
        resolve(token);
      },
    );
  });
}
