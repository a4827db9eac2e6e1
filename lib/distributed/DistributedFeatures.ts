import { native } from '../binding/native.js';
import { FathomError } from '../errors/FathomError.js';
import type { Device } from '../tensor/dtype.js';
import { Tensor } from '../tensor/Tensor.js';
import { allReduce, broadcast } from './collectives.js';
import { currentWorld, type DistributedWorld } from './runtime.js';

/** What DistributedFeatures.fromLocal() takes: the partition book and this rank's rows. */
export interface LocalFeatureShard {
  /** The rank owning each node (the same on every rank), e.g. from partitionBook(). */
  owner: Int32Array;
  /** This rank's rows, in ascending node order: [nodes it owns, numFeatures], row-major. */
  rows: Float32Array | Float64Array;
  numFeatures: number;
  /** Where gather() puts its rows (default 'cpu'). */
  device?: Device;
}

/**
 * Node features partitioned across the ranks of an mpirun job, as DistDGL's feature store: each
 * rank holds only the rows of the nodes it owns (`nbytes`, about 1/worldSize of the whole), and
 * `gather(nodeIds)` fetches any rows from their owners with MPI all-to-all exchanges. Made by
 * partitionFeatures() (or fromLocal() from rows a rank loaded itself); fit() reads a sampled
 * batch's input rows through it with `features: 'partitioned'`. Every method that talks to the
 * other ranks is a collective: every rank calls it, in the same order.
 *
 * @example
 * initDistributed();
 * using store = await partitionFeatures(data, { method: 'metis' });
 * using x = store.gather(batch.nodeIds); // [batch.nodeIds.length, numFeatures]
 */
export class DistributedFeatures implements Disposable {
  readonly numNodes: number;
  readonly numFeatures: number;
  readonly device: Device;
  /** The nodes this rank owns, ascending. */
  readonly localNodes: Int32Array;
  #owner: Int32Array | null;
  #local: Int32Array;
  #rows: Float32Array | Float64Array | null;

  private constructor(shard: LocalFeatureShard, world: DistributedWorld) {
    // Private to TypeScript only: plain JavaScript can still call it.
    if (!(shard?.owner instanceof Int32Array) || !world)
      throw new TypeError('DistributedFeatures: create it with partitionFeatures() or DistributedFeatures.fromLocal()');
    this.#owner = shard.owner;
    this.numNodes = shard.owner.length;
    this.numFeatures = shard.numFeatures;
    this.device = shard.device ?? 'cpu';
    this.#rows = shard.rows;
    this.#local = new Int32Array(this.numNodes);
    const fill = new Int32Array(world.worldSize);
    const mine: number[] = [];
    shard.owner.forEach((r, v) => {
      this.#local[v] = fill[r]!++;
      if (r === world.rank) mine.push(v);
    });
    this.localNodes = Int32Array.from(mine);
  }

  /**
   * The store over rows this rank already holds (a collective: the ranks check that their books
   * and widths agree, and all fail together when one rank's shard is wrong). `rows` is kept, not
   * copied.
   *
   * @throws FathomError 'RANGE' for an owner that is not a rank, 'SHAPE' for rows that are not this rank's, 'DISTRIBUTED' when the ranks disagree.
   * @example
   * const owner = await partitionBook(graph, worldSize(), { method: 'contiguous' });
   * using store = DistributedFeatures.fromLocal({ owner, rows: myRows, numFeatures: 128 });
   */
  static fromLocal(shard: LocalFeatureShard): DistributedFeatures {
    const op = 'DistributedFeatures.fromLocal';
    const world = currentWorld(op);
    if (typeof shard !== 'object' || shard === null) throw new TypeError(`${op}: argument shard must be an object`);
    const { owner, rows, numFeatures } = shard;
    if (!(owner instanceof Int32Array)) throw new TypeError(`${op}: owner must be an Int32Array (a rank per node)`);
    if (!(rows instanceof Float32Array || rows instanceof Float64Array)) throw new TypeError(`${op}: rows must be a Float32Array or Float64Array`);
    if (!Number.isInteger(numFeatures) || numFeatures < 1)
      throw new FathomError(`${op}: numFeatures must be an integer ≥ 1, got ${String(numFeatures)}`, 'RANGE');
    agree(op, world, [owner.length, numFeatures, rows instanceof Float64Array ? 64 : 32, bookChecksum(owner)], shardProblem(op, world, shard));
    return new DistributedFeatures(shard, world);
  }

