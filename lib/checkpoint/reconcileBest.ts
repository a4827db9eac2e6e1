import { existsSync, readFileSync } from 'node:fs';

import { atomicWriteFile } from '../io/atomicWriteFile.js';
import { readSafetensors } from '../io/readSafetensors.js';
import type { CheckpointDir } from './CheckpointDir.js';
import { parseCheckpoint } from './parseCheckpoint.js';

/**
 * On resume, makes `best.safetensors` agree with the best epoch the restored checkpoint
 * reports. fit() writes best.safetensors before the epoch's checkpoint, so after a kill it is
 * the same epoch or newer (a newer one is rewritten, bit for bit, when the replay reaches it).
 * An older or damaged one (a folder written by an older version, a file damaged from outside)
 * is restored from the best epoch's own checkpoint when that is still there; damaged ones are
 * set aside as `*.corrupt`. Every repair is reported to `warn`.
 *
 * @example
 * reconcileBest(new CheckpointDir('runs/cora'), 17, console.warn);
 */
export function reconcileBest(dir: CheckpointDir, bestEpoch: number, warn: (message: string) => void): void {
  const best = dir.bestPath;
  let held: number | null = null;
  if (existsSync(best)) {
    try {
      held = parseCheckpoint(readSafetensors(best), best).epoch;
    } catch (e) {
      const to = dir.setAside(best);
      warn(`${(e as Error).message}; renamed to ${to}`);
    }
  }
  if (held !== null && held >= bestEpoch) return;
  const source = dir.pathFor(bestEpoch);
  const was = held === null ? 'was missing' : `held epoch ${held}`;
  try {
    const bytes = readFileSync(source);
    if (parseCheckpoint(readSafetensors(source), source).epoch !== bestEpoch) throw new Error('another epoch');
    atomicWriteFile(best, bytes);
    warn(`${best} ${was}, but the best epoch is ${bestEpoch}: restored it from ${source}`);
  } catch {
    warn(`${best} ${was}, but the best epoch is ${bestEpoch} and ${source} is gone: best.safetensors is stale until a better epoch`);
  }
}
