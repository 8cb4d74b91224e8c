// One parser per credential-file format (src/secrets/locations.ts names them): each finds the secret values in a
// file's text with the format's real parser where it has one (ini, yaml, toml, xml, json), and a few lines of ours
// for the formats that are one line per entry (netrc, git-credentials, java properties).
import { XMLParser } from 'fast-xml-parser';
import { parse as parseIni } from 'ini';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import type { CredentialFormat } from './locations.js';
import { decodeBase64Text, isSecretKey, type SecretSink } from './values.js';

type Parser = (text: string, sink: SecretSink) => void;

/** The last segment of an npmrc key: `//registry.example/:_authToken` -> `_authToken`. */
const npmKeyName = (key: string): string => key.slice(key.lastIndexOf(':') + 1);

function npmrc(text: string, sink: SecretSink): void {
  // ini turns `[section]` into nested objects; npm's own keys are flat, scoped by a `//host/:` prefix.
  sink.walk(parseIni(text), (key, value) => {
    const name = npmKeyName(key);
    if (name === '_auth') sink.addPair(value);
    else if (name === '_password') sink.addEncoded(value);
    else return false;
    return true;
  });
}

function yarnrc(text: string, sink: SecretSink): void {
  sink.walk(parseYaml(text), (key, value) => {
    if (key !== 'npmAuthIdent') return false;
    sink.addPair(value);
    return true;
  });
}

function docker(text: string, sink: SecretSink): void {
  sink.walk(JSON.parse(text), (key, value) => {
    if (key !== 'auth') return false;
    sink.addPair(value);
    return true;
  });
}

function kube(text: string, sink: SecretSink): void {
  // A kubeconfig may hold several YAML documents; the key material is base64 of a PEM block.
  for (const doc of parseAllYaml(text)) {
    sink.walk(doc, (key, value) => {
      if (!/-data$/.test(key) || !isSecretKey(key)) return false;
      sink.addEncoded(value);
      return true;
    });
  }
}

function parseAllYaml(text: string): unknown[] {
  // parseAllDocuments would keep going past errors; parse() throws on them, which sends the file to the line scan.
  return text.includes('\n---') ? text.split(/^---\s*$/m).map((part) => parseYaml(part) as unknown) : [parseYaml(text)];
}

function maven(text: string, sink: SecretSink): void {
  const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true });
  const doc = parser.parse(text, true) as unknown;
  const before = new Set(sink.values);
  sink.walk(doc);
  // The file holds the XML-escaped form (`&amp;`), which is what a shell that prints it shows.
  for (const value of [...sink.values]) {
    if (before.has(value)) continue;
    const escaped = value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    if (escaped !== value) sink.add(escaped);
  }
}

/** netrc: whitespace-separated `machine H login U password P account A`; `macdef` bodies run to a blank line. */
function netrc(text: string, sink: SecretSink): void {
  const lines = text.split(/\r?\n/);
  const tokens: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const words = lines[i].trim().split(/\s+/).filter(Boolean);
    const macdef = words.indexOf('macdef');
    if (macdef >= 0) {
      tokens.push(...words.slice(0, macdef));
      while (i + 1 < lines.length && lines[i + 1].trim() !== '') i++;
      continue;
    }
    tokens.push(...words);
  }
  for (let i = 0; i < tokens.length - 1; i++) {
    if (tokens[i] === 'password' || tokens[i] === 'account') sink.add(tokens[++i]);
  }
}

/** git-credentials: one URL per line, `https://user:password@host`; a token alone sits where the user would be. */
function gitCredentials(text: string, sink: SecretSink): void {
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    let url: URL;
    try {
      url = new URL(trimmed);
    } catch {
      // Not a URL: the whole line may still be a credential git would try.
      sink.add(trimmed);
      continue;
    }
    const user = safeDecode(url.username);
    const password = safeDecode(url.password);
    if (password) {
      sink.add(password);
      sink.add(url.password);
    } else if (user) {
      sink.add(user);
      sink.add(url.username);
    }
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Java properties (`key=value`, `key: value`, `key value`, `\` continuations, `#`/`!` comments). */
export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i].replace(/^\s+/, '');
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    // An odd number of trailing backslashes continues the line.
    while (/(?:^|[^\\])(?:\\\\)*\\$/.test(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i].replace(/^\s+/, '');
    }
    const match = /^((?:\\.|[^\\:=\s])*)\s*[:=\s]\s*([\s\S]*)$/.exec(line);
    const key = unescapeProperty(match ? match[1] : line);
    out[key] = unescapeProperty(match ? match[2] : '');
  }
  return out;
}

function unescapeProperty(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_m, c: string) => {
    if (c.length === 5) return String.fromCharCode(parseInt(c.slice(1), 16));
    return ({ t: '\t', n: '\n', r: '\r', f: '\f' } as Record<string, string>)[c] ?? c;
  });
}

function gradle(text: string, sink: SecretSink): void {
  sink.walk(parseProperties(text));
}

const PARSERS: Record<CredentialFormat, Parser> = {
  npmrc,
  yarnrc,
  pypirc: (text, sink) => sink.walk(parseIni(text)),
  netrc,
  'git-credentials': gitCredentials,
  docker,
  'gh-hosts': (text, sink) => sink.walk(parseYaml(text)),
  aws: (text, sink) => sink.walk(parseIni(text)),
  cargo: (text, sink) => sink.walk(parseToml(text)),
  gradle,
  maven,
  kube,
};

/** Parse `text` as `format`, putting every secret value found into `sink`. Throws when the text does not parse. */
export function parseCredentialFile(format: CredentialFormat, text: string, sink: SecretSink): void {
  PARSERS[format](text, sink);
}

/**
 * For a file its format's parser rejects: every `key = value` / `key: value` line whose key names a secret, and the
 * decoded text of values that are base64. Loses nothing a shell could print, at the price of some noise.
 */
export function scanLines(text: string, sink: SecretSink): void {
  const take = (key: string, value: string): void => {
    if (!isSecretKey(key.slice(key.lastIndexOf(':') + 1))) return;
    if (decodeBase64Text(value)) sink.addPair(value);
    else sink.add(value);
  };
  // Quoted pairs anywhere on a line (JSON, flow-style YAML), then `key = value` lines (ini, properties, YAML).
  for (const pair of text.matchAll(/["']([^"'\n]+)["']\s*:\s*["']([^"'\n]*)["']/g)) take(pair[1], pair[2]);
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:-\s+)?["']?([A-Za-z0-9_./:@-]+?)["']?\s*[:=]\s*["']?(.*?)["']?\s*,?\s*$/.exec(line);
    if (match) take(match[1], match[2]);
  }
  netrc(text, sink);
  for (const url of text.matchAll(/\b[a-z][a-z0-9+.-]*:\/\/[^\s/@:]+:([^\s/@]+)@/gi)) sink.add(safeDecode(url[1]));
}
