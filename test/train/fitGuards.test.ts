// fit()'s guards: options checked before anything runs (a mistyped key used to be ignored),
// one fit() per model at a time (two used to interleave their updates), and a non-finite loss
// that stops training by default (it used to end with a NaN loss and success).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { FathomError, fit, type FitOptions, NodeData } from '../../lib/index.js';
import { expectRejects, smallGcn, smallNodeData, smallSbm } from '../helpers/apiFixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'fathom-guards-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** fit() with `options` typed loosely, as JavaScript callers and JSON configs pass them. */
function fitAny(options: Record<string, unknown>) {
  const data = smallNodeData({ numNodes: 60, numEdges: 400 });
  const model = smallGcn(data);
  const before = model.parameters().map((p) => [...p.toArray()]);
  let epochs = 0;
  const run = fit(model, data, { ...(options as FitOptions), onEpoch: () => void epochs++ });
  const done = async () => {
    await run.catch(() => undefined);
    const after = model.parameters().map((p) => [...p.toArray()]);
    model.dispose();
    data.dispose();
    return { epochs, unchanged: JSON.stringify(after) === JSON.stringify(before) };
  };
  return { run, done };
}

describe('fit checks its options before anything runs', () => {
  it("rejects weight_decay, naming the key and suggesting 'weightDecay', without training", async () => {
    const { run, done } = fitAny({ epochs: 3, weight_decay: 5e-4 });
    const e = await expectRejects(run, FathomError, "fit: unknown option 'weight_decay' (did you mean 'weightDecay'?)");
    expect((e as FathomError).code).toBe('TYPE');
    expect(await done()).toEqual({ epochs: 0, unchanged: true });
  });

  it('suggests the nearest key for typos at the top level and inside nested options', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ paitence: 5 }, "unknown option 'paitence' (did you mean 'patience'?)"],
      [{ learningRate: 0.1 }, "unknown option 'learningRate' (known: epochs, optimizer, lr,"],
      [{ checkpoint: { dir: tmp, evry: 5 } }, "unknown option 'checkpoint.evry' (did you mean 'every'?)"],
      [{ lrSchedule: { type: 'step', step_size: 5 } }, "unknown option 'lrSchedule.step_size' (did you mean 'stepSize'?)"],
      [{ checkFinite: { Every: 5 } }, "unknown option 'checkFinite.Every' (did you mean 'every'?)"],
    ];
    for (const [options, message] of cases) {
      const { run, done } = fitAny(options);
      const e = await expectRejects(run, FathomError, message);
      expect((e as FathomError).code).toBe('TYPE');
      expect((await done()).epochs).toBe(0);
    }
  });

  it('rejects values of the wrong kind (TypeError) or out of range (RangeError), naming the option and the value', async () => {
    const cases: [Record<string, unknown>, ErrorConstructor, string[]][] = [
      [{ lr: -1 }, RangeError, ['fit: lr', 'got -1']],
      [{ lr: '0.01' }, TypeError, ['options.lr', "got '0.01'"]],
      [{ restoreBest: 'yes' }, TypeError, ['options.restoreBest', 'true or false']],
      [{ checkFinite: { every: 0 } }, RangeError, ['checkFinite.every', 'positive integer', 'got 0']],
      [{ lrSchedule: { type: 'linear' } }, RangeError, ['lrSchedule.type', "'step', 'cosine' or 'plateau'", "got 'linear'"]],
      [{ lrSchedule: { type: 'step', stepSize: 5, gamma: 2 } }, RangeError, ['lrSchedule.gamma', '(0, 1]', 'got 2']],
      [{ lrSchedule: { type: 'plateau', monitor: 'loss' } }, RangeError, ['lrSchedule.monitor', "'valLoss' or 'valAcc'"]],
      [{ signal: {} }, TypeError, ['options.signal', 'AbortSignal']],
    ];
    for (const [options, cls, patterns] of cases) {
      const { run, done } = fitAny(options);
      await expectRejects(run, cls, ...patterns);
      expect((await done()).epochs).toBe(0);
    }
  });
});

