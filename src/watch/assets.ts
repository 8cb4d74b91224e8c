// The browser code the report and the dashboard inline: asciinema-player and xterm.js from npm. The bundle step
// copies them into dist/cli/assets (and dist/assets); source runs read them from node_modules.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ASSETS = {
  playerJs: 'asciinema-player/dist/bundle/asciinema-player.min.js',
  playerCss: 'asciinema-player/dist/bundle/asciinema-player.css',
  xtermJs: '@xterm/xterm/lib/xterm.js',
  xtermCss: '@xterm/xterm/css/xterm.css',
} as const;

const cache = new Map<string, string>();

export function asset(name: keyof typeof ASSETS): string {
  const spec = ASSETS[name];
  const cached = cache.get(spec);
  if (cached !== undefined) return cached;
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    join(here, 'assets', basename(spec)),
    join(dirname(process.argv[1] ?? here), 'assets', basename(spec)),
  ];
  let path = candidates.find((c) => existsSync(c));
  if (!path) {
    try {
      path = createRequire(import.meta.url).resolve(spec);
    } catch {
      throw new Error(
        `${basename(spec)} (from ${spec.split('/dist')[0].split('/lib')[0].split('/css')[0]}) was not found; run npm run bundle`,
      );
    }
  }
  const text = readFileSync(path, 'utf8');
  cache.set(spec, text);
  return text;
}

/** Inline script text must not close its <script> element early. */
export const scriptSafe = (text: string): string => text.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
