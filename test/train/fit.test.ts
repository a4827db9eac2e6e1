// fit(): full-batch training on a small stochastic-block-model graph (a learnable task):
// convergence, stopping rules, cancellation, event-loop friendliness and determinism.
import { describe, expect, it } from 'vitest';

import { Adam, type GCN, SGD, fit, type EpochReport, type FitOptions, type FitResult, type NodeData, type Optimizer } from '../../lib/index.js';
import { expectRejects, liveCpu, smallGcn, smallNodeData } from '../helpers/apiFixtures.js';

/** Runs fit on a fresh model over `data` and disposes the model (and any optimizer made by `opt`). */
async function train(data: NodeData, options: FitOptions & { seed?: number; dropout?: number } = {}, opt?: (model: GCN) => Optimizer): Promise<FitResult> {
  const { seed = 0, dropout, ...fitOptions } = options;
  using model = smallGcn(data, { seed, dropout });
  using optimizer = opt?.(model);
  // awaited here, so that `using` disposes the model after training, not before
  return await fit(model, data, { ...fitOptions, optimizer: optimizer ?? options.optimizer });
}

describe('fit on a small SBM graph', () => {
  it('decreases the training loss and ends with high accuracy', async () => {
    using data = smallNodeData();
    const r = await train(data, { epochs: 60, patience: 0, lr: 0.02, weightDecay: 5e-4 });
    expect(r.stopped).toBe('epochs');
    expect(r.epochsRun).toBe(60);
    expect(r.history).toHaveLength(60);
    const first = r.history[0]!.trainLoss;
    expect(first).toBeGreaterThan(1); // about ln 4 = 1.39 at the start
    expect(r.last.trainLoss).toBeLessThan(0.5 * first);
    // mostly downhill: the mean of the last ten epochs is below the mean of the first ten
    const mean = (xs: EpochReport[]) => xs.reduce((a, h) => a + h.trainLoss, 0) / xs.length;
    expect(mean(r.history.slice(-10))).toBeLessThan(mean(r.history.slice(0, 10)));
    expect(r.last.trainAcc).toBeGreaterThan(0.9);
    expect(r.best.valAcc).toBeGreaterThan(0.85);
    expect(r.best.testAcc).toBeGreaterThan(0.8);
    for (const h of r.history) {
      for (const v of [h.trainAcc, h.valAcc, h.testAcc]) expect(v >= 0 && v <= 1).toBe(true);
      expect(Number.isFinite(h.trainLoss) && Number.isFinite(h.valLoss)).toBe(true);
      expect(h.stepMs).toBeGreaterThanOrEqual(0);
    }
  });

  it('reports the best-validation epoch consistently in every report and in the result', async () => {
    using data = smallNodeData();
    const r = await train(data, { epochs: 25, patience: 0 });
    let bestAcc = -1;
    let bestEpoch = 0;
    r.history.forEach((h, i) => {
      expect(h.epoch).toBe(i + 1);
      if (h.valAcc > bestAcc) [bestAcc, bestEpoch] = [h.valAcc, h.epoch];
      expect(h.bestEpoch).toBe(bestEpoch);
      expect(h.bestValAcc).toBe(bestAcc);
    });
    expect(r.bestEpoch).toBe(bestEpoch);
    expect(r.best.epoch).toBe(bestEpoch);
    expect(r.best.testAcc).toBe(r.history[bestEpoch - 1]!.testAcc);
    expect(r.last).toBe(r.history[r.history.length - 1]);
  });

  it('stops when onEpoch returns false, with stopped "callback" and epochsRun at that epoch', async () => {
    using data = smallNodeData();
    const seen: number[] = [];
    const r = await train(data, {
      epochs: 50,
      patience: 0,
      onEpoch: (report) => {
        seen.push(report.epoch);
        return report.epoch === 7 ? false : undefined;
      },
    });
    expect(r.stopped).toBe('callback');
    expect(r.epochsRun).toBe(7);
    expect(r.history).toHaveLength(7);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('awaits an async onEpoch before the next epoch, and stops when it resolves to false', async () => {
    using data = smallNodeData();
    const events: string[] = [];
    const r = await train(data, {
      epochs: 10,
      patience: 0,
      onEpoch: async (report) => {
        events.push(`start ${report.epoch}`);
        await new Promise((resolve) => setTimeout(resolve, 2));
        events.push(`end ${report.epoch}`);
        return report.epoch < 3;
      },
    });
    expect(r.stopped).toBe('callback');
    expect(r.epochsRun).toBe(3);
    expect(events).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
  });

  it('stops early with patience, patience epochs after the best validation accuracy', async () => {
    using data = smallNodeData();
    const r = await train(data, { epochs: 500, patience: 5 });
    expect(r.stopped).toBe('patience');
    expect(r.epochsRun).toBeLessThan(500);
    expect(r.epochsRun).toBe(r.bestEpoch + 5);
    expect(r.history.slice(r.bestEpoch).every((h) => h.valAcc <= r.best.valAcc)).toBe(true);
  });

  it('runs every epoch when patience is 0', async () => {
    using data = smallNodeData({ numNodes: 60, numEdges: 400 });
    const r = await train(data, { epochs: 12, patience: 0, lr: 0 });
    // lr 0: nothing changes, so validation never improves after epoch 1; patience 0 must not stop it
    expect(r.stopped).toBe('epochs');
    expect(r.epochsRun).toBe(12);
  });
});

describe('cancellation', () => {
  it('rejects with the reason when the signal is aborted from onEpoch, and leaks nothing', async () => {
    const base = liveCpu();
    const data = smallNodeData();
    const model = smallGcn(data);
    const controller = new AbortController();
    const reason = new Error('user pressed stop');
    const seen: number[] = [];
    const run = fit(model, data, {
      epochs: 100,
      patience: 0,
      signal: controller.signal,
      onEpoch: (r) => {
        seen.push(r.epoch);
        if (r.epoch === 4) controller.abort(reason);
      },
    });
    await expect(run).rejects.toBe(reason);
    expect(seen).toEqual([1, 2, 3, 4]);
    model.dispose();
    data.dispose();
    expect(liveCpu()).toEqual(base);
  });

  it('rejects with the reason when the signal is aborted by a timer while it trains, and leaks nothing', async () => {
    const base = liveCpu();
    const data = smallNodeData();
    const model = smallGcn(data);
    const controller = new AbortController();
    const reason = new Error('time is up');
    let epochs = 0;
    const timer = setTimeout(() => controller.abort(reason), 30);
    try {
      await expect(fit(model, data, { epochs: 100_000, patience: 0, signal: controller.signal, onEpoch: () => void epochs++ })).rejects.toBe(reason);
    } finally {
      clearTimeout(timer);
    }
    expect(epochs).toBeGreaterThan(0);
    expect(epochs).toBeLessThan(100_000);
    model.dispose();
    data.dispose();
    expect(liveCpu()).toEqual(base);
  });

  it('rejects with an AbortError when aborted without a reason, and at once for an already aborted signal', async () => {
    const base = liveCpu();
    const data = smallNodeData({ numNodes: 60, numEdges: 400 });
    const model = smallGcn(data);
    const controller = new AbortController();
    const e = await expectRejects(
      fit(model, data, { epochs: 50, patience: 0, signal: controller.signal, onEpoch: (r) => void (r.epoch === 2 && controller.abort()) }),
      Error,
    );
    expect(e.name).toBe('AbortError');
    let called = false;
    const e2 = await expectRejects(
      fit(model, data, {
        epochs: 5,
        signal: AbortSignal.abort(new RangeError('never mind')),
        onEpoch: () => {
          called = true;
        },
      }),
      RangeError,
      'never mind',
    );
    expect(e2).toBeInstanceOf(RangeError);
    expect(called).toBe(false);
    model.dispose();
    data.dispose();
    expect(liveCpu()).toEqual(base);
  });
});

describe('fit and the event loop', () => {
  it('gives other work a turn of the event loop after every epoch of a 50-epoch fit', async () => {
    using data = smallNodeData();
    // A chain of setImmediate callbacks gets one turn per loop iteration; fit yields after every
    // step and evaluation, so the chain advances at least once per epoch, however fast the
    // epochs are (compiled steps take well under a millisecond here).
    let turns = 0;
    let running = true;
    const spin = () => {
      if (!running) return;
      turns++;
      setImmediate(spin);
    };
    setImmediate(spin);
    let result: FitResult;
    try {
      result = await train(data, { epochs: 50, patience: 0 });
    } finally {
      running = false;
    }
    expect(result.epochsRun).toBe(50);
    expect(turns).toBeGreaterThanOrEqual(50);
  });
});

describe('determinism and optimizers', () => {
  it('gives an identical loss and accuracy history for the same seed, twice', async () => {
    using data = smallNodeData();
    const a = await train(data, { epochs: 15, patience: 0, seed: 7 });
    const b = await train(data, { epochs: 15, patience: 0, seed: 7 });
    expect(b.history.map((h) => h.trainLoss)).toEqual(a.history.map((h) => h.trainLoss));
    expect(b.history.map((h) => [h.valLoss, h.trainAcc, h.valAcc, h.testAcc])).toEqual(a.history.map((h) => [h.valLoss, h.trainAcc, h.valAcc, h.testAcc]));
    const c = await train(data, { epochs: 15, patience: 0, seed: 8 });
    expect(c.history.map((h) => h.trainLoss)).not.toEqual(a.history.map((h) => h.trainLoss));
  });

  it('trains with SGD with momentum', async () => {
    using data = smallNodeData();
    const r = await train(data, { epochs: 60, patience: 0 }, (m) => new SGD(m.parameters(), { lr: 0.2, momentum: 0.9 }));
    expect(r.last.trainLoss).toBeLessThan(0.6 * r.history[0]!.trainLoss);
    expect(r.last.trainAcc).toBeGreaterThan(0.85);
    expect(r.best.valAcc).toBeGreaterThan(0.8);
  });

  it('trains with an explicit Adam', async () => {
    using data = smallNodeData();
    const r = await train(data, { epochs: 60, patience: 0 }, (m) => new Adam(m.parameters(), { lr: 0.02, weightDecay: 5e-4 }));
    expect(r.last.trainLoss).toBeLessThan(0.6 * r.history[0]!.trainLoss);
    expect(r.last.trainAcc).toBeGreaterThan(0.85);
    expect(r.best.valAcc).toBeGreaterThan(0.8);
  });

  it('leaves a caller-supplied optimizer usable after fit', async () => {
    using data = smallNodeData({ numNodes: 60, numEdges: 400 });
    using model = smallGcn(data);
    using opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    await fit(model, data, { epochs: 3, patience: 0, optimizer: opt });
    expect(opt.stepCount).toBe(3);
    await fit(model, data, { epochs: 2, patience: 0, optimizer: opt });
    expect(opt.stepCount).toBe(5);
  });
});
