import { native } from '../binding/native.js';
import type { CsrHandle, TensorHandle } from '../binding/types.js';
import { shapeString, type Device, type DType } from './dtype.js';
import { Tensor } from './Tensor.js';

// The stored structure, shared by a matrix and every dropout view of it.
interface Structure {
  csr: CsrHandle | null;
  csrT: CsrHandle | null;
}

// A dropout view's values, in the CSR's and in the transpose's entry order.
interface Dropped {
  p: number;
  seed: number;
  values: Tensor;
  valuesT: Tensor;
}

/**
 * A constant feature matrix [N, F] held as its nonzeros: a CSR by row and its transpose, built
 * once. Bag-of-words features (Cora, CiteSeer, PubMed) are about 1 % nonzero, so X·W costs
 * nnz·out instead of N·F·out, and so does the weight gradient Xᵀ·dY. `matmul`, `dropout`,
 * `Linear`, `GCNConv`, `GATConv` and every NodeModel accept it where they accept a Tensor;
 * the results equal the dense path's up to summation order. It never requires a gradient.
 * Only the nonzeros are held: the dense source may be disposed once this is built.
 *
 * @example
 * using xs = SparseFeatures.fromDense(x);          // x: [2708, 1433] constant features
 * const h = matmul(xs, w, { transB: true });         // = matmul(x, w, { transB: true })
 */
export class SparseFeatures implements Disposable {
  readonly requiresGrad = false;
  readonly shape: readonly [number, number];
  readonly dtype: DType;
  readonly device: Device;
  readonly nnz: number;
  #structure: Structure;
  #owner: boolean;
  #drop: Dropped | null;

  private constructor(structure: Structure, owner: boolean, like: Tensor | SparseFeatures, nnz: number, drop: Dropped | null) {
    // Reachable from plain JS despite `private`: say which door to use instead of failing on `like.shape`.
    if (!(like instanceof Tensor) && !(like instanceof SparseFeatures)) {
      throw new TypeError('SparseFeatures: the constructor is internal; build one with SparseFeatures.fromDense(x)');
    }
    this.#structure = structure;
    this.#owner = owner;
    this.#drop = drop;
    this.shape = [like.shape[0], like.shape[1]];
    this.dtype = like.dtype;
    this.device = like.device;
    this.nnz = nnz;
  }

  /** The nonzeros of the 2-D float tensor `x` (copied: `x` may be disposed afterwards). */
  static fromDense(x: Tensor): SparseFeatures {
    if (!(x instanceof Tensor)) throw new TypeError('SparseFeatures.fromDense: argument x must be a Tensor');
    if (x.shape.length !== 2) throw new RangeError(`SparseFeatures.fromDense: x ${x.describe()} must be 2-D`);
    if (x.dtype !== 'f32' && x.dtype !== 'f64') throw new TypeError(`SparseFeatures.fromDense: x ${x.describe()} must be f32 or f64`);
    const csr = native().csrFromDense(x.handle('SparseFeatures.fromDense'));
    let csrT: CsrHandle;
    try {
      csrT = native().csrTranspose(csr);
    } catch (e) {
      csr.dispose();
      throw e;
    }
    return new SparseFeatures({ csr, csrT }, true, x, csr.info().nnz, null);
  }

  /** Fraction of stored entries, nnz / (N·F). */
  get density(): number {
    const n = this.shape[0] * this.shape[1];
    return n === 0 ? 0 : this.nnz / n;
  }

  get disposed(): boolean {
    return this.#structure.csr === null;
  }

  describe(): string {
    return `sparse ${this.dtype}${shapeString(this.shape)} (nnz ${this.nnz}) on ${this.device}`;
  }

  /**
   * Dense dropout's result at the same (p, seed), kept sparse: zeros stay zeros, and each
   * stored value gets the keep decision of its dense position (same hash, same scale).
   */
  dropout(p: number, seed: number): SparseFeatures {
    if (this.#drop) throw new RangeError('SparseFeatures.dropout: these features are already a dropout of others');
    const { csr, csrT } = this.#handles('dropout');
    const values = new Tensor(native().csrDropout(csr, p, seed, false));
    const valuesT = new Tensor(native().csrDropout(csrT, p, seed, true));
    return new SparseFeatures(this.#structure, false, this, this.nnz, { p, seed, values, valuesT });
  }

  /**
   * The dense matrix, a new tensor (for ops without a sparse path). A dropout view gives dense
   * dropout's result at the same seed: its stored values already carry that mask and scale.
   */
  toDense(): Tensor {
    const { csr } = this.#handles('toDense');
    const [rows, cols] = this.shape;
    const a = csr.arrays();
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
    host(a.perm);
    const stored = host(a.values);
    const values = this.#drop ? this.#drop.values.toArray() : stored!;
    const out = this.dtype === 'f64' ? new Float64Array(rows * cols) : new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      for (let k = rowptr[r]; k < rowptr[r + 1]; k++) out[r * cols + col[k]] = values[k];
    }
    return Tensor.from(out, [rows, cols], { device: this.device });
  }

  /**
   * @internal The CSR of the matrix (or of its transpose) with the values to multiply by
   * (null: the CSR's own).
   */
  operand(op: string, transposed: boolean): { csr: CsrHandle; values: TensorHandle | null } {
    const { csr, csrT } = this.#handles(op);
    const d = this.#drop;
    if (transposed) return { csr: csrT, values: d ? d.valuesT.handle(op) : null };
    return { csr, values: d ? d.values.handle(op) : null };
  }

  #handles(op: string): { csr: CsrHandle; csrT: CsrHandle } {
    const { csr, csrT } = this.#structure;
    if (!csr || !csrT) throw new TypeError(`${op}: the sparse features were disposed`);
    return { csr, csrT };
  }

  /** Frees the CSR arrays (the matrix's own; a dropout view frees its values). Idempotent. */
  dispose(): void {
    if (this.#owner) {
      this.#structure.csr?.dispose();
      this.#structure.csrT?.dispose();
      this.#structure.csr = this.#structure.csrT = null;
    }
    const d = this.#drop;
    d?.values.dispose();
    d?.valuesT.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
