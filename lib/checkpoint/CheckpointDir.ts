import { mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

import { FathomError } from '../errors/FathomError.js';
import { readSafetensors } from '../io/readSafetensors.js';
import { CHECKPOINT_FORMAT } from './checkpointFormat.js';

const NAME = /^epoch-(\d{6,})\.safetensors$/;
// Temporary files atomicWriteFile leaves behind when a writer is killed mid-write.
const TMP = /^\.epoch-\d{6,}\.safetensors\..*\.tmp$/;

/**
 * A folder of periodic checkpoints named `epoch-000010.safetensors`: where fit() saves
 * and resumes from. Keeps the newest `keep` files; `best.safetensors` is separate.
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

  ensure(): void {
    try {
      mkdirSync(this.dir, { recursive: true });
    } catch (e) {
      throw new FathomError(`CheckpointDir: cannot create ${this.dir}: ${(e as Error).message}`, 'IO');
    }
  }

  /** Epochs of the checkpoint files present, newest first. */
  epochs(): number[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return [];
    }
    return names.flatMap((n) => (NAME.test(n) ? [Number(NAME.exec(n)![1])] : [])).sort((a, b) => b - a);
  }

  /**
   * The newest checkpoint that parses as a Fathom checkpoint, or null. Writes are atomic,
   * so a damaged file means damage from outside (disk, a copy cut short): skip it and fall
   * back to the one before rather than fail the resume.
   */
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

  /** Deletes all but the newest `keep` checkpoints, and temporaries left by killed writers. */
  prune(): void {
    for (const epoch of this.epochs().slice(this.keep)) unlinkQuietly(this.pathFor(epoch));
  }

  removeTemporaries(): void {
    let names: string[] = [];
    try {
      names = readdirSync(this.dir);
    } catch {
      return;
    }
    for (const n of names) if (TMP.test(n)) unlinkQuietly(join(this.dir, n));
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}
