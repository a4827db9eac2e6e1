import { native } from '../binding/native.js';
import type { CsrHandle, TensorHandle } from '../binding/types.js';
import { Rng } from '../random/rng.js';
import { Tensor } from '../tensor/Tensor.js';
import type { Device, DType } from '../tensor/dtype.js';
import { GraphOperator } from './GraphOperator.js';

/** Aggregation operators of docs/methods.md §1, and 'gin' = A + I (one self loop per node). */
export type Aggregation = 'gcn' | 'mean' | 'sum' | 'gin';
export const AGGREGATIONS: readonly Aggregation[] = ['gcn', 'mean', 'sum', 'gin'];

export interface GraphOptions {
  /** Number of nodes; defaults to the largest index + 1. */
  numNodes?: number;
}

/**
 * A directed graph from PyG's `edgeIndex` [2, E] (row 0 sources, row 1 targets). Aggregation
 * at node i runs over its in-neighbours. Every index is validated. Operators (normalized
 * adjacency in CSR by target, and its transpose for the backward pass) are built natively
 * once per (aggregation, dtype, device) and cached.
 *
 * @example
 * using graph = Graph.fromEdgeIndex(new Int32Array([0, 1, 1, 2,  1, 0, 2, 1]), { numNodes: 3 });
 * const h = propagate(graph.operator('gcn'), x);
 */
export class Graph implements Disposable {
  readonly numNodes: number;
  readonly numEdges: number;
  #adjacency: CsrHandle | null;
  #operators = new Map<string, GraphOperator>();
  #inDegree: Float64Array | null = null;
  #edges: Int32Array | null = null;

  private constructor(adjacency: CsrHandle, numNodes: number, numEdges: number) {
    if (!adjacency || typeof adjacency !== 'object' || typeof adjacency.dispose !== 'function') {
      throw new TypeError('Graph: create graphs with Graph.fromEdgeIndex(edgeIndex, { numNodes })');
    }
    this.#adjacency = adjacency;
    this.numNodes = numNodes;
    this.numEdges = numEdges;
  }

  /** Builds a graph from a flat Int32Array [sources..., targets...], a [2, E] i32 Tensor, or [[src...], [dst...]]. */
  static fromEdgeIndex(edgeIndex: Int32Array | Tensor | readonly (readonly number[])[], options: GraphOptions = {}): Graph {
    const op = 'Graph.fromEdgeIndex';
    const flat = toFlat(op, edgeIndex);
    const numEdges = flat.length / 2;
    let numNodes = options.numNodes;
    if (numNodes === undefined) {
      let max = -1;
      for (let i = 0; i < flat.length; i++) if (flat[i] > max) max = flat[i];
      numNodes = max + 1;
    }
    if (!Number.isInteger(numNodes) || numNodes < 0 || numNodes > 0x7fffffff) {
      throw new RangeError(`${op}: numNodes must be an integer in [0, 2^31), got ${numNodes}`);
    }
    using tensor = Tensor.from(flat, [2, numEdges], { dtype: 'i32' });
    return new Graph(native().csrFromEdgeIndex(tensor.handle(op), numNodes), numNodes, numEdges);
  }

  /**
   * The operator `kind` with values in `dtype`, on `device`, with its transpose; cached.
   * Owned by the graph: disposed with it.
   */
  operator(kind: Aggregation = 'gcn', options: { dtype?: DType; device?: Device } = {}): GraphOperator {
    const dtype = options.dtype ?? 'f32';
    const device = options.device ?? 'cpu';
    if (!AGGREGATIONS.includes(kind)) throw new RangeError(`Graph.operator: kind '${kind}' is not one of ${AGGREGATIONS.join(', ')}`);
    if (dtype !== 'f32' && dtype !== 'f64') throw new TypeError(`Graph.operator: dtype must be f32 or f64, got ${dtype}`);
    if (device !== 'cpu' && device !== 'cuda') throw new RangeError(`Graph.operator: device '${device}' is not one of cpu, cuda`);
    const key = `${kind}/${dtype}/${device}`;
    let cached = this.#operators.get(key);
    if (!cached) {
      cached = this.buildOperator(kind, dtype, device);
      this.#operators.set(key, cached);
    }
    return cached;
  }

  private buildOperator(kind: Aggregation, dtype: DType, device: Device): GraphOperator {
    const b = native();
    const made: CsrHandle[] = [];
    const own = (h: CsrHandle) => {
      made.push(h);
      return h;
    };
    try {
      const cpu = own(b.csrOperator(this.adjacency('Graph.operator'), kind, dtype));
      const cpuT = own(b.csrTranspose(cpu));
      if (device === 'cpu') return new GraphOperator(kind, dtype, device, cpu, cpuT, this.numNodes);
      const dev = own(b.csrTo(cpu, device));
      const devT = own(b.csrTo(cpuT, device));
      cpu.dispose();
      cpuT.dispose();
      return new GraphOperator(kind, dtype, device, dev, devT, this.numNodes);
    } catch (e) {
      for (const h of made) h.dispose();
      throw e;
    }
  }

