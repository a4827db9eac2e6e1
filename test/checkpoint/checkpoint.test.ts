// Checkpoints: what is saved comes back bit for bit (weights, optimizer state, random
// streams), mismatches are refused without touching the model, and fit() resumes exactly.
import { existsSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { loadCheckpoint, loadModel } from '../../lib/checkpoint/loadCheckpoint.js';
import { restoreCheckpoint } from '../../lib/checkpoint/restoreCheckpoint.js';
import { saveCheckpoint } from '../../lib/checkpoint/saveCheckpoint.js';
import { Adam, FathomError, GCN, Rng, SGD, Tensor, fit, noGrad, tidy, type NodeData, type Optimizer } from '../../lib/index.js';
import { expectRejects, expectThrows, liveCpu, smallGcn, smallNodeData } from '../helpers/apiFixtures.js';

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'fathom-ckpt-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

const weights = (m: GCN) => m.namedParameters().map(([n, p]) => [n, Array.from(p.toArray())] as const);

describe('saveCheckpoint and loadCheckpoint', () => {
  it('round-trip a GCN through model.save and loadModel bit for bit', () => {
    using data = smallNodeData();
    using model = new GCN({ inChannels: data.numFeatures, hiddenChannels: 8, outChannels: data.numClasses, numLayers: 3, dropout: 0.3, seed: 7 });
    const path = join(tmp, 'gcn.safetensors');
    model.save(path);
    using again = loadModel(path, GCN);
    expect(again.config()).toEqual(model.config());
    expect(weights(again)).toEqual(weights(model));
    expect(again.rngState).toEqual(model.rngState);
    model.eval();
    again.eval();
    const [a, b] = noGrad(() => tidy(() => [model, again].map((m) => Array.from(m.forward(data.x, data.graph).toArray()))));
    expect(b).toEqual(a);
  });

  it('restores Adam moments, step count and a caller Rng exactly', async () => {
    using data = smallNodeData();
    using model = smallGcn(data, { seed: 1 });
    using adam = new Adam(model.parameters(), { lr: 0.02, betas: [0.8, 0.99], weightDecay: 1e-4 });
    await fit(model, data, { epochs: 3, patience: 0, optimizer: adam });
    const rng = new Rng(5);
    rng.normal(); // leaves a cached spare, which is state too
    const path = join(tmp, 'a.safetensors');
    saveCheckpoint(path, { model, optimizer: adam, rng, epoch: 3, metrics: { valAcc: 0.5 }, config: { dataset: 'sbm' } });
    const loaded = loadCheckpoint(path);
    using m2 = loaded.model as GCN;
    using opt2 = loaded.optimizer!;
    expect(loaded.epoch).toBe(3);
    expect(loaded.metrics).toEqual({ valAcc: 0.5 });
    expect(loaded.config).toEqual({ dataset: 'sbm' });
    expect(loaded.rng!.normal()).toBe(rng.normal());
    expect(loaded.rng!.nextUint32()).toBe(rng.nextUint32());
    const s1 = adam.exportState();
    const s2 = opt2.exportState();
    expect(s2.stepCount).toBe(3);
    expect(s2.hyper).toEqual(s1.hyper);
    s1.slots.forEach((slot, i) => {
      expect(Array.from(s2.slots[i]!.m!.toArray())).toEqual(Array.from(slot!.m!.toArray()));
      expect(Array.from(s2.slots[i]!.v!.toArray())).toEqual(Array.from(slot!.v!.toArray()));
    });
    expect(weights(m2)).toEqual(weights(model));
  });

  it('restores SGD momentum buffers as tensors', async () => {
    using data = smallNodeData();
    using model = smallGcn(data, { seed: 2 });
    using sgd = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true });
    await fit(model, data, { epochs: 2, patience: 0, optimizer: sgd });
    const path = join(tmp, 's.safetensors');
    saveCheckpoint(path, { model, optimizer: sgd });
    const loaded = loadCheckpoint(path);
    using m2 = loaded.model;
    using opt2 = loaded.optimizer as SGD;
    expect(opt2).toBeInstanceOf(SGD);
    expect(opt2.nesterov).toBe(true);
    const b1 = sgd.exportState().slots.map((s) => Array.from(s!.buf!.toArray()));
    expect(opt2.exportState().slots.map((s) => Array.from(s!.buf!.toArray()))).toEqual(b1);
    expect(m2.numParameters()).toBe(model.numParameters());
  });

  it('refuses a checkpoint of another architecture and leaves the model untouched', () => {
    using data = smallNodeData();
    using small = smallGcn(data, { hidden: 8 });
    using wide = smallGcn(data, { hidden: 16, seed: 3 });
    const path = join(tmp, 'small.safetensors');
    small.save(path);
    const before = weights(wide);
    const e = expectThrows(
      () => restoreCheckpoint(path, { model: wide }),
      FathomError,
      "parameter 'conv0.weight'",
      'is f32[8, 16]',
      "the model's is f32[16, 16]",
    );
    expect((e as FathomError).code).toBe('IO');
    expect(weights(wide)).toEqual(before);
  });

  it('leaves no live tensors behind after save, load and restore', () => {
    using data = smallNodeData();
    const base = liveCpu().tensors;
    {
      using model = smallGcn(data);
      using opt = new Adam(model.parameters());
      const path = join(tmp, 'm.safetensors');
      saveCheckpoint(path, { model, optimizer: opt });
      const l = loadCheckpoint(path);
      restoreCheckpoint(path, { model, optimizer: opt });
      l.optimizer!.dispose();
      l.model.dispose();
    }
    expect(liveCpu().tensors).toBe(base);
  });
});

