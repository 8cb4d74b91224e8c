// Loopback stand-ins of the three cloud platforms that serve Claude: Amazon Bedrock (`/model/{id}/invoke`, signed
// with SigV4), Google Vertex AI (`…/publishers/anthropic/models/{id}:rawPredict`, a bearer token obtained through
// workload identity federation: the Actions OIDC route and the STS token exchange are served here too) and Microsoft
// Foundry (`/anthropic/v1/messages` with its key header). Each checks what the platform would check — route, auth
// header shape, `anthropic_version` — and then hands the request, as the Messages API would receive it, to the
// scripted Anthropic stand-in behind it, so scripts and request validation are the same on every platform.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeAnthropic } from './anthropic.ts';

export type Platform = 'bedrock' | 'vertex' | 'foundry';

export interface PlatformExpectations {
  /** Bedrock: the region and access key id the signature's scope must name. */
  awsRegion?: string;
  awsAccessKeyId?: string;
  /** Bedrock: the session token that must come as x-amz-security-token. */
  awsSessionToken?: string;
  /** Vertex: project and region in the path. */
  vertexProject?: string;
  vertexRegion?: string;
  /** Foundry: the key that must come as x-api-key. */
  foundryKey?: string;
}

export interface PlatformRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The request body as the platform received it. */
  raw: string;
}

export interface FakePlatform {
  platform: Platform;
  /** The base URL to give the SDK (ANTHROPIC_<PLATFORM>_BASE_URL). */
  url: string;
  requests: PlatformRequest[];
  /** What the platform would have refused; a healthy run leaves this empty. */
  problems: string[];
  /** Vertex: the OIDC request token the credential source must present, the OIDC token and the access token issued. */
  oidcRequestToken: string;
  accessToken: string;
  close(): Promise<void>;
}

/** Bedrock and Vertex take the API version in the body (the SDK moves its anthropic-version header there). */
const TAKES_VERSION_IN_BODY: Record<Platform, boolean> = { bedrock: true, vertex: true, foundry: false };
const VERSION = /^(?:(?:bedrock|vertex)-)?\d{4}-\d{2}-\d{2}$/;

const SIGV4 =
  /^AWS4-HMAC-SHA256 Credential=([A-Z0-9]{16,128})\/(\d{8})\/([a-z0-9-]+)\/bedrock\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

