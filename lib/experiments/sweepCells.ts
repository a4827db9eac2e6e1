import type { ModelSpec } from '../models/modelEntry.js';
import { validateModelSpec } from '../models/registry.js';
import type { SweepConfig } from './sweepConfig.js';

/** The settings that make one cell of a sweep. */
export interface CellParams {
  dataset: string;
  /** The method's name (from `methods`), or the model name when the config has none. */
  method: string;
  model: string;
  depth: number;
  seed: number;
  init?: string;
  residual?: string;
  aggT?: number;
  norm?: string;
  skip?: boolean;
}

export interface SweepCell {
  /** Stable across runs of the same config (the key used to resume). */
  id: string;
  params: CellParams;
  spec: ModelSpec;
  /** The factory's message when the flags do not combine. */
  invalid?: string;
}

const AXES = ['dataset', 'model', 'init', 'residual', 'aggT', 'norm', 'skip', 'depth', 'seed'] as const;

/**
 * Every cell of a sweep: the methods (or one implicit method) crossed with every grid axis, in a
 * fixed order (dataset, method, then the axes, then depth and seed), each checked by the model
 * factory. Throws on the first invalid cell unless the config sets `skipInvalid`.
 *
 * @example
 * const cells = expandSweep(parseSweepConfig(json));  // cells[0].id: 'cora/gcn/depth=2/seed=0'
 */
export function expandSweep(config: SweepConfig): SweepCell[] {
  const g = config.grid;
  const methods = config.methods ?? [{ name: '' }];
  const cells: SweepCell[] = [];
  for (const dataset of g.dataset ?? [config.dataset!]) {
    for (const m of methods) {
      for (const model of g.model ?? [m.model ?? 'gcn']) {
        for (const init of g.init ?? [m.init]) {
          for (const residual of g.residual ?? [m.residual]) {
            for (const aggT of g.aggT ?? [m.aggT]) {
              for (const norm of g.norm ?? [m.norm]) {
                for (const skip of g.skip ?? [m.skip]) {
                  for (const depth of g.depth) {
                    for (const seed of g.seed ?? [0]) {
                      const params: CellParams = { dataset, method: m.name || model, model, depth, seed, init, residual, aggT, norm, skip };
                      cells.push(makeCell(config, params));
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  const seen = new Set<string>();
  for (const c of cells) {
    if (seen.has(c.id)) throw new RangeError(`sweep config: two cells share the id ${c.id}: give the methods different settings`);
    seen.add(c.id);
  }
  return cells;
}

function makeCell(config: SweepConfig, params: CellParams): SweepCell {
  const spec: ModelSpec = {
    model: params.model,
    layers: params.depth,
    hidden: config.hidden,
    seed: params.seed,
    dropout: config.dropout,
    init: params.init,
    residual: params.residual,
    aggT: params.aggT,
    norm: params.norm,
    skip: params.skip,
    heads: params.model === 'gat' || params.model === 'gatv2' ? config.heads : undefined,
  };
  const id = cellId(params);
  try {
    validateModelSpec(spec);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (!config.skipInvalid) throw new RangeError(`sweep config: cell ${id}: ${message} (set "skipInvalid": true to record such cells as invalid and go on)`);
    return { id, params, spec, invalid: message };
  }
  return { id, params, spec };
}

/** `dataset/method/key=value/…`: every set parameter, so ids stay stable when a grid grows. */
export function cellId(p: CellParams): string {
  const parts = [p.dataset, p.method];
  if (p.method !== p.model) parts.push(`model=${p.model}`);
  for (const key of AXES) {
    if (key === 'dataset' || key === 'model') continue;
    const v = p[key];
    if (v !== undefined) parts.push(`${key}=${v}`);
  }
  return parts.join('/');
}
