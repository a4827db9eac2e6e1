// best.safetensors always holds the weights of the best epoch the run reports, wherever a
// crash lands: fit() writes it before the epoch's checkpoint (the fault point below stops a run
// between the two writes, as a kill would), and a resume repairs a folder left stale by an
// older writer or damaged from outside.
import { copyFileSync, cpSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { fit, type CheckpointWrite, type FitOptions, type NodeData } from '../../lib/index.js';
import { readSafetensors } from '../../lib/io/readSafetensors.js';
import { smallGcn, smallNodeData } from '../helpers/apiFixtures.js';

const EPOCHS = 14;
let tmp: string;
let data: NodeData;
let ref: { dir: string; bestEpoch: number; bestWeights: number[][]; finalWeights: number[][]; bestWrites: number[] };

/** The epoch best.safetensors was taken after, and its weights. */
function bestFile(dir: string): { epoch: number; weights: number[][] } {
  const f = readSafetensors(join(dir, 'best.safetensors'));
  const weights = [...f.tensors].filter(([k]) => k.startsWith('model/')).map(([, t]) => Array.from(t.data));
  return { epoch: Number(f.metadata.epoch), weights };
}

async function train(dir: string, options: Partial<FitOptions> & { onWrite?: (w: CheckpointWrite) => void }) {
  using model = smallGcn(data, { seed: 0, dropout: 0.5 });
  const warnings: string[] = [];
  const { onWrite, ...rest } = options;
  const r = await fit(model, data, {
    epochs: EPOCHS,
    patience: 0,
    lr: 0.05,
    ...rest,
    checkpoint: { dir, every: 1, keep: 2, best: true, onWrite, onWarning: (m) => warnings.push(m) },
  });
  return { r, warnings, weights: model.parameters().map((p) => Array.from(p.toArray())) };
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'fathom-best-'));
  data = smallNodeData({ homophily: 0.6 });
  const dir = join(tmp, 'reference');
  const bestWrites: number[] = [];
  const run = await train(dir, { onWrite: (w) => w.kind === 'best' && bestWrites.push(w.epoch) });
  const best = bestFile(dir);
  expect(best.epoch).toBe(run.r.bestEpoch);
  ref = { dir, bestEpoch: run.r.bestEpoch, bestWeights: best.weights, finalWeights: run.weights, bestWrites };
  // More than one best epoch, or the kill window below is not exercised.
  expect(bestWrites.length).toBeGreaterThan(2);
});
afterAll(() => {
  data.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

describe('best.safetensors after a crash between its write and the epoch checkpoint', () => {
  it('holds the best epoch the resumed run reports, for a crash at every new best', async () => {
    for (const epoch of ref.bestWrites) {
      const dir = join(tmp, `crash-${epoch}`);
      const crash = new Error(`crash after best.safetensors of epoch ${epoch}`);
      await expect(
        train(dir, {
          onWrite: (w) => {
            if (w.kind === 'best' && w.epoch === epoch) throw crash;
          },
        }),
      ).rejects.toBe(crash);
      // Right after the crash: best.safetensors is that epoch, the newest checkpoint the one before.
      expect(bestFile(dir).epoch).toBe(epoch);
      const resumed = await train(dir, { resume: true });
      expect(resumed.r.resumedFrom).toBe(epoch - 1);
      expect(resumed.r.bestEpoch).toBe(ref.bestEpoch);
      const best = bestFile(dir);
      expect(best.epoch).toBe(resumed.r.bestEpoch);
      expect(best.weights).toEqual(ref.bestWeights);
      expect(resumed.weights).toEqual(ref.finalWeights);
    }
  });
});

describe('resume repairs best.safetensors', () => {
  /** The reference folder as it stood after `upTo` epochs, every checkpoint kept. */
  async function stoppedAfter(name: string, upTo: number): Promise<string> {
    const dir = join(tmp, name);
    await train(dir, { epochs: upTo });
    return dir;
  }

  it('when it is older than the best epoch the checkpoints report (what writing it second left after a kill)', async () => {
    const last = ref.bestWrites.at(-1)!;
    const previous = ref.bestWrites.at(-2)!;
    const dir = await stoppedAfter('stale', last);
    // The folder a kill between the epoch checkpoint and best.safetensors left: best one behind.
    const older = join(tmp, 'older');
    await train(older, { epochs: previous });
    copyFileSync(join(older, 'best.safetensors'), join(dir, 'best.safetensors'));
    expect(bestFile(dir).epoch).toBe(previous);
    const resumed = await train(dir, { resume: true });
    expect(resumed.warnings).toEqual([
      `${join(dir, 'best.safetensors')} held epoch ${previous}, but the best epoch is ${last}: restored it from ${join(dir, `epoch-${String(last).padStart(6, '0')}.safetensors`)}`,
    ]);
    expect(bestFile(dir)).toEqual({ epoch: ref.bestEpoch, weights: ref.bestWeights });
  });

  it('when it is damaged: set aside as .corrupt, then restored from the best epoch checkpoint', async () => {
    const dir = await stoppedAfter('damaged', ref.bestWrites.at(-1)!);
    writeFileSync(join(dir, 'best.safetensors'), 'garbage');
    const resumed = await train(dir, { resume: true });
    expect(resumed.warnings[0]).toContain(`${join(dir, 'best.safetensors')}: not a valid safetensors file`);
    expect(resumed.warnings[0]).toContain(`renamed to ${join(dir, 'best.safetensors.corrupt')}`);
    expect(bestFile(dir)).toEqual({ epoch: ref.bestEpoch, weights: ref.bestWeights });
  });

  it('says so when neither it nor the best epoch checkpoint is there', async () => {
    const dir = join(tmp, 'gone');
    cpSync(await stoppedAfter('gone-src', ref.bestWrites.at(-1)!), dir, { recursive: true });
    unlinkSync(join(dir, 'best.safetensors'));
    const last = ref.bestWrites.at(-1)!;
    unlinkSync(join(dir, `epoch-${String(last).padStart(6, '0')}.safetensors`));
    // restoreBest would refuse to end without the best weights; the warning is the subject here.
    const resumed = await train(dir, { resume: true, restoreBest: false });
    expect(resumed.warnings.join('\n')).toContain(`${join(dir, 'best.safetensors')} was missing, but the best epoch is`);
  });
});
