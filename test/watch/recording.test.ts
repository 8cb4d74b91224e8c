// The recording: the recorder's parsing in isolation, then the .cast a real `ci-medic repair` leaves (real loop,
// tmux, recorder from dist/cli/index.js: npm run bundle first), played by `replay` and turned into a report that
// chromium opens offline.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as repairMain } from '../../src/cli/commands/repair.js';
import { recordingPathFor } from '../../src/watch/command.js';
import { CastFormatError, parseCast, type Cast } from '../../src/watch/asciicast.js';
import { CastWriter, MarkParser } from '../../src/watch/recorder.js';
import { bash, say, startFakeAnthropic, text, type FakeAnthropic } from '../fakes/anthropic.js';
import { makeTempDir, removeTempDirs } from '../helpers/repo.js';
import { API_KEY, brokenRepo, CHECK, killSessions, sessionName } from '../helpers/scenario.js';
import { CHROMIUM, CHROMIUM_ARGS } from './browser.js';

const CLI = resolve('dist/cli/index.js');
const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
const PLANTED = 'planted-secret-value-0123456789abcdef';

describe('the recorder, in isolation', () => {
  it('turns cm-mark sequences into markers, even split across chunks, and drops the protocol end markers', () => {
    const p = new MarkParser();
    const pieces = [
      ...p.push('before\u001b]77'),
      ...p.push('77;cm-mark;command 1\u0007out\u001b]7777;cm-end-abc-1\u0007after\u001b'),
      ...p.push('[0m'),
      ...p.push('', true),
    ];
    expect(pieces).toEqual(['before', { mark: 'command 1' }, 'out', 'after', '\u001b[0m']);
  });

  it('writes a strict asciicast v2 file, continues an existing one, and stops writing output at its size limit', () => {
    const path = join(makeTempDir(), 'x.cast');
    let now = 1000;
    const w = new CastWriter(path, { width: 80, height: 24, maxBytes: 400, now: () => now });
    w.feed(Buffer.from('hello \u00e9'.slice(0, 7)));
    w.feed(Buffer.from('\u00e9', 'utf8').subarray(0, 1)); // half a character: held until the rest comes
    now += 1.5;
    w.feed(Buffer.concat([Buffer.from('\u00e9', 'utf8').subarray(1), Buffer.from('\u001b]7777;cm-mark;turn 1\u0007')]));
    w.end();
    const again = new CastWriter(path, { width: 80, height: 24, maxBytes: 400, now: () => now + 1 });
    again.feed(Buffer.from('x'.repeat(1000)));
    again.end();
    const cast = parseCast(readFileSync(path, 'utf8'));
    expect(cast.header).toMatchObject({ version: 2, width: 80, height: 24, timestamp: 1000 });
    expect(cast.events[0]).toEqual([1.5, 'o', 'hello \u00e9\u00e9']); // the split character whole
    expect(cast.events[1]).toEqual([1.5, 'm', 'turn 1']);
    expect(cast.events.at(-1)?.[1]).toBe('m');
    expect(cast.events.at(-1)?.[2]).toMatch(/recording truncated/);
    expect(readFileSync(path).length).toBeLessThan(600);
  });

  it('the strict check refuses what is not asciicast v2', () => {
    expect(() => parseCast('{"version":1,"width":80,"height":24}\n')).toThrow(CastFormatError);
    expect(() => parseCast('{"version":2,"width":80,"height":24}\n[1,"o"]\n')).toThrow(/\[time, code, data\]/);
    expect(() => parseCast('{"version":2,"width":80,"height":24}\n[2,"o","a"]\n[1,"o","b"]\n')).toThrow(/backwards/);
    expect(() => parseCast('{"version":2,"width":0,"height":24}\n')).toThrow(/width/);
    expect(() => parseCast('not json\n')).toThrow(/line 1: not valid JSON/);
  });
});

