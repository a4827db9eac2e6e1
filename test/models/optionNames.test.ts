// One option vocabulary on every model (PyG's inChannels, hiddenChannels, outChannels,
// numLayers, dropout): the old names still work for a while, warn once, and may not be mixed
// with the new; checkpoints written under the old names still load.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

import { GAT, GATConv, GATv2Conv, LinearGNN, ResGCN, SKP, loadCheckpoint } from '../../lib/index.js';
import { writeSafetensors } from '../../lib/io/writeSafetensors.js';
import type { StArray } from '../../lib/io/safetensorsFormat.js';
import { buildModel, modelEntry, MODELS, rebuildModel } from '../../lib/models/registry.js';
import { expectThrows } from '../helpers/apiFixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'fathom-names-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const io = { inChannels: 6, outChannels: 3, seed: 4 };
const values = (m: { namedParameters(): [string, { toArray(): ArrayLike<number> }][] }) => m.namedParameters().map(([n, p]) => [n, Array.from(p.toArray())]);

describe('deprecated option names', () => {
  it('are accepted with one DeprecationWarning per name that names the new one', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      using a = new ResGCN({ ...io, hidden: 8, depth: 3 });
      using b = new ResGCN({ ...io, hidden: 8, depth: 3 });
      using c = new ResGCN({ ...io, hiddenChannels: 8, numLayers: 3 });
      const messages = warn.mock.calls.map((call) => String(call[0]));
      expect(messages).toEqual([
        "ResGCN: option 'hidden' is deprecated, use 'hiddenChannels' (the old name goes in the next minor version)",
        "ResGCN: option 'depth' is deprecated, use 'numLayers' (the old name goes in the next minor version)",
      ]);
      expect(warn.mock.calls[0]![1]).toMatchObject({ type: 'DeprecationWarning' });
      expect(values(a)).toEqual(values(c));
      expect(values(b)).toEqual(values(c));
      expect(a.config()).toEqual(c.config());
      using s = new SKP({ ...io, hiddenChannels: 8, depth: 2 });
      using l = new LinearGNN({ ...io, hiddenChannels: 8, depth: 2 });
      expect([s.layers.length, l.depth]).toEqual([2, 2]);
      expect(warn.mock.calls.slice(2).map((call) => String(call[0]))).toEqual([
        "SKP: option 'depth' is deprecated, use 'numLayers' (the old name goes in the next minor version)",
        "LinearGNN: option 'depth' is deprecated, use 'numLayers' (the old name goes in the next minor version)",
      ]);
    } finally {
      warn.mockRestore();
    }
  });

  it('may not be given together with the new name', () => {
    expectThrows(
      () => new ResGCN({ ...io, depth: 3, numLayers: 3 }),
      RangeError,
      "ResGCN: options.depth and options.numLayers are one option ('depth' is its deprecated name); pass only numLayers",
    );
    expectThrows(() => new SKP({ ...io, hiddenChannels: 4, depth: 3, numLayers: 2 }), RangeError, 'SKP: options.depth and options.numLayers');
    expectThrows(() => new LinearGNN({ ...io, hiddenChannels: 4, depth: 3, numLayers: 2 }), RangeError, 'LinearGNN: options.depth and options.numLayers');
  });

  it('no model schema or registry builder uses the old names any more', () => {
    for (const name of MODELS) {
      const e = modelEntry(name);
      const keys = Object.keys((e.options as unknown as { shape: object }).shape);
      for (const old of ['hidden', 'depth', 'layers']) expect(keys, name).not.toContain(old);
      const built = e.fromSpec({ model: name, layers: 2, hidden: 8, seed: 0 }, { inChannels: 6, outChannels: 3, device: 'cpu' });
      for (const old of ['hidden', 'depth', 'layers']) expect(Object.keys(built), name).not.toContain(old);
    }
  });
});

describe('checkpoints written under the old option names', () => {
  it.each([
    ['res-gcn', { ...io, hidden: 8, depth: 3 }, () => new ResGCN({ ...io, hiddenChannels: 8, numLayers: 3 })],
    ['skp', { ...io, hiddenChannels: 8, depth: 2 }, () => new SKP({ ...io, hiddenChannels: 8, numLayers: 2 })],
    ['linear-gnn', { ...io, hiddenChannels: 8, depth: 2 }, () => new LinearGNN({ ...io, hiddenChannels: 8, numLayers: 2 })],
  ] as const)('load: a %s file whose config was built by hand with the old names', (name, oldConfig, build) => {
    using model = build();
    const tensors = Object.fromEntries(model.namedParameters().map(([n, p]) => [`model/${n}`, { data: p.toArray() as StArray, shape: p.shape }]));
    const path = join(dir, `${name}-old.safetensors`);
    writeSafetensors(path, tensors, { format: 'fathom-checkpoint/1', 'model.name': name, 'model.config': JSON.stringify(oldConfig), epoch: '0' });
    const warn = vi.spyOn(process, 'emitWarning');
    try {
      const loaded = loadCheckpoint(path);
      using again = loaded.model;
      expect(values(again)).toEqual(values(model));
      expect(again.config()).toEqual(model.config());
      // The old names came from the file, not from the caller's code: no warning.
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
});

describe('GAT is GATv1 unless asked', () => {
  it('in the layer, the model and the registry, as PyG', () => {
    using conv = new GATConv(6, 4, { seed: 0 });
    using conv2 = new GATv2Conv(6, 4, { seed: 0 });
    expect([conv.version, conv2.version]).toEqual(['v1', 'v2']);
    using gat = new GAT({ ...io, hiddenChannels: 4 });
    expect(gat.name).toBe('gat');
    expect(gat.layers.map((l) => l.version)).toEqual(['v1', 'v1']);
    using fromRegistry = buildModel({ model: 'gat', seed: 0 }, { inChannels: 6, outChannels: 3, device: 'cpu' }) as GAT;
    expect(fromRegistry.layers.every((l) => l.version === 'v1')).toBe(true);
    using v2 = buildModel({ model: 'gatv2', seed: 0 }, { inChannels: 6, outChannels: 3, device: 'cpu' }) as GAT;
    expect(v2.layers.every((l) => l.version === 'v2')).toBe(true);
    // A checkpoint of model 'gat' is GATv1 whatever its config says.
    expectThrows(() => rebuildModel('gat', { ...io, hiddenChannels: 4, version: 'v2' }), RangeError, "version: expected 'v1' for model 'gat'");
    using rebuilt = rebuildModel('gatv2', { ...io, hiddenChannels: 4 }) as GAT;
    expect(rebuilt.name).toBe('gatv2');
  });
});
