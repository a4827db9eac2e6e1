import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { noGrad } from '../../lib/autograd/gradMode.js';
import { tidy } from '../../lib/autograd/scope.js';
import { loadCheckpoint } from '../../lib/checkpoint/loadCheckpoint.js';
import { saveCheckpoint } from '../../lib/checkpoint/saveCheckpoint.js';
import { sbmGraph } from '../../lib/data/sbmGraph.js';
import * as models from '../../lib/models/builders.js';
import type { NodeModel } from '../../lib/models/NodeModel.js';
import { memory } from '../../lib/runtime/devices.js';
import { NodeData } from '../../lib/data/NodeData.js';

describe('every model survives a checkpoint', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fathom-models-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const g = sbmGraph({ numNodes: 50, numEdges: 200, numFeatures: 6, numClasses: 3, seed: 2 });
  const io = { inChannels: 6, outChannels: 3, seed: 3 };
  const builds: [string, () => NodeModel][] = [
    ['gcn', () => models.gcn({ ...io, hiddenChannels: 8 })],
    ['res-gcn (reversible)', () => models.resGCN({ ...io, hiddenChannels: 8, numLayers: 6, residual: 'reversible' })],
    ['res-gcn (lipschitz)', () => models.resGCN({ ...io, hiddenChannels: 8, numLayers: 4, norm: 'lipschitz' })],
    ['gat (v2, balanced)', () => models.gat({ ...io, hiddenChannels: 8, numLayers: 3, version: 'v2', init: 'balanced-o' })],
    ['skp', () => models.skp({ ...io, hiddenChannels: 8, numLayers: 3 })],
    ['kp', () => models.skp({ ...io, hiddenChannels: 8, numLayers: 3, kp: true })],
    ['linear-gnn with skip', () => models.linearGNN({ ...io, hiddenChannels: 8, numLayers: 3, skip: true })],
    ['deepergcn (res+)', () => models.deeperGCN({ ...io, hiddenChannels: 8, numLayers: 3, t: 0.5 })],
    [
      'deepergcn (reversible, fixed t, two-layer update)',
      () => models.deeperGCN({ ...io, hiddenChannels: 8, numLayers: 3, block: 'reversible', learnT: false, mlpLayers: 2 }),
    ],
  ];

  it.each(builds)('%s reloads with the same architecture, weights and outputs', (name, build) => {
    const before = memory().cpu.tensors;
    {
      using data = NodeData.from(g);
      using model = build();
      const logits = (m: NodeModel) => noGrad(() => tidy(() => Array.from(m.eval().forward(data.x, data.graph).toArray())));
      const path = join(dir, `${name.replace(/\W+/g, '-')}.safetensors`);
      saveCheckpoint(path, { model });
      const loaded = loadCheckpoint(path);
      using twin = loaded.model;
      expect(twin.name).toBe(model.name);
      expect(twin.numParameters()).toBe(model.numParameters());
      expect(logits(twin)).toEqual(logits(model));
    }
    expect(memory().cpu.tensors).toBe(before);
  });
});
