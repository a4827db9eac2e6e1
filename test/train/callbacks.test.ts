// fit()'s callbacks: what user callbacks see and in which order, how they stop training, the
// built-in callbacks constructed by hand against the options that make them, and failures.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import {
  Checkpointing,
  DiagnosticsRecording,
  EarlyStopping,
  FathomError,
  GAT,
  GatBalanceTracker,
  Tensor,
  fit,
  gatBalance,
  type Callback,
  type EpochReport,
  type FitContext,
} from '../../lib/index.js';
import { expectRejects, liveCpu, smallGcn, smallNodeData } from '../helpers/apiFixtures.js';

/** A callback that logs every hook as `hook epoch` (or `hook` alone) under `name`. */
function tracer(name: string, log: string[], extra: Callback = {}): Callback {
  const at = (hook: string, ctx: FitContext) => log.push(`${name}.${hook} ${ctx.epoch}`);
  return {
    onFitStart: (ctx) => void at('fitStart', ctx),
    onStepStart: (ctx) => void at('stepStart', ctx),
    onBackward: (ctx) => void at('backward', ctx),
    onStepEnd: (ctx) => void at('stepEnd', ctx),
    onEpochEnd: (ctx, report) => {
      at('epochEnd', ctx);
      return extra.onEpochEnd?.(ctx, report);
    },
    onFitEnd: (ctx) => void at('fitEnd', ctx),
    teardown: (ctx) => void at('teardown', ctx),
  };
}

