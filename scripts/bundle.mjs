// Build both committed bundles: tsc first (ncc's own TypeScript loader does not work with current TypeScript),
// then ncc on the emitted JavaScript.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });
const bin = (name) => `node_modules/.bin/${name}`;

// Start from nothing so no stale chunk of an earlier build lingers in the committed dist/.
rmSync('lib', { recursive: true, force: true });
rmSync('dist', { recursive: true, force: true });
run(bin('tsc'), ['-p', 'tsconfig.build.json']);

for (const [entry, out] of [
  ['lib/action/index.js', 'dist'],
  ['lib/cli/index.js', 'dist/cli'],
  ['lib/action/post.js', 'dist/post'],
]) {
  run(bin('ncc'), [
    'build',
    entry,
    '-o',
    out,
    '--minify',
    '--no-source-map-register',
    '--license',
    'licenses.txt',
    '-q',
  ]);
}

// The CLI bundle is the package's "bin": make sure it starts with a shebang and is executable.
const cli = 'dist/cli/index.js';
const text = readFileSync(cli, 'utf8');
if (!text.startsWith('#!')) writeFileSync(cli, `#!/usr/bin/env node\n${text}`);
chmodSync(cli, 0o755);

// The sandbox's host runs from the CLI bundle; the runtime looks for its helpers (the seccomp filter that blocks
// new unix sockets, the JVM proxy agent) in vendor/ beside the bundle.
for (const dir of ['seccomp/x64', 'seccomp/arm64', 'java-proxy-agent']) {
  cpSync(`node_modules/@anthropic-ai/sandbox-runtime/vendor/${dir}`, `dist/cli/vendor/${dir}`, { recursive: true });
}
// The browser code `ci-medic report` and `ci-medic watch` inline (src/watch/assets.ts), beside the CLI bundle.
for (const dir of ['dist/cli/assets']) {
  mkdirSync(dir, { recursive: true });
  for (const file of [
    'node_modules/asciinema-player/dist/bundle/asciinema-player.min.js',
    'node_modules/asciinema-player/dist/bundle/asciinema-player.css',
    'node_modules/@xterm/xterm/lib/xterm.js',
    'node_modules/@xterm/xterm/css/xterm.css',
  ]) {
    copyFileSync(file, `${dir}/${file.split('/').pop()}`);
  }
}
