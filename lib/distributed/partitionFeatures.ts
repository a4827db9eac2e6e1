import { NodeData } from '../data/NodeData.js';
import { FathomError } from '../errors/FathomError.js';
import { requireInstance } from '../errors/args.js';
import { Tensor } from '../tensor/Tensor.js';
import { hostFeatures } from '../train/batchFeatures.js';
import { broadcast } from './collectives.js';
import { DistributedFeatures } from './DistributedFeatures.js';
import { FEATURE_PARTITION_METHODS, type FeaturePartitionMethod, partitionBook } from './partitionBook.js';
import { abortDistributed, currentWorld } from './runtime.js';

export interface PartitionFeaturesOptions {
  /** How the nodes are split among the ranks (default 'auto': METIS where it loads, else contiguous). See FeaturePartitionMethod. */
  method?: FeaturePartitionMethod;
  /** Seed of METIS and of the random split (integer ≥ 0, default 0). */
  seed?: number;
}

/**
 * Splits `data`'s node features across the ranks of the job: rank 0 computes the partition book
 * (METIS, random or contiguous; see partitionBook) and sends it to the others, and each rank keeps
 * only the rows of its own nodes in the returned store (its `nbytes` ≈ 1/worldSize of the
 * features). A collective. The data itself is left as it is: dispose what you no longer need. In a
 * world of one the store holds every row. An error on rank 0 while the others wait for its book
 * ends the job (abortDistributed).
 *
 * @throws FathomError 'RANGE' for an unknown method or a bad seed; 'MISSING_MODULE' (on rank 0) for 'metis' without libmetis.
 * @example
 * initDistributed();
 * using store = await partitionFeatures(data, { method: 'metis' });
 * console.log(`rank ${rank()}: ${store.localNodes.length} nodes, ${store.nbytes} bytes of features`);
 * await fit(sage, data, { distributed: true, batches: loader, features: store });
 */
export async function partitionFeatures(data: NodeData, options: PartitionFeaturesOptions = {}): Promise<DistributedFeatures> {
  const op = 'partitionFeatures';
  const world = currentWorld(op);
  requireInstance(op, 'data', data, NodeData, 'NodeData (NodeData.from(dataset))');
  if (typeof options !== 'object' || options === null) throw new TypeError(`${op}: argument options must be an object`);
  const method = options.method ?? 'auto';
  const seed = options.seed ?? 0;
  // Checked alike on every rank, before any of them waits for another.
  if (!FEATURE_PARTITION_METHODS.includes(method)) {
    throw new FathomError(`${op}: method must be one of ${FEATURE_PARTITION_METHODS.map((m) => `'${m}'`).join(', ')}, got ${String(method)}`, 'RANGE');
  }
  if (!Number.isSafeInteger(seed) || seed < 0) throw new FathomError(`${op}: seed must be an integer ≥ 0, got ${String(seed)}`, 'RANGE');
  const n = data.graph.numNodes;
  let owner: Int32Array;
  try {
    owner = world.rank === 0 ? await partitionBook(data.graph, world.worldSize, { method, seed }) : new Int32Array(n);
    if (world.mpi) {
      using book = broadcast(Tensor.from(owner), 0);
      owner = book.toArray() as Int32Array;
    }
  } catch (e) {
    if (world.mpi) abortDistributed(e);
    throw e;
  }
  const F = data.numFeatures;
  const all = hostFeatures(data);
  let mine = 0;
  for (let v = 0; v < n; v++) if (owner[v] === world.rank) mine++;
  const rows = new (all.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(mine * F);
  for (let v = 0, at = 0; v < n; v++) {
    if (owner[v] !== world.rank) continue;
    rows.set(all.subarray(v * F, (v + 1) * F), at * F);
    at++;
  }
  return DistributedFeatures.fromLocal({ owner, rows, numFeatures: F, device: data.y.device });
}
