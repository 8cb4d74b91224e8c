// README.md against the real thing: the Action's input and output tables against action.yml, the quick-start YAML
// against the inputs that exist, and the CLI table against each command's --help (which must show an example).
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { CliIo, CommandMain } from '../../src/cli/io.js';
import { main as capture } from '../../src/cli/commands/capture.js';
import { main as demo } from '../../src/cli/commands/demo.js';
import { main as policy } from '../../src/cli/commands/policy.js';
import { main as repair } from '../../src/cli/commands/repair.js';
import { main as rescue } from '../../src/cli/commands/rescue.js';
import { main as run } from '../../src/cli/commands/run.js';
import { main as session } from '../../src/cli/commands/session.js';
import { main as watch } from '../../src/cli/commands/watch.js';
import { main as replay } from '../../src/cli/commands/replay.js';
import { main as report } from '../../src/cli/commands/report.js';

const README = readFileSync('README.md', 'utf8');
const ACTION = parse(readFileSync('action.yml', 'utf8')) as {
  inputs: Record<string, { default?: string; required?: boolean }>;
  outputs: Record<string, unknown>;
};
const COMMANDS: Record<string, CommandMain> = {
  capture,
  demo,
  policy,
  repair,
  rescue,
  run,
  session,
  watch,
  replay,
  report,
};

/** The rows of the markdown table under `## heading`, as arrays of trimmed cells (header and rule dropped). */
function table(heading: string): string[][] {
  const start = README.indexOf(`\n## ${heading}\n`);
  expect(start, `README has a "## ${heading}" section`).toBeGreaterThan(-1);
  const rest = README.slice(start + heading.length + 5);
  const section = rest.slice(0, rest.search(/\n## /) === -1 ? undefined : rest.search(/\n## /));
  const rows = section
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim().replace(/\\\|/g, '|')),
    );
  return rows.slice(2);
}

/** `code` spans of a cell, e.g. "`pr-url`, `pr-number`" -> ["pr-url", "pr-number"]. */
const codes = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

async function help(command: CommandMain): Promise<string> {
  let out = '';
  const io: CliIo = { stdout: (t) => void (out += t), stderr: (t) => void (out += t), env: {}, cwd: process.cwd() };
  expect(await command(['--help'], io)).toBe(0);
  return out;
}

describe('README.md', () => {
  it('lists every Action input of action.yml, in order, with its default', () => {
    const rows = table('Inputs').map(([name, def]) => [codes(name)[0], def]);
    const declared = Object.entries(ACTION.inputs).map(([name, input]) => [
      name,
      input.required ? '(required)' : input.default ? `\`${input.default}\`` : '',
    ]);
    expect(rows).toEqual(declared);
  });

  it('lists every Action output of action.yml, in order', () => {
    const names = table('Outputs').flatMap(([name]) => codes(name));
    expect(names).toEqual(Object.keys(ACTION.outputs));
  });

  it('every YAML example parses and passes only inputs that exist, with check set', () => {
    const blocks = [...README.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    let steps = 0;
    for (const block of blocks) {
      type Step = { uses?: string; with?: object };
      // A whole workflow, or a list of steps to paste into one.
      const doc = parse(block) as { jobs: Record<string, { steps: Step[] }> } | Step[];
      const jobs = Array.isArray(doc) ? [{ steps: doc }] : Object.values(doc.jobs);
      for (const job of jobs) {
        for (const step of job.steps.filter((s) => s.uses?.startsWith('ci-medic/ci-medic@'))) {
          steps++;
          const given = Object.keys(step.with ?? {});
          expect(given.filter((name) => !(name in ACTION.inputs))).toEqual([]);
          expect(given).toContain('check');
        }
      }
    }
    expect(steps).toBe(blocks.length);
  });

  it('the CLI table names every command, with flags its --help knows', async () => {
    const rows = table('The CLI')
      .map(([usage]) => codes(usage)[0])
      .filter(Boolean);
    const named = rows.map((usage) => usage.split(' ')[1]);
    expect([...named].sort()).toEqual(Object.keys(COMMANDS).sort());
    for (const usage of rows) {
      const text = await help(COMMANDS[usage.split(' ')[1]]);
      for (const flag of usage.match(/--[a-z-]+/g) ?? []) expect(text, `${usage}: ${flag}`).toContain(flag);
    }
  });
});

describe('--help of every command', () => {
  it.each(Object.keys(COMMANDS))('%s: usage line, -h/--help and an example', async (name) => {
    const text = await help(COMMANDS[name]);
    expect(text.startsWith(`Usage: ci-medic ${name}`)).toBe(true);
    expect(text).toContain('-h, --help');
    expect(text).toMatch(new RegExp(`\\nExamples?:\\n {2}(\\S+=\\S+ )?ci-medic ${name}\\b`));
  });
});
