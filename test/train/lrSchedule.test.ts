// Learning-rate schedules in fit(): each against a plain-TypeScript copy of PyTorch's own
// (chainable) formulas, and a resume in the middle of a schedule that ends bit-identical.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { FathomError, fit, type FitOptions, type FitResult, type GCN, type LrSchedule, type NodeData, SGD } from '../../lib/index.js';
import { plateauStep } from '../../lib/optim/lrSchedules.js';
import { expectRejects, smallGcn, smallNodeData } from '../helpers/apiFixtures.js';

// PyTorch's StepLR.get_lr(): the rate after t epochs, from the one before (recursive form).
function torchStepLr(base: number, epochs: number, stepSize: number, gamma: number): number[] {
  const lrs = [base];
  for (let t = 1; t < epochs; t++) lrs.push(t % stepSize === 0 ? lrs[t - 1]! * gamma : lrs[t - 1]!);
  return lrs;
}

// PyTorch's CosineAnnealingLR.get_lr(), the chainable form, including its restart branch.
function torchCosineLr(base: number, epochs: number, tMax: number, etaMin: number): number[] {
  const lrs = [base];
  for (let t = 1; t < epochs; t++) {
    const prev = lrs[t - 1]!;
    if ((t - 1 - tMax) % (2 * tMax) === 0) lrs.push(prev + ((base - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2);
    else lrs.push(((1 + Math.cos((Math.PI * t) / tMax)) / (1 + Math.cos((Math.PI * (t - 1)) / tMax))) * (prev - etaMin) + etaMin);
  }
  return lrs;
}

// PyTorch's ReduceLROnPlateau.step() (threshold_mode 'rel', eps 1e-8), fed the monitored values.
function torchPlateauLr(
  base: number,
  values: number[],
  o: { mode: 'min' | 'max'; factor: number; patience: number; minLr: number; threshold: number; cooldown: number },
): number[] {
  let lr = base;
  let best = o.mode === 'min' ? Infinity : -Infinity;
  let bad = 0;
  let cooldown = 0;
  const lrs = [lr];
  for (const v of values) {
    const better = o.mode === 'min' ? v < best * (1 - o.threshold) : v > best * (o.threshold + 1);
    if (better) {
      best = v;
      bad = 0;
    } else bad += 1;
    if (cooldown > 0) {
      cooldown -= 1;
      bad = 0;
    }
    if (bad > o.patience) {
      const next = Math.max(lr * o.factor, o.minLr);
      if (lr - next > 1e-8) lr = next;
      cooldown = o.cooldown;
      bad = 0;
    }
    lrs.push(lr);
  }
  return lrs;
}

async function train(data: NodeData, options: FitOptions, seed = 0): Promise<{ r: FitResult; w: number[][] }> {
  using model = smallGcn(data, { seed });
  const r = await fit(model, data, { patience: 0, lr: 0.05, ...options });
  return { r, w: (model as GCN).parameters().map((p) => [...p.toArray()]) };
}

const tmp = mkdtempSync(join(tmpdir(), 'fathom-lr-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('learning-rate schedules against PyTorch formulas over 50 epochs', () => {
  it('StepLR', async () => {
    using data = smallNodeData();
    const { r } = await train(data, { epochs: 50, lrSchedule: { type: 'step', stepSize: 7, gamma: 0.5 } });
    const ref = torchStepLr(0.05, 50, 7, 0.5);
    r.history.forEach((h, i) => expect(Math.abs(h.lr - ref[i]!)).toBeLessThanOrEqual(1e-15 * ref[i]!));
    expect(r.history[7]!.lr).toBe(0.025); // epoch 8 runs after the first decay
  });

  it('CosineAnnealingLR, past tMax into its second half-period', async () => {
    using data = smallNodeData();
    const { r } = await train(data, { epochs: 50, lrSchedule: { type: 'cosine', tMax: 20, etaMin: 1e-3 } });
    const ref = torchCosineLr(0.05, 50, 20, 1e-3);
    // The recursive form accumulates rounding over 50 products: 1e-12 of the base is far above it.
    r.history.forEach((h, i) => expect(Math.abs(h.lr - ref[i]!)).toBeLessThan(1e-12 * 0.05));
    expect(r.history[20]!.lr).toBeCloseTo(1e-3, 15);
  });

  for (const monitor of ['valLoss', 'valAcc'] as const) {
    it(`ReduceLROnPlateau on ${monitor}`, async () => {
      using data = smallNodeData();
      const o = { factor: 0.5, patience: 3, minLr: 0.004, threshold: 1e-4, cooldown: 2 };
      const { r } = await train(data, { epochs: 50, lrSchedule: { type: 'plateau', monitor, ...o } });
      const ref = torchPlateauLr(
        0.05,
        r.history.map((h) => h[monitor]),
        { mode: monitor === 'valLoss' ? 'min' : 'max', ...o },
      );
      expect(r.history.map((h) => h.lr)).toEqual(ref.slice(0, 50));
      expect(new Set(ref).size).toBeGreaterThan(1); // it did reduce
    });
  }

  it('ReduceLROnPlateau reduces after more than patience bad epochs, then rests for cooldown (hand-counted)', () => {
    const o = { type: 'plateau', factor: 0.5, patience: 2, cooldown: 1 } as const;
    let s = { lr: 1, best: null as number | null, numBadEpochs: 0, cooldownCounter: 0 };
    const lrs: number[] = [];
    // best 1 at epoch 1; bad at 2, 3, 4 → the third bad epoch (> patience 2) halves; epoch 5 is
    // cooldown (not counted); 6, 7, 8 bad → halved again at 8.
    for (const v of [1, 1, 1, 1, 1, 1, 1, 1]) {
      s = plateauStep(s, v, o);
      lrs.push(s.lr);
    }
    expect(lrs).toEqual([1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25]);
  });
});

describe('a resume in the middle of a schedule', () => {
  const schedules: LrSchedule[] = [
    { type: 'step', stepSize: 4, gamma: 0.5 },
    { type: 'cosine', tMax: 9, etaMin: 0.001 },
    { type: 'plateau', factor: 0.5, patience: 1, monitor: 'valAcc', threshold: 0.01 },
  ];
  for (const lrSchedule of schedules) {
    it(`ends bit-identical to an uninterrupted run (${lrSchedule.type}, SGD with momentum)`, async () => {
      using data = smallNodeData();
      const dir = join(tmp, lrSchedule.type);
      const sgd = (m: GCN) => new SGD(m.parameters(), { lr: 0.2, momentum: 0.9 });
      const run = async (seed: number, options: FitOptions) => {
        using model = smallGcn(data, { seed });
        using optimizer = sgd(model);
        const r = await fit(model, data, { patience: 0, restoreBest: false, lrSchedule, optimizer, ...options });
        return { r, w: model.parameters().map((p) => [...p.toArray()]) };
      };
      const full = await run(0, { epochs: 20 });
      await run(0, { epochs: 13, checkpoint: { dir, every: 5 } });
      // Resumed after epoch 10 with another seed: the checkpoint overwrites everything.
      const leg2 = await run(99, { epochs: 20, checkpoint: { dir, every: 5 }, resume: true });
      expect(leg2.r.resumedFrom).toBe(10);
      expect(leg2.r.history.map((h) => h.lr)).toEqual(full.r.history.slice(10).map((h) => h.lr));
      expect(leg2.r.history.map((h) => h.trainLoss)).toEqual(full.r.history.slice(10).map((h) => h.trainLoss));
      expect(leg2.w).toEqual(full.w);
      // Mid-schedule: a schedule restarted at the resume would run epoch 11 at the base rate.
      expect(full.r.history[10]!.lr).not.toBe(0.2);
      // The rate changes after the resume point too, so the restored schedule state is exercised.
      expect(new Set(full.r.history.slice(9).map((h) => h.lr)).size).toBeGreaterThan(1);
    });
  }

  it('refuses a checkpoint of another schedule', async () => {
    using data = smallNodeData();
    const dir = join(tmp, 'mismatch');
    await train(data, { epochs: 5, checkpoint: { dir, every: 5 }, lrSchedule: { type: 'step', stepSize: 2 } });
    using model = smallGcn(data);
    const e = await expectRejects(
      fit(model, data, { epochs: 8, checkpoint: { dir, every: 5 }, resume: true, lrSchedule: { type: 'cosine' } }),
      FathomError,
      "schedule is 'step' but fit runs 'cosine'",
    );
    expect((e as FathomError).code).toBe('IO');
  });
});
