// fit({ compile: true }) against eager fit: every built-in model and option, and a custom model
// of public layers, trains to bit-identical losses and weights — the compiled step replays the
// very kernels the eager step calls, so equality is exact, not within a tolerance.
import { describe, expect, it } from 'vitest';

import {
  add,
  buildModel,
  dropout,
  fit,
  GCNConv,
  Linear,
  NodeModel,
  relu,
  SGD,
  type FitOptions,
  type FitResult,
  type Graph,
  type Tensor,
} from '../../lib/index.js';
import type { ModelSpec } from '../../lib/models/modelEntry.js';
import { smallNodeData } from '../helpers/apiFixtures.js';

const EPOCHS = 20;

interface Run {
  losses: number[];
  valLosses: number[];
  weights: string;
  result: FitResult;
}

async function train(make: (io: { inChannels: number; outChannels: number }) => NodeModel, options: FitOptions): Promise<Run> {
  using data = smallNodeData();
  using model = make({ inChannels: data.numFeatures, outChannels: data.numClasses });
  const result = await fit(model, data, { epochs: EPOCHS, patience: 0, lr: 0.01, restoreBest: false, ...options });
  // The exact bits of every weight: JSON of the float arrays keeps every digit.
  const weights = JSON.stringify(model.parameters().map((p) => Array.from(p.toArray())));
  return { losses: result.history.map((h) => h.trainLoss), valLosses: result.history.map((h) => h.valLoss), weights, result };
}

async function compareCompiled(make: (io: { inChannels: number; outChannels: number }) => NodeModel, options: FitOptions = {}): Promise<Run> {
  const eager = await train(make, { ...options, compile: false });
  const compiled = await train(make, { ...options, compile: true });
  expect(compiled.losses).toEqual(eager.losses);
  expect(compiled.valLosses).toEqual(eager.valLosses);
  expect(compiled.weights === eager.weights).toBe(true);
  expect(eager.result.compiled).toBeUndefined();
  return compiled;
}

// Dropout on (its seeds are per-step inputs of the plan) wherever the model has it.
const fromSpec = (spec: Omit<ModelSpec, 'seed'>) => (io: { inChannels: number; outChannels: number }) =>
  buildModel({ seed: 3, dropout: spec.model === 'linear-gnn' ? undefined : 0.5, ...spec } as ModelSpec, { ...io, device: 'cpu' });

// Every built-in model and option of the compiled-step contract.
const SPECS: Omit<ModelSpec, 'seed'>[] = [
  { model: 'gcn' },
  { model: 'res-gcn', layers: 6, residual: 'fixup' },
  { model: 'res-gcn', layers: 6, residual: 'interpolate' },
  { model: 'res-gcn', layers: 6, residual: 'res+' },
  { model: 'res-gcn', layers: 6, residual: 'reversible' },
  { model: 'res-gcn', layers: 6, residual: 'none' },
  { model: 'res-gcn', layers: 6, norm: 'pairnorm' },
  { model: 'res-gcn', layers: 6, norm: 'lipschitz' },
  { model: 'res-gcn', layers: 6, checkpointActivations: 2 },
  { model: 'gat' },
  { model: 'gat', init: 'balanced' },
  { model: 'gat', heads: 4 },
  { model: 'gatv2' },
  { model: 'gatv2', init: 'balanced' },
  { model: 'skp', layers: 4 },
  { model: 'kp', layers: 4 },
  { model: 'linear-gnn', layers: 3 },
  { model: 'gcnii', layers: 6 },
  { model: 'appnp' },
  { model: 'gin' },
  { model: 'gin', trainEps: true },
  { model: 'deepergcn', layers: 4 },
  { model: 'deepergcn', layers: 4, block: 'reversible' },
  { model: 'deepergcn', layers: 4, aggr: 'power' },
  { model: 'sage' },
];

class ResidualGcn extends NodeModel {
  name = 'residual-gcn';
  declare conv1: GCNConv;
  declare conv2: GCNConv;
  declare out: Linear;

  constructor(inChannels: number, outChannels: number) {
    super();
    this.build(() => {
      this.conv1 = this.registerModule('conv1', new GCNConv(inChannels, 16, { seed: 1 }));
      this.conv2 = this.registerModule('conv2', new GCNConv(16, 16, { seed: 2 }));
      this.out = this.registerModule('out', new Linear(16, outChannels, { seed: 3 }));
    });
  }

  override forward(x: Tensor, graph: Graph): Tensor {
    const h = relu(this.conv1.forward(x, graph));
    // A fixed seed: the same mask every step, a constant of the plan.
    return this.out.forward(add(h, dropout(relu(this.conv2.forward(h, graph)), 0.3, { seed: 7, training: this.training })));
  }
}

