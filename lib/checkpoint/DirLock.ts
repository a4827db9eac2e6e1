import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';

import { FathomError } from '../errors/FathomError.js';

/**
 * An exclusive claim on a checkpoint folder: a lock file holding the owner's pid, created
 * atomically (linked into place: exactly one of two racing runs creates it). A lock whose pid no longer runs
 * (a run killed with SIGKILL) is taken over, with a message; a live one is refused.
 *
 * @example
 * const lock = DirLock.acquire('runs/cora/fathom.lock', console.warn);
 * try { train(); } finally { lock.release(); }
 */
export class DirLock {
  #released = false;

  private constructor(readonly path: string) {}

  static acquire(path: string, warn: (message: string) => void): DirLock {
    for (let attempt = 0; attempt < 3; attempt++) {
      if (tryCreate(path)) return new DirLock(path);
      const owner = readOwner(path);
      if (owner === undefined) continue; // Removed meanwhile: try again.
      if (owner !== null && isAlive(owner)) {
        throw new FathomError(
          `checkpoint folder is locked: ${path} names process ${owner}, which is running${owner === process.pid ? ' (this process: another fit() writes the folder)' : ''}; ` +
            'wait for it to finish, or use another checkpoint folder',
          'IO',
        );
      }
      warn(`${path}: taking over the lock of process ${owner ?? '(unreadable pid)'}, which no longer runs`);
      try {
        unlinkSync(path);
      } catch {
        // Another run took it over first: the next attempt sees its lock.
      }
    }
    throw new FathomError(`checkpoint folder lock ${path}: could not be created (other runs keep taking it)`, 'IO');
  }

  /** Removes the lock file if it is still this process's. Idempotent. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    if (readOwner(this.path) !== process.pid) return;
    try {
      unlinkSync(this.path);
    } catch {
      // Already gone.
    }
  }
}

function tryCreate(path: string): boolean {
  // Written in full under a private name, then linked into place: link fails when the lock
  // exists, so the lock appears atomically and never without its pid.
  const mine = `${path}.${process.pid}`;
  try {
    writeFileSync(mine, `${process.pid}\n`, { mode: 0o644 });
    linkSync(mine, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new FathomError(`checkpoint folder lock ${path}: cannot create it: ${(e as Error).message}`, 'IO');
  } finally {
    try {
      unlinkSync(mine);
    } catch {
      // Never written.
    }
  }
}

/** The pid in the lock file; null when it holds none; undefined when the file is gone. */
function readOwner(path: string): number | null | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const pid = /^\d{1,10}$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, under another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
