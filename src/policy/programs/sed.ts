// sed: a script is parsed far enough to find the commands that run programs (e, s///e) or write files (w, W, s///w),
// and -i edits the files it names.
import { checkWrite, deny, type CheckContext } from '../context.js';
import { secretPath } from '../paths.js';
import { clip } from '../walk.js';
import type { Arg } from '../words.js';
import { program } from './program.js';

/** Parses a sed script far enough to find the commands that run programs (e) or write files (w, W, s///w). */
export const sed = program('sed gsed', ({ args }, cx) => checkSed(args, cx));

function checkSed(args: Arg[], cx: CheckContext): void {
  const scripts: Arg[] = [];
  const files: Arg[] = [];
  let inPlace = false;
  let options = true;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const v = a.value;
    if (options && v === '--') {
      options = false;
      continue;
    }
    if (options && v.startsWith('--')) {
      if (v === '--expression' || v === '--file') i++;
      if (v === '--expression' && args[i]) scripts.push(args[i]);
      else if (v.startsWith('--expression=')) scripts.push({ ...a, value: v.slice(13) });
      else if (v === '--file' || v.startsWith('--file='))
        return deny(
          cx,
          'code-in-arguments',
          'sed -f reads its script from a file the policy cannot check; pass the script with -e',
        );
      else if (v.startsWith('--in-place')) inPlace = true;
      continue;
    }
    if (options && v.startsWith('-') && v.length > 1) {
      // Short options cluster: -n, -E, -i[SUFFIX], -e SCRIPT, -f FILE, -l N, -s, -u, -z.
      for (let k = 1; k < v.length; k++) {
        const c = v[k];
        if (c === 'i') {
          inPlace = true;
          break; // the rest is the backup suffix
        }
        if (c === 'e' || c === 'f' || c === 'l') {
          const attached = v.slice(k + 1);
          const value = attached ? { ...a, value: attached } : args[++i];
          if (c === 'e' && value) scripts.push(value);
          if (c === 'f')
            return deny(
              cx,
              'code-in-arguments',
              'sed -f reads its script from a file the policy cannot check; pass the script with -e',
            );
          break;
        }
      }
      continue;
    }
    if (scripts.length === 0 && !args.slice(0, i).some((x) => /^-[a-zA-Z]*e|^--expression/.test(x.value)))
      scripts.push(a);
    else files.push(a);
  }
  for (const script of scripts) {
    if (!script.literal) {
      deny(cx, 'code-in-arguments', `the sed script ${clip(script.value)} is built at run time; write it literally`);
      continue;
    }
    const problem = sedScriptProblem(script.value, cx);
    if (problem) deny(cx, 'code-in-arguments', problem);
  }
  if (inPlace) for (const f of files) checkWrite(f, cx, false, `sed -i ${clip(f.value)}`);
}

function sedScriptProblem(script: string, cx: CheckContext): string | null {
  const n = script.length;
  let i = 0;
  const restOfLine = (): string => {
    const end = script.indexOf('\n', i);
    const text = script.slice(i, end < 0 ? n : end);
    i = end < 0 ? n : end;
    return text.trim();
  };
  const skipRegex = (delim: string): boolean => {
    while (i < n && script[i] !== delim) {
      if (script[i] === '\\') i++;
      else if (script[i] === '\n') return false;
      i++;
    }
    if (i >= n) return false;
    i++;
    return true;
  };
  const writeTarget = (file: string, what: string): string | null => {
    if (!file) return `sed ${what} without a file name`;
    if (file === '/dev/stdout' || file === '/dev/stderr') return null;
    const before = cx.findings.length;
    checkWrite({ value: file, literal: true, pattern: false }, cx, false, `sed ${what} ${file}`);
    return cx.findings.length > before ? (cx.findings.pop()?.reason ?? null) : null;
  };
  let guard = 0;
  while (i < n) {
    if (++guard > 100_000) return 'the sed script is too long to check';
    const c = script[i];
    if (/[\s;}]/.test(c)) {
      i++;
      continue;
    }
    if (c === '#') {
      restOfLine();
      continue;
    }
    // Addresses: numbers, $, /re/, \cREc, first~step, addr,addr, addr,+N, addr,~N; then optional !.
    for (let part = 0; part < 2; part++) {
      if (/[0-9$]/.test(script[i] ?? '')) {
        while (i < n && /[0-9$~]/.test(script[i])) i++;
      } else if (script[i] === '/') {
        i++;
        if (!skipRegex('/')) return 'the sed script has an unterminated address';
        while (/[IM]/.test(script[i] ?? '')) i++;
      } else if (script[i] === '\\') {
        const d = script[i + 1];
        i += 2;
        if (!d || !skipRegex(d)) return 'the sed script has an unterminated address';
        while (/[IM]/.test(script[i] ?? '')) i++;
      } else if (part === 1 && /[+~]/.test(script[i] ?? '')) {
        i++;
        while (i < n && /[0-9]/.test(script[i])) i++;
      }
      while (i < n && /[ \t]/.test(script[i])) i++;
      if (part === 0 && script[i] === ',') {
        i++;
        while (i < n && /[ \t]/.test(script[i])) i++;
        continue;
      }
      break;
    }
    while (i < n && /[\s!]/.test(script[i]) && script[i] !== '\n') i++;
    const cmd = script[i++];
    if (cmd === undefined) break;
    switch (cmd) {
      case '{':
      case '}':
      case '=':
      case 'd':
      case 'D':
      case 'g':
      case 'G':
      case 'h':
      case 'H':
      case 'n':
      case 'N':
      case 'p':
      case 'P':
      case 'x':
      case 'z':
      case 'F':
        break;
      case 'l':
      case 'L':
      case 'q':
      case 'Q':
      case 'v':
        while (i < n && /[0-9. \t]/.test(script[i])) i++;
        break;
      case ':':
      case 'b':
      case 't':
      case 'T':
        while (i < n && !/[;\n]/.test(script[i])) i++;
        break;
      case 'a':
      case 'i':
      case 'c':
        // Text to the end of the line (a backslash-newline continues it).
        while (i < n && script[i] !== '\n') {
          if (script[i] === '\\') i++;
          i++;
        }
        break;
      case 'r':
      case 'R': {
        const file = restOfLine();
        const secret = secretPath({ value: file, literal: true, pattern: false }, cx.paths);
        if (secret) return `sed ${cmd} ${file} reads credentials; leave them alone`;
        break;
      }
      case 'w':
      case 'W': {
        const problem = writeTarget(restOfLine(), cmd);
        if (problem) return problem;
        break;
      }
      case 'e':
        return "sed's e command runs a shell command; do the replacement with s/// or run the command yourself";
      case 'y':
      case 's': {
        const d = script[i++];
        if (!d || d === '\n' || d === '\\') return `the sed ${cmd} command has no delimiter`;
        if (!skipRegex(d) || !skipRegex(d)) return `the sed ${cmd} command is not terminated`;
        if (cmd === 'y') break;
        // Flags: g p i I m M e w FILE and numbers.
        while (i < n && /[gpiImMe0-9w]/.test(script[i])) {
          const f = script[i++];
          if (f === 'e') return 'the s///e flag runs the pattern space as a shell command; drop the e flag';
          if (f === 'w') {
            const problem = writeTarget(restOfLine(), 's///w');
            if (problem) return problem;
            break;
          }
        }
        break;
      }
      default:
        return `the sed script has a command the policy does not know ('${cmd}'); simplify the script`;
    }
  }
  return null;
}