describe('the recording a repair leaves', () => {
  let fake: FakeAnthropic;
  let castPath: string;
  let transcriptPath: string;
  let cast: Cast;

  beforeAll(async () => {
    const dir = brokenRepo();
    // A secret the session can reach only through the environment (the terminal layer scrubs it).
    fake = await startFakeAnthropic([
      say(text('Looking.'), bash('echo "token=[$MY_DEPLOY_TOKEN]"; cat math.js')),
      say(text('Fixing.'), bash("sed -i 's/i < items.length - 1/i < items.length/' math.js && node --test")),
      say(text('Root cause: an off-by-one loop bound in total(); fixed it.')),
    ]);
    transcriptPath = join(makeTempDir(), 'run.jsonl');
    const out: string[] = [];
    const code = await repairMain(
      ['--check', CHECK, '--session', sessionName(), '--transcript', transcriptPath, '--max-turns', '5'],
      {
        env: { ...process.env, ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: fake.url, MY_DEPLOY_TOKEN: PLANTED },
        cwd: dir,
        stdout: (t) => void out.push(t),
        stderr: (t) => void out.push(t),
      },
    );
    expect(code, out.join('')).toBe(0);
    castPath = transcriptPath.replace(/\.jsonl$/, '.cast');
    expect(out.join('')).toContain(`recording: ${castPath}`);
    cast = parseCast(readFileSync(castPath, 'utf8'), castPath);
  }, 90_000);

  afterAll(async () => {
    await fake?.close();
    killSessions();
    removeTempDirs();
  });

  it('is valid asciicast v2 holding the commands output, a marker per command and no planted secret', () => {
    const output = cast.events
      .filter((e) => e[1] === 'o')
      .map((e) => e[2])
      .join('');
    expect(output).toContain('function total');
    expect(output).toContain('token=[]');
    const commands = readFileSync(transcriptPath, 'utf8')
      .split('\n')
      .filter((l) => /"type":"(command-result|check)"/.test(l)).length;
    const marks = cast.events.filter((e) => e[1] === 'm' && /^command \d+$/.test(e[2]));
    expect(commands).toBeGreaterThanOrEqual(3);
    expect(marks.length).toBeGreaterThanOrEqual(commands);
    const raw = readFileSync(castPath, 'utf8');
    for (const secret of [PLANTED, API_KEY]) expect(raw).not.toContain(secret);
    // ci-medic's own control sequences never reach the file as output.
    expect(output).not.toContain('\u001b]7777;');
  });

  it('replay plays it, lists its markers and starts at one', () => {
    const played = cli('replay', '--speed', '1000', castPath);
    expect(played.status, played.stderr).toBe(0);
    expect(played.stdout).toContain('function total');
    const markers = cli('replay', '--markers', castPath);
    expect(markers.stdout).toMatch(/^1\t[\d.]+s\tcommand 1$/m);
    const fromThird = cli('replay', '--speed', '1000', '--marker', '3', castPath);
    expect(fromThird.status, fromThird.stderr).toBe(0);
    expect(fromThird.stdout).toContain('function total');
    const past = cli('replay', '--marker', '999', castPath);
    expect(past.status).toBe(2);
    expect(past.stderr).toMatch(/--marker .*markers/);
    const bad = join(makeTempDir(), 'bad.cast');
    writeFileSync(bad, '{"version":1}\n');
    const refused = cli('replay', bad);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/version.*must be 2/);
    expect(cli('replay', '--speed', '0', castPath).stderr).toMatch(/--speed must be a positive number/);
  });

  it('report writes one page that opens offline in chromium with the player and the timeline', async () => {
    const html = join(makeTempDir(), 'report.html');
    const made = cli('report', '--transcript', transcriptPath, '--cast', castPath, '-o', html);
    expect(made.status, made.stderr).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).not.toMatch(/<script[^>]+src=|<link[^>]+href=/); // nothing loaded from anywhere
    expect(page).not.toContain(PLANTED);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const tab = await browser.newPage();
      const errors: string[] = [];
      tab.on('pageerror', (e) => errors.push(e.message));
      tab.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      // Offline: every request but the file itself is refused.
      await tab.route(/^(?!file:)/, (route) => route.abort());
      await tab.goto(`file://${html}`);
      await tab.waitForSelector('.ap-player', { timeout: 10_000 });
      const timeline = await tab.locator('#timeline').innerText();
      expect(timeline).toMatch(/Policy: allowed/);
      expect(timeline).toContain('node --test');
      expect(timeline).toMatch(/Result: fixed/);
      expect(await tab.locator('#markers button').count()).toBeGreaterThanOrEqual(3);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
    expect(existsSync(html)).toBe(true);
  }, 60_000);
});

describe('a session started by a CLI process that exits', () => {
  it('is still recorded: the recorder lives with the pane, not with the process that started it', () => {
    const name = `rec-cli-${process.pid}`;
    const cwd = makeTempDir();
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
    try {
      expect(run('session', 'start', '--name', name).status).toBe(0);
      const first = run('run', '--session', name, '--', 'echo "first-$((20+1))"');
      expect(first.stdout).toContain('first-21');
      const second = run('run', '--session', name, '--', 'echo "second-$((20+2))"');
      expect(second.stdout).toContain('second-22');
      const cast = parseCast(readFileSync(recordingPathFor(name), 'utf8'));
      const output = cast.events
        .filter((e) => e[1] === 'o')
        .map((e) => e[2])
        .join('');
      expect(output).toContain('first-21');
      expect(output).toContain('second-22');
      expect(cast.events.filter((e) => e[1] === 'm').map((e) => e[2])).toEqual(['command 1', 'command 2']);
    } finally {
      run('session', 'stop', '--name', name);
    }
  }, 60_000);
});
