import { describe, expect, it } from 'vitest';

import { expandSweep } from '../../lib/experiments/sweepCells.js';
import { parseSweepConfig } from '../../lib/experiments/sweepConfig.js';

const ok = { dataset: 'cora', grid: { depth: [2, 4] }, epochs: 3 };

function errorOf(input: unknown): string {
  try {
    parseSweepConfig(input);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected parseSweepConfig to throw');
}

describe('sweep config validation', () => {
  it('names the grid entry that is not a positive integer, and what it got', () => {
    expect(errorOf({ ...ok, grid: { depth: [2, 4, 'x'] } })).toBe('sweep config: grid.depth[2]: expected a positive integer, got "x"');
    expect(errorOf({ ...ok, grid: { depth: [0] } })).toBe('sweep config: grid.depth[0]: expected a positive integer, got 0');
  });

  it('names unknown keys with their full path', () => {
    expect(errorOf({ ...ok, grid: { depth: [2], modle: ['gcn'] } })).toBe('sweep config: grid.modle: unknown key');
    expect(errorOf({ ...ok, epoch: 3 })).toBe('sweep config: epoch: unknown key');
  });

  it('lists the allowed values for enumerations', () => {
    expect(errorOf({ ...ok, grid: { depth: [2], model: ['gcn', 'mlp'] } })).toBe(
      'sweep config: grid.model[1]: expected one of gcn, res-gcn, gat, gatv2, skp, kp, linear-gnn, gcnii, appnp, gin, deepergcn, sage, got "mlp"',
    );
    expect(errorOf({ ...ok, optimizer: 'rmsprop' })).toBe('sweep config: optimizer: expected one of adam, sgd, got "rmsprop"');
  });

  it('reports every problem, one line each', () => {
    const lines = errorOf({ ...ok, epochs: 0, lr: -1, grid: { depth: [], aggT: [1.5] }, methods: [{ name: 'a', init: 'he' }] }).split('\n');
    expect(lines).toEqual([
      'sweep config: methods[0].init: expected one of glorot, gnn-he, fixup, kaiming-uniform, orthogonal, looks-linear, balanced, balanced-x, balanced-o, got "he"',
      'sweep config: grid.depth: expected a non-empty array, got []',
      'sweep config: grid.aggT[0]: expected a number in (0, 1], got 1.5',
      'sweep config: epochs: expected a positive integer, got 0',
      'sweep config: lr: expected a number in [0, 10], got -1',
    ]);
  });

  it('needs a dataset, once', () => {
    expect(errorOf({ grid: { depth: [2] } })).toBe('sweep config: dataset: required (or give grid.dataset)');
    expect(errorOf({ ...ok, grid: { depth: [2], dataset: ['citeseer'] } })).toMatch(/^sweep config: dataset: give either/);
  });

  it('rejects a method setting that is also a grid axis', () => {
    expect(errorOf({ ...ok, grid: { depth: [2], init: ['glorot'] }, methods: [{ name: 'x', model: 'res-gcn', init: 'gnn-he' }] })).toBe(
      'sweep config: methods[0].init: also a grid axis (grid.init); set it in one place',
    );
  });

  it('fills the defaults of fixed settings', () => {
    const c = parseSweepConfig(ok);
    expect(c).toMatchObject({ epochs: 3, lr: 0.01, optimizer: 'adam', hidden: 64, weightDecay: 5e-4, patience: 0, outDir: 'results', checkFinite: true });
  });
});

describe('sweep cells', () => {
  it('cross methods with every grid axis, depth and seed innermost, with stable ids', () => {
    const cells = expandSweep(
      parseSweepConfig({
        ...ok,
        grid: { depth: [2, 4], seed: [0, 1], aggT: [0.5, 1] },
        methods: [
          { name: 'fixup', model: 'res-gcn', init: 'fixup', residual: 'fixup' },
          { name: 'plain', model: 'res-gcn', residual: 'none', init: 'glorot' },
        ],
      }),
    );
    expect(cells).toHaveLength(2 * 2 * 2 * 2);
    expect(cells[0].id).toBe('cora/fixup/model=res-gcn/init=fixup/residual=fixup/aggT=0.5/depth=2/seed=0');
    expect(cells[1].id).toBe('cora/fixup/model=res-gcn/init=fixup/residual=fixup/aggT=0.5/depth=2/seed=1');
    expect(cells[2].params).toMatchObject({ depth: 4, seed: 0, aggT: 0.5 });
    expect(cells[8].params).toMatchObject({ method: 'plain', residual: 'none', init: 'glorot', depth: 2, aggT: 0.5 });
    expect(cells[8].spec).toMatchObject({ model: 'res-gcn', layers: 2, hidden: 64, init: 'glorot', residual: 'none', aggT: 0.5 });
  });

  it("rejects an invalid combination up front with the model factory's message", () => {
    expect(() => expandSweep(parseSweepConfig({ ...ok, grid: { depth: [2], model: ['res-gcn', 'gat'], residual: ['fixup'] } }))).toThrow(
      'sweep config: cell cora/gat/residual=fixup/depth=2/seed=0: --residual applies to --model res-gcn, not gat; drop it or change --model',
    );
  });

  it('keeps invalid combinations as cells to record when skipInvalid is set', () => {
    const cells = expandSweep(parseSweepConfig({ ...ok, skipInvalid: true, grid: { depth: [2], model: ['res-gcn', 'gat'], residual: ['fixup'] } }));
    expect(cells.map((c) => c.invalid)).toEqual([undefined, '--residual applies to --model res-gcn, not gat; drop it or change --model']);
  });
});
