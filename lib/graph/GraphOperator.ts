import type { CsrHandle } from '../binding/types.js';
import type { Device, DType } from '../tensor/dtype.js';

/**
 * A sparse operator on a graph's nodes (CSR by target) together with its transpose (CSR by
 * source), which the backward pass uses so that neither direction needs atomics.
 * Created and owned by {@link Graph.operator}.
 */
export class GraphOperator {
  #forward: CsrHandle | null;
  #transposed: CsrHandle | null;

  constructor(
    readonly kind: string,
    readonly dtype: DType,
    readonly device: Device,
    forward: CsrHandle,
    transposed: CsrHandle,
    readonly numNodes: number,
  ) {
    this.#forward = forward;
    this.#transposed = transposed;
  }

  /** @internal */
  forward(op: string): CsrHandle {
    if (!this.#forward) throw new TypeError(`${op}: the graph operator (${this.kind}) was disposed with its graph`);
    return this.#forward;
  }

  /** @internal */
  transposed(op: string): CsrHandle {
    if (!this.#transposed) throw new TypeError(`${op}: the graph operator (${this.kind}) was disposed with its graph`);
    return this.#transposed;
  }

  get nnz(): number {
    return this.forward('GraphOperator.nnz').info().nnz;
  }

  dispose(): void {
    this.#forward?.dispose();
    this.#transposed?.dispose();
    this.#forward = this.#transposed = null;
  }
}
