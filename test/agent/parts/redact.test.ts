import { describe, expect, it } from 'vitest';
import { MIN_SECRET_LENGTH, REDACTED, Redactor } from '../../../src/redact.js';

const TOKEN = 'ghs_16C7e42F292c6912E7710c838347Ae178B4a';
const API_KEY = 'sk-ant-api03-Zx9_fake-KEY-for-tests-0123456789abcdefABCDEF';
const CUSTOM = 'hunter2-correct-horse!battery staple';

function b64(s: string | Buffer): string {
  return Buffer.from(s).toString('base64');
}

describe('Redactor: known values', () => {
  const r = new Redactor([TOKEN, CUSTOM]);

  it('masks the raw value wherever it appears', () => {
    const out = r.redact(`token=${TOKEN}; again:${TOKEN}\nthen ${CUSTOM}.`);
    expect(out).toBe(`token=${REDACTED}; again:${REDACTED}\nthen ${REDACTED}.`);
    expect(out).not.toContain(TOKEN);
  });

  it('masks the value base64-encoded inside a larger blob at every byte offset', () => {
    for (let pad = 0; pad < 9; pad++) {
      for (let after = 0; after < 4; after++) {
        const blob = b64(Buffer.concat([Buffer.alloc(pad, 'z'), Buffer.from(CUSTOM), Buffer.alloc(after, 'q')]));
        const out = r.redact(`header: ${blob} end`);
        expect(out, `pad ${pad}, after ${after}`).toContain(REDACTED);
        // What is left of the blob cannot be decoded back to the secret, nor to any 6-byte piece of it.
        const left = out.replace(REDACTED, '');
        expect(Buffer.from(left.split(' ')[1] ?? '', 'base64').toString('latin1')).not.toContain(CUSTOM.slice(0, 6));
        expect(r.containsSecret(out)).toBe(false);
      }
    }
  });

  it("masks checkout's persisted extraheader (x-access-token:<token> base64) in a .git/config dump", () => {
    const config = `[http "https://github.com/"]\n\textraheader = AUTHORIZATION: basic ${b64(`x-access-token:${TOKEN}`)}\n`;
    const withoutHeaderPattern = new Redactor([TOKEN]).redact(config.replace('AUTHORIZATION: basic ', ''));
    expect(withoutHeaderPattern).toContain(REDACTED); // the literal base64 form alone catches it
    const out = r.redact(config);
    expect(out).not.toContain(b64(`x-access-token:${TOKEN}`).slice(20));
    expect(r.findSecrets(config)).toEqual(expect.arrayContaining(['Authorization header value']));
  });

  it('masks base64url, URL-encoded (either hex case, + for space), hex and JSON-escaped forms', () => {
    const quoted = 'pa$$/wo+rd"with\\odd?chars';
    const q = new Redactor([quoted]);
    const forms = [
      b64(`xx${quoted}`).replace(/\+/g, '-').replace(/\//g, '_'),
      encodeURIComponent(quoted),
      encodeURIComponent(quoted).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
      Buffer.from(quoted).toString('hex'),
      Buffer.from(quoted).toString('hex').toUpperCase(),
      JSON.stringify({ p: quoted }),
    ];
    for (const form of forms) {
      expect(q.containsSecret(form), form).toBe(true);
      expect(q.redact(form), form).toContain(REDACTED);
      expect(q.containsSecret(q.redact(form)), form).toBe(false);
    }
    expect(new Redactor([CUSTOM]).redact(`q=${encodeURIComponent(CUSTOM).replace(/%20/g, '+')}`)).toBe(`q=${REDACTED}`);
  });

  it('ignores values shorter than the minimum, and says what it found without the values', () => {
    const short = new Redactor(['abc', 'x'.repeat(MIN_SECRET_LENGTH - 1), '  ']);
    expect(short.size).toBe(0);
    expect(short.ignoredCount).toBe(2);
    expect(short.redact('abc xxxxx')).toBe('abc xxxxx');
    const found = r.findSecrets(`a ${CUSTOM} b ${Buffer.from(TOKEN).toString('hex')}`);
    expect(found).toEqual(['value of secret #2 (raw)', 'value of secret #1 (hex)']);
    for (const d of found) expect(d).not.toContain(TOKEN.slice(4, 12));
  });

  it('masks each line of a multi-line secret, re-indented', () => {
    const multi = 'line-one-of-the-secret\nline-two-of-the-secret';
    const m = new Redactor([multi]);
    expect(m.redact('  line-two-of-the-secret\r\n')).toBe(`  ${REDACTED}\r\n`);
  });

  it('redactDeep masks strings in nested objects and arrays (keys too) and leaves the input untouched', () => {
    const input = { a: [TOKEN, { b: `x ${CUSTOM}` }], [TOKEN]: 1, n: 3, nil: null, ok: true };
    const out = r.redactDeep(input);
    expect(JSON.stringify(out)).not.toContain(TOKEN);
    expect(JSON.stringify(out)).not.toContain(CUSTOM);
    expect(out.a[0]).toBe(REDACTED);
    expect(out.n).toBe(3);
    expect(input.a[0]).toBe(TOKEN);
  });

  it('redactDeep reduces class instances to data so nothing hides inside them', () => {
    class Holder {
      constructor(readonly token: string) {}
    }
    const out = r.redactDeep({
      err: new Error(`bad ${TOKEN}`),
      map: new Map([['k', CUSTOM]]),
      buf: Buffer.from(`raw ${CUSTOM}`),
      obj: new Holder(TOKEN),
      when: new Date(0),
    }) as Record<string, unknown>;
    const json = JSON.stringify(out);
    expect(json).not.toContain(TOKEN);
    expect(json).not.toContain(CUSTOM);
    expect(out.err).toEqual({ name: 'Error', message: `bad ${REDACTED}` });
    expect(out.buf).toBe(`raw ${REDACTED}`);
    expect(out.obj).toEqual({ token: REDACTED });
    expect(out.when).toEqual(new Date(0));
  });

  it('can learn a secret after construction', () => {
    const late = new Redactor();
    expect(late.redact(`k=${API_KEY.slice(8)}`)).toContain(API_KEY.slice(8));
    late.add(API_KEY.slice(8));
    expect(late.redact(`k=${API_KEY.slice(8)}`)).toBe(`k=${REDACTED}`);
  });
});

describe('Redactor: token patterns (no known value needed)', () => {
  const r = new Redactor();
  const cases: Array<[string, string]> = [
    ['ghp', `ghp_${'a1B2c3D4'.repeat(4)}wxyz`],
    ['gho', `gho_${'Q'.repeat(36)}`],
    ['ghu', `ghu_${'7'.repeat(36)}`],
    ['ghs', TOKEN],
    ['ghr', `ghr_${'r'.repeat(36)}`],
    ['github_pat', `github_pat_11ABCDEFG0123456789_${'x'.repeat(59)}`],
    ['sk-ant', API_KEY],
    ['AKIA', 'AKIAIOSFODNN7EXAMPLE'],
    ['ASIA', 'ASIAY34FZKBOKMUTVV7A'],
  ];
  for (const [name, token] of cases) {
    it(`masks a ${name} token`, () => {
      const out = r.redact(`before ${token} after`);
      expect(out).toBe(`before ${REDACTED} after`);
      expect(r.findSecrets(`x ${token}`)[0]).toMatch(
        new RegExp(name === 'ASIA' ? 'AKIA/ASIA' : name.replace('-', '.')),
      );
    });
  }

  it('masks an AWS secret key in aws_secret_access_key= context only', () => {
    const key = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    expect(r.redact(`aws_secret_access_key = ${key}`)).toBe(`aws_secret_access_key = ${REDACTED}`);
    expect(r.redact(`AWS_SECRET_ACCESS_KEY="${key}"`)).toBe(`AWS_SECRET_ACCESS_KEY="${REDACTED}"`);
    expect(r.redact(`sha: ${key}`)).toBe(`sha: ${key}`);
  });

  it('masks PEM private key blocks, also when the log cuts the block short', () => {
    const body =
      'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\nVJTUt9Us8cKjMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dV\n';
    const pem = `-----BEGIN RSA PRIVATE KEY-----\n${body}-----END RSA PRIVATE KEY-----`;
    const out = r.redact(`key:\n${pem}\nafter`);
    expect(out).toBe(`key:\n-----BEGIN RSA PRIVATE KEY-----\n${REDACTED}\n-----END RSA PRIVATE KEY-----\nafter`);
    expect(r.redact(`-----BEGIN OPENSSH PRIVATE KEY-----\n${body}`)).not.toContain('MIIEvQ');
    expect(r.findSecrets(pem)).toEqual(['PEM private key block']);
    expect(r.findSecrets(out)).toEqual([]);
    expect(r.redact('-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----')).toContain('abc');
  });

  it('masks Authorization header values (Bearer, Basic, bare), and bearer tokens', () => {
    expect(r.redact('Authorization: Bearer abc.def-ghi_jkl')).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(r.redact('-H "authorization: Basic dXNlcjpwYXNz"')).toBe(`-H "authorization: Basic ${REDACTED}"`);
    expect(r.redact('Proxy-Authorization: token123456')).toBe(`Proxy-Authorization: ${REDACTED}`);
    expect(r.redact('"Authorization": "Bearer zzzzzzzzzzzz"')).toBe(`"Authorization": "Bearer ${REDACTED}"`);
    expect(r.redact('using bearer 0123456789abcdefXYZ')).toBe(`using bearer ${REDACTED}`);
    expect(r.redact('the Authorization header is missing')).toBe('the Authorization header is missing');
  });

  it('masks passwords in URLs and .netrc, and npm/Slack/PyPI tokens', () => {
    expect(r.redact('origin\thttps://x-access-token:abc123def@github.com/o/r.git (fetch)')).toBe(
      `origin\thttps://x-access-token:${REDACTED}@github.com/o/r.git (fetch)`,
    );
    expect(r.redact('ssh://git@github.com:22/o/r.git https://github.com/o/r')).toBe(
      'ssh://git@github.com:22/o/r.git https://github.com/o/r',
    );
    expect(r.redact('machine github.com login x password s3cr3tvalue')).toBe(
      `machine github.com login x password ${REDACTED}`,
    );
    expect(r.redact(`//registry.npmjs.org/:_authToken=npm_${'a'.repeat(36)}`)).toBe(
      `//registry.npmjs.org/:_authToken=${REDACTED}`,
    );
    expect(r.redact('xoxb-123456789012-abcdefABCDEF')).toBe(REDACTED);
    expect(r.redact(`pypi-AgEIcHlwaS5vcmc${'x'.repeat(60)}`)).toBe(REDACTED);
  });

  it('leaves ordinary text alone and is idempotent', () => {
    const text = 'FAIL test/sum.test.ts > adds\nAssertionError: expected 3 to be 4\nghp_short sk-ant-no';
    expect(r.redact(text)).toBe(text);
    const once = new Redactor([CUSTOM]).redact(`${CUSTOM} ${TOKEN}`);
    expect(new Redactor([CUSTOM]).redact(once)).toBe(once);
  });
});

describe('Redactor on multi-MB text', () => {
  it('finds every planted secret, in every form, across 4 MB', () => {
    const secrets = Array.from({ length: 20 }, (_, i) => `planted-secret-${i}-${'k'.repeat(10)}-${i * 7919}`);
    const r = new Redactor(secrets);
    const filler = 'ok 1234 src/module/file.ts: some ordinary log line with numbers 0xdeadbeef and words\n';
    const chunks: string[] = [];
    const planted: string[] = [];
    let size = 0;
    let n = 0;
    while (size < 4 * 1024 * 1024) {
      let chunk = filler.repeat(50);
      if (n % 10 === 0) {
        const s = secrets[(n / 10) % secrets.length];
        const forms = [
          s,
          b64(`prefix${'.'.repeat(n % 3)}${s}suffix`),
          encodeURIComponent(s),
          Buffer.from(s).toString('hex'),
        ];
        const form = forms[(n / 10) % forms.length];
        planted.push(form);
        chunk += `value: ${form}\n`;
      }
      chunks.push(chunk);
      size += chunk.length;
      n++;
    }
    const text = chunks.join('');
    const out = r.redact(text);
    for (const s of secrets) expect(out).not.toContain(s);
    expect(out.split(REDACTED).length - 1).toBe(planted.length);
    expect(r.containsSecret(out)).toBe(false);
    expect(r.containsSecret(text)).toBe(true);
  });
});
