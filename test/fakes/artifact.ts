// A loopback stand-in for the GitHub Actions artifact service (v2, what @actions/artifact 2+ speaks): the Twirp JSON
// API under /twirp/github.actions.results.api.v1.ArtifactService/ (CreateArtifact, FinalizeArtifact) and the Azure
// blob the signed upload URL points at (Put Block, Put Block List). It checks the bearer token, the backend ids the
// token's scope names, the request bodies (protobuf JSON with proto field names) and the size and sha256 the finalize call reports against the bytes it
// received, and can fail on demand.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const SERVICE = '/twirp/github.actions.results.api.v1.ArtifactService/';
export const FAKE_RUN_BACKEND_ID = 'c0ffee00-0000-4000-8000-000000000001';
export const FAKE_JOB_BACKEND_ID = 'c0ffee00-0000-4000-8000-000000000002';

export interface UploadedArtifact {
  id: number;
  name: string;
  version: number;
  /** The bytes the blob received (a zip unless skipArchive). */
  content: Buffer;
  finalized: boolean;
}

export interface FakeArtifactService {
  url: string;
  /** The ACTIONS_RUNTIME_TOKEN the service accepts (an unsigned JWT with the Actions.Results scope). */
  token: string;
  artifacts: UploadedArtifact[];
  /** Problems found in what clients sent (wrong token, bad bodies, size or hash mismatch). */
  problems: string[];
  /** Make a route answer `status` (400: non-retryable for the client) until cleared with null. */
  failWith(route: 'CreateArtifact' | 'FinalizeArtifact' | 'blob', status: number | null): void;
  close(): Promise<void>;
}

function unsignedJwt(claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}

const body = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