describe('one fit per model at a time', () => {
  it('refuses a second concurrent fit on the same model and lets the first one finish untouched', async () => {
    using data = smallNodeData({ numNodes: 60, numEdges: 400 });
    using model = smallGcn(data);
    using twin = smallGcn(data);
    const first = fit(model, data, { epochs: 8, patience: 0 });
    const e = await expectRejects(fit(model, data, { epochs: 8, patience: 0 }), FathomError, 'already training in another fit() call');
    expect((e as FathomError).code).toBe('RANGE');
    const r = await first;
    // The same run alone on an identical model: the refused call changed nothing of it.
    const alone = await fit(twin, data, { epochs: 8, patience: 0 });
    expect(r.history.map((h) => h.trainLoss)).toEqual(alone.history.map((h) => h.trainLoss));
    // Free again once the first has finished.
    await expect(fit(model, data, { epochs: 1 })).resolves.toMatchObject({ epochsRun: 1 });
  });

  it('frees the model when a fit fails', async () => {
    using data = smallNodeData({ numNodes: 60, numEdges: 400 });
    using model = smallGcn(data);
    await expectRejects(fit(model, data, { epochs: 5, onEpoch: () => Promise.reject(new Error('boom')) }), Error, 'boom');
    await expect(fit(model, data, { epochs: 1 })).resolves.toMatchObject({ epochsRun: 1 });
  });
});

describe('a non-finite loss', () => {
  // Features of 3e38 are finite, but their products overflow: the loss of step 1 is not.
  const huge = () => {
    const g = smallSbm({ numNodes: 60, numEdges: 400 });
    return NodeData.from({ ...g, x: g.x!.map(() => 3e38) });
  };

  it('stops fit with a NUMERIC error by default', async () => {
    using data = huge();
    using model = smallGcn(data);
    const e = await expectRejects(fit(model, data, { epochs: 5 }), FathomError, /training loss is (NaN|-?Infinity) at step 1/, 'checkFinite: false');
    expect((e as FathomError).code).toBe('NUMERIC');
  });

  it('trains on with checkFinite: false (the opt-out)', async () => {
    using data = huge();
    using model = smallGcn(data);
    const r = await fit(model, data, { epochs: 2, checkFinite: false, restoreBest: false });
    expect(Number.isFinite(r.history[0]!.trainLoss)).toBe(false);
  });
});

describe('restoreBest and resumes', () => {
  it('restores a best epoch from before the resume from best.safetensors, as an uninterrupted run has it', async () => {
    // One validation node: valAcc is 0 or 1, so the best epoch is the first that gets it right,
    // early, before the resume point.
    const g = smallSbm({ numNodes: 60, numEdges: 400 });
    const valMask = new Uint8Array(g.numNodes);
    valMask[g.valMask.indexOf(1)] = 1;
    using data = NodeData.from({ ...g, valMask });
    const dir = join(tmp, 'bestfile');
    const run = async (epochs: number, extra: FitOptions = {}) => {
      using model = smallGcn(data, { seed: extra.resume ? 99 : 0 });
      const r = await fit(model, data, { epochs, patience: 0, ...extra });
      return { r, w: model.parameters().map((p) => [...p.toArray()]) };
    };
    const full = await run(14);
    expect(full.r.bestEpoch).toBeLessThan(10);
    await run(12, { checkpoint: { dir, every: 5 } });
    const leg2 = await run(14, { checkpoint: { dir, every: 5 }, resume: true });
    expect(leg2.r.resumedFrom).toBe(10);
    expect(leg2.r.bestEpoch).toBe(full.r.bestEpoch);
    expect(leg2.w).toEqual(full.w);
    const last = await run(14, { restoreBest: false });
    expect(last.w).not.toEqual(full.w);
  });

  it('refuses, before training, to resume without the best checkpoint it would need', async () => {
    using data = smallNodeData({ numNodes: 60, numEdges: 400 });
    const dir = join(tmp, 'nobest');
    const leg = async (epochs: number, extra: FitOptions = {}) => {
      using model = smallGcn(data);
      return await fit(model, data, { epochs, patience: 0, checkpoint: { dir, every: 2, best: false }, ...extra });
    };
    await leg(4);
    let epochs = 0;
    const e = await expectRejects(
      leg(6, { resume: true, onEpoch: () => void epochs++ }),
      FathomError,
      'restoreBest',
      'checkpoint.best: true or restoreBest: false',
    );
    expect((e as FathomError).code).toBe('IO');
    expect(epochs).toBe(0);
    await expect(leg(6, { resume: true, restoreBest: false })).resolves.toMatchObject({ resumedFrom: 4, epochsRun: 2 });
  });
});
