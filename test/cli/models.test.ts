import { describe, expect, it } from 'vitest';

import type { ModelSpec } from '../../lib/models/modelEntry.js';
import type { LinearGNN } from '../../lib/models/LinearGNN.js';
import { MODELS, buildModel, validateModelSpec } from '../../lib/models/registry.js';
import { runTrainJob, TRAIN_DEFAULTS } from '../../lib/cli/trainJob.js';
import { memory } from '../../lib/runtime/devices.js';

const base: ModelSpec = { model: 'gcn', layers: 2, hidden: 16, seed: 0 };

describe('fathom train builds every model', () => {
  it.each([...MODELS])('trains --model %s for three epochs and frees every tensor', async (model) => {
    const before = memory().cpu.tensors;
    const s = await runTrainJob({ ...TRAIN_DEFAULTS, dataset: 'cora', model, layers: 3, hidden: 16, epochs: 3, patience: 0, device: 'cpu' });
    expect(s.model).toBe(model);
    expect(s.epochs_run).toBe(3);
    expect(Number.isFinite(s.train_loss)).toBe(true);
    expect(memory().cpu.tensors).toBe(before);
  });

  it.each(['fixup', 'interpolate', 'res+', 'reversible', 'none'] as const)('trains res-gcn with --residual %s', async (residual) => {
    const s = await runTrainJob({
      ...TRAIN_DEFAULTS,
      dataset: 'cora',
      model: 'res-gcn',
      residual,
      layers: 4,
      hidden: 16,
      epochs: 2,
      patience: 0,
      device: 'cpu',
    });
    expect(Number.isFinite(s.train_loss)).toBe(true);
  });
});

describe('fathom train rejects flag combinations that do not apply, saying what to change', () => {
  const cases: [string, ModelSpec, string[]][] = [
    ['looks-linear with an odd width', { ...base, model: 'res-gcn', hidden: 63, init: 'looks-linear' }, ['looks-linear', 'even', '--hidden to 64']],
    ['balanced GAT init with an odd width', { ...base, model: 'gatv2', hidden: 7, init: 'balanced-o' }, ['balanced-o', 'even']],
    ['--heads on a GCN', { ...base, heads: 8 }, ['--heads', 'gat', 'gcn']],
    ['--residual on a GAT', { ...base, model: 'gat', residual: 'fixup' }, ['--residual', 'res-gcn']],
    ['--norm on an SKP', { ...base, model: 'skp', norm: 'lipschitz' }, ['--norm', 'res-gcn']],
    ['a GAT initializer on a res-gcn', { ...base, model: 'res-gcn', init: 'balanced' }, ['--init balanced', 'res-gcn', 'gnn-he']],
    ['gnn-he on the Kipf GCN', { ...base, init: 'gnn-he' }, ['--init gnn-he', '--model res-gcn --residual none']],
    ['--init fixup without fixup blocks', { ...base, model: 'res-gcn', init: 'fixup', residual: 'interpolate' }, ['--init fixup', '--residual fixup']],
    ['--alpha without interpolate blocks', { ...base, model: 'res-gcn', residual: 'fixup', alpha: 0.5 }, ['--alpha', 'interpolate']],
    ['--agg-t outside (0, 1]', { ...base, model: 'res-gcn', aggT: 0 }, ['--agg-t', '(0, 1]']],
    ['dropout on a linear GNN', { ...base, model: 'linear-gnn', dropout: 0.5 }, ['linear-gnn', '--dropout 0']],
    ['--skip on a GCN', { ...base, skip: true }, ['--skip', 'linear-gnn', 'gcn']],
    ['--checkpoint-activations on a GAT', { ...base, model: 'gat', checkpointActivations: 4 }, ['--checkpoint-activations', 'res-gcn']],
    [
      '--checkpoint-activations with reversible blocks',
      { ...base, model: 'res-gcn', residual: 'reversible', checkpointActivations: 4 },
      ['--checkpoint-activations', 'reversible'],
    ],
    [
      '--checkpoint-activations with lipschitz norm',
      { ...base, model: 'res-gcn', norm: 'lipschitz', checkpointActivations: 4 },
      ['--checkpoint-activations', 'lipschitz'],
    ],
  ];

  it.each(cases)('rejects %s with a RangeError', (_name, spec, needles) => {
    let err: unknown;
    try {
      validateModelSpec(spec);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RangeError);
    for (const n of needles) expect((err as Error).message).toContain(n);
  });

  it('builds the skip form of a linear GNN with --skip', () => {
    using model = buildModel({ ...base, model: 'linear-gnn', skip: true, layers: 3, hidden: 8 }, { inChannels: 5, outChannels: 2, device: 'cpu' });
    expect(model.name).toBe('linear-gnn');
    expect((model as LinearGNN).skip).toBe(true);
  });

  it('trains res-gcn with --checkpoint-activations, to the same loss as without', async () => {
    const job = { ...TRAIN_DEFAULTS, dataset: 'cora', model: 'res-gcn' as const, layers: 6, hidden: 16, epochs: 2, patience: 0, device: 'cpu' as const };
    const plain = await runTrainJob(job);
    const before = memory().cpu.tensors;
    const ckpt = await runTrainJob({ ...job, checkpointActivations: 4 });
    // Float rounding in the gradient sums can only move the second epoch's loss in its last bits.
    expect(ckpt.train_loss).toBeCloseTo(plain.train_loss, 5);
    expect(memory().cpu.tensors).toBe(before);
  });

  it('accepts the balanced-init protocol of the GAT experiments', () => {
    expect(() => validateModelSpec({ ...base, model: 'gatv2', hidden: 64, layers: 10, init: 'balanced-o', dropout: 0 })).not.toThrow();
  });
});
