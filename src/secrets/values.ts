// What counts as a secret value inside a parsed credential file: keys that name secrets, base64 `user:password`
// pairs and their halves, `${VAR}` references resolved from the environment. Shared by every format's parser.

/** Key fragments (lower case, separators removed) that mark a value as a secret. */
const SECRET_KEY_PARTS = [
  'token',
  'secret',
  'password',
  'passwd',
  'passphrase',
  'credential',
  'apikey',
  'accesskey',
  'keydata', // kube client-key-data
  'cookie',
  'auth', // npm _auth, docker auth, yarn npmAuthIdent
];

/** Keys that contain a secret-looking word but name a program, a path or a setting, never the secret itself. */
const NOT_A_SECRET_KEY =
  /(?:file|path|helper|helpers|command|cmd|process|source|store|type|url|uri|method|mode|provider|always-?auth|authority|authority-?data|auths|required|enabled|expiry|expires)$/i;

/** The value is a placeholder or a switch, not a secret. */
const PLACEHOLDER = /^(?:true|false|yes|no|null|none|\*+)$/i;

export function isSecretKey(key: string): boolean {
  if (NOT_A_SECRET_KEY.test(key)) return false;
  const flat = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  return SECRET_KEY_PARTS.some((part) => flat.includes(part));
}

/** Where a parser puts what it found: the values and, for the `${VAR}` references, the environment to resolve them. */
export class SecretSink {
  readonly values = new Set<string>();
  /** The variables the files reference (`${NPM_TOKEN}`): secrets whatever their names, like the values they hold. */
  readonly variables = new Set<string>();

  constructor(private readonly env: Record<string, string | undefined>) {}

  /** A secret value as written in the file: `${VAR}` references are resolved, placeholders dropped. */
  add(value: unknown): void {
    if (typeof value !== 'string' && typeof value !== 'number') return;
    const text = String(value).trim();
    if (!text || PLACEHOLDER.test(text)) return;
    // npm, yarn and gradle expand ${VAR} from the environment: the secret is the variable's value, whatever its
    // name. A value written as a template is no secret itself, and stays readable.
    const references = [...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-[^}]*)?\}/g)];
    if (references.length === 0) {
      this.values.add(text);
      return;
    }
    for (const ref of references) {
      this.variables.add(ref[1]);
      const resolved = this.env[ref[1]];
      if (resolved) this.values.add(resolved);
    }
  }

  /**
   * A base64 `user:password` pair (npm `_auth`, docker `auth`, yarn `npmAuthIdent`), or a plain `user:password`:
   * the value, its decoded text, and both halves of the pair. Usernames are masked too: a registry user is often a
   * token in disguise (`oauth2accesstoken`, `_json_key`, an Artifactory API key), and a short one is ignored anyway.
   */
  addPair(value: unknown): void {
    if (typeof value !== 'string') return;
    this.add(value);
    const decoded = decodeBase64Text(value);
    for (const pair of [decoded, value]) {
      if (!pair) continue;
      if (pair !== value) this.add(pair);
      const colon = pair.indexOf(':');
      if (colon > 0) {
        this.add(pair.slice(0, colon));
        this.add(pair.slice(colon + 1));
      }
    }
  }

  /** A base64 blob (kube `client-key-data`, npm `_password`): the value and what it decodes to. */
  addEncoded(value: unknown): void {
    if (typeof value !== 'string') return;
    this.add(value);
    const decoded = decodeBase64Text(value);
    if (decoded) this.add(decoded);
  }

  /**
   * Every string (or list of strings) under a secret-named key, anywhere in a parsed document, and `{ name, value }`
   * entries with a secret name (kube's exec env). `special` handles the keys whose values need decoding.
   */
  walk(tree: unknown, special?: (key: string, value: unknown) => boolean): void {
    const seen = new Set<unknown>();
    const visit = (node: unknown, secretParent: boolean): void => {
      if (node === null || typeof node !== 'object' || seen.has(node)) {
        if (secretParent) this.add(node);
        return;
      }
      seen.add(node);
      if (Array.isArray(node)) {
        for (const item of node) visit(item, secretParent);
        return;
      }
      const record = node as Record<string, unknown>;
      if (typeof record.name === 'string' && isSecretKey(record.name) && 'value' in record) this.add(record.value);
      for (const [key, value] of Object.entries(record)) {
        if (special?.(key, value)) continue;
        // Only the key right above a value (or a list of values) marks it: a section named `[profile token-dev]`
        // does not make its region a secret.
        visit(value, isSecretKey(key));
      }
    };
    visit(tree, false);
  }
}

/** The text a base64 string decodes to, when it is base64 of printable text; otherwise undefined. */
export function decodeBase64Text(value: string): string | undefined {
  const compact = value.replace(/\s+/g, '');
  if (compact.length < 8 || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(compact)) return undefined;
  const text = Buffer.from(compact, 'base64').toString('utf8');
  // Printable text (newlines and tabs allowed, for a PEM key): anything else was not base64 of text after all.
  return /^[\t\n\r\x20-\x7e]+$/.test(text) && text.trim().length > 0 ? text : undefined;
}
