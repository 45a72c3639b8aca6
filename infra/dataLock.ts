import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StartupError } from './startupError';

/** Who holds a data folder: written into its lock file. */
export interface LockHolder {
  pid: number;
  /** What holds it: `npm start`, a worker, an API. */
  role: string;
  /** The HTTP port it serves, if it serves one. */
  port?: number;
  startedAt: string;
}

export class DataDirInUseError extends StartupError {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `The data folder ${dataDir} is in use by another CreativeFlow ${holder.role} ` +
        `(pid ${holder.pid}${holder.port === undefined ? '' : `, port ${holder.port}`}, since ${holder.startedAt}). ` +
        'Stop that one first, or give this one its own DATA_DIR (and PORT).',
    );
  }
}

export interface DataLock {
  release(): void;
}

const LOCK_FILE = 'creativeflow.lock';
/** A lock file still being written by its taker may be empty for a moment; older than this, it is junk. */
const UNREADABLE_GRACE_MS = 5_000;

/** Whether `pid` is a live Node process (after a reboot the pid of a stale lock may be some other program's). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false; // EPERM: it exists, someone else's
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('node');
  } catch {
    return true; // no /proc here (macOS): the pid answering has to do
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
    return Number.isInteger(holder.pid) && holder.pid > 0 ? holder : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the data folder for this process, or throws DataDirInUseError naming the process (and its port) that
 * holds it. One install per folder: its PGlite database, Temporal's SQLite file and media are not safe to share,
 * and a second worker on the same task queue would take runs its own database does not have. A lock whose
 * process is gone (killed, crashed) is stale and taken over. Released on exit, however the process ends short of
 * SIGKILL — and after SIGKILL the next start finds the pid dead.
 */
export function lockDataDir(dataDir: string, holder: { role: string; port?: number }): DataLock {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, LOCK_FILE);
  const mine: LockHolder = { pid: process.pid, ...holder, startedAt: new Date().toISOString() };
  const deadline = Date.now() + UNREADABLE_GRACE_MS;
  for (;;) {
    try {
      const fd = openSync(file, 'wx'); // atomic: exactly one taker creates it
      writeSync(fd, JSON.stringify(mine));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readHolder(file);
    if (holder) {
      if (holder.pid !== process.pid && alive(holder.pid)) throw new DataDirInUseError(dataDir, holder);
    } else {
      const written = statSync(file, { throwIfNoEntry: false })?.mtimeMs;
      if (written !== undefined && Date.now() - written < UNREADABLE_GRACE_MS && Date.now() < deadline) {
        sleepSync(100); // another process is writing it this instant
        continue;
      }
    }
    rmSync(file, { force: true }); // stale: its process is gone
  }

  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    if (readHolder(file)?.pid === process.pid) rmSync(file, { force: true });
  };
  process.on('exit', release);
  return { release };
}
