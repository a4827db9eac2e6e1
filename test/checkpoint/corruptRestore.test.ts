// Restores are transactional: every corrupt checkpoint is refused with an error naming the
// file and the problem, before anything is built or assigned, and the model, its dropout
// stream and the optimizer are exactly as they were. Each case runs well under 10 s: a config
// that names 10^9 layers is bounded before any of them is built.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Adam, FathomError, fit, loadCheckpoint, restoreCheckpoint, saveCheckpoint } from '../../lib/index.js';
import * as models from '../../lib/models/builders.js';
import { editCheckpoint, editJson, trainingState, type EditableCheckpoint } from '../helpers/checkpointFiles.js';
import { expectFathom, smallGcn, smallNodeData } from '../helpers/apiFixtures.js';

const CASE_MS = 10_000;
let tmp: string;
let good: string;
let goodResGcn: string;
let goodGat: string;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'fathom-corrupt-'));
  using data = smallNodeData();
  using model = smallGcn(data, { seed: 1 });
  using adam = new Adam(model.parameters(), { lr: 0.02 });
  await fit(model, data, { epochs: 3, patience: 0, optimizer: adam });
  good = join(tmp, 'good.safetensors');
  saveCheckpoint(good, { model, optimizer: adam, epoch: 3, metrics: { valAcc: 0.5 } });
  using res = models.resGCN({ inChannels: data.numFeatures, outChannels: data.numClasses, hiddenChannels: 8, numLayers: 3, seed: 2 });
  goodResGcn = join(tmp, 'res.safetensors');
  saveCheckpoint(goodResGcn, { model: res });
  using gat = models.gat({ inChannels: data.numFeatures, outChannels: data.numClasses, hiddenChannels: 4, heads: 2, seed: 3 });
  goodGat = join(tmp, 'gat.safetensors');
  saveCheckpoint(goodGat, { model: gat });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Edit = (f: EditableCheckpoint) => void;
const setMeta =
  (key: string, value: string): Edit =>
  (f) => {
    f.metadata[key] = value;
  };
const optimizerMeta =
  (change: (o: Record<string, unknown>) => void): Edit =>
  (f) =>
    editJson(f, 'optimizer', change);
const setElement =
  (key: string, index: number, value: number): Edit =>
  (f) => {
    const data = f.tensors[key]!.data.slice();
    data[index] = value;
    f.tensors[key] = { data, shape: f.tensors[key]!.shape };
  };

// Each: what is wrong, how to make it, and what the message must say.
const cases: [string, Edit, string][] = [
  ['a NaN weight', setElement('model/conv0.weight', 5, Number.NaN), "parameter 'conv0.weight' holds NaN at element 5"],
  ['an infinite bias', setElement('model/conv1.bias', 0, Number.POSITIVE_INFINITY), "parameter 'conv1.bias' holds Infinity at element 0"],
  ['a negative Adam v', setElement('optimizer/1/v', 2, -0.5), 'optimizer tensor 1/v holds -0.5 at element 2, and it must not be negative'],
  ['a NaN Adam m', setElement('optimizer/0/m', 0, Number.NaN), 'optimizer tensor 0/m holds NaN'],
  [
    'the moments of two parameters swapped',
    (f) => {
      const t = f.tensors;
      [t['optimizer/2/m'], t['optimizer/3/v']] = [t['optimizer/3/v']!, t['optimizer/2/m']!];
    },
    "optimizer tensor 2/m is F32[4], its parameter 'conv1.weight' is F32[4, 16]",
  ],
  ['a hex epoch', setMeta('epoch', '0x10'), 'epoch "0x10" is not an integer'],
  ['an exponent epoch', setMeta('epoch', '1e1'), 'epoch "1e1" is not an integer'],
  ['a negative epoch', setMeta('epoch', '-1'), 'epoch "-1" is not an integer'],
  ['an epoch past the range', setMeta('epoch', '99999999999999999999'), 'is not an integer in [0, 1000000000]'],
  [
    'a slot list that is not an array',
    optimizerMeta((o) => {
      o.slots = { 0: ['m', 'v'] };
    }),
    'its optimizer slot list is {"0":["m","v"]}, not an array',
  ],
  [
    'a slot list one short',
    optimizerMeta((o) => {
      o.slots = (o.slots as unknown[]).slice(1);
    }),
    'its optimizer parameter list is not 3 names',
  ],
  [
    'a stepCount of 1e300',
    optimizerMeta((o) => {
      o.stepCount = 1e300;
    }),
    'optimizer stepCount 1e+300 is not an integer',
  ],
  [
    'a fractional stepCount',
    optimizerMeta((o) => {
      o.stepCount = 2.5;
    }),
    'optimizer stepCount 2.5 is not an integer',
  ],
  [
    'a stepCount given as a string',
    optimizerMeta((o) => {
      o.stepCount = '3';
    }),
    'optimizer stepCount "3" is not an integer',
  ],
  [
    'an unknown optimizer',
    optimizerMeta((o) => {
      o.name = 'constructor';
    }),
    'unknown optimizer "constructor"',
  ],
  ['a missing optimizer tensor', (f) => void delete f.tensors['optimizer/2/v'], 'optimizer tensor 2/v is missing'],
  [
    'a stray optimizer tensor',
    (f) => {
      f.tensors['optimizer/9/m'] = { data: new Float32Array(1), shape: [1] };
    },
    "tensor 'optimizer/9/m' is not part of the optimizer state",
  ],
  ['slots in another parameter order', optimizerMeta((o) => void (o.params as string[]).reverse()), "its parameter 'conv1.bias' is F32[4]"],
  ['an all-zero dropout stream', setMeta('model.rng', '{"s":[0,0,0,0],"spare":null}'), "metadata 'model.rng' is not an Rng state"],
  ['a caller Rng that is not one', setMeta('rng', '{"s":[1,2]}'), "metadata 'rng' is not an Rng state"],
  ['metrics that are not an object', setMeta('metrics', '[1, 2]'), "metadata 'metrics' is not a JSON object"],
  [
    'a parameter stored as integers',
    (f) => {
      f.tensors['model/conv1.bias'] = { data: new Int32Array(4), shape: [4] };
    },
    "parameter 'conv1.bias' is I32",
  ],
  ['a missing parameter', (f) => void delete f.tensors['model/conv1.bias'], "optimizer slot 3 belongs to 'conv1.bias', which is not a parameter in the file"],
  ['another format', setMeta('format', 'fathom-checkpoint/0'), 'format is "fathom-checkpoint/0"'],
];

