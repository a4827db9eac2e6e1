import { describe, expect, it } from 'vitest';

import { noGrad } from '../../lib/autograd/gradMode.js';
import { tidy } from '../../lib/autograd/scope.js';
import { sbmGraph } from '../../lib/data/sbmGraph.js';
import * as models from '../../lib/models/builders.js';
import type { NodeModel } from '../../lib/models/NodeModel.js';
import { memory } from '../../lib/runtime/devices.js';
import { NodeData } from '../../lib/data/NodeData.js';

describe('the models.* builders', () => {
  const g = sbmGraph({ numNodes: 60, numEdges: 240, numFeatures: 8, numClasses: 3, seed: 4 });
  const io = { inChannels: 8, outChannels: 3, seed: 1 };
  const builds: [string, () => NodeModel][] = [
    ['gcn', () => models.gcn({ ...io, hiddenChannels: 6 })],
    ['resGCN at depth 32', () => models.resGCN({ ...io, hiddenChannels: 6, numLayers: 32 })],
    ['gat', () => models.gat({ ...io, hiddenChannels: 6, numLayers: 3, heads: 2 })],
    ['skp', () => models.skp({ ...io, hiddenChannels: 6, numLayers: 3 })],
    ['linearGNN with skip', () => models.linearGNN({ ...io, hiddenChannels: 6, numLayers: 3, skip: true })],
  ];

  it.each(builds)('%s maps [N, F] features to finite [N, C] logits and frees everything', (_name, build) => {
    const before = memory().cpu.tensors;
    {
      using data = NodeData.from(g);
      using model = build();
      const logits = noGrad(() => tidy(() => Array.from(model.eval().forward(data.x, data.graph).toArray())));
      expect(logits).toHaveLength(60 * 3);
      expect(logits.every(Number.isFinite)).toBe(true);
    }
    expect(memory().cpu.tensors).toBe(before);
  });
});
