// The check-definition rule: the check's own scripts, npm scripts, Makefiles, test-runner configuration and the
// configuration of the tools the check runs are its definition; changing them is not a fix.
import { posix } from 'node:path';
import { checkTargets, filesInScript, joinDir, parsePackageJson } from './check-targets.js';
import { added, pathOf, removed, type FileDiff } from './diff.js';
import { PYTEST_KEYS, RUNNER_CONFIG, TOOL_CONFIG } from './tables.js';
import type { TamperOptions, TamperViolation } from './types.js';

function definitionMessage(file: string, what: string): string {
  return `${file}: ${what} — this is the check's own definition. Changing what the check runs is not a fix: revert it (\`git checkout -- ${file}\`) and make the code pass the check as it was defined.`;
}

export function checkDefinitionViolations(files: FileDiff[], opts: TamperOptions): TamperViolation[] {
  const out: TamperViolation[] = [];
  const t = checkTargets(opts.check);
  const pkgPath = joinDir(t.dir, 'package.json');
  const definitionFiles = new Set(t.files);
  // Everything the check runs, as text: the command and the scripts it reaches (both versions), to spot tool names.
  const runText: string[] = [opts.check];

  // npm scripts: compare exactly when both versions of package.json are given, else look at the diff lines.
  if (t.scripts.length) {
    const before = parsePackageJson(opts.packageJsonBefore);
    const after = parsePackageJson(opts.packageJsonAfter);
    const pkgDiff = files.find((f) => pathOf(f) === pkgPath || f.oldPath === pkgPath);
    if (before && after) {
      const sb = (before.scripts ?? {}) as Record<string, unknown>;
      const sa = (after.scripts ?? {}) as Record<string, unknown>;
      for (const name of t.scripts) {
        if (JSON.stringify(sb[name]) !== JSON.stringify(sa[name])) {
          out.push({
            rule: 'check-definition',
            file: pkgPath,
            line: `"${name}": ${JSON.stringify(sa[name] ?? null)}`,
            message: definitionMessage(
              pkgPath,
              `the "${name}" script changed from ${JSON.stringify(sb[name] ?? null)} to ${JSON.stringify(sa[name] ?? null)}`,
            ),
          });
        }
        for (const s of [sb[name], sa[name]]) {
          if (typeof s === 'string') runText.push(s);
          if (typeof s === 'string') for (const file of filesInScript(s, t.dir)) definitionFiles.add(file);
        }
      }
      for (const key of ['jest', 'mocha', 'ava', 'c8', 'nyc', 'vitest']) {
        if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
          out.push({
            rule: 'check-definition',
            file: pkgPath,
            message: definitionMessage(pkgPath, `the "${key}" test-runner configuration changed`),
          });
        }
      }
    } else if (pkgDiff) {
      const scriptLine = new RegExp(
        `^\\s*"(?:${t.scripts.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})"\\s*:`,
      );
      const changed = [...added(pkgDiff), ...removed(pkgDiff)].find((l) => scriptLine.test(l));
      if (changed) {
        out.push({
          rule: 'check-definition',
          file: pkgPath,
          line: changed.trim(),
          message: definitionMessage(pkgPath, `the script the check runs changed (\`${changed.trim()}\`)`),
        });
      }
    }
  }

  for (const f of files) {
    const paths = [f.oldPath, f.newPath].filter((p): p is string => !!p);
    const path = pathOf(f);
    if (paths.some((p) => definitionFiles.has(p))) {
      out.push({
        rule: 'check-definition',
        file: path,
        message: definitionMessage(path, 'a script the check runs was changed'),
      });
      continue;
    }
    if (t.make && paths.some((p) => /(?:^|\/)(?:GNUmakefile|[Mm]akefile|[^/]+\.mk)$/.test(p))) {
      out.push({
        rule: 'check-definition',
        file: path,
        message: definitionMessage(path, 'the Makefile the check runs was changed'),
      });
      continue;
    }
    if (paths.some((p) => RUNNER_CONFIG.some((re) => re.test(p)))) {
      out.push({
        rule: 'check-definition',
        file: path,
        message: definitionMessage(path, 'the test runner configuration was changed'),
      });
      continue;
    }
    const tools = TOOL_CONFIG.filter((c) => runText.some((text) => c.tool.test(text)));
    const tool = tools.find((c) => paths.some((p) => c.file.test(p)));
    if (tool) {
      out.push({
        rule: 'check-definition',
        file: path,
        message: definitionMessage(path, 'the configuration of a tool the check runs was changed'),
      });
      continue;
    }
    const base = posix.basename(path);
    if (base === 'pyproject.toml' || base === 'setup.cfg' || base === 'tox.ini') {
      const sections = [/pytest/, ...tools.flatMap((c) => (c.section ? [c.section] : []))];
      const hit = sectionChange(f, sections);
      if (hit) {
        out.push({
          rule: 'check-definition',
          file: path,
          line: hit,
          message: definitionMessage(path, `the check's tool configuration changed (\`${hit}\`)`),
        });
      }
    }
    if (base === 'Cargo.toml' && t.cargo) {
      const hit = [...added(f), ...removed(f)].find((l) =>
        /^\s*(?:\[\[test\]\]|\[\[bench\]\]|test\s*=|harness\s*=|doctest\s*=)/.test(l),
      );
      if (hit) {
        out.push({
          rule: 'check-definition',
          file: path,
          line: hit.trim(),
          message: definitionMessage(path, `a test target setting changed (\`${hit.trim()}\`)`),
        });
      }
    }
  }
  return out;
}

/**
 * A changed line of pyproject.toml/setup.cfg/tox.ini inside a section one of `sections` matches (`[tool.pytest.ini_options]`,
 * `[tool:pytest]`, `[tool.ruff.lint]`). A hunk that shows no section header is judged by pytest's own key names.
 */
function sectionChange(f: FileDiff, sections: RegExp[]): string | undefined {
  for (const h of f.hunks) {
    let section: string | undefined;
    for (const l of h.lines) {
      const body = l.slice(1);
      const header = /^\s*\[([^\]]+)\]/.exec(body);
      if (header) section = header[1];
      if (l[0] !== '+' && l[0] !== '-') continue;
      const inside =
        section !== undefined
          ? sections.some((re) => re.test(section!))
          : PYTEST_KEYS.test(body) || /pytest/.test(h.header);
      if (inside && body.trim()) return body.trim();
    }
  }
  return undefined;
}