  /**
   * DropEdge: a new graph that keeps every edge independently with probability 1 − p, the
   * draws from `seed` in edge-list order (the same edges for the same seed). The caller owns
   * and disposes it.
   *
   * @example
   * using sub = graph.dropEdges(0.2, 7);
   */
  dropEdges(p: number, seed: number): Graph {
    const op = 'Graph.dropEdges';
    if (typeof p !== 'number' || !(p >= 0 && p < 1)) throw new RangeError(`${op}: p must be in [0, 1), got ${String(p)}`);
    if (!Number.isInteger(seed)) throw new RangeError(`${op}: seed must be an integer, got ${String(seed)}`);
    const edges = this.edgeList(op);
    const e = this.numEdges;
    const rng = new Rng(seed);
    const src: number[] = [];
    const dst: number[] = [];
    for (let k = 0; k < e; k++) {
      if (rng.nextFloat() < p) continue;
      src.push(edges[k]!);
      dst.push(edges[e + k]!);
    }
    return Graph.fromEdgeIndex(Int32Array.from([...src, ...dst]), { numNodes: this.numNodes });
  }

  /** The edge index [sources..., targets...] in the order it was given, from the adjacency (cached). */
  private edgeList(op: string): Int32Array {
    if (this.#edges) return this.#edges;
    const a = this.adjacency(op).arrays();
    const host = (h: TensorHandle | undefined) => {
      if (!h) return null;
      const t = new Tensor(h);
      try {
        return t.toArray();
      } finally {
        t.dispose();
      }
    };
    const rowptr = host(a.rowptr)!;
    const col = host(a.col)!;
    const perm = host(a.perm)!;
    host(a.values);
    const e = this.numEdges;
    const edges = new Int32Array(2 * e);
    for (let r = 0; r < this.numNodes; r++) {
      for (let k = rowptr[r]!; k < rowptr[r + 1]!; k++) {
        edges[perm[k]!] = col[k]!;
        edges[e + perm[k]!] = r;
      }
    }
    this.#edges = edges;
    return edges;
  }

  /** In-degree of every node (number of edges j → i), cached. */
  inDegree(): Float64Array {
    if (!this.#inDegree) {
      const t = new Tensor(native().csrDegrees(this.adjacency('Graph.inDegree')));
      try {
        this.#inDegree = t.toArray() as Float64Array;
      } finally {
        t.dispose();
      }
    }
    return this.#inDegree;
  }

  /**
   * Host copies of the adjacency in CSR by target: row i of `col` (from rowptr[i] to
   * rowptr[i + 1]) lists the sources j of the edges j → i, in edge order. What samplers read.
   */
  csr(): { rowptr: Int32Array; col: Int32Array } {
    const arrays = this.adjacency('Graph.csr').arrays();
    const [rowptr, col, perm] = [new Tensor(arrays.rowptr), new Tensor(arrays.col), new Tensor(arrays.perm)];
    try {
      return { rowptr: rowptr.toArray() as Int32Array, col: col.toArray() as Int32Array };
    } finally {
      for (const t of [rowptr, col, perm]) t.dispose();
    }
  }

  private adjacency(op: string): CsrHandle {
    if (!this.#adjacency) throw new TypeError(`${op}: the graph was disposed`);
    return this.#adjacency;
  }

  get disposed(): boolean {
    return this.#adjacency === null;
  }

  dispose(): void {
    for (const o of this.#operators.values()) o.dispose();
    this.#operators.clear();
    this.#adjacency?.dispose();
    this.#adjacency = null;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

function toFlat(op: string, edgeIndex: Int32Array | Tensor | readonly (readonly number[])[]): Int32Array {
  if (edgeIndex instanceof Int32Array) {
    if (edgeIndex.length % 2 !== 0) throw new RangeError(`${op}: edgeIndex has odd length ${edgeIndex.length}; expected [2, E] flattened`);
    return edgeIndex;
  }
  if (edgeIndex instanceof Tensor) {
    if (edgeIndex.dtype !== 'i32') throw new TypeError(`${op}: edgeIndex must be i32, got ${edgeIndex.describe()}`);
    if (edgeIndex.shape.length !== 2 || edgeIndex.shape[0] !== 2) throw new RangeError(`${op}: edgeIndex must be [2, E], got ${edgeIndex.describe()}`);
    return edgeIndex.toArray() as Int32Array;
  }
  if (Array.isArray(edgeIndex) && edgeIndex.length === 2 && Array.isArray(edgeIndex[0]) && Array.isArray(edgeIndex[1])) {
    const [src, dst] = edgeIndex;
    if (src.length !== dst.length) throw new RangeError(`${op}: edgeIndex rows differ in length: ${src.length} sources, ${dst.length} targets`);
    const flat = new Int32Array(src.length * 2);
    for (let i = 0; i < src.length; i++) {
      if (!Number.isInteger(src[i]) || !Number.isInteger(dst[i])) throw new TypeError(`${op}: edgeIndex[:, ${i}] is not a pair of integers`);
      flat[i] = src[i];
      flat[src.length + i] = dst[i];
    }
    return flat;
  }
  throw new TypeError(`${op}: edgeIndex must be an Int32Array, an i32 Tensor [2, E] or [[sources], [targets]]`);
}
