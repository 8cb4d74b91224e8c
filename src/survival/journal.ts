// The journal: what a run changed outside its own process, written before the change, so that whoever comes after a
// death nobody could catch (SIGKILL, an OOM kill, a runner crash) can undo it: the Action's post step, or the CLI's
// next start in the same workspace. One small JSON file, 0600, replaced atomically on every change.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export interface JournalRecord {
  version: 1;
  /** The process that wrote it: a journal whose writer is still alive is that run's own, never recovered. */
  pid: number;
  /** The writer's start time where /proc tells it: a reused pid is not the writer. */
  processStart?: string;
  startedAt: string;
  workdir: string;
  /** The repository's local config as it was before anything was removed; gone once it is back. */
  gitConfig?: { path: string; base64: string };
  /** The agent's tmux session from the moment it may exist; gone once it is stopped. */
  session?: { name: string; socketPath: string; keptForRescue: boolean };
}

/** The repository's local config file (worktrees share the common directory's). */
export function gitConfigPath(workdir: string): string {
  const common = execFileSync('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], {
    cwd: workdir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    timeout: 10_000,
  }).trim();
  return resolve(common, 'config');
}

/** The CLI's journal for a workspace: one per workspace, so the next start there finds it. */
export function workspaceJournalPath(dir: string, workdir: string): string {
  const id = createHash('sha256').update(resolve(workdir)).digest('hex').slice(0, 16);
  return join(dir, `workspace-${id}.json`);
}

/** The Action's journal: one per step run (its path travels to the post step through the step's state). */
export function runJournalPath(dir: string): string {
  return join(dir, `run-${process.pid}-${randomBytes(4).toString('hex')}.json`);
}

export function readJournal(path: string): JournalRecord | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  try {
    const record = JSON.parse(text) as JournalRecord;
    return record && record.version === 1 && typeof record.workdir === 'string' ? record : null;
  } catch {
    return null; // half-written by a writer that died mid-rename cannot happen; anything else is not ours
  }
}

/** Whether the journal's writer still runs (same pid and, where /proc tells, the same process start). */
export function writerAlive(record: JournalRecord): boolean {
  if (record.pid === process.pid) return true;
  try {
    process.kill(record.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const started = processStartTime(record.pid);
  return started === null || record.processStart === undefined || started === record.processStart;
}

/** The kernel's start time of a process (clock ticks since boot), or null where /proc does not say. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces and parentheses): state is field 3, starttime field 22.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** A live journal: every change is on disk before the call returns (synchronous, so a signal handler can use it). */
export class Journal {
  private constructor(
    readonly path: string,
    readonly record: JournalRecord,
  ) {}

  static create(path: string, workdir: string): Journal {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const journal = new Journal(path, {
      version: 1,
      pid: process.pid,
      processStart: processStartTime(process.pid) ?? undefined,
      startedAt: new Date().toISOString(),
      workdir: resolve(workdir),
    });
    journal.save();
    return journal;
  }

  /** Call before .git/config is changed: keeps its exact bytes. */
  keepGitConfig(path: string): void {
    this.record.gitConfig = { path, base64: readFileSync(path).toString('base64') };
    this.save();
  }

  gitConfigRestored(): void {
    delete this.record.gitConfig;
    this.save();
  }

  /** Call before the session is started: from here on a death may leave its tmux server behind. */
  sessionStarting(name: string, socketPath: string): void {
    this.record.session = { name, socketPath, keptForRescue: false };
    this.save();
  }

  sessionStopped(): void {
    delete this.record.session;
    this.save();
  }

  keptForRescue(): void {
    if (this.record.session) this.record.session.keptForRescue = true;
    this.save();
  }

  /** Nothing left to undo: the file goes (a session kept for a rescue keeps it, so the post step knows why). */
  close(): void {
    if (this.record.gitConfig || this.record.session) this.save();
    else rmSync(this.path, { force: true });
  }

  private save(): void {
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(this.record)}\n`, { mode: 0o600 });
    renameSync(temporary, this.path);
  }
}
