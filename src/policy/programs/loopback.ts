// curl and wget to the sandbox's own loopback (`curl localhost:8000/health` against a server the agent started).
// Only in the sandbox: its network namespace makes loopback the agent's own, and its proxy refuses every other host,
// so a redirect cannot leave. Standing alone, loopback reaches the runner's services and a redirect can go anywhere.
// Fail closed: every word that is not an option or a known option's value must be a loopback URL, and options that
// read a config or URL list, or pick a proxy or an address for a name, are refused.
import { checkWrite, type CheckContext } from '../context.js';
import { clip } from '../walk.js';
import type { Arg } from '../words.js';

const LOOPBACK_HOST = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\]|::1|0\.0\.0\.0|\[0:0:0:0:0:0:0:1\])$/i;

/** Options whose next word is their value, and those that write the file they name. */
const VALUE_OPTIONS: Record<'curl' | 'wget', { short: string; long: string[]; writes: string[] }> = {
  curl: {
    short: 'AbcCdDFHmorTuwXYyz',
    long: [
      '--data',
      '--data-raw',
      '--data-binary',
      '--data-urlencode',
      '--json',
      '--form',
      '--header',
      '--request',
      '--output',
      '--output-dir',
      '--user-agent',
      '--max-time',
      '--connect-timeout',
      '--retry',
      '--retry-delay',
      '--retry-max-time',
      '--write-out',
      '--cookie',
      '--cookie-jar',
      '--user',
      '--referer',
      '--upload-file',
      '--range',
      '--limit-rate',
      '--max-filesize',
      '--dump-header',
      '--trace',
      '--trace-ascii',
      '--stderr',
      '--unix-socket',
    ],
    writes: [
      '-o',
      '--output',
      '-c',
      '--cookie-jar',
      '-D',
      '--dump-header',
      '--trace',
      '--trace-ascii',
      '--stderr',
      '--output-dir',
    ],
  },
  wget: {
    short: 'OoaPtTUwQ',
    long: [
      '--output-document',
      '--output-file',
      '--append-output',
      '--directory-prefix',
      '--tries',
      '--timeout',
      '--header',
      '--user-agent',
      '--post-data',
      '--body-data',
      '--method',
      '--wait',
      '--quota',
    ],
    writes: ['-O', '--output-document', '-o', '--output-file', '-a', '--append-output', '-P', '--directory-prefix'],
  },
};

/** Options that send the request elsewhere or read what to fetch from a file. */
const REDIRECTING =
  /^(-[Kxe]|-i|--config|--proxy|--preproxy|--socks\S*|--resolve|--connect-to|--doh-url|--input-file|--execute|--url-query|--next|-:)(=|$)/;

/** True when every target of this curl/wget is on loopback; its written files are checked like any write. */
export function loopbackOnly(name: 'curl' | 'wget', args: Arg[], cx: CheckContext): boolean {
  const spec = VALUE_OPTIONS[name];
  let urls = 0;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const v = a.value;
    if (!a.literal) return false;
    if (v.startsWith('-') && v.length > 1) {
      if (REDIRECTING.test(v)) return false;
      if (v === '--url') {
        if (!isLoopbackUrl(args[++i]?.value ?? '')) return false;
        urls++;
        continue;
      }
      const eq = v.indexOf('=');
      const option = eq > 0 ? v.slice(0, eq) : v;
      const takesNext = eq < 0 && (spec.long.includes(v) || (/^-[A-Za-z]$/.test(v) && spec.short.includes(v[1])));
      const value = eq > 0 ? { ...a, value: v.slice(eq + 1) } : takesNext ? args[i + 1] : undefined;
      if (takesNext) i++;
      if (value && spec.writes.includes(option))
        checkWrite(value, cx, option.includes('dir'), `${name} ${option} ${clip(value.value)}`);
      continue;
    }
    if (!isLoopbackUrl(v)) return false;
    urls++;
  }
  return urls > 0;
}

function isLoopbackUrl(text: string): boolean {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (url.username || url.password) return false;
  return LOOPBACK_HOST.test(url.hostname);
}
