// Our `bash` tool: the policy decides first (a denied command is never typed, the model gets the reason), then the
// command runs in the tmux session with the per-command timeout (the model's timeout_ms capped by it) and the
// wall-clock budget's signal; the result is redacted and shaped, the full log named.
import type { ToolUseBlock } from '@anthropic-ai/sdk/resources/messages/messages';
import { evaluate } from '../policy/index.js';
import type { PolicyConfig } from '../policy/types.js';
import { foregroundServerAdvice } from '../terminal/index.js';
import { scrubbed, type LoopRun } from './run.js';
import { excerpt, shapeOutput } from './shape.js';
import { parseBashInput, TOOL_OUTPUT_BUDGET, type ToolOutcome } from './tools.js';

/** The shortest per-command timeout the model may ask for. */
const MIN_COMMAND_TIMEOUT_MS = 1000;

export async function runBashTool(run: LoopRun, policy: PolicyConfig, use: ToolUseBlock): Promise<ToolOutcome> {
  const input = parseBashInput(use.input);
  if (typeof input === 'string') return { content: input, isError: true };
  if (input.restart) {
    await run.session.restart();
    if (!input.command) {
      return { content: 'bash session restarted: a fresh shell in the workspace, environment reset', isError: false };
    }
  }
  if (!input.command?.trim()) return { content: 'bash: command is required', isError: true };
  const command = input.command;
  const redacted = run.redactor.redact(command);

  // Relative paths resolve where the shell is now: a `cd` in an earlier command moved it.
  const decision = evaluate(command, { ...policy, cwd: run.session.currentDirectory() });
  run.record({
    type: 'policy',
    command,
    allowed: decision.allowed,
    rule: decision.rule ?? undefined,
    reason: decision.reason,
    commands: decision.commands,
  });
  if (!decision.allowed) {
    run.commands.push({
      command: redacted,
      allowed: false,
      policy: decision.reason,
      exitCode: null,
      durationMs: 0,
      timedOut: false,
    });
    run.emit('command', `denied: ${command} (${decision.reason})`);
    return {
      content: `Denied by the command policy (${decision.rule ?? 'policy'}): ${decision.reason}\nNothing was run.`,
      isError: true,
    };
  }

  const limit = run.config.commandTimeoutMs;
  const timeoutMs = Math.min(limit, Math.max(MIN_COMMAND_TIMEOUT_MS, input.timeout_ms ?? limit));
  // Continuation lines (here-documents, multi-line scripts) are indented so they read as part of the command.
  run.emit('command', `$ ${command.replace(/\n/g, '\n    ')}`);
  const started = Date.now();
  const r = await run.session.run(command, { timeoutMs, signal: run.budget.signal });
  const blocked = run.blockedSince?.(started);
  const output = await scrubbed(run, r);
  run.commands.push({
    command: redacted,
    allowed: true,
    policy: decision.rule ?? 'allowed',
    exitCode: r.exitCode,
    durationMs: r.durationMs,
    timedOut: r.timedOut,
  });
  run.record({
    type: 'command-result',
    command,
    exitCode: r.exitCode,
    durationMs: r.durationMs,
    timedOut: r.timedOut,
    interrupted: r.interrupted,
    shellRestarted: r.shellRestarted,
    outputChars: r.output.length,
    logPath: r.outputPath,
    excerpt: excerpt(output),
  });
  run.logPaths.set(use.id, r.outputPath);
  const stopped = r.timedOut
    ? ', hit its time limit'
    : r.foregroundServer
      ? `, stopped: a server in the foreground (port ${r.foregroundServer.port})`
      : r.interrupted
        ? ', interrupted'
        : '';
  run.emit(
    'command',
    `-> exit ${r.exitCode ?? 'none'} in ${(r.durationMs / 1000).toFixed(1)}s${stopped}${r.shellRestarted ? ', shell restarted' : ''}`,
  );

  const notes: string[] = [];
  if (r.timedOut) {
    notes.push(
      `The command hit its ${Math.round(timeoutMs / 1000)}s time limit and was stopped. Narrow it down or run it with a smaller scope.`,
    );
  } else if (r.foregroundServer) notes.push(foregroundServerAdvice(r.foregroundServer, command));
  else if (r.interrupted) notes.push('The command was interrupted.');
  if (r.shellRestarted) {
    notes.push('The shell had to be restarted; the working directory was restored, the environment reset.');
  }
  if (blocked) notes.push(blocked);
  if (r.shellNote) notes.push(r.shellNote);
  const head = `exit code ${r.exitCode ?? 'none'} (${(r.durationMs / 1000).toFixed(1)}s; full log: ${r.outputPath})`;
  const shaped = shapeOutput(output, { budgetChars: TOOL_OUTPUT_BUDGET, logPath: r.outputPath });
  return { content: [head, ...notes, shaped || '(no output)'].join('\n'), isError: r.exitCode !== 0 };
}