export async function startFakePlatform(
  platform: Platform,
  messages: FakeAnthropic,
  expect: PlatformExpectations = {},
): Promise<FakePlatform> {
  const requests: PlatformRequest[] = [];
  const problems: string[] = [];
  const oidcRequestToken = `oidc-request-${Math.random().toString(36).slice(2)}`;
  const oidcToken = `eyJhbGciOiJSUzI1NiJ9.${Buffer.from('{"sub":"repo:o/r:ref:refs/heads/main"}').toString('base64url')}.sig`;
  const accessToken = `ya29.fake-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;

  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const refuse = (res: ServerResponse, status: number, problem: string): void => {
    problems.push(problem);
    json(res, status, { message: problem });
  };

  /** The model id and a problem, from the platform's route and auth; null model = not a messages route. */
  const checkMessagesRoute = (req: IncomingMessage, path: string): { model: string | null; problem?: string } => {
    const header = (name: string): string => String(req.headers[name] ?? '');
    if (platform === 'bedrock') {
      const m = /^\/model\/([^/]+)\/invoke$/.exec(path);
      if (!m) return { model: null };
      const auth = SIGV4.exec(header('authorization'));
      if (!auth)
        return { model: m[1], problem: `bedrock: Authorization is not a SigV4 signature: ${header('authorization')}` };
      const [, keyId, date, region, signed] = auth;
      if (!/^\d{8}T\d{6}Z$/.test(header('x-amz-date')) || !header('x-amz-date').startsWith(date)) {
        return { model: m[1], problem: 'bedrock: x-amz-date missing or not the signature date' };
      }
      if (!signed.split(';').includes('host') || !signed.split(';').includes('x-amz-date')) {
        return { model: m[1], problem: `bedrock: SignedHeaders lacks host or x-amz-date: ${signed}` };
      }
      if (expect.awsRegion && region !== expect.awsRegion) {
        return { model: m[1], problem: `bedrock: signed for region ${region}, expected ${expect.awsRegion}` };
      }
      if (expect.awsAccessKeyId && keyId !== expect.awsAccessKeyId) {
        return { model: m[1], problem: `bedrock: signed with key ${keyId}, expected ${expect.awsAccessKeyId}` };
      }
      if (expect.awsSessionToken && header('x-amz-security-token') !== expect.awsSessionToken) {
        return { model: m[1], problem: 'bedrock: x-amz-security-token missing or wrong' };
      }
      return { model: decodeURIComponent(m[1]) };
    }
    if (platform === 'vertex') {
      const m = /^\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/anthropic\/models\/([^/:]+):rawPredict$/.exec(
        path,
      );
      if (!m) return { model: null };
      if (header('authorization') !== `Bearer ${accessToken}`) {
        return {
          model: m[3],
          problem: `vertex: Authorization is not the issued bearer token: ${header('authorization')}`,
        };
      }
      if (expect.vertexProject && m[1] !== expect.vertexProject) {
        return { model: m[3], problem: `vertex: project ${m[1]}, expected ${expect.vertexProject}` };
      }
      if (expect.vertexRegion && m[2] !== expect.vertexRegion) {
        return { model: m[3], problem: `vertex: region ${m[2]}, expected ${expect.vertexRegion}` };
      }
      return { model: decodeURIComponent(m[3]) };
    }
    if (!/^\/anthropic\/v1\/messages$/.test(path)) return { model: null };
    if (expect.foundryKey && header('x-api-key') !== expect.foundryKey) {
      return { model: '', problem: 'foundry: x-api-key missing or wrong' };
    }
    return { model: '' };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({ method: req.method ?? '', path: url.pathname, headers: req.headers, raw });

    // Vertex's workload identity: the Actions OIDC route (google-github-actions/auth points the credential source
    // at it) and Google's STS token exchange.
    if (platform === 'vertex' && url.pathname === '/oidc') {
      if (req.headers.authorization !== `Bearer ${oidcRequestToken}`)
        return refuse(res, 401, 'oidc: wrong request token');
      return json(res, 200, { value: oidcToken });
    }
    if (platform === 'vertex' && url.pathname === '/sts/v1/token') {
      const form = new URLSearchParams(raw);
      if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:token-exchange') {
        return refuse(res, 400, `sts: grant_type ${form.get('grant_type')}`);
      }
      if (form.get('subject_token') !== oidcToken) return refuse(res, 400, 'sts: subject_token is not the OIDC token');
      return json(res, 200, {
        access_token: accessToken,
        issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        token_type: 'Bearer',
        expires_in: 3600,
      });
    }

    const route = checkMessagesRoute(req, url.pathname);
    if (route.model === null || req.method !== 'POST') {
      return refuse(res, 404, `${platform}: no route ${req.method} ${url.pathname}`);
    }
    if (route.problem) return refuse(res, 403, route.problem);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return refuse(res, 400, `${platform}: body is not JSON`);
    }
    if (TAKES_VERSION_IN_BODY[platform]) {
      if (typeof body.anthropic_version !== 'string' || !VERSION.test(body.anthropic_version)) {
        return refuse(
          res,
          400,
          `${platform}: anthropic_version missing or malformed: ${String(body.anthropic_version)}`,
        );
      }
      if ('model' in body) return refuse(res, 400, `${platform}: the model belongs in the path, not the body`);
      delete body.anthropic_version;
      body.model = route.model;
    }
    // The Messages API behind: the scripted stand-in validates the request and answers from its script.
    const answer = await fetch(`${messages.url}/v1/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': 'platform-stand-in',
        'anthropic-version': '2023-06-01',
      },
      body: JSON.stringify(body),
    });
    const text = await answer.text();
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
    res.end(text);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((error: unknown) => {
        refuse(res, 500, `${platform} stand-in crashed: ${error instanceof Error ? error.message : String(error)}`);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${port}`;
  return {
    platform,
    url: platform === 'foundry' ? `${base}/anthropic/` : base,
    requests,
    problems,
    oidcRequestToken,
    accessToken,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The credentials file google-github-actions/auth writes for workload identity federation, aimed at `fake`. */
export function vertexCredentialsFile(fake: FakePlatform): string {
  const base = fake.url.replace(/\/+$/, '');
  return JSON.stringify({
    type: 'external_account',
    audience: '//iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/github/providers/ci',
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    token_url: `${base}/sts/v1/token`,
    credential_source: {
      url: `${base}/oidc?audience=ci`,
      headers: { Authorization: `Bearer ${fake.oidcRequestToken}` },
      format: { type: 'json', subject_token_field_name: 'value' },
    },
  });
}