describe('a corrupt checkpoint restored into a model and optimizer', () => {
  it.each(cases)(
    'with %s is refused by name and leaves everything untouched',
    async (what, edit, message) => {
      const path = editCheckpoint(good, join(tmp, `${what.replace(/\W+/g, '-')}.safetensors`), edit);
      using data = smallNodeData();
      using model = smallGcn(data, { seed: 9 });
      using adam = new Adam(model.parameters(), { lr: 0.02 });
      await fit(model, data, { epochs: 2, patience: 0, optimizer: adam });
      const before = trainingState(model, adam);
      expectFathom(() => restoreCheckpoint(path, { model, optimizer: adam }), 'IO', path, message);
      expect(trainingState(model, adam)).toEqual(before);
      // Rebuilding from the file fails the same way and leaves nothing behind.
      expectFathom(() => loadCheckpoint(path), 'IO', path);
    },
    CASE_MS,
  );
});

describe('a corrupt model config', () => {
  const depthKey = (c: Record<string, unknown>) => ('numLayers' in c ? 'numLayers' : 'depth');
  const configCases: [string, () => string, Edit, string][] = [
    [
      'gcn with numLayers 1e9',
      () => good,
      (f) =>
        editJson(f, 'model.config', (c) => {
          c.numLayers = 1e9;
        }),
      'numLayers',
    ],
    [
      'gcn with 100000 layers of width 2^20',
      () => good,
      (f) => editJson(f, 'model.config', (c) => void Object.assign(c, { numLayers: 100_000, hiddenChannels: 1 << 20 })),
      'its model config describes more parameters than the file holds',
    ],
    [
      'res-gcn with depth 1e9',
      () => goodResGcn,
      (f) =>
        editJson(f, 'model.config', (c) => {
          c[depthKey(c)] = 1e9;
        }),
      'model config is invalid',
    ],
    [
      'res-gcn with 100000 blocks',
      () => goodResGcn,
      (f) =>
        editJson(f, 'model.config', (c) => {
          c[depthKey(c)] = 100_000;
        }),
      'its model config describes more parameters than the file holds',
    ],
    [
      'gat with 100000 layers of 8 heads × 64 channels',
      () => goodGat,
      (f) =>
        editJson(f, 'model.config', (c) => {
          Object.assign(c, { numLayers: 100_000, heads: 8, hiddenChannels: 64 });
        }),
      'its model config describes more parameters than the file holds',
    ],
    ['model.name "constructor"', () => good, setMeta('model.name', 'constructor'), 'unknown model "constructor"'],
    ['model.name "toString"', () => good, setMeta('model.name', 'toString'), 'unknown model "toString"'],
    ['model.name "__proto__"', () => good, setMeta('model.name', '__proto__'), 'unknown model "__proto__"'],
    ['model.name "hasOwnProperty"', () => good, setMeta('model.name', 'hasOwnProperty'), 'unknown model "hasOwnProperty"'],
    ['a config that is not an object', () => good, setMeta('model.config', '"gcn"'), "metadata 'model.config' is not a JSON object"],
  ];
  it.each(configCases)(
    '%s is refused with an error naming the file, quickly',
    (what, base, edit, message) => {
      const path = editCheckpoint(base(), join(tmp, `config-${what.replace(/\W+/g, '-')}.safetensors`), edit);
      const e = expectFathom(() => loadCheckpoint(path), 'IO', path, message);
      expect(e).toBeInstanceOf(FathomError);
    },
    CASE_MS,
  );
});