describe('compiled training steps', () => {
  for (const spec of SPECS) {
    const label = Object.entries(spec)
      .map(([k, v]) => (k === 'model' ? v : `${k}=${v}`))
      .join(' ');
    it(`give ${label} the losses and weights of eager training, bit for bit, and replay from epoch 4 on`, async () => {
      const run = await compareCompiled(fromSpec(spec));
      expect(run.result.compiled).toEqual({
        train: true,
        evaluation: true,
        trainReason: null,
        evaluationReason: null,
        cudaGraph: false,
        cudaGraphReason: null,
      });
    });
  }

  it('give a custom NodeModel of public layers the losses and weights of eager training', async () => {
    const run = await compareCompiled(({ inChannels, outChannels }) => new ResidualGcn(inChannels, outChannels));
    expect(run.result.compiled?.train).toBe(true);
  });

  it('leave CPU training bit-identical when CUDA Graphs are asked for, and say why none was captured', async () => {
    const plain = await train(fromSpec({ model: 'gcn' }), { compile: true });
    const asked = await train(fromSpec({ model: 'gcn' }), { compile: { cudaGraph: true } });
    expect(asked.losses).toEqual(plain.losses);
    expect(asked.weights === plain.weights).toBe(true);
    expect(asked.result.compiled?.train).toBe(true);
    expect(asked.result.compiled?.cudaGraph).toBe(false);
    // No GPU here, or a step on the CPU where there is one: either reason names it.
    expect(asked.result.compiled?.cudaGraphReason).toMatch(/CUDA is not available|runs on the CPU/);
    expect(plain.result.compiled?.cudaGraphReason).toBeNull();
  });

  it('reject a misspelt compile option naming it', async () => {
    using data = smallNodeData();
    using model = fromSpec({ model: 'gcn' })({ inChannels: data.numFeatures, outChannels: data.numClasses });
    await expect(fit(model, data, { epochs: 1, compile: { cudaGraphs: true } as never })).rejects.toThrow(/compile/);
  });

  it('read the learning rate at every replay, so a schedule changes it as in eager training', async () => {
    const run = await compareCompiled(fromSpec({ model: 'gcn' }), { lrSchedule: { type: 'step', stepSize: 3, gamma: 0.5 } });
    expect(run.result.compiled?.train).toBe(true);
    expect(run.result.history.at(-1)!.lr).toBeCloseTo(0.01 * 0.5 ** 6, 12);
  });

  it('trace anew when a setting of the model changes between epochs, as a callback may do', async () => {
    // Lowering dropout at epoch 8 changes a constant of the plan: a stale replay would differ.
    const lower = { onEpochEnd: (ctx: { epoch: number; model: NodeModel }) => void (ctx.epoch === 8 && Object.assign(ctx.model, { dropout: 0.1 })) };
    const run = await compareCompiled(fromSpec({ model: 'gcn' }), { callbacks: [lower] });
    expect(run.result.compiled?.train).toBe(true);
  });

  it('replay SGD with momentum as eager training runs it', async () => {
    let optimizer: SGD | null = null;
    const make = (io: { inChannels: number; outChannels: number }) => {
      const model = fromSpec({ model: 'res-gcn', layers: 4 })(io);
      optimizer = new SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
      return model;
    };
    // The optimizer is made with the model, so each run gets its own.
    const runs: Run[] = [];
    for (const compile of [false, true]) {
      using data = smallNodeData();
      using model = make({ inChannels: data.numFeatures, outChannels: data.numClasses });
      const result = await fit(model, data, { epochs: EPOCHS, patience: 0, restoreBest: false, optimizer: optimizer!, compile });
      optimizer!.dispose();
      runs.push({
        losses: result.history.map((h) => h.trainLoss),
        valLosses: [],
        weights: JSON.stringify(model.parameters().map((p) => Array.from(p.toArray()))),
        result,
      });
    }
    expect(runs[1]!.losses).toEqual(runs[0]!.losses);
    expect(runs[1]!.weights === runs[0]!.weights).toBe(true);
    expect(runs[1]!.result.compiled?.train).toBe(true);
  });

  it('run a step with a host read eagerly, say why, and still train as eager training does', async () => {
    // A layer that looks at a weight's values on the host: data-dependent work a plan cannot hold.
    class HostReading extends ResidualGcn {
      override forward(x: Tensor, graph: Graph): Tensor {
        this.parameters()[0]!.toArray();
        return super.forward(x, graph);
      }
    }
    const run = await compareCompiled(({ inChannels, outChannels }) => new HostReading(inChannels, outChannels));
    expect(run.result.compiled?.train).toBe(false);
    expect(run.result.compiled?.trainReason).toMatch(/reads tensor values on the host/);
  });

  it('say that mini-batch steps and steps with onBackward callbacks run eagerly', async () => {
    const run = await compareCompiled(fromSpec({ model: 'gcn' }), { callbacks: [{ onBackward: () => {} }] });
    expect(run.result.compiled).toMatchObject({ train: false, evaluation: true, trainReason: 'a callback runs inside the step (onBackward)' });
  });
});
