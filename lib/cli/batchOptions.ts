import { type Command, InvalidArgumentError } from 'commander';

import type { NodeData } from '../data/NodeData.js';
import type { ModelSpec } from '../models/modelEntry.js';
import type { NodeModel } from '../models/NodeModel.js';
import { type NeighborLoader, neighborLoader } from '../sampling/neighborLoader.js';
import { integer } from './parseOptions.js';

/** The mini-batch flags as commander parses them. */
export interface BatchFlags {
  batchSize?: number;
  fanout?: number[];
  replace?: boolean;
}

/** The command-line keys these flags land in (not part of a model's spec). */
export const BATCH_KEYS = ['batchSize', 'fanout', 'replace'] as const;

/** `--fanout 25,10`: one count per layer, the seeds' hop first; -1 = every neighbour. */
export function fanoutList(v: string): number[] {
  const parts = v.split(',');
  return parts.map((p) => {
    if (!/^\s*-?\d+\s*$/.test(p) || Number(p) < -1 || Number(p) > 0x7fffffff) {
      throw new InvalidArgumentError(`expected comma-separated counts, each -1 (every neighbour) or an integer ≥ 0, got '${v}'`);
    }
    return Number(p);
  });
}

/**
 * Adds `--batch-size`, `--fanout` and `--replace` (sampled mini-batch training, PyG's
 * NeighborLoader) to a command.
 *
 * @example
 * addBatchOptions(new Command('train'));
 * // fathom train --dataset cora --model sage --batch-size 512 --fanout 25,10
 */
export function addBatchOptions(command: Command): Command {
  return command
    .option('--batch-size <n>', 'train on sampled mini-batches of this many training nodes (models that run on blocks: sage)', integer(1))
    .option('--fanout <list>', 'with --batch-size: neighbours sampled per node at each hop, seeds first, one per layer (-1 = all), e.g. 25,10', fanoutList)
    .option('--replace', 'with --batch-size: sample neighbours with replacement');
}

/** Rejects flag combinations before any data is loaded; `spec` is the resolved model spec. */
export function checkBatchFlags(o: BatchFlags, spec: ModelSpec): void {
  if (o.batchSize === undefined) {
    if (o.fanout !== undefined) throw new InvalidArgumentError('--fanout needs --batch-size');
    if (o.replace) throw new InvalidArgumentError('--replace needs --batch-size');
    return;
  }
  if (o.fanout === undefined)
    throw new InvalidArgumentError(
      `--batch-size needs --fanout, one count per layer (e.g. ${Array(spec.layers ?? 2)
        .fill(10)
        .join(',')})`,
    );
  if (o.fanout.length !== spec.layers) {
    throw new InvalidArgumentError(`--fanout has ${o.fanout.length} counts but the model has ${spec.layers} layers; give one per layer`);
  }
}

/**
 * The loader fit() trains on with --batch-size (shuffled every epoch, keyed by the run's seed),
 * or undefined for full-batch training. The caller disposes it.
 */
export function batchesFromFlags(o: BatchFlags & { seed: number }, data: NodeData, model: NodeModel): NeighborLoader | undefined {
  if (o.batchSize === undefined) return undefined;
  if (!model.acceptsBlocks)
    throw new InvalidArgumentError(`--batch-size needs a model that trains on sampled blocks (sage); ${model.name} trains full-batch only`);
  return neighborLoader({
    graph: data.graph,
    nodes: data.masks.train,
    fanouts: o.fanout!,
    batchSize: o.batchSize,
    shuffle: true,
    seed: o.seed,
    replace: o.replace ?? false,
  });
}
