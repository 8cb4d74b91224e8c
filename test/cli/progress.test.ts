// What a person watching `ci-medic repair` reads on stderr, in order: the check, each turn, each command with its
// exit code (multi-line commands indented), the verification and the result. Real loop, tmux, git and SDK against
// the Messages API stand-in.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main as repair } from '../../src/cli/commands/repair.js';
import { bash, say, startFakeAnthropic, text } from '../fakes/anthropic.js';
import { makeTempDir } from '../helpers/repo.js';
import { API_KEY, brokenRepo, FIXED_MATH, sessionName } from '../helpers/scenario.js';
import { cleanUpAfterEach } from '../helpers/cleanup.js';
import { captureIo } from '../helpers/cli.js';

const closeLater = cleanUpAfterEach();

describe('ci-medic repair progress', () => {
  it('prints check, turn, command, exit code, verify and result lines, in order', async () => {
    const dir = brokenRepo();
    const write = `cat > math.js <<'EOF'\n${FIXED_MATH}EOF`;
    const fake = closeLater(
      await startFakeAnthropic([
        say(text('Reading the code.'), bash('grep -n length math.js')),
        say(bash(write)),
        say(text('Root cause: an off-by-one loop bound; fixed.')),
      ]),
    );
    const io = captureIo({ ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: fake.url }, dir);
    const argv = ['--check', 'npm test', '--session', sessionName(), '--transcript', join(makeTempDir(), 't.jsonl')];
    expect(await repair(argv, io)).toBe(0);
    expect(fake.problems).toEqual([]);
    const lines = io.err.split('\n').filter(Boolean);
    const expected = [
      /^\[check\] running the check: npm test$/,
      /^\[check\] the check failed \(exit 1\)/,
      /^\[turn\] turn 1: asking claude-sonnet-5-5$/,
      /^\[turn\] Reading the code\.$/,
      /^\[command\] \$ grep -n length math\.js$/,
      /^\[command\] -> exit 0 in \d+\.\ds$/,
      /^\[turn\] turn 2: asking/,
      /^\[command\] \$ cat > math\.js <<'EOF'$/,
      /^ {4}export function total\(items\) \{$/,
      /^ {4}EOF$/,
      /^\[command\] -> exit 0 in \d+\.\ds$/,
      /^\[turn\] turn 3: asking/,
      /^\[verify\] verifying: re-running npm test in a fresh shell$/,
      /^\[verify\] npm test passes \(exit 0\); the tamper guard found nothing$/,
      /^\[end\] fixed: /,
    ];
    let at = 0;
    for (const line of lines) if (at < expected.length && expected[at].test(line)) at++;
    expect(at === expected.length ? 'all in order' : `missing ${String(expected[at])} in\n${io.err}`).toBe(
      'all in order',
    );
  });
});
