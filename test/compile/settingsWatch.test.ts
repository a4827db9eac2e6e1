// SettingsWatch names a model's settings by an id: the same settings give the same id, any
// changed field of any module (a child's dropout, the training flag) gives another, and going
// back to earlier settings gives the earlier id, so a compiled step finds its earlier plan.
import { describe, expect, it } from 'vitest';

import { SettingsWatch } from '../../lib/compile/settingsWatch.js';
import { ResGCN } from '../../lib/models/ResGCN.js';

describe('a settings watch', () => {
  it('gives equal settings one id and changed settings another, down to a child module', () => {
    using model = new ResGCN({ inChannels: 4, hiddenChannels: 8, outChannels: 3, numLayers: 3, dropout: 0.5, seed: 0 });
    const watch = new SettingsWatch(model);
    const trainId = watch.key();
    expect(watch.key()).toBe(trainId);
    model.eval();
    const evalId = watch.key();
    expect(evalId).not.toBe(trainId);
    model.train();
    expect(watch.key()).toBe(trainId);
    // A field deep in the tree: the last block's own dropout.
    const deepest = model.modules().at(-1)! as unknown as Record<string, unknown>;
    const [field, value] = Object.entries(deepest).find(([, v]) => typeof v === 'number')!;
    deepest[field] = (value as number) + 1;
    const changed = watch.key();
    expect(changed).not.toBe(trainId);
    expect(changed).not.toBe(evalId);
    deepest[field] = value;
    expect(watch.key()).toBe(trainId);
  });

  it('lists every module once, the model first', () => {
    using model = new ResGCN({ inChannels: 4, hiddenChannels: 8, outChannels: 3, numLayers: 3, seed: 0 });
    const modules = model.modules();
    expect(modules[0]).toBe(model);
    expect(new Set(modules).size).toBe(modules.length);
    // Every parameter belongs to one of them.
    expect(modules.length).toBeGreaterThan(3);
  });
});