describe('fit with checkpoints', () => {
  const run = async (data: NodeData, seed: number, options: Parameters<typeof fit>[2], opt?: (m: GCN) => Optimizer) => {
    using model = smallGcn(data, { seed });
    using optimizer = opt?.(model);
    const r = await fit(model, data, { patience: 0, lr: 0.02, weightDecay: 5e-4, ...options, optimizer });
    return { r, w: weights(model) };
  };

  for (const [name, opt] of [
    ['Adam', undefined],
    ['SGD with momentum', (m: GCN) => new SGD(m.parameters(), { lr: 0.05, momentum: 0.9 })],
  ] as const) {
    it(`resumes with ${name} on the same trajectory as an uninterrupted run, bit for bit`, async () => {
      using data = smallNodeData();
      const full = await run(data, 0, { epochs: 20 }, opt);
      const dir = join(tmp, 'run');
      // First leg: stop after 12 epochs; the newest checkpoint is epoch 10.
      const leg1 = await run(data, 0, { epochs: 12, checkpoint: { dir, every: 5 } }, opt);
      expect(leg1.r.history.map((h) => h.trainLoss)).toEqual(full.r.history.slice(0, 12).map((h) => h.trainLoss));
      // best.safetensors too: restoreBest (on by default) needs it for a best epoch before a resume.
      expect(readdirSync(dir).sort()).toEqual(['best.safetensors', 'epoch-000005.safetensors', 'epoch-000010.safetensors']);
      // Second leg: a model with another seed, overwritten by the checkpoint.
      const leg2 = await run(data, 99, { epochs: 20, checkpoint: { dir, every: 5 }, resume: true }, opt);
      expect(leg2.r.resumedFrom).toBe(10);
      expect(leg2.r.history.map((h) => h.epoch)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
      expect(leg2.r.history.map((h) => h.trainLoss)).toEqual(full.r.history.slice(10).map((h) => h.trainLoss));
      expect(leg2.w).toEqual(full.w);
      expect(leg2.r.best.epoch).toBe(full.r.best.epoch);
    });
  }

  it('returns the saved reports when resuming from a checkpoint of the final epoch', async () => {
    using data = smallNodeData();
    const dir = join(tmp, 'done');
    const first = await run(data, 0, { epochs: 4, checkpoint: { dir, every: 2 } });
    const again = await run(data, 7, { epochs: 4, checkpoint: { dir, every: 2 }, resume: true });
    expect(again.r.epochsRun).toBe(0);
    expect(again.r.resumedFrom).toBe(4);
    expect(again.r.last).toEqual(first.r.last);
    expect(again.r.best).toEqual(first.r.best);
    expect(again.w).toEqual(first.w);
  });

  it('keeps only the newest checkpoints and the best one when asked', async () => {
    using data = smallNodeData();
    const dir = join(tmp, 'keep');
    const r = await run(data, 0, { epochs: 9, checkpoint: { dir, every: 2, keep: 3, best: true } });
    expect(readdirSync(dir).sort()).toEqual(['best.safetensors', 'epoch-000004.safetensors', 'epoch-000006.safetensors', 'epoch-000008.safetensors']);
    expect(loadCheckpoint(join(dir, 'best.safetensors'))).toMatchObject({ epoch: r.r.bestEpoch });
  });

  it('skips a damaged newest checkpoint and a torn temporary file when resuming', async () => {
    using data = smallNodeData();
    const full = await run(data, 0, { epochs: 8 });
    const dir = join(tmp, 'damaged');
    await run(data, 0, { epochs: 6, checkpoint: { dir, every: 3, keep: 5 } });
    truncateSync(join(dir, 'epoch-000006.safetensors'), 100);
    writeFileSync(join(dir, '.epoch-000009.safetensors.123.abc.tmp'), 'torn');
    const leg2 = await run(data, 5, { epochs: 8, checkpoint: { dir, every: 3, keep: 5 }, resume: true });
    expect(leg2.r.resumedFrom).toBe(3);
    expect(leg2.w).toEqual(full.w);
    expect(existsSync(join(dir, '.epoch-000009.safetensors.123.abc.tmp'))).toBe(false);
  });

  it('rejects resume without a checkpoint folder', async () => {
    using data = smallNodeData();
    using model = smallGcn(data);
    await expectRejects(fit(model, data, { epochs: 1, resume: true }), RangeError, 'resume needs checkpoint.dir');
  });
});

describe('fit with checkFinite', () => {
  it('stops with a NUMERIC error naming the parameter and step, and keeps the last good checkpoint', async () => {
    using data = smallNodeData();
    using model = smallGcn(data);
    const dir = join(tmp, 'nan');
    const poison = (epoch: number) => {
      if (epoch !== 7) return;
      const w = model.layers[1]!.namedParameters()[0]![1];
      const values = new Float32Array(w.numel);
      values[3] = Number.NaN;
      using bad = Tensor.from(values, w.shape);
      w.assign(bad);
    };
    const e = await expectRejects(
      fit(model, data, { epochs: 20, patience: 0, checkpoint: { dir, every: 5 }, checkFinite: { every: 1 }, onEpoch: (r) => poison(r.epoch) }),
      FathomError,
      "parameter 'conv1.weight' holds NaN (element 3) before step 8",
    );
    expect((e as FathomError).code).toBe('NUMERIC');
    expect(readdirSync(dir).sort()).toEqual(['best.safetensors', 'epoch-000005.safetensors']);
    const good = loadCheckpoint(join(dir, 'epoch-000005.safetensors'));
    using m = good.model;
    good.optimizer?.dispose();
    for (const [, w] of weights(m as GCN)) expect(w.every(Number.isFinite)).toBe(true);
  });

  it('stops on a non-finite loss', async () => {
    using data = smallNodeData();
    using model = smallGcn(data);
    // A learning rate of 1e30 sends the weights to Inf within a few steps.
    const e = await expectRejects(fit(model, data, { epochs: 30, patience: 0, lr: 1e30, checkFinite: { every: 1 } }), FathomError, /step \d+/);
    expect((e as FathomError).code).toBe('NUMERIC');
  });
});
