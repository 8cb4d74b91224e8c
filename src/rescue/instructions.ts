// Rescue instructions: what a person needs, once the loop has given up, to land in the agent's own tmux session.
// Pure and fast (string building only): it runs at the end of the loop and must print within a second.
import { ConfigError } from '../config.js';
import { shellQuote } from '../terminal/quote.js';
import { tmuxSessionName } from '../terminal/tmux.js';

/** A GitHub Action pinned to a full-length commit SHA (tags move; a SHA does not), with the tag it was taken from. */
export interface PinnedAction {
  repository: string;
  sha: string;
  tag: string;
}

/** owenthereal/action-upterm v1.15.0: limit-access-to-actor, wait-timeout-minutes, the continue file. */
export const UPTERM_ACTION: PinnedAction = {
  repository: 'owenthereal/action-upterm',
  sha: '47652056242288ccbebd30f836e9885d09a75365',
  tag: 'v1.15.0',
};

/** mxschmitt/action-tmate v3.23: the fallback (tmate's public servers are being retired). */
export const TMATE_ACTION: PinnedAction = {
  repository: 'mxschmitt/action-tmate',
  sha: 'c0afd6f790e3a5564914980036ebf83216678101',
  tag: 'v3.23',
};

/** The Action output that carries the command a person runs (join command, or the ssh connection when hosted). */
export const RESCUE_OUTPUT = 'rescue-command';
export const DEFAULT_RESCUE_STEP_ID = 'ci-medic';
export const DEFAULT_RESCUE_TIMEOUT_MINUTES = 45;
export const DEFAULT_RESCUE_CONNECT_TIMEOUT_MINUTES = 10;
/** The id given to the upterm step in the snippet, so the tmate fallback can run only when upterm failed. */
export const UPTERM_STEP_ID = 'ci-medic-rescue-upterm';

export interface RescueInstructionsOptions {
  /** The agent's tmux session name. */
  sessionName: string;
  /** The socket of the agent's own tmux server. */
  socketPath: string;
  /** The GitHub user who triggered the run: only their public SSH keys may connect. */
  actor?: string;
  /** The id of the ci-medic step in the user's workflow, for the `if:` condition (default `ci-medic`). */
  stepId?: string;
  /** The upterm action to pin (default UPTERM_ACTION). */
  uptermAction?: PinnedAction;
  /** The tmate action to pin (default TMATE_ACTION). */
  tmateAction?: PinnedAction;
  /** `timeout-minutes` of the rescue step: the longest a person can hold the job (default 45). */
  timeoutMinutes?: number;
  /** How long the rescue step waits for someone to connect before it ends (default 10). */
  connectTimeoutMinutes?: number;
}

export interface RescueInstructions {
  /** For the job summary: the snippet, the join commands, the prefix key, how to let the job finish. */
  markdown: string;
  /** One paragraph for a `::notice` annotation. */
  notice: string;
  /** Workflow steps (YAML, a list) ready to paste after the ci-medic step. */
  workflowSnippet: string;
  /** `tmux -S <socket> attach -t <name>`: joins the agent's session. */
  joinCommand: string;
  /** The same with `-r`: watch without typing. */
  readOnlyJoinCommand: string;
}

/** A week: self-hosted runners allow long jobs; GitHub-hosted ones stop at 6 hours anyway. */
const MAX_MINUTES = 7 * 24 * 60;
const STEP_ID = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/;

export { shellQuote };

/**
 * `tmux -S <socket> attach -t <name>` (with `-r` for read-only). tmux itself turns '.' in a session name into '_'
 * (a '.' in a target separates window and pane), so the target is the name tmux uses.
 */
export function joinCommandFor(socketPath: string, sessionName: string, readOnly = false): string {
  return [
    'tmux',
    '-S',
    shellQuote(socketPath),
    'attach',
    ...(readOnly ? ['-r'] : []),
    '-t',
    shellQuote(tmuxSessionName(sessionName)),
  ].join(' ');
}

