import { existsSync, mkdirSync, readdirSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

import { FathomError } from '../errors/FathomError.js';
import { readSafetensors } from '../io/readSafetensors.js';
import { CHECKPOINT_FORMAT } from './checkpointFormat.js';
import { parseCheckpoint, type ParsedCheckpoint } from './parseCheckpoint.js';

const NAME = /^epoch-(\d{6,})\.safetensors$/;
// Temporary files of every kind atomicWriteFile leaves behind when a writer is killed
// mid-write: `.epoch-000010.safetensors.<pid>.<time>.tmp`, `.best.safetensors.<pid>.<time>.tmp`.
const TMP = /^\..+\.tmp$/;

/**
 * A folder of periodic checkpoints named `epoch-000010.safetensors`: where fit() saves
 * and resumes from. Keeps the newest `keep` files; `best.safetensors` is separate. Files found
 * damaged are renamed aside to `*.corrupt`, never deleted.
 *
 * @example
 * const dir = new CheckpointDir('runs/cora');
 * const latest = dir.latest(); // path of the newest valid checkpoint, or null
 */
export class CheckpointDir {
  constructor(
    readonly dir: string,
    readonly keep = 2,
  ) {
    if (typeof dir !== 'string' || dir === '') throw new TypeError('CheckpointDir: dir must be a non-empty string');
    if (!Number.isInteger(keep) || keep < 1) throw new RangeError(`CheckpointDir: keep must be a positive integer, got ${keep}`);
  }

  pathFor(epoch: number): string {
    return join(this.dir, `epoch-${String(epoch).padStart(6, '0')}.safetensors`);
  }

  get bestPath(): string {
    return join(this.dir, 'best.safetensors');
  }

  /** The lock file of the run writing this folder (see DirLock). */
  get lockPath(): string {
    return join(this.dir, 'fathom.lock');
  }

  ensure(): void {
    try {
      mkdirSync(this.dir, { recursive: true });
    } catch (e) {
      throw new FathomError(`CheckpointDir: cannot create ${this.dir}: ${(e as Error).message}`, 'IO');
    }
  }

  /** Epochs of the checkpoint files present, newest first. */
  epochs(): number[] {
    return this.#names()
      .flatMap((n) => (NAME.test(n) ? [Number(NAME.exec(n)![1])] : []))
      .sort((a, b) => b - a);
  }

  /** The newest checkpoint that parses as a Fathom checkpoint, or null (reads only; renames nothing). */
  latest(): string | null {
    for (const epoch of this.epochs()) {
      const path = this.pathFor(epoch);
      try {
        if (readSafetensors(path).metadata.format === CHECKPOINT_FORMAT) return path;
      } catch {
        // Unreadable: try the previous one.
      }
    }
    return null;
  }

  /**
   * The newest checkpoint that parses and passes `check` (which throws to refuse one), newest
   * first. Each refused file is renamed aside to `*.corrupt` and reported to `onCorrupt` with
   * the problem, so it is kept for inspection and never pruned.
   */
  newestValid(check: (ckpt: ParsedCheckpoint) => void, onCorrupt: (path: string, problem: string, movedTo: string) => void): ParsedCheckpoint | null {
    for (const epoch of this.epochs()) {
      const path = this.pathFor(epoch);
      try {
        const ckpt = parseCheckpoint(readSafetensors(path), path);
        check(ckpt);
        return ckpt;
      } catch (e) {
        onCorrupt(path, (e as Error).message, this.setAside(path));
      }
    }
    return null;
  }

  /** Renames a damaged file to `<name>.corrupt` (`.corrupt.2`, ... when taken) and returns the new path. */
  setAside(path: string): string {
    let to = `${path}.corrupt`;
    for (let i = 2; existsSync(to); i++) to = `${path}.corrupt.${i}`;
    try {
      renameSync(path, to);
    } catch (e) {
      throw new FathomError(`CheckpointDir: cannot rename damaged ${path} aside: ${(e as Error).message}`, 'IO');
    }
    return to;
  }

  /** Deletes all but the newest `keep` checkpoints (never `best.safetensors` or `*.corrupt` files). */
  prune(): void {
    for (const epoch of this.epochs().slice(this.keep)) unlinkQuietly(this.pathFor(epoch));
  }

  /** Deletes the temporary files of writers killed mid-write (call while holding the folder's lock). */
  removeTemporaries(): void {
    for (const n of this.#names()) if (TMP.test(n)) unlinkQuietly(join(this.dir, n));
  }

  #names(): string[] {
    try {
      return readdirSync(this.dir);
    } catch {
      return [];
    }
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}
