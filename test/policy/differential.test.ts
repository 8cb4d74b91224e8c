// Differential test against real bash: generated command lines (nesting forms x wrappers x quoting of names) run in
// bash with PATH holding only stubs that log their argv, plus the real wrapper programs (env, timeout, xargs, find,
// ...) so that what they start is logged too. Every program bash actually ran must be one the policy reported in
// `commands`; a denial because the name cannot be known (dynamic-command-name) or the line does not parse is the
// only excuse, since then the policy could not see it and said so.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate, type PolicyConfig } from '../../src/policy/index.js';

/** Programs the generated commands name; each gets a logging stub. */
const STUBS = [
  'ls',
  'cat',
  'npm',
  'curl',
  'touch',
  'id',
  'grep',
  'wc',
  'head',
  'sort',
  'git',
  'pytest',
  'true',
  'echo',
];
/** Real programs linked into PATH, so that what they start goes through the stubs. */
const REAL = ['env', 'timeout', 'nice', 'nohup', 'stdbuf', 'xargs', 'find', 'bash', 'sh'];

const PAYLOADS = [
  'ls -la',
  'cat notes.txt',
  'npm test',
  'curl https://x.invalid',
  'id',
  'grep -n a notes.txt',
  'git status',
];

/** Ways to write the program's name; `bin` is the stub directory (an absolute path is matched by base name). */
function nameForms(name: string, bin: string): string[] {
  const hex = `$'\\x${name.charCodeAt(0).toString(16)}${name.slice(1)}'`;
  return [
    name,
    `${name[0]}''${name.slice(1)}`,
    `"${name.slice(0, 2)}"${name.slice(2)}`,
    `\\${name}`,
    hex,
    `${bin}/${name}`,
    `${name.slice(0, -1)}"${name.slice(-1)}"`,
  ];
}

/** Places a command can stand; `C` is the command. */
const POSITIONS = [
  'C',
  'echo $(C)',
  'echo `C`',
  'echo "$(C)"',
  'cat <(C)',
  'C > >(cat)',
  'C | cat',
  'echo a | C',
  'true && C',
  'false || C',
  '{ C; }',
  '(C)',
  'if C; then :; fi',
  'if false; then :; else C; fi',
  'while C; do break; done',
  'until C; do break; done',
  'for i in 1; do C; done',
  'for ((i=0; i<1; i++)); do C; done',
  'case x in x) C;; esac',
  'case $(C) in *) :;; esac',
  'x=$(C)',
  'x=(a $(C))',
  'echo ${u:-$(C)}',
  'echo ${u:=$(C)}',
  'echo ${v/a/$(C)}',
  'echo $(( $(C) + 1 ))',
  'a[$(C)]=1',
  'echo ${a[$(C)]}',
  '[[ -n $(C) ]]',
  '[[ $(C) == x ]]',
  'cat <<EOF\n$(C)\nEOF',
  'cat <<EOF\n`C`\nEOF',
  'cat <<< "$(C)"',
  'echo hi > "out$(C).txt"',
  'coproc C; wait',
  'C & wait',
  'time C',
  '! C',
  'f() { C; }; f',
  'eval "C"',
  "trap 'C' EXIT",
  'command C',
  'echo "$(echo "$(C)")"',
  '{ C; } > out.txt',
  'for x in 1; do C; done 2>&1 | cat',
  'echo $[ $(C) ]',
  'for x in $(C); do :; done',
  'select x in $(C); do break; done < /dev/null',
  '[ "$(C)" ]',
  'let x=$(C)+1',
  '(( x = $(C) + 1 ))',
  'declare a[$(C)]=1',
  'a=([$(C)]=1)',
  'echo ${x?$(C)}',
  'echo $"$(C)"',
  'echo $(case x in x) C;; esac)',
  "echo $(echo ')'; C)",
  "bash -c 'C'",
  'sh -c "C"',
  "bash -xc 'C; C'",
  "echo x | xargs sh -c 'C'",
  "find notes.txt -exec sh -c 'C' \\;",
  "builtin eval 'C'",
  "command eval 'C'",
];

/** Wrappers around the command. */
const WRAPPERS = [
  'C',
  'env C',
  'env A=1 C',
  'env -u HOME C',
  'timeout 5 C',
  'timeout -k 1 5 C',
  'nice -n 1 C',
  'nohup C',
  'stdbuf -oL C',
  'command C',
  'echo x | xargs C',
  'echo x | xargs -I{} C {}',
  'find notes.txt -exec C {} \\;',
  'find notes.txt -execdir C {} +',
  'timeout 5 env nice C',
];