function wholeMinutes(input: string, value: number | undefined, fallback: number): number {
  const minutes = value ?? fallback;
  if (!Number.isInteger(minutes) || minutes <= 0 || minutes > MAX_MINUTES) {
    throw new ConfigError(input, `${String(value)} is not a whole number of minutes between 1 and ${MAX_MINUTES}`);
  }
  return minutes;
}

function checkPinned(input: string, action: PinnedAction): PinnedAction {
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(action.repository) || !/^[0-9a-f]{40}$/.test(action.sha)) {
    throw new ConfigError(
      input,
      `${action.repository}@${action.sha} is not an action pinned to a full 40-character commit SHA`,
    );
  }
  return action;
}

export function rescueInstructions(options: RescueInstructionsOptions): RescueInstructions {
  const stepId = options.stepId ?? DEFAULT_RESCUE_STEP_ID;
  if (!STEP_ID.test(stepId)) {
    throw new ConfigError(
      'rescue step id',
      `"${stepId}" is not a workflow step id; use letters, digits, '_' and '-', starting with a letter or '_'`,
    );
  }
  if (options.actor !== undefined && !GITHUB_LOGIN.test(options.actor)) {
    throw new ConfigError('actor', `"${options.actor}" is not a GitHub user name`);
  }
  if (!options.socketPath.startsWith('/')) {
    throw new ConfigError('socket', `"${options.socketPath}" is not an absolute socket path`);
  }
  if (!/^[a-zA-Z0-9_.-]+$/.test(options.sessionName)) {
    throw new ConfigError(
      'session',
      `"${options.sessionName}" is not a valid session name; use letters, digits, '_', '.', '-'`,
    );
  }
  const upterm = checkPinned('upterm action', options.uptermAction ?? UPTERM_ACTION);
  const tmate = checkPinned('tmate action', options.tmateAction ?? TMATE_ACTION);
  const timeout = wholeMinutes('rescue-max-minutes', options.timeoutMinutes, DEFAULT_RESCUE_TIMEOUT_MINUTES);
  const connect = wholeMinutes(
    'rescue-connect-timeout',
    options.connectTimeoutMinutes,
    DEFAULT_RESCUE_CONNECT_TIMEOUT_MINUTES,
  );

  const joinCommand = joinCommandFor(options.socketPath, options.sessionName);
  const readOnlyJoinCommand = joinCommandFor(options.socketPath, options.sessionName, true);
  // Not when ci-medic fixed it, found it passing again, or skipped the run (an empty result, ci-medic itself failing,
  // still gets a rescue); never for a pull request from a fork (its author's code must not get a live shell).
  const result = `steps.${stepId}.outputs.result`;
  const unfixed =
    `failure() && ${result} != 'fixed' && ${result} != 'already-passing' && ${result} != 'skipped' && ` +
    `(github.event.pull_request == null || github.event.pull_request.head.repo.full_name == github.repository)`;

  // Built as text (not a YAML library) so the comments survive; the test parses it back with `yaml`.
  const workflowSnippet = [
    `# Rescue shell into ci-medic's tmux session, only when ci-medic did not fix the failure (never for a fork's PR).`,
    `# Once connected, join the agent's session with: ${joinCommand}`,
    `- name: Rescue shell (upterm)`,
    `  id: ${UPTERM_STEP_ID}`,
    `  if: \${{ ${unfixed} }}`,
    `  uses: ${upterm.repository}@${upterm.sha} # ${upterm.tag}`,
    `  continue-on-error: true`,
    `  timeout-minutes: ${timeout}`,
    `  with:`,
    `    limit-access-to-actor: true`,
    `    wait-timeout-minutes: ${connect}`,
    `# Fallback, only if the upterm step failed: tmate's public servers are being retired.`,
    `- name: Rescue shell (tmate, fallback)`,
    `  if: \${{ ${unfixed} && steps.${UPTERM_STEP_ID}.outcome == 'failure' }}`,
    `  uses: ${tmate.repository}@${tmate.sha} # ${tmate.tag}`,
    `  timeout-minutes: ${timeout}`,
    `  with:`,
    `    limit-access-to-actor: true`,
    `    connect-timeout-seconds: ${connect * 60}`,
    '',
  ].join('\n');

  const who = options.actor ? `@${options.actor}` : 'the user who triggered the run';
  const finish = 'cd "$GITHUB_WORKSPACE" && touch continue';
  const markdown = [
    `## ci-medic: rescue shell`,
    '',
    `ci-medic did not fix the failure. Its tmux session \`${options.sessionName}\` is kept alive for the rest of the job, ` +
      `with its scrollback, working directory and half-finished state.`,
    '',
    `**1. Add these steps after the ci-medic step** (id \`${stepId}\`) and re-run the job. Only ${who} can connect ` +
      `(the public SSH keys on their GitHub profile); the shell ends after ${connect} minutes if nobody connects, ` +
      `and after ${timeout} minutes at most.`,
    '',
    '```yaml',
    workflowSnippet.trimEnd(),
    '```',
    '',
    `**2. Connect** with the \`ssh\` command the rescue step prints (the job log, or the job summary).`,
    '',
    `**3. Join the agent's session:**`,
    '',
    '```sh',
    joinCommand,
    '```',
    '',
    `To watch without typing (read-only): \`${readOnlyJoinCommand}\``,
    '',
    `**The prefix key is nested.** The rescue shell runs in tmux and the agent's session is a second tmux inside it, ` +
      `both with the prefix \`C-b\`. \`C-b\` then a key goes to the outer (rescue) tmux; press the prefix twice to reach ` +
      `the agent's session: \`C-b C-b d\` detaches from the agent's session only and leaves you in the rescue shell, ` +
      `while \`C-b d\` detaches from the rescue shell itself (the job keeps waiting).`,
    '',
    `**4. Let the job finish:** \`${finish}\` (or \`sudo touch /continue\`). Both the upterm and the tmate step watch ` +
      `for that file; the step also ends when its \`timeout-minutes\` (${timeout}) pass.`,
    '',
  ].join('\n');

  const notice =
    `ci-medic did not fix the failure; its tmux session '${options.sessionName}' is kept alive for a rescue. ` +
    `Add the rescue step from the job summary (owenthereal/action-upterm, limit-access-to-actor), connect with the ssh ` +
    `command it prints, then join with: ${joinCommand} (read-only: ${readOnlyJoinCommand}). ` +
    `Prefix twice (C-b C-b) to reach the agent's session; '${finish}' lets the job finish.`;

  return { markdown, notice, workflowSnippet, joinCommand, readOnlyJoinCommand };
}

/**
 * What to tell the person once a hosted rescue shell (`hostRescue`) printed its connection string: upterm forces
 * clients straight into the agent's session; tmate's window is a tmux inside tmate, so its prefix is nested.
 */
export function hostedRescueHelp(
  provider: 'upterm' | 'tmate',
  options: { connection: string; continueFile: string; sessionName: string; socketPath: string },
): string {
  const join = joinCommandFor(options.socketPath, options.sessionName);
  const finish = `touch ${shellQuote(options.continueFile)}`;
  const lines = [`Connect with: ${options.connection}`];
  if (provider === 'upterm') {
    lines.push(
      `You land directly in the agent's tmux session '${options.sessionName}' (its scrollback and state).`,
      `C-b d leaves it and closes your connection; connecting again brings you back.`,
    );
  } else {
    lines.push(
      `You land in the agent's tmux session '${options.sessionName}', nested inside tmate: press the prefix twice to reach it ` +
        `(C-b C-b d detaches from the agent's session and leaves you in a shell; re-join with: ${join}).`,
    );
  }
  lines.push(`When you are done, let the job go on: ${finish}`);
  return `${lines.join('\n')}\n`;
}
