import {
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { SalvageError } from '@salvage/core';

/** Name of the lock file salvage keeps inside an embedded (PGlite) database directory while it has it open. */
export const PGLITE_LOCK_FILE = 'salvage.lock';

interface LockOwner {
  pid: number;
  host: string;
  /** Process start time (Linux /proc, in clock ticks since boot) so a reused pid is not mistaken for the owner. */
  startTime: string | null;
  at: string;
}

/** A held directory lock; `release()` is idempotent and removes the lock file only if it is still ours. */
export interface DirectoryLock {
  release(): void;
}

function processStartTime(pid: number): string | null {
  try {
    // Field 22 of /proc/<pid>/stat; the command name (field 2) may hold spaces, so count from the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function isAlive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true; // Another machine on a shared disk: cannot tell, so assume it is.
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const start = processStartTime(owner.pid);
  return owner.startTime === null || start === null || start === owner.startTime;
}

function readOwner(file: string): LockOwner | null {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockOwner>;
    if (typeof parsed.pid !== 'number') return null;
    return {
      pid: parsed.pid,
      host: parsed.host ?? hostname(),
      startTime: parsed.startTime ?? null,
      at: parsed.at ?? '',
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    // Half-written or garbled: treat as stale only once it is old enough that no writer is still at it.
    return { pid: -1, host: hostname(), startTime: null, at: '' };
  }
}

function lockedError(dir: string, owner: LockOwner): SalvageError {
  const who = owner.pid === process.pid ? 'this process' : `another salvage process (pid ${owner.pid})`;
  return new SalvageError(
    'workspace_locked',
    `the embedded database in ${dir} is in use by ${who}; PGlite allows one process at a time: wait for it to finish, or use a Postgres workspace (workspace.url or workspace.urlEnv in salvage.config.yaml) so several processes can work at once`,
  );
}

/**
 * Takes the single-process lock of a PGlite directory: a file holding this process's pid, created atomically. A lock
 * left by a dead process is taken over; a live owner (another process, or this one) gets SalvageError
 * 'workspace_locked'. The lock is released by `release()` and, as a last resort, when the process exits.
 */
export function acquireDirectoryLock(dir: string): DirectoryLock {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, PGLITE_LOCK_FILE);
  const me: LockOwner = {
    pid: process.pid,
    host: hostname(),
    startTime: processStartTime(process.pid),
    at: new Date().toISOString(),
  };
  const tmp = join(dir, `${PGLITE_LOCK_FILE}.${process.pid}.${Math.random().toString(36).slice(2)}`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, JSON.stringify(me));
  } finally {
    closeSync(fd);
  }
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        // link() fails with EEXIST when a lock is there: an atomic create of a complete file.
        linkSync(tmp, file);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const owner = readOwner(file);
      if (owner === null) continue;
      if (owner.pid !== -1 && isAlive(owner)) throw lockedError(dir, owner);
      // Stale: move it aside (only one process wins the rename), then check we moved what we judged stale.
      const aside = `${tmp}.stale`;
      try {
        renameSync(file, aside);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      const moved = readOwner(aside);
      if (moved && moved.pid !== owner.pid && moved.pid !== -1 && isAlive(moved)) {
        // We raced a process that had just taken the lock over: give it back.
        try {
          linkSync(aside, file);
        } catch {}
        unlinkSync(aside);
        throw lockedError(dir, moved);
      }
      unlinkSync(aside);
      if (attempt === 4) throw lockedError(dir, owner);
    }
  } finally {
    try {
      unlinkSync(tmp);
    } catch {}
  }
  const held = readOwner(file);
  if (!held || held.pid !== me.pid || held.at !== me.at) {
    throw lockedError(dir, held ?? me);
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    const current = readOwner(file);
    if (current && current.pid === me.pid && current.at === me.at) {
      try {
        unlinkSync(file);
      } catch {}
    }
  };
  process.on('exit', release);
  return { release };
}