function generate(bin: string): string[] {
  const out = new Set<string>();
  let k = 0;
  for (const position of POSITIONS) {
    for (const wrapper of WRAPPERS) {
      // Spread payloads and name forms over the grid instead of taking the full product (it stays a few hundred).
      if ((k++ * 7) % 3 !== 0 && wrapper !== 'C' && position !== 'C') continue;
      const payload = PAYLOADS[k % PAYLOADS.length];
      const [name, ...args] = payload.split(' ');
      const forms = nameForms(name, bin);
      const form = forms[k % forms.length];
      const command = [form, ...args].join(' ');
      out.add(position.replace('C', wrapper.replace('C', command)));
    }
  }
  // Code hidden in data that bash evaluates anyway (array subscripts in strings used as arithmetic or names).
  out.add("x='a[$(id)]'; echo $((x))");
  out.add('x=a[\\$\\(id\\)]; echo $((x))');
  out.add('x="a[\\$(id -u)]"; echo $((x + 1))');
  out.add("printf -v 'a[$(id)]' x");
  out.add("read 'a[$(id)]' <<< x");
  out.add("[[ -v 'a[$(id)]' ]]");
  out.add("echo 'a[$(ls)]' > v.txt; read -r x < v.txt; echo $((x))");
  out.add("cat > v.txt <<'EOF'\na[$(cat notes.txt)]\nEOF\nread -r x < v.txt; echo $((x))");
  // Dynamic names: the policy must refuse them (it cannot know what runs).
  out.add('c=curl; $c https://x.invalid');
  out.add('${IFS}id');
  out.add('$(echo id)');
  for (const command of nested(bin, 120)) out.add(command);
  return [...out];
}

/** Positions nested in positions (two or three deep), from a fixed seed so every run checks the same lines. */
function nested(bin: string, count: number): string[] {
  let seed = 20_261_121;
  const pick = <T>(list: T[]): T => {
    seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
    return list[seed % list.length];
  };
  const singles = POSITIONS.filter((p) => p.split('C').length === 2 && !p.includes('EOF'));
  const out: string[] = [];
  for (let n = 0; n < count; n++) {
    let command = 'C';
    const depth = 2 + (n % 2);
    for (let d = 0; d < depth; d++) command = command.replace('C', pick([...singles, ...WRAPPERS.slice(1)]));
    const [name, ...args] = pick(PAYLOADS).split(' ');
    out.push(command.replace('C', [pick(nameForms(name, bin)), ...args].join(' ')));
  }
  return out;
}

let dir: string;
let bin: string;
let log: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ci-medic-policy-diff-'));
  bin = join(dir, 'bin');
  mkdirSync(bin);
  log = join(dir, 'argv.log');
  // \036 ends a record, \037 separates arguments; one printf per record, so that stubs running side by side in a
  // pipeline do not interleave (a small O_APPEND write is atomic). printf is a builtin of /bin/sh.
  const stub = `#!/bin/sh\nus=$(printf '\\037')\nr="\${0##*/}"\nfor a in "$@"; do r="$r$us$a"; done\nprintf '%s\\036' "$r" >> "$STUB_LOG"\n`;
  for (const name of STUBS) {
    writeFileSync(join(bin, name), stub);
    chmodSync(join(bin, name), 0o755);
  }
  for (const name of REAL) {
    const found = spawnSync('/bin/sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
    if (!found) throw new Error(`${name} is needed for the differential test and was not found on PATH`);
    symlinkSync(found, join(bin, name));
  }
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function runInBash(command: string, work: string): string[][] {
  writeFileSync(log, '');
  const result = spawnSync('/bin/bash', ['--noprofile', '--norc', '-c', command], {
    cwd: work,
    env: { PATH: bin, STUB_LOG: log, HOME: work, LC_ALL: 'C' },
    input: '',
    timeout: 5000,
    encoding: 'utf8',
  });
  if (result.error) throw new Error(`bash did not finish ${JSON.stringify(command)}: ${result.error.message}`);
  return readFileSync(log, 'utf8')
    .split('\u001e')
    .filter(Boolean)
    .map((record) => record.split('\u001f'));
}

describe('differential: the policy sees every program bash runs', () => {
  it('has a harness that logs what bash runs, through the real wrappers too', () => {
    const work = join(dir, 'work');
    mkdirSync(work, { recursive: true });
    expect(runInBash('echo $(id -u) | xargs ls -d', work)).toEqual([
      ['id', '-u'],
      ['ls', '-d'],
    ]);
    expect(runInBash("find . -maxdepth 0 -exec cat {} \\; ; timeout 5 env A=1 c''url x", work)).toEqual([
      ['cat', '.'],
      ['curl', 'x'],
    ]);
  });

  it('agrees with bash on a few hundred generated commands', () => {
    const work = join(dir, 'work');
    mkdirSync(work, { recursive: true });
    writeFileSync(join(work, 'notes.txt'), 'a\n');
    const config: PolicyConfig = {
      allow: [],
      deny: [],
      protectedPaths: [],
      disabledRules: [],
      workspace: work,
      home: work,
    };
    const commands = generate(bin);
    expect(commands.length).toBeGreaterThan(200);
    const misses: string[] = [];
    let ranAndAllowed = 0;
    let ranAndDenied = 0;
    for (const command of commands) {
      const ran = runInBash(command, work);
      const decision = evaluate(command, config);
      const seen = new Set(decision.commands.map((argv) => basename(argv[0] ?? '')));
      const excused =
        !decision.allowed && (decision.rule === 'default:dynamic-command-name' || decision.rule === 'parse');
      for (const argv of ran) {
        if (!seen.has(argv[0]) && !excused)
          misses.push(`${JSON.stringify(command)} ran ${argv[0]} unseen (${decision.rule})`);
      }
      if (ran.length > 0) {
        if (decision.allowed) ranAndAllowed++;
        else ranAndDenied++;
      }
    }
    expect(misses).toEqual([]);
    // Not vacuous: most lines ran a stub, and both outcomes occur.
    expect(ranAndAllowed).toBeGreaterThan(50);
    expect(ranAndDenied).toBeGreaterThan(20);
  });
});
