import { readNpyHeader, readNpyRows } from '../data/formats/readNpyRows.js';
import { NodeData } from '../data/NodeData.js';
import { FathomError } from '../errors/FathomError.js';
import { Graph } from '../graph/Graph.js';
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
  /**
   * A C-order float32/float64 `.npy` matrix (N, F) to read this rank's rows from, seeking to
   * each, instead of taking them from `data`: no rank then holds more than its own rows (see
   * readNpyRows). `data` may then be just the Graph.
   */
  featuresFile?: string;
  /** With featuresFile: row-normalize the rows read (as loadDataset's normalizeFeatures; rows are local, so this needs no exchange). */
  normalizeFeatures?: boolean;
}

/**
 * Splits `data`'s node features across the ranks of the job: rank 0 computes the partition book
 * (METIS, random or contiguous; see partitionBook) and sends it to the others, and each rank keeps
 * only the rows of its own nodes in the returned store (its `nbytes` ≈ 1/worldSize of the
 * features). A collective. The data itself is left as it is: dispose what you no longer need. In a
 * world of one the store holds every row. With `featuresFile` each rank reads only its own rows
 * from a `.npy` file (readNpyRows) and `data`'s features are never read. An error on rank 0 while
 * the others wait for its book, or on any rank reading its rows, ends the job (abortDistributed).
 *
 * @throws FathomError 'RANGE' for an unknown method or a bad seed; 'MISSING_MODULE' (on rank 0) for 'metis' without libmetis; 'SHAPE' for a featuresFile whose rows are not the graph's nodes, 'NUMERIC' for a NaN or infinite value in this rank's rows; DatasetError 'EFORMAT' for a file readNpyRows refuses.
 * @example
 * initDistributed();
 * using store = await partitionFeatures(data, { method: 'metis' });
 * console.log(`rank ${rank()}: ${store.localNodes.length} nodes, ${store.nbytes} bytes of features`);
 * await fit(sage, data, { distributed: true, batches: loader, features: store });
 * using fromDisk = await partitionFeatures(data.graph, { featuresFile: 'x.npy' }); // only this rank's rows read
 */
export async function partitionFeatures(data: NodeData | Graph, options: PartitionFeaturesOptions = {}): Promise<DistributedFeatures> {
  const op = 'partitionFeatures';
  const world = currentWorld(op);
  if (typeof options !== 'object' || options === null) throw new TypeError(`${op}: argument options must be an object`);
  const file = options.featuresFile;
  if (file !== undefined && typeof file !== 'string') throw new TypeError(`${op}: featuresFile must be a path string, got ${typeof file}`);
  if (!(data instanceof NodeData) && !(data instanceof Graph && file !== undefined)) {
    throw new TypeError(`${op}: argument data must be a NodeData (NodeData.from(dataset)), or a Graph with options.featuresFile`);
  }
  const graph = data instanceof NodeData ? data.graph : data;
  const method = options.method ?? 'auto';
  const seed = options.seed ?? 0;
  // Checked alike on every rank, before any of them waits for another.
  if (!FEATURE_PARTITION_METHODS.includes(method)) {
    throw new FathomError(`${op}: method must be one of ${FEATURE_PARTITION_METHODS.map((m) => `'${m}'`).join(', ')}, got ${String(method)}`, 'RANGE');
  }
  if (!Number.isSafeInteger(seed) || seed < 0) throw new FathomError(`${op}: seed must be an integer ≥ 0, got ${String(seed)}`, 'RANGE');
  const n = graph.numNodes;
  let owner: Int32Array;
  try {
    owner = world.rank === 0 ? await partitionBook(graph, world.worldSize, { method, seed }) : new Int32Array(n);
    if (world.mpi) {
      using book = broadcast(Tensor.from(owner), 0);
      owner = book.toArray() as Int32Array;
    }
  } catch (e) {
    if (world.mpi) abortDistributed(e);
    throw e;
  }
  const device = data instanceof NodeData ? data.y.device : 'cpu';
  if (file !== undefined || !(data instanceof NodeData)) {
    let shard: ReturnType<typeof ownRowsOf>;
    try {
      shard = ownRowsOf(file!, owner, world.rank, options.normalizeFeatures === true);
    } catch (e) {
      // The others would wait for this rank's rows in fromLocal's check: end them all.
      if (world.mpi) abortDistributed(e);
      throw e;
    }
    return DistributedFeatures.fromLocal({ owner, ...shard, device });
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
  return DistributedFeatures.fromLocal({ owner, rows, numFeatures: F, device });
}

/** This rank's rows (ascending node order), read from the file alone; its row count must be the graph's. */
function ownRowsOf(file: string, owner: Int32Array, rank: number, normalize: boolean): { rows: Float32Array | Float64Array; numFeatures: number } {
  const [numRows] = readNpyHeader(file).shape;
  if (numRows !== owner.length) {
    throw new FathomError(`partitionFeatures: ${file} holds ${numRows} rows; the graph has ${owner.length} nodes`, 'SHAPE');
  }
  const mine: number[] = [];
  owner.forEach((r, v) => {
    if (r === rank) mine.push(v);
  });
  const { rows, numFeatures } = readNpyRows(file, Int32Array.from(mine));
  for (let i = 0; i < rows.length; i++) {
    if (!Number.isFinite(rows[i]!)) {
      throw new FathomError(`partitionFeatures: ${file}: row ${mine[Math.floor(i / numFeatures)]} holds ${rows[i]}; features must be finite`, 'NUMERIC');
    }
  }
  if (normalize) rowNormalize(rows, numFeatures);
  return { rows, numFeatures };
}

/** normalizeFeatures' arithmetic (L1, sums in float64, zero rows kept) for float32 or float64 rows. */
function rowNormalize(x: Float32Array | Float64Array, f: number): void {
  for (let off = 0; off < x.length; off += f) {
    let sum = 0;
    for (let j = off; j < off + f; j++) sum += Math.abs(x[j]!);
    if (sum === 0) continue;
    const inv = 1 / sum;
    for (let j = off; j < off + f; j++) x[j] = x[j]! * inv;
  }
}
