// Unified diff parsing: `git diff` output (renames, binary files, quoted paths) into files and hunks.

export interface FileDiff {
  oldPath: string | null;
  newPath: string | null;
  status: 'added' | 'deleted' | 'modified' | 'renamed';
  binary: boolean;
  hunks: Hunk[];
}

export interface Hunk {
  header: string;
  /** Lines with their diff prefix (' ', '+', '-'). */
  lines: string[];
}

/** Undo git's C-style quoting of unusual paths ("a/caf\303\251.txt"). */
function unquote(path: string): string {
  if (!path.startsWith('"')) return path;
  const body = path.slice(1, -1);
  const bytes: number[] = [];
  const simple: Record<string, number> = { n: 10, t: 9, r: 13, '"': 34, '\\': 92, a: 7, b: 8, f: 12, v: 11 };
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      bytes.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const next = body[++i];
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(body.slice(i, i + 3), 8));
      i += 2;
    } else bytes.push(simple[next] ?? next.charCodeAt(0));
  }
  return Buffer.from(bytes).toString('utf8');
}

function stripPrefix(path: string): string | null {
  const p = unquote(path.trim());
  if (p === '/dev/null') return null;
  return p.replace(/^[ab]\//, '');
}

/** Paths from `diff --git a/x b/y` when there are no ---/+++ lines (binary files, pure renames, mode changes). */
function pathsFromGitHeader(rest: string): [string, string] | null {
  const quoted = /^("(?:[^"\\]|\\.)*"|\S+) ("(?:[^"\\]|\\.)*"|\S+)$/.exec(rest);
  if (quoted && !rest.includes(' b/', 2)) return [stripPrefix(quoted[1])!, stripPrefix(quoted[2])!];
  // Unquoted paths with spaces: "a/x y b/x y" — split at the middle " b/" that gives equal halves.
  const half = (rest.length - 1) / 2;
  if (Number.isInteger(half) && rest.slice(half, half + 3) === ' b/') {
    return [rest.slice(2, half), rest.slice(half + 3)];
  }
  const at = rest.indexOf(' b/');
  if (at > 0) return [rest.slice(0, at).replace(/^a\//, ''), rest.slice(at + 3)];
  return null;
}

export function parseUnifiedDiff(diff: string): FileDiff[] {
  const files: FileDiff[] = [];
  let file: FileDiff | null = null;
  let hunk: Hunk | null = null;
  let oldLeft = 0;
  let newLeft = 0;
  const finish = () => {
    if (file) files.push(file);
    file = null;
    hunk = null;
  };
  for (const line of diff.split('\n')) {
    if (hunk && (oldLeft > 0 || newLeft > 0)) {
      const h: Hunk = hunk;
      if (line.startsWith('+')) newLeft--;
      else if (line.startsWith('-')) oldLeft--;
      else if (line.startsWith(' ') || line === '') {
        oldLeft--;
        newLeft--;
      } else if (line.startsWith('\\')) continue; // "\ No newline at end of file"
      h.lines.push(line === '' ? ' ' : line);
      continue;
    }
    if (line.startsWith('diff --git ')) {
      finish();
      const paths = pathsFromGitHeader(line.slice('diff --git '.length));
      file = { oldPath: paths?.[0] ?? null, newPath: paths?.[1] ?? null, status: 'modified', binary: false, hunks: [] };
      continue;
    }
    if (!file) {
      // A diff without git headers (plain `diff -u`): start a file at its --- line.
      if (line.startsWith('--- ')) {
        file = {
          oldPath: stripPrefix(line.slice(4).split('\t')[0]),
          newPath: null,
          status: 'modified',
          binary: false,
          hunks: [],
        };
      }
      continue;
    }
    const f: FileDiff = file;
    if (line.startsWith('new file mode')) f.status = 'added';
    else if (line.startsWith('deleted file mode')) f.status = 'deleted';
    else if (line.startsWith('rename from ')) {
      f.status = 'renamed';
      f.oldPath = unquote(line.slice('rename from '.length));
    } else if (line.startsWith('rename to ')) f.newPath = unquote(line.slice('rename to '.length));
    else if (line.startsWith('Binary files ') || line.startsWith('GIT binary patch')) f.binary = true;
    else if (line.startsWith('--- ')) {
      f.oldPath = stripPrefix(line.slice(4).split('\t')[0]);
      if (f.oldPath === null) f.status = 'added';
    } else if (line.startsWith('+++ ')) {
      f.newPath = stripPrefix(line.slice(4).split('\t')[0]);
      if (f.newPath === null) f.status = 'deleted';
    } else if (line.startsWith('@@')) {
      const m = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/.exec(line);
      oldLeft = m ? Number(m[1] ?? 1) : 0;
      newLeft = m ? Number(m[2] ?? 1) : 0;
      hunk = { header: line, lines: [] };
      f.hunks.push(hunk);
    }
  }
  finish();
  for (const f of files) {
    if (f.status === 'added') f.oldPath = null;
    if (f.status === 'deleted') f.newPath = null;
  }
  return files;
}

export function pathOf(f: FileDiff): string {
  return f.newPath ?? f.oldPath ?? '';
}

export function added(f: FileDiff): string[] {
  return f.hunks.flatMap((h) => h.lines.filter((l) => l.startsWith('+')).map((l) => l.slice(1)));
}

export function removed(f: FileDiff): string[] {
  return f.hunks.flatMap((h) => h.lines.filter((l) => l.startsWith('-')).map((l) => l.slice(1)));
}