export async function startFakeArtifactService(): Promise<FakeArtifactService> {
  const token = unsignedJwt({
    scp: `Actions.ExampleScope Actions.Results:${FAKE_RUN_BACKEND_ID}:${FAKE_JOB_BACKEND_ID}`,
    exp: Math.floor(Date.now() / 1000) + 3600,
  });
  const artifacts: UploadedArtifact[] = [];
  const problems: string[] = [];
  const failures = new Map<string, number>();
  /** Staged blocks per blob name, by block id. */
  const blocks = new Map<string, Map<string, Buffer>>();
  const sig = randomBytes(8).toString('hex');
  let base = '';

  const json = (res: ServerResponse, status: number, value: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(value));
  };
  const twirpError = (res: ServerResponse, status: number, msg: string) =>
    json(res, status, { code: status === 400 ? 'invalid_argument' : 'internal', msg });

  const checkIds = (req: Record<string, unknown>, method: string): boolean => {
    if (
      req.workflow_run_backend_id !== FAKE_RUN_BACKEND_ID ||
      req.workflow_job_run_backend_id !== FAKE_JOB_BACKEND_ID
    ) {
      problems.push(
        `${method}: backend ids ${String(req.workflow_run_backend_id)}/${String(req.workflow_job_run_backend_id)} do not match the token's scope`,
      );
      return false;
    }
    if (typeof req.name !== 'string' || !req.name) {
      problems.push(`${method}: no artifact name`);
      return false;
    }
    return true;
  };

  const twirp = async (method: string, req: IncomingMessage, res: ServerResponse) => {
    if (req.headers.authorization !== `Bearer ${token}`) {
      problems.push(`${method}: wrong or missing bearer token`);
      return twirpError(res, 401, 'unauthenticated');
    }
    if (!String(req.headers['content-type']).startsWith('application/json')) problems.push(`${method}: not JSON`);
    let request: Record<string, unknown>;
    try {
      request = JSON.parse((await body(req)).toString('utf8')) as Record<string, unknown>;
    } catch {
      problems.push(`${method}: malformed JSON body`);
      return twirpError(res, 400, 'malformed body');
    }
    const failure = failures.get(method);
    if (failure) return twirpError(res, failure, `${method} failed on purpose`);
    if (!checkIds(request, method)) return twirpError(res, 400, 'bad request');
    const name = request.name as string;
    if (method === 'CreateArtifact') {
      if (typeof request.version !== 'number' || request.version < 1) problems.push('CreateArtifact: no version');
      if (artifacts.some((a) => a.name === name && a.finalized)) {
        return twirpError(res, 409, `an artifact named ${name} already exists in this run`);
      }
      artifacts.push({
        id: artifacts.length + 1,
        name,
        version: Number(request.version),
        content: Buffer.alloc(0),
        finalized: false,
      });
      return json(res, 200, { ok: true, signedUploadUrl: `${base}/blob/${encodeURIComponent(name)}?sig=${sig}` });
    }
    if (method === 'FinalizeArtifact') {
      const artifact = artifacts.find((a) => a.name === name && !a.finalized);
      if (!artifact) return twirpError(res, 404, `no artifact ${name} being uploaded`);
      if (String(request.size) !== String(artifact.content.length))
        problems.push(
          `FinalizeArtifact: size ${String(request.size)} but ${artifact.content.length} bytes were uploaded`,
        );
      const hash = (request.hash as string | undefined) ?? '';
      const actual = `sha256:${createHash('sha256').update(artifact.content).digest('hex')}`;
      if (hash && hash !== actual) problems.push(`FinalizeArtifact: hash ${hash} but the upload hashes to ${actual}`);
      artifact.finalized = true;
      return json(res, 200, { ok: true, artifactId: String(artifact.id) });
    }
    return twirpError(res, 404, `unknown method ${method}`);
  };

  const blob = async (url: URL, req: IncomingMessage, res: ServerResponse) => {
    const name = decodeURIComponent(url.pathname.slice('/blob/'.length));
    const data = await body(req);
    if (url.searchParams.get('sig') !== sig) {
      problems.push('blob: request without the signed URL signature');
      res.writeHead(403).end();
      return;
    }
    if (failures.get('blob')) {
      res.writeHead(failures.get('blob')!).end();
      return;
    }
    const artifact = artifacts.find((a) => a.name === name && !a.finalized);
    if (!artifact || req.method !== 'PUT') {
      problems.push(`blob: ${req.method} for ${name}, which is not being uploaded`);
      res.writeHead(404).end();
      return;
    }
    const staged = blocks.get(name) ?? new Map<string, Buffer>();
    blocks.set(name, staged);
    const comp = url.searchParams.get('comp');
    const headers = {
      'x-ms-request-id': randomBytes(8).toString('hex'),
      'x-ms-version': '2025-01-05',
      etag: '"0x1"',
      'last-modified': new Date().toUTCString(),
    };
    if (comp === 'block') {
      staged.set(url.searchParams.get('blockid') ?? '', data);
      res.writeHead(201, { ...headers, 'x-ms-request-server-encrypted': 'true' }).end();
      return;
    }
    if (comp === 'blocklist') {
      const ids = [...data.toString('utf8').matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)<\//g)].map((m) => m[1]);
      const missing = ids.filter((id) => !staged.has(id));
      if (missing.length) problems.push(`blob: block list names ${missing.length} blocks never staged`);
      artifact.content = Buffer.concat(ids.map((id) => staged.get(id) ?? Buffer.alloc(0)));
      res.writeHead(201, headers).end();
      return;
    }
    // A single Put Blob (small uploads).
    if (req.headers['x-ms-blob-type'] !== 'BlockBlob')
      problems.push('blob: Put Blob without x-ms-blob-type: BlockBlob');
    artifact.content = data;
    res.writeHead(201, headers).end();
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const handle = url.pathname.startsWith(SERVICE)
      ? req.method === 'POST'
        ? twirp(url.pathname.slice(SERVICE.length), req, res)
        : Promise.resolve(void twirpError(res, 405, 'POST only'))
      : url.pathname.startsWith('/blob/')
        ? blob(url, req, res)
        : Promise.resolve(void res.writeHead(404).end());
    handle.catch((error: unknown) => {
      problems.push(`server error: ${(error as Error).message}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${base}/`,
    token,
    artifacts,
    problems,
    failWith(route, status) {
      if (status === null) failures.delete(route);
      else failures.set(route, status);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
