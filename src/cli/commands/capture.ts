// `ci-medic capture`: print the agent session's screen with scrollback (wrapped lines joined).
import { DEFAULT_SESSION_NAME, parsePositiveInt } from '../../config.js';
import { knownSecrets } from '../../secrets/index.js';
import { AgentSession } from '../../terminal/session.js';
import { TmuxError } from '../../terminal/tmux.js';
import { defineCommand } from '../command.js';
import { SESSION_OPTION, sessionFromFlag } from '../options.js';

export const HELP = `Usage: ci-medic capture [--session N] [--lines 200]

Prints the session's screen and the last lines of its scrollback.

Options:
  --session N   session name (default ${DEFAULT_SESSION_NAME})
  --lines L     lines of scrollback above the screen (default 200)
  -h, --help    this help

Example:
  ci-medic capture --session fix-1 --lines 50
`;

export const main = defineCommand(
  { name: 'capture', help: HELP, options: { ...SESSION_OPTION, lines: { type: 'string' } } },
  async ({ values }, io) => {
    const name = sessionFromFlag(values.session);
    const lines = values.lines === undefined ? 200 : parsePositiveInt('--lines', values.lines);
    try {
      const { redactor } = knownSecrets({ env: io.env, workdir: io.cwd });
      const session = await AgentSession.find(name, { redact: (text) => redactor.redact(text) });
      if (!session) {
        io.stderr(
          `ci-medic capture: no session named ${name} is running; start one with: ci-medic session start --name ${name}\n`,
        );
        return 1;
      }
      // The pane is redacted as it is drawn; this masks what reached it from outside ci-medic's commands, too.
      io.stdout(redactor.redact(await session.capture(lines)));
      return 0;
    } catch (error) {
      if (error instanceof TmuxError) {
        io.stderr(`ci-medic capture: ${error.message}\n`);
        return 1;
      }
      throw error;
    }
  },
);