  /** Bytes of feature rows this rank holds (its share of the store). */
  get nbytes(): number {
    return this.#rows?.byteLength ?? 0;
  }

  /** Bytes of the partition book (owner and local row of every node), held by every rank. */
  get bookBytes(): number {
    return this.#owner ? this.#owner.byteLength + this.#local.byteLength : 0;
  }

  get disposed(): boolean {
    return this.#rows === null;
  }

  /** The owning rank of node `v`. */
  ownerOf(v: number): number {
    const owner = this.#live('ownerOf').owner;
    if (!Number.isInteger(v) || v < 0 || v >= this.numNodes) throw new FathomError(`ownerOf: node ${String(v)} is not in [0, ${this.numNodes})`, 'RANGE');
    return owner[v]!;
  }

  /**
   * Rows `nodeIds` as a tensor [nodeIds.length, numFeatures] on the store's device, in the order
   * given, each fetched from its owner: one MPI_Alltoall and two MPI_Alltoallv. A collective:
   * every rank calls it the same number of times, with an empty Int32Array when it needs no rows.
   * The caller disposes the tensor.
   *
   * @throws FathomError 'RANGE' naming the first id outside [0, numNodes) (the other ranks then get 'DISTRIBUTED'); 'TYPE' when disposed.
   * @example
   * using x = store.gather(new Int32Array([5, 0, 17]));
   */
  gather(nodeIds: Int32Array): Tensor {
    const { owner, rows } = this.#live('gather');
    if (!(nodeIds instanceof Int32Array)) throw new TypeError('gather: argument nodeIds must be an Int32Array');
    const out = native().distGatherRows(nodeIds, owner, this.#local, rows, this.numFeatures);
    return Tensor.from(out, [nodeIds.length, this.numFeatures], { device: this.device });
  }

  /** Frees the rows and the book (idempotent); gather() then fails. */
  dispose(): void {
    this.#rows = null;
    this.#owner = null;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  #live(op: string): { owner: Int32Array; rows: Float32Array | Float64Array } {
    if (!this.#rows || !this.#owner) throw new FathomError(`${op}: the DistributedFeatures was disposed`, 'TYPE');
    return { owner: this.#owner, rows: this.#rows };
  }
}

/** Why this rank's owners or rows are wrong (an owner that is not a rank, rows not its own), or null. */
function shardProblem(op: string, world: DistributedWorld, { owner, rows, numFeatures }: LocalFeatureShard): FathomError | null {
  let mine = 0;
  for (let v = 0; v < owner.length; v++) {
    const r = owner[v]!;
    if (r < 0 || r >= world.worldSize) return new FathomError(`${op}: owner[${v}] = ${r} is not a rank in [0, ${world.worldSize})`, 'RANGE');
    if (r === world.rank) mine++;
  }
  if (rows.length === mine * numFeatures) return null;
  return new FathomError(
    `${op}: rank ${world.rank} owns ${mine} nodes of ${numFeatures} features (${mine * numFeatures} values); rows has ${rows.length}`,
    'SHAPE',
  );
}

/**
 * Every rank holds rank 0's `values` (a shape and a book checksum) and a valid shard, or every
 * rank fails: a rank whose own shard is wrong with that error, the others with DISTRIBUTED, so
 * that none is left waiting in a later collective.
 */
function agree(op: string, world: DistributedWorld, values: number[], problem: FathomError | null): void {
  if (!world.mpi) {
    if (problem) throw problem;
    return;
  }
  using theirs = broadcast(Tensor.from(new Float64Array(values)), 0);
  const differ = theirs.toArray().some((x, i) => x !== values[i]);
  using flags = allReduce(Tensor.from(new Float64Array([differ ? 1 : 0, problem ? 1 : 0])), { op: 'sum' });
  const [differing, failed] = flags.toArray() as Float64Array;
  if (problem) throw problem;
  if (failed! > 0) throw new FathomError(`${op}: ${failed} other rank(s) failed to build their shard (their errors say why)`, 'DISTRIBUTED');
  if (differing! > 0) {
    const names = '[nodes, features, bits, book checksum]';
    throw new FathomError(
      `${op}: the ranks' stores differ: rank ${world.rank} has ${names} = [${values.join()}], rank 0 [${[...theirs.toArray()].join()}]`,
      'DISTRIBUTED',
    );
  }
}

/** A 32-bit hash of the book: equal books hash equal on every rank. */
function bookChecksum(owner: Int32Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < owner.length; i++) h = Math.imul(h ^ owner[i]!, 0x01000193);
  return h >>> 0;
}
