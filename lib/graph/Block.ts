import { native } from '../binding/native.js';
import type { CsrHandle } from '../binding/types.js';
import { Tensor } from '../tensor/Tensor.js';
import type { Device, DType } from '../tensor/dtype.js';
import { GraphOperator } from './GraphOperator.js';

/** What a block aggregates with: 'mean' (D⁻¹A over the sampled edges) or 'target' (the first numTargets sources). */
export type BlockOperatorKind = 'mean' | 'sum' | 'target';

/**
 * A bipartite message-passing graph, the unit of mini-batch training (DGL's block, one layer
 * of a PyG NeighborLoader batch): edges run from `numSources` source nodes to `numTargets`
 * target nodes, in local ids, and the targets are the first `numTargets` sources (a node's own
 * features are row i of the layer's input). Operators are built natively on first use and cached
 * per (kind, dtype, device); they are rectangular [numTargets × numSources] CSRs with their
 * transposes, so the ordinary SpMM and its backward apply. Usually made by a neighbour sampler.
 *
 * @example
 * using block = Block.fromEdgeIndex(new Int32Array([1, 2, 2,  0, 0, 1]), { numSources: 3, numTargets: 2 });
 * const h = propagate(block.operator('mean'), x); // x: [3, F] → h: [2, F]
 */
export class Block implements Disposable {
  readonly numSources: number;
  readonly numTargets: number;
  readonly numEdges: number;
  /** The edges as [sources..., targets...] in local ids (a copy of what was given). */
  readonly edgeIndex: Int32Array;
  #operators = new Map<string, GraphOperator>();
  #adjacency: CsrHandle | null;

  private constructor(edgeIndex: Int32Array, numSources: number, numTargets: number, adjacency: CsrHandle) {
    if (!(edgeIndex instanceof Int32Array) || !adjacency || typeof adjacency !== 'object') {
      throw new TypeError('Block: create blocks with Block.fromEdgeIndex(edgeIndex, { numSources, numTargets })');
    }
    this.edgeIndex = edgeIndex;
    this.numSources = numSources;
    this.numTargets = numTargets;
    this.numEdges = edgeIndex.length / 2;
    this.#adjacency = adjacency;
  }

  /**
   * A block from a flat edgeIndex [sources..., targets...] with sources in [0, numSources) and
   * targets in [0, numTargets ≤ numSources); every index is checked natively.
   */
  static fromEdgeIndex(edgeIndex: Int32Array, options: { numSources: number; numTargets: number }): Block {
    const op = 'Block.fromEdgeIndex';
    if (!(edgeIndex instanceof Int32Array)) throw new TypeError(`${op}: edgeIndex must be an Int32Array [sources..., targets...]`);
    if (edgeIndex.length % 2 !== 0) throw new RangeError(`${op}: edgeIndex has odd length ${edgeIndex.length}; expected [2, E] flattened`);
    const { numSources, numTargets } = options ?? ({} as { numSources: number; numTargets: number });
    for (const [name, v] of [
      ['numSources', numSources],
      ['numTargets', numTargets],
    ] as const) {
      if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) throw new RangeError(`${op}: ${name} must be an integer in [0, 2^31), got ${String(v)}`);
    }
    if (numTargets > numSources) {
      throw new RangeError(`${op}: numTargets ${numTargets} exceeds numSources ${numSources}; the targets are the first sources`);
    }
    const copy = Int32Array.from(edgeIndex);
    using t = Tensor.from(copy, [2, copy.length / 2], { dtype: 'i32' });
    return new Block(copy, numSources, numTargets, native().csrFromBipartite(t.handle(op), numSources, numTargets));
  }

  /** The operator `kind` in `dtype` on `device`, with its transpose; cached, owned by the block. */
  operator(kind: BlockOperatorKind, options: { dtype?: DType; device?: Device } = {}): GraphOperator {
    const dtype = options.dtype ?? 'f32';
    const device = options.device ?? 'cpu';
    if (kind !== 'mean' && kind !== 'sum' && kind !== 'target') throw new RangeError(`Block.operator: kind '${String(kind)}' is not one of mean, sum, target`);
    const key = `${kind}/${dtype}/${device}`;
    let cached = this.#operators.get(key);
    if (!cached) {
      cached = this.build(kind, dtype, device);
      this.#operators.set(key, cached);
    }
    return cached;
  }

  private build(kind: BlockOperatorKind, dtype: DType, device: Device): GraphOperator {
    if (!this.#adjacency) throw new TypeError('Block.operator: the block was disposed');
    const b = native();
    const made: CsrHandle[] = [];
    const own = (h: CsrHandle) => {
      made.push(h);
      return h;
    };
    try {
      // 'target' selects the first numTargets rows: one unit entry (i, i) per target.
      const structure = kind === 'target' ? own(this.identity()) : this.#adjacency;
      const cpu = own(b.csrOperator(structure, kind === 'mean' ? 'mean' : 'sum', dtype));
      const cpuT = own(b.csrTranspose(cpu));
      const onDevice = device === 'cpu' ? [cpu, cpuT] : [own(b.csrTo(cpu, device)), own(b.csrTo(cpuT, device))];
      for (const h of made) if (!onDevice.includes(h)) h.dispose();
      return new GraphOperator(kind, dtype, device, onDevice[0], onDevice[1], this.numTargets);
    } catch (e) {
      for (const h of made) h.dispose();
      throw e;
    }
  }

  private identity(): CsrHandle {
    const T = this.numTargets;
    const ei = new Int32Array(2 * T);
    for (let i = 0; i < T; i++) ei[i] = ei[T + i] = i;
    using t = Tensor.from(ei, [2, T], { dtype: 'i32' });
    return native().csrFromBipartite(t.handle('Block.operator'), this.numSources, T);
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
