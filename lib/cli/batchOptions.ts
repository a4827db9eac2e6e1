import { type Command, InvalidArgumentError, Option } from 'commander';
import { BLOCK_MODELS } from '../models/checkBlocks.js';

import type { NodeData } from '../data/NodeData.js';
import type { ModelSpec } from '../models/modelEntry.js';
import type { NodeModel } from '../models/NodeModel.js';
import { type NeighborLoader, neighborLoader } from '../sampling/neighborLoader.js';
import { requireMetis } from '../sampling/metisParts.js';
import { type PartitionLoader, type PartitionMethod, partitionLoader } from '../sampling/partitionLoader.js';
import { integer } from './parseOptions.js';

/** The mini-batch flags as commander parses them. */
export interface BatchFlags {
  batchSize?: number;
  fanout?: number[];
  replace?: boolean;
  partitions?: number;
  partsPerBatch?: number;
  partitionMethod?: PartitionMethod;
}

/** The command-line keys these flags land in (not part of a model's spec). */
export const BATCH_KEYS = ['batchSize', 'fanout', 'replace', 'partitions', 'partsPerBatch', 'partitionMethod'] as const;

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
 * NeighborLoader) and `--partitions`, `--parts-per-batch`, `--partition-method` (partition
 * batches: ClusterGCN's protocol with METIS clusters or RevGNN's with random parts) to a command.
 *
 * @example
 * addBatchOptions(new Command('train'));
 * // fathom train --dataset cora --model sage --batch-size 512 --fanout 25,10
 * // fathom train --dataset cora --model res-gcn --layers 16 --partitions 10 --parts-per-batch 2 --partition-method metis
 */
export function addBatchOptions(command: Command): Command {
  return command
    .option('--batch-size <n>', `train on sampled mini-batches of this many training nodes (models that run on blocks: ${BLOCK_MODELS.join(', ')})`, integer(1))
    .option('--fanout <list>', 'with --batch-size: neighbours sampled per node at each hop, seeds first, one per layer (-1 = all), e.g. 25,10', fanoutList)
    .option('--replace', 'with --batch-size: sample neighbours with replacement')
    .option('--partitions <n>', 'train on batches of graph parts: split the nodes into this many (any model; not with --batch-size)', integer(1))
    .option('--parts-per-batch <n>', 'with --partitions: parts per batch, trained on with the subgraph they induce (default 1)', integer(1))
    .addOption(
      new Option('--partition-method <method>', 'with --partitions: METIS clusters (needs libmetis) or random parts (default random)').choices([
        'metis',
        'random',
      ]),
    );
}

/**
 * Rejects flag combinations before any data is loaded, and `--partition-method metis` where
 * METIS is missing (FathomError MISSING_MODULE); `spec` is the resolved model spec.
 */
export function checkBatchFlags(o: BatchFlags, spec: ModelSpec): void {
  if (o.partitions !== undefined && o.batchSize !== undefined)
    throw new InvalidArgumentError('--partitions and --batch-size are two kinds of batches; give one of them');
  if (o.partsPerBatch !== undefined) {
    if (o.partitions === undefined) throw new InvalidArgumentError('--parts-per-batch needs --partitions');
    if (o.partsPerBatch > o.partitions) throw new InvalidArgumentError(`--parts-per-batch ${o.partsPerBatch} exceeds --partitions ${o.partitions}`);
  }
  if (o.partitionMethod !== undefined && o.partitions === undefined) throw new InvalidArgumentError('--partition-method needs --partitions');
  // Before any data is loaded: METIS is asked for by name, so its absence is an error, not random parts.
  if (o.partitionMethod === 'metis') requireMetis('--partition-method metis', '--partition-method random');
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

/** How a run batched its training steps, as its summary records it. */
export type BatchSetting =
  | { kind: 'full' }
  | { kind: 'sampled'; batch_size: number; fanouts: number[]; replace: boolean }
  | { kind: 'partitions'; partitions: number; parts_per_batch: number; method: PartitionMethod };

/**
 * The BatchSetting of checked flags (see checkBatchFlags): what the train summary and its table
 * say of the batches.
 *
 * @example
 * batchSetting({ batchSize: 512, fanout: [25, 10] }); // { kind: 'sampled', batch_size: 512, fanouts: [25, 10], replace: false }
 */
export function batchSetting(o: BatchFlags): BatchSetting {
  if (o.partitions !== undefined)
    return { kind: 'partitions', partitions: o.partitions, parts_per_batch: o.partsPerBatch ?? 1, method: o.partitionMethod ?? 'random' };
  if (o.batchSize !== undefined) return { kind: 'sampled', batch_size: o.batchSize, fanouts: [...(o.fanout ?? [])], replace: o.replace ?? false };
  return { kind: 'full' };
}

/** The table's words for a BatchSetting. */
export function batchSettingLabel(b: BatchSetting): string {
  if (b.kind === 'sampled') return `sampled: ${b.batch_size} seeds, fanouts ${b.fanouts.join(',')}${b.replace ? ', with replacement' : ''}`;
  if (b.kind === 'partitions') return `${b.method === 'metis' ? 'METIS' : 'random'} partitions: ${b.partitions} parts, ${b.parts_per_batch} per batch`;
  return 'full batch';
}

/**
 * The loader fit() trains on with --batch-size or --partitions (shuffled every epoch, keyed by
 * the run's seed), or undefined for full-batch training. The caller disposes it.
 */
export function batchesFromFlags(o: BatchFlags & { seed: number }, data: NodeData, model: NodeModel): NeighborLoader | PartitionLoader | undefined {
  if (o.partitions !== undefined) {
    const n = data.graph.numNodes;
    if (o.partitions > n) throw new InvalidArgumentError(`--partitions ${o.partitions} exceeds the dataset's ${n} nodes`);
    return partitionLoader({
      data,
      numParts: o.partitions,
      partsPerBatch: o.partsPerBatch ?? 1,
      method: o.partitionMethod ?? 'random',
      shuffle: true,
      seed: o.seed,
    });
  }
  if (o.batchSize === undefined) return undefined;
  if (!model.acceptsBlocks)
    throw new InvalidArgumentError(
      `--batch-size needs a model that trains on sampled blocks (${BLOCK_MODELS.join(', ')}); ${model.name} trains full-batch only`,
    );
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