describe('user callbacks', () => {
  it('see every epoch in order, with the very reports onEpoch gets and ctx.last, ctx.best up to date', async () => {
    using data = smallNodeData();
    using model = smallGcn(data);
    const fromOnEpoch: EpochReport[] = [];
    const fromCallback: EpochReport[] = [];
    const result = await fit(model, data, {
      epochs: 12,
      patience: 0,
      onEpoch: (r) => void fromOnEpoch.push(r),
      callbacks: [
        {
          onEpochEnd: (ctx, report) => {
            fromCallback.push(report);
            expect(ctx.epoch).toBe(report.epoch);
            expect(ctx.last).toBe(report);
            expect(ctx.best!.epoch).toBe(report.bestEpoch);
            expect(ctx.history.at(-1)).toBe(report);
          },
        },
      ],
    });
    expect(fromCallback.map((r) => r.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    fromCallback.forEach((r, i) => expect(r).toBe(fromOnEpoch[i]));
    expect(result.history).toEqual(fromCallback);
    expect(result.stopped).toBe('epochs');
  });

  it('stop training by returning "stop" or calling ctx.stop, reported as stopped "callback"', async () => {
    using data = smallNodeData();
    using model = smallGcn(data);
    const returned = await fit(model, data, { epochs: 50, patience: 0, callbacks: [{ onEpochEnd: (_ctx, r) => (r.epoch === 5 ? 'stop' : undefined) }] });
    expect(returned.stopped).toBe('callback');
    expect(returned.epochsRun).toBe(5);
    const called = await fit(model, data, { epochs: 50, patience: 0, callbacks: [{ onStepEnd: (ctx, step) => void (step.epoch === 3 && ctx.stop()) }] });
    expect(called.stopped).toBe('callback');
    expect(called.epochsRun).toBe(3);
  });

  it('run in the documented order: built-ins first, then the list; teardown in reverse', async () => {
    using data = smallNodeData({ numNodes: 60, numEdges: 400 });
    using model = smallGcn(data);
    const log: string[] = [];
    const result = await fit(model, data, {
      epochs: 5,
      patience: 0,
      onEpoch: (r) => {
        log.push(`onEpoch ${r.epoch}`);
      },
      // B stops at epoch 2; A and B still both see epoch 2, and no epoch starts after it.
      callbacks: [tracer('A', log), tracer('B', log, { onEpochEnd: (ctx) => (ctx.epoch === 2 ? 'stop' : undefined) })],
    });
    const epoch = (k: number) => [
      `A.stepStart ${k}`,
      `B.stepStart ${k}`,
      `A.backward ${k}`,
      `B.backward ${k}`,
      `A.stepEnd ${k}`,
      `B.stepEnd ${k}`,
      `onEpoch ${k}`,
      `A.epochEnd ${k}`,
      `B.epochEnd ${k}`,
    ];
    expect(log).toEqual(['A.fitStart 0', 'B.fitStart 0', ...epoch(1), ...epoch(2), 'A.fitEnd 2', 'B.fitEnd 2', 'B.teardown 2', 'A.teardown 2']);
    expect(result.stopped).toBe('callback');
  });

  it('keep the first stop reason: onEpoch returning false wins over early stopping in the same epoch', async () => {
    using data = smallNodeData({ numNodes: 60, numEdges: 400 });
    using model = smallGcn(data);
    // lr 0: validation accuracy never improves after epoch 1, so patience 2 stops at epoch 3.
    const r = await fit(model, data, { epochs: 10, lr: 0, patience: 2, onEpoch: (rep) => rep.epoch !== 3 });
    expect(r.stopped).toBe('callback');
    expect(r.epochsRun).toBe(3);
  });

  it('get per-layer features with their gradients in onBackward when onStepStart asks', async () => {
    using data = smallNodeData({ numNodes: 60, numEdges: 400 });
    using model = smallGcn(data);
    const seen: { epoch: number; layers: number; grads: boolean; loss: number }[] = [];
    const result = await fit(model, data, {
      epochs: 4,
      patience: 0,
      callbacks: [
        {
          onStepStart: (ctx) => ({ features: ctx.epoch % 2 === 0 }),
          onBackward: (ctx, pass) => {
            if (pass.features)
              seen.push({ epoch: ctx.epoch, layers: pass.features.length, grads: pass.features.every((f) => f.grad !== null), loss: pass.loss.item() });
            else expect(pass.loss).toBeInstanceOf(Tensor);
          },
        },
      ],
    });
    expect(seen.map((s) => [s.epoch, s.layers, s.grads])).toEqual([
      [2, 2, true],
      [4, 2, true],
    ]);
    expect(seen[0].loss).toBe(result.history[1].trainLoss);
  });
});

describe('built-in callbacks constructed by hand', () => {
  it('EarlyStopping behaves like the patience option', async () => {
    using data = smallNodeData();
    const run = async (options: Parameters<typeof fit>[2]) => {
      using model = smallGcn(data, { seed: 3 });
      return await fit(model, data, { epochs: 500, ...options });
    };
    const byOption = await run({ patience: 5 });
    const byCallback = await run({ patience: 0, callbacks: [new EarlyStopping({ patience: 5 })] });
    expect(byOption.stopped).toBe('patience');
    expect(byCallback.stopped).toBe('patience');
    expect(byCallback.epochsRun).toBe(byOption.epochsRun);
    expect(byCallback.bestEpoch).toBe(byOption.bestEpoch);
    expect(byCallback.history.map((h) => [h.trainLoss, h.valAcc])).toEqual(byOption.history.map((h) => [h.trainLoss, h.valAcc]));
  });

  it('DiagnosticsRecording and Checkpointing give what the diagnostics and checkpoint options give', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'fathom-cb-'));
    try {
      using data = smallNodeData({ numNodes: 60, numEdges: 400 });
      const run = async (options: Parameters<typeof fit>[2]) => {
        using model = smallGcn(data, { seed: 1 });
        return await fit(model, data, { epochs: 9, patience: 0, ...options });
      };
      const byOption = await run({ diagnostics: { every: 4 }, checkpoint: { dir: join(tmp, 'a'), every: 3 } });
      await run({ epochs: 4, checkpoint: { dir: join(tmp, 'b'), every: 3 } });
      const diagnostics = new DiagnosticsRecording({ every: 4 });
      const resumed = await run({ callbacks: [diagnostics, new Checkpointing({ dir: join(tmp, 'b'), every: 3, resume: true })] });
      expect(resumed.resumedFrom).toBe(3);
      expect(resumed.history.map((h) => h.trainLoss)).toEqual(byOption.history.slice(3).map((h) => h.trainLoss));
      // Records of epochs 4 and 8 measured in steps 5 and 9 of the same trajectory (relativeChange
      // is against the restored weights, so it is left out).
      const strip = (recs: typeof diagnostics.records) => recs.map((r) => ({ epoch: r.epoch, layers: r.layers.map(({ relativeChange: _, ...rest }) => rest) }));
      expect(diagnostics.records.map((r) => r.epoch)).toEqual([4, 8]);
      expect(strip(diagnostics.records)).toEqual(strip(byOption.diagnostics.filter((r) => r.epoch >= 4)));
      expect(resumed.diagnostics).toEqual([]); // the option's records only
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('GatBalanceTracker measures the balance at the start, on its grid and at the end', async () => {
    using data = smallNodeData({ numNodes: 60, numEdges: 400 });
    using model = new GAT({
      inChannels: data.numFeatures,
      hiddenChannels: 8,
      outChannels: data.numClasses,
      numLayers: 3,
      heads: 1,
      version: 'v2',
      shareWeights: true,
      dropout: 0,
      init: 'balanced-o',
      seed: 1,
    });
    const atInit = gatBalance(model.layerValues());
    const tracker = new GatBalanceTracker({ every: 3 });
    // restoreBest off: the model keeps the weights of epoch 7, which the tracker measured last.
    await fit(model, data, { epochs: 7, patience: 0, restoreBest: false, callbacks: [tracker] });
    expect(tracker.records.map((r) => r.epoch)).toEqual([0, 3, 6, 7]);
    expect(tracker.records[0]).toEqual({ epoch: 0, maxAbs: atInit.maxAbs, meanAbs: atInit.meanAbs });
    expect(tracker.records[3].maxAbs).toBe(gatBalance(model.layerValues()).maxAbs);
    using gcn = smallGcn(data);
    await expectRejects(fit(gcn, data, { epochs: 1, callbacks: [new GatBalanceTracker()] }), TypeError, 'GatBalanceTracker needs a GAT');
  });
});

describe('failing callbacks', () => {
  for (const hook of ['onFitStart', 'onStepStart', 'onBackward', 'onStepEnd', 'onEpochEnd', 'onFitEnd'] as const) {
    it(`${hook} throwing rejects fit with its error, runs every teardown and disposes fit's optimizer`, async () => {
      const base = liveCpu();
      const data = smallNodeData({ numNodes: 60, numEdges: 400 });
      const model = smallGcn(data);
      const failure = new Error(`${hook} failed`);
      const torn: string[] = [];
      const failing: Callback = {
        [hook]: (ctx: FitContext) => {
          if (hook === 'onFitStart' || hook === 'onFitEnd' || ctx.epoch === 3) throw failure;
        },
        teardown: () => void torn.push('failing'),
      };
      const run = fit(model, data, { epochs: 5, patience: 0, diagnostics: { every: 2 }, callbacks: [failing, { teardown: () => void torn.push('last') }] });
      await expect(run).rejects.toBe(failure);
      expect(torn).toEqual(['last', 'failing']);
      // Adam's moments and the diagnostics recorder's weight copies went with the failure.
      model.dispose();
      data.dispose();
      expect(liveCpu()).toEqual(base);
    });
  }

  it('an async onEpochEnd rejecting rejects fit; a teardown error surfaces only when nothing failed before', async () => {
    const base = liveCpu();
    const data = smallNodeData({ numNodes: 60, numEdges: 400 });
    const model = smallGcn(data);
    const late = new FathomError('teardown failed', 'IO');
    await expect(
      fit(model, data, {
        epochs: 3,
        callbacks: [
          {
            teardown: () => {
              throw late;
            },
          },
        ],
      }),
    ).rejects.toBe(late);
    const early = new Error('epoch 2');
    const run = fit(model, data, {
      epochs: 3,
      callbacks: [
        {
          onEpochEnd: async (ctx) => {
            if (ctx.epoch === 2) throw early;
          },
        },
        {
          teardown: () => {
            throw late;
          },
        },
      ],
    });
    await expect(run).rejects.toBe(early);
    model.dispose();
    data.dispose();
    expect(liveCpu()).toEqual(base);
  });

  it('rejects malformed callbacks and a resume outside onFitStart, naming the argument', async () => {
    using data = smallNodeData({ numNodes: 60, numEdges: 400 });
    using model = smallGcn(data);
    await expectRejects(fit(model, data, { callbacks: {} as never }), TypeError, 'fit: argument options.callbacks must be an array');
    await expectRejects(fit(model, data, { callbacks: [null as never] }), TypeError, 'options.callbacks[0] must be an object');
    await expectRejects(fit(model, data, { callbacks: [{ onEpochEnd: 'stop' as never }] }), TypeError, 'options.callbacks[0].onEpochEnd must be a function');
    await expectRejects(fit(model, data, { epochs: 2, callbacks: [{ onStepStart: (ctx) => ctx.resume({ epoch: 1 }) }] }), Error, 'onFitStart only');
    await expectRejects(fit(model, data, { epochs: 2, callbacks: [{ onEpochEnd: (ctx) => ctx.stop('bored' as never) }] }), RangeError, 'stop reason');
    expect(() => new EarlyStopping({ patience: 0 })).toThrow(RangeError);
  });
});
